// Sections `approval` and `admin` of opa.config.yaml: how held statements wait (expiry, reminder
// notices, the refuse-and-grant mode and its grant lifetime), who hears about them (webhooks with
// an HMAC secret), and where the admin API listens (loopback by default, optional TLS, a rate
// limit per approver). Types, defaults and validators; secrets and PEM files are read by proxy/cli.

import { CONSOLE_DEFAULTS, validateConsole } from './console.js';
import type { ConsoleConfig } from './console.js';
import { deepFreeze, kindOf } from './section.js';
import type { Section } from './section.js';
import type { SecretSource } from './secrets.js';

/** WebhookConfig is one receiver of approval events: its URL and the secret its HMAC signature uses. */
export type WebhookConfig = { readonly url: string; readonly secret: SecretSource };

/** ApprovalConfig says how held statements wait and who is told. */
export type ApprovalConfig = {
  /** ttlMs is how long a request waits for a decision (an approval entry's `ttl` may shorten it). */
  readonly ttlMs: number;
  /** mode is the default when the approval entry names none: hold the statement, or refuse it and grant one run after approval. */
  readonly mode: 'hold' | 'refuse_and_grant';
  /** noticeIntervalMs is how often a waiting client is reminded (NoticeResponse). */
  readonly noticeIntervalMs: number;
  /** grantTtlMs is how long an approved refuse-and-grant request may be used (once). */
  readonly grantTtlMs: number;
  /** maxPending bounds the pending requests of one identity (an agent cannot flood the approvers). */
  readonly maxPending: number;
  readonly webhooks: readonly WebhookConfig[];
};

/** AdminConfig is where the admin API listens and how it limits callers. */
export type AdminConfig = {
  readonly host: string;
  readonly port: number;
  /** enabled is false when `admin.enabled: false` turns the listener off. */
  readonly enabled: boolean;
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** rateLimit is the most authenticated requests per approver within windowMs. */
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
  /** openRoutes are the routes answered without a bearer token (`metrics`, `readyz`); default `[metrics]`. */
  readonly openRoutes: readonly ('metrics' | 'readyz')[];
  /** console says whether the listener serves the web console and how it signs people in (`admin.console`). */
  readonly console: ConsoleConfig;
};

/** APPROVAL_DEFAULTS are the defaults of `approval`. */
export const APPROVAL_DEFAULTS = deepFreeze({
  ttlMs: 5 * 60_000,
  mode: 'hold' as const,
  noticeIntervalMs: 30_000,
  grantTtlMs: 10 * 60_000,
  maxPending: 10,
});

/** ADMIN_DEFAULTS are the defaults of `admin` (loopback; 120 requests a minute per approver). */
export const ADMIN_DEFAULTS = deepFreeze({
  host: '127.0.0.1',
  port: 9187,
  rateLimit: { max: 120, windowMs: 60_000 },
  openRoutes: ['metrics'] as readonly ('metrics' | 'readyz')[],
  console: CONSOLE_DEFAULTS,
});

/** OPENABLE_ROUTES are the admin routes `admin.open_routes` may list. */
const OPENABLE_ROUTES = ['metrics', 'readyz'] as const;

