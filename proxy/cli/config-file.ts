// Loading opa.config.yaml: read the file, parse YAML (syntax errors carry file:line:col), validate
// with proxy/config/, then resolve what needs the outside world: relative paths against the
// config file's directory and `password_env` against the environment given.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { validateConfig } from '../config/index.js';
import type { GatewayConfig, PolicySource } from '../config/index.js';

/** LoadConfigResult is a ready GatewayConfig (paths absolute, upstream password inline) or the problems, one line each. */
export type LoadConfigResult =
  | { readonly ok: true; readonly config: GatewayConfig }
  | { readonly ok: false; readonly errors: readonly string[] };

/** loadConfigFile reads, parses and validates a config file; I/O errors (ENOENT, EACCES) are thrown for the CLI's reportError. */
export function loadConfigFile(path: string, env: Readonly<Record<string, string | undefined>> = {}): LoadConfigResult {
  return parseConfigText(readFileSync(path, 'utf8'), path, env);
}

/** parseConfigText parses and validates config text named `path` (for messages and relative paths). */
export function parseConfigText(text: string, path: string, env: Readonly<Record<string, string | undefined>> = {}): LoadConfigResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const at = pos === undefined ? path : `${path}:${pos.line}:${pos.col}`;
        return `${at}: YAML syntax error: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    };
  }
  const validated = validateConfig(doc.toJS({ maxAliasCount: 100 }) ?? {});
  if (!validated.ok) return { ok: false, errors: validated.errors.map((e) => `${path}: ${e}`) };
  return resolveExternal(validated.config, dirname(resolve(path)), path, env);
}

function resolveExternal(
  config: GatewayConfig,
  baseDir: string,
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): LoadConfigResult {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const pw = config.upstream.password;
  if (pw?.kind === 'env' && (env[pw.name] === undefined || env[pw.name] === '')) {
    return { ok: false, errors: [`${path}: upstream.password_env: environment variable ${pw.name} is not set`] };
  }
  const { password: _password, ...upstreamRest } = config.upstream;
  // env is resolved here; a password file stays a file (resolved against the config's directory), read at each login
  const upstream =
    pw === undefined
      ? upstreamRest
      : pw.kind === 'file'
        ? { ...upstreamRest, password: { kind: 'file' as const, path: abs(pw.path) } }
        : { ...upstreamRest, password: { kind: 'inline' as const, value: pw.kind === 'env' ? (env[pw.name] as string) : pw.value } };
  // the state store's password the same way: env resolved now, a file kept (absolute) and read at each login
  const spw = config.state?.password;
  if (spw?.kind === 'env' && (env[spw.name] === undefined || env[spw.name] === '')) {
    return { ok: false, errors: [`${path}: state.password_env: environment variable ${spw.name} is not set`] };
  }
  const state =
    config.state === undefined || spw === undefined || spw.kind === 'inline'
      ? config.state
      : {
          ...config.state,
          password:
            spw.kind === 'file'
              ? { kind: 'file' as const, path: abs(spw.path) }
              : { kind: 'inline' as const, value: env[spw.name] as string },
        };
  const jwks =
    config.identity.jwks.kind === 'file' ? { kind: 'file' as const, path: abs(config.identity.jwks.path) } : config.identity.jwks;
  const source = absoluteSource(config.policy.source, abs);
  const out: GatewayConfig = {
    ...config,
    ...(config.tls !== undefined ? { tls: { certFile: abs(config.tls.certFile), keyFile: abs(config.tls.keyFile) } } : {}),
    upstream,
    ...(state !== undefined ? { state } : {}),
    identity: { ...config.identity, jwks },
    policy: {
      ...config.policy,
      source,
      ...(config.policy.signing !== undefined
        ? {
            signing: {
              keys: config.policy.signing.keys.map((k) =>
                k.key.kind === 'file' ? { ...k, key: { kind: 'file' as const, path: abs(k.key.path) } } : k,
              ),
            },
          }
        : {}),
    },
    masking:
      config.masking.hashKey?.kind === 'file'
        ? { ...config.masking, hashKey: { kind: 'file', path: abs(config.masking.hashKey.path) } }
        : config.masking,
    approval: {
      ...config.approval,
      webhooks: config.approval.webhooks.map((w) =>
        w.secret.kind === 'file' ? { ...w, secret: { kind: 'file' as const, path: abs(w.secret.path) } } : w,
      ),
    },
    ...(config.recording !== undefined ? { recording: { ...config.recording, dir: abs(config.recording.dir) } } : {}),
    decisionLogs:
      config.decisionLogs.file !== undefined
        ? { ...config.decisionLogs, file: { ...config.decisionLogs.file, path: abs(config.decisionLogs.file.path) } }
        : config.decisionLogs,
    admin:
      config.admin.tls !== undefined
        ? { ...config.admin, tls: { certFile: abs(config.admin.tls.certFile), keyFile: abs(config.admin.tls.keyFile) } }
        : config.admin,
  };
  return { ok: true, config: Object.freeze(out) };
}

/** absoluteSource resolves a policy source's paths (the tarball, the sources, a fetched bundle's persist_dir and token_file) against the config's directory. */
function absoluteSource(source: PolicySource, abs: (p: string) => string): PolicySource {
  switch (source.kind) {
    case 'bundle':
      return { kind: 'bundle', path: abs(source.path) };
    case 'paths':
      return { kind: 'paths', paths: source.paths.map(abs) };
    case 'remote':
      return {
        ...source,
        ...(source.persistDir !== undefined ? { persistDir: abs(source.persistDir) } : {}),
        ...(source.bearer?.kind === 'file' ? { bearer: { kind: 'file', path: abs(source.bearer.path) } } : {}),
      };
  }
}
