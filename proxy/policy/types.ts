// The active policy's types: a compiled policy ready to decide (PolicyUnit), how a new one is
// obtained (PolicyLoader), what a reload came to (ReloadOutcome) and what status reports.

import type { PolicyInstance } from '../../engine/index.js';
import type { DecisionMemo } from '../decision/index.js';
import type { Bundle, VerificationKey } from '../../bundles/index.js';

/** PolicyEntrypoints are the rules the gateway asks (config `policy`): the statement one is required, the others optional. */
export type PolicyEntrypoints = {
  readonly statement: string;
  readonly connection: string;
  readonly approval: string;
  readonly audit: string;
};

/** PolicyUnit is one instantiated policy with its data, ready to decide. */
export type PolicyUnit = {
  /** revision names it: the bundle's manifest revision, or `sha256:` and 16 hex digits of its Wasm. */
  readonly revision: string;
  readonly policy: PolicyInstance;
  /** origin says where it came from, for status and logs (a path or a URL without credentials). */
  readonly origin: string;
  /** has says whether the policy implements an entrypoint (`pkg/rule`). */
  has(entrypoint: string): boolean;
  /** signature is who signed the bundle and when (`iat`, seconds), when it was verified. */
  readonly signature?: BundleSignature;
  /** memo is the statement decisions' memo, when the bundle says which input paths the entrypoint reads. */
  readonly memo: UnitMemo;
};

/** UnitMemo is a unit's decision memo, or why it has none. */
export type UnitMemo =
  | { readonly kind: 'on'; readonly memo: DecisionMemo; readonly paths: readonly (readonly (string | number)[])[] }
  | { readonly kind: 'off'; readonly reason: string };

/** BundleSignature is what a verified signature said. */
export type BundleSignature = { readonly keyId: string; readonly signedAt: number | undefined };

/** Verification is what a loader checks a bundle's signature against: the trusted keys and the active bundle's signing time (rollback). */
export type Verification = { readonly keys: readonly VerificationKey[]; readonly activeSignedAt?: number };

/** LoadedBundle is what a loader produced: a bundle, or the reasons it could not be had (compile errors, a bad archive). */
export type LoadedBundle =
  | { readonly ok: true; readonly bundle: Bundle; readonly origin: string; readonly signature?: BundleSignature }
  | { readonly ok: false; readonly reasons: readonly string[] };

/** PolicyLoader reads the policy's source again (paths recompiled, the bundle file re-read, a fetched bundle). */
export type PolicyLoader = () => Promise<LoadedBundle>;

/** ReloadTrigger says what asked for a reload (status, logs, metrics). */
export type ReloadTrigger = 'signal' | 'api' | 'watch' | 'poll' | 'start';

/** ReloadOutcome is what one reload came to; the active policy is unchanged unless `activated`. */
export type ReloadOutcome =
  | { readonly kind: 'activated'; readonly revision: string; readonly previous: string; readonly ms: number }
  | { readonly kind: 'unchanged'; readonly revision: string }
  | { readonly kind: 'failed'; readonly revision: string; readonly reasons: readonly string[] };

/** PolicyStatus is the active policy's state for status and readiness. */
export type PolicyStatus = {
  readonly revision: string;
  readonly origin: string;
  /** activatedAt is when the active revision began deciding. */
  readonly activatedAt: Date;
  /** lastReloadAt is when a reload last finished (any outcome); undefined before the first. */
  readonly lastReloadAt: Date | undefined;
  /** lastError is the last failed reload's reasons, cleared by the next activation or unchanged reload. */
  readonly lastError: readonly string[] | undefined;
  readonly reloads: number;
  readonly reloadFailures: number;
  /** memo is the active policy's decision memo: the input paths it keys on and its counts, or why it is off. */
  readonly memo: {
    readonly on: boolean;
    readonly reason?: string;
    readonly paths: readonly string[];
    readonly hits: number;
    readonly misses: number;
  };
};