/** validateApproval reads the optional `approval` section. */
export function validateApproval(root: Section): ApprovalConfig {
  const s = root.section('approval', false);
  s?.only(['ttl', 'mode', 'notice_interval', 'grant_ttl', 'max_pending', 'webhooks']);
  const mode = s?.string('mode');
  if (mode !== undefined && mode !== 'hold' && mode !== 'refuse_and_grant')
    s?.error('mode', `must be hold or refuse_and_grant, got "${mode}"`);
  const webhooks: WebhookConfig[] = [];
  const raw = s?.get('webhooks');
  if (raw !== undefined && s !== undefined) {
    if (!Array.isArray(raw)) s.error('webhooks', `must be a list, got ${kindOf(raw)}`);
    else
      raw.forEach((_, i) => {
        const w = s.listItem('webhooks', i);
        if (w === undefined) return;
        w.only(['url', 'secret', 'secret_env', 'secret_file']);
        const url = w.string('url', true);
        if (url !== undefined && !/^https?:\/\/[^\s]+$/.test(url)) w.error('url', 'must be an http:// or https:// URL');
        const given = (['secret', 'secret_env', 'secret_file'] as const).filter((k) => w.get(k) !== undefined);
        if (given.length !== 1) w.error('', 'set exactly one of secret, secret_env, secret_file (the HMAC key of its signature)');
        const value = w.string(given[0] ?? 'secret');
        if (url === undefined || value === undefined || given.length !== 1) return;
        const secret: SecretSource =
          given[0] === 'secret_env'
            ? { kind: 'env', name: value }
            : given[0] === 'secret_file'
              ? { kind: 'file', path: value }
              : { kind: 'inline', value };
        webhooks.push({ url, secret });
      });
  }
  return {
    ttlMs: s?.duration('ttl', 1_000) ?? APPROVAL_DEFAULTS.ttlMs,
    mode: mode === 'refuse_and_grant' ? 'refuse_and_grant' : APPROVAL_DEFAULTS.mode,
    noticeIntervalMs: s?.duration('notice_interval', 1_000) ?? APPROVAL_DEFAULTS.noticeIntervalMs,
    grantTtlMs: s?.duration('grant_ttl', 1_000) ?? APPROVAL_DEFAULTS.grantTtlMs,
    maxPending: s?.integer('max_pending', 1, 100_000) ?? APPROVAL_DEFAULTS.maxPending,
    webhooks,
  };
}

/** validateAdmin reads the optional `admin` section. */
export function validateAdmin(root: Section): AdminConfig {
  const s = root.section('admin', false);
  s?.only(['enabled', 'host', 'port', 'tls', 'rate_limit', 'open_routes', 'console']);
  const tls = s?.section('tls', false);
  tls?.only(['cert', 'key']);
  const certFile = tls?.string('cert', true);
  const keyFile = tls?.string('key', true);
  const rate = s?.section('rate_limit', false);
  rate?.only(['max', 'window']);
  return {
    enabled: s?.boolean('enabled') ?? true,
    host: s?.string('host') ?? ADMIN_DEFAULTS.host,
    port: s?.port('port') ?? ADMIN_DEFAULTS.port,
    ...(certFile !== undefined && keyFile !== undefined ? { tls: { certFile, keyFile } } : {}),
    rateLimit: {
      max: rate?.integer('max', 1, 1_000_000) ?? ADMIN_DEFAULTS.rateLimit.max,
      windowMs: rate?.duration('window', 1_000) ?? ADMIN_DEFAULTS.rateLimit.windowMs,
    },
    openRoutes: s === undefined ? ADMIN_DEFAULTS.openRoutes : openRoutes(s),
    console: validateConsole(s),
  };
}

/** openRoutes reads `admin.open_routes`: a list (possibly empty) of routes answered without a token. */
function openRoutes(s: Section): readonly ('metrics' | 'readyz')[] {
  const raw = s.get('open_routes');
  if (raw === undefined) return ADMIN_DEFAULTS.openRoutes;
  if (!Array.isArray(raw)) {
    s.error('open_routes', `must be a list of ${OPENABLE_ROUTES.join(', ')} (possibly empty), got ${kindOf(raw)}`);
    return ADMIN_DEFAULTS.openRoutes;
  }
  const out: ('metrics' | 'readyz')[] = [];
  raw.forEach((r: unknown, i) => {
    if (r === 'metrics' || r === 'readyz') out.push(r);
    else s.error(`open_routes[${i}]`, `must be one of ${OPENABLE_ROUTES.join(', ')}, got ${typeof r === 'string' ? `"${r}"` : kindOf(r)}`);
  });
  return [...new Set(out)];
}
