// What SIGHUP re-reads of the configuration besides the policy's content: the log level and the identity
// settings (issuer, audience, JWKS source, algorithms, introspection) apply to what comes next
// (new log lines, new logins and admin requests; live sessions keep their verified identity), and
// every other section that changed (the policy's source and entrypoints included) is reported as
// needing a restart, never half-applied. The
// upstream and state passwords need no signal when they come from a file: it is read for every
// new upstream login.

import type { AuthEvent, TokenVerifier } from '../auth/index.js';
import { assertNever } from '../errors.js';
import type { GatewayEvent } from '../events.js';
import type { GatewayConfig } from '../config/index.js';

/** RELOADABLE are the top-level sections a SIGHUP applies without a restart. */
export const RELOADABLE = ['log', 'identity'] as const;

/** ReconfigureReport says what a re-read configuration changed. */
export type ReconfigureReport = {
  /** applied are the sections now in force (`log`, `identity`). */
  readonly applied: readonly string[];
  /** restartNeeded are the sections that changed but apply only at start. */
  readonly restartNeeded: readonly string[];
  /** errors are why an applicable change was not applied (the previous setting stays). */
  readonly errors: readonly string[];
};

/** changedSections lists the top-level sections whose settings differ. */
export function changedSections(before: GatewayConfig, after: GatewayConfig): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

/** SwappableVerifier is a token verifier whose implementation a reconfiguration replaces. */
export type SwappableVerifier = TokenVerifier & { swap(next: TokenVerifier): void };

/** swappableVerifier delegates to the current verifier; swap() closes the old one. */
export function swappableVerifier(first: TokenVerifier): SwappableVerifier {
  let current = first;
  return {
    verify: (token) => current.verify(token),
    recheck: (principal) => current.recheck(principal),
    get recheckIntervalMs() {
      return current.recheckIntervalMs;
    },
    close: () => current.close(),
    swap(next) {
      const old = current;
      current = next;
      old.close();
    },
  };
}

/** ReconfigureTargets are what a re-read configuration may change in a running gateway. */
export type ReconfigureTargets = {
  readonly setLogLevel: (level: GatewayConfig['log']['level']) => void;
  readonly verifier: SwappableVerifier;
  /** makeVerifier builds a verifier for new identity settings; it throws on invalid ones (message: the problems). */
  readonly makeVerifier: (config: GatewayConfig) => TokenVerifier;
};

/** reconfigure applies what can be applied of `after` and reports the rest. */
export function reconfigure(before: GatewayConfig, after: GatewayConfig, targets: ReconfigureTargets): ReconfigureReport {
  const changed = changedSections(before, after);
  const applied: string[] = [];
  const errors: string[] = [];
  const restartNeeded = changed.filter((k) => !(RELOADABLE as readonly string[]).includes(k));
  if (changed.includes('log')) {
    targets.setLogLevel(after.log.level);
    applied.push('log');
  }
  if (changed.includes('identity')) {
    try {
      targets.verifier.swap(targets.makeVerifier(after));
      applied.push('identity');
    } catch (e) {
      errors.push(`identity: ${e instanceof Error ? e.message : String(e)} (the previous identity settings stay)`);
    }
  }
  return { applied, restartNeeded, errors };
}

/** keysEvent is the gateway event for what the token verifier reports about its key source. */
export function keysEvent(event: AuthEvent): GatewayEvent {
  switch (event.kind) {
    case 'jwks-loaded':
      return { type: 'keys.loaded', source: event.source, keyCount: event.keyCount };
    case 'jwks-load-failed':
      return { type: 'keys.failed', source: event.source, reason: event.reason, cachedKeyCount: event.cachedKeyCount };
    case 'jwks-refresh-limited':
      return { type: 'keys.throttled', kid: event.kid, nextRefreshAt: event.nextRefreshAt.toISOString() };
    case 'introspection-failed':
      return { type: 'introspection.failed', reason: event.reason };
    default:
      return assertNever(event);
  }
}
