// Section `decision_logs` of opa.config.yaml: where every statement decision is logged in OPA's
// decision-log format (proxy/decisionlog): the console, a rotating file, an OPA-protocol collector
// (`service`), and the masks applied first (Bind parameter values erased unless `erase_params:
// false`). Its type, defaults and validator; header secrets are resolved by whoever builds the sinks.

import { checkHttpUrl } from './identity.js';
import { deepFreeze, isMapping, kindOf } from './section.js';
import type { Section } from './section.js';
import type { SecretSource } from './secrets.js';

/** DecisionLogMaskRule is one mask operation: erase the value at `path`, or replace it with `value`. */
export type DecisionLogMaskRule =
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'upsert'; readonly path: string; readonly value: unknown };

/** DecisionLogsConfig is the `decision_logs` section (no sink: nothing is logged). */
export type DecisionLogsConfig = {
  /** console writes each event as a JSON line on stdout. */
  readonly console: boolean;
  /** file appends JSON lines to `path`, rotating at `maxSize` bytes and keeping `maxFiles` rotated files. */
  readonly file?: { readonly path: string; readonly maxSize: number; readonly maxFiles: number };
  /** service uploads gzipped JSON arrays to an OPA-compatible collector. */
  readonly service?: {
    readonly url: string;
    /** headers are sent with every upload; each value inline, from an environment variable or a file. */
    readonly headers: Readonly<Record<string, SecretSource>>;
    readonly minDelayMs: number;
    readonly maxDelayMs: number;
    readonly uploadSizeLimitBytes: number;
    readonly bufferSizeLimitEvents: number;
  };
  readonly mask: readonly DecisionLogMaskRule[];
  /** eraseParams erases /input/statement/params (the Bind values) from every event unless a mask rule names it. */
  readonly eraseParams: boolean;
};

/** DECISION_LOGS_DEFAULTS are the defaults of `decision_logs` and its sinks (OPA's where OPA has one). */
export const DECISION_LOGS_DEFAULTS = deepFreeze({
  console: false,
  eraseParams: true,
  file: { maxSize: 100 * 1024 * 1024, maxFiles: 5 },
  service: { minDelayMs: 1_000, maxDelayMs: 5_000, uploadSizeLimitBytes: 32_768, bufferSizeLimitEvents: 10_000 },
});

const MASK_POINTER = /^\/(input|result)(\/([^~/]|~[01])*)*$/;

/** validateDecisionLogs reads the optional `decision_logs` section. */
export function validateDecisionLogs(root: Section): DecisionLogsConfig {
  const s = root.section('decision_logs', false);
  s?.only(['console', 'file', 'service', 'mask', 'erase_params']);
  const d = DECISION_LOGS_DEFAULTS;

  const f = s?.section('file', false);
  f?.only(['path', 'max_size', 'max_files']);
  const path = f?.string('path', true);
  const file =
    f !== undefined && path !== undefined
      ? {
          path,
          maxSize: f.size('max_size', 1024) ?? d.file.maxSize,
          maxFiles: f.integer('max_files', 1, 1000) ?? d.file.maxFiles,
        }
      : undefined;

  const v = s?.section('service', false);
  v?.only(['url', 'headers', 'min_delay', 'max_delay', 'upload_size_limit_bytes', 'buffer_size_limit_events']);
  const url = v?.string('url', true);
  const urlOk = v !== undefined && url !== undefined && checkHttpUrl(v, 'url', url);
  const headers = v !== undefined ? readHeaders(v) : {};
  const minDelayMs = v?.duration('min_delay', 1) ?? d.service.minDelayMs;
  const maxDelayMs = v?.duration('max_delay', 1) ?? Math.max(d.service.maxDelayMs, minDelayMs);
  if (maxDelayMs < minDelayMs) v?.error('max_delay', 'must not be shorter than min_delay');
  const service =
    v !== undefined && url !== undefined && urlOk
      ? {
          url,
          headers,
          minDelayMs,
          maxDelayMs,
          uploadSizeLimitBytes: v.size('upload_size_limit_bytes', 1024, 1024 * 1024 * 1024) ?? d.service.uploadSizeLimitBytes,
          bufferSizeLimitEvents: v.integer('buffer_size_limit_events', 1, 10_000_000) ?? d.service.bufferSizeLimitEvents,
        }
      : undefined;

  return {
    console: s?.boolean('console') ?? d.console,
    ...(file !== undefined ? { file } : {}),
    ...(service !== undefined ? { service } : {}),
    mask: s !== undefined ? readMask(s) : [],
    eraseParams: s?.boolean('erase_params') ?? d.eraseParams,
  };
}

/** readHeaders reads `headers`: name → a string, or a mapping with one of `env` (a variable's name) or `file` (a path). */
function readHeaders(v: Section): Record<string, SecretSource> {
  const raw = v.get('headers');
  const out: Record<string, SecretSource> = {};
  if (raw === undefined) return out;
  if (!isMapping(raw)) {
    v.error('headers', `must be a mapping of header names to values, got ${kindOf(raw)}`);
    return out;
  }
  for (const [name, value] of Object.entries(raw)) {
    const key = `headers.${name}`;
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) v.error(key, 'is not a valid HTTP header name');
    else if (typeof value === 'string') out[name] = { kind: 'inline', value };
    else if (isMapping(value) && Object.keys(value).length === 1 && typeof value['env'] === 'string' && value['env'] !== '')
      out[name] = { kind: 'env', name: value['env'] };
    else if (isMapping(value) && Object.keys(value).length === 1 && typeof value['file'] === 'string' && value['file'] !== '')
      out[name] = { kind: 'file', path: value['file'] };
    else v.error(key, `must be a string, {env: NAME} or {file: PATH}, got ${kindOf(value)}`);
  }
  return out;
}

/** readMask reads `mask`: a list of `{op: remove | upsert, path, value}` with paths under /input or /result. */
function readMask(s: Section): DecisionLogMaskRule[] {
  const raw = s.get('mask');
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    s.error('mask', `must be a list, got ${kindOf(raw)}`);
    return [];
  }
  const rules: DecisionLogMaskRule[] = [];
  raw.forEach((_, i) => {
    const m = s.listItem('mask', i);
    if (m === undefined) return;
    m.only(['op', 'path', 'value']);
    const op = m.oneOf('op', ['remove', 'upsert'] as const);
    if (op === undefined && m.get('op') === undefined) m.error('op', 'is required');
    const path = m.string('path', true);
    if (path !== undefined && !MASK_POINTER.test(path))
      m.error('path', `${JSON.stringify(path)} must be a JSON pointer under /input or /result (e.g. /input/statement/params)`);
    const value = m.get('value');
    if (op === 'upsert' && value === undefined) m.error('value', 'is required for upsert');
    if (op === 'remove' && value !== undefined) m.error('value', 'is only for upsert');
    if (op === undefined || path === undefined || !MASK_POINTER.test(path)) return;
    rules.push(op === 'remove' ? { op, path } : { op, path, value });
  });
  return rules;
}
