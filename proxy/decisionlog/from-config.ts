// sinksFromConfig: the `decision_logs` section of opa.config.yaml (proxy/config's DecisionLogsConfig,
// described here structurally so this folder does not import the config layer) → the sinks it
// names: console on the given stdout, a rotating file, an OPA-protocol collector with its headers
// resolved (inline, from the environment, or from a file). The environment and the file system are
// passed in (proxy/cli binds them): the data plane reads neither itself.

import { isAbsolute, resolve } from 'node:path';
import { createConsoleSink } from './console-sink.js';
import type { ConsoleTarget } from './console-sink.js';
import { createFileSink } from './file-sink.js';
import type { LogFiles } from './file-sink.js';
import { createHttpSink } from './http-sink.js';
import type { MaskRule, Sink } from './types.js';

/** HeaderSource is a header value given inline, named by an environment variable, or kept in a file (proxy/config's SecretSource). */
export type HeaderSource =
  | { readonly kind: 'inline'; readonly value: string }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'file'; readonly path: string };

/** DecisionLogsConfigLike is proxy/config's DecisionLogsConfig, structurally. */
export type DecisionLogsConfigLike = {
  readonly console: boolean;
  readonly file?: { readonly path: string; readonly maxSize: number; readonly maxFiles: number };
  readonly service?: {
    readonly url: string;
    readonly headers: Readonly<Record<string, HeaderSource>>;
    readonly minDelayMs: number;
    readonly maxDelayMs: number;
    readonly uploadSizeLimitBytes: number;
    readonly bufferSizeLimitEvents: number;
  };
  readonly mask: readonly MaskRule[];
  readonly eraseParams: boolean;
};

/** SinksFromConfigOptions are what the config cannot say: the process's stdout, environment, file system and directory. */
export type SinksFromConfigOptions = {
  /** stdout receives the console sink's lines (a stream, or a function given each line). */
  readonly stdout: ConsoleTarget;
  /** env resolves `{env: NAME}` headers; needed when a header names one (an unset variable throws). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** files is the file system of the file sink; needed when `file` is configured. */
  readonly files?: LogFiles;
  /** readFile reads a `{file: PATH}` header as UTF-8; needed when a header names one. */
  readonly readFile?: (path: string) => string;
  /** baseDir is what relative paths (the log file, header files) are relative to: the config file's directory (default: left as given). */
  readonly baseDir?: string;
};

/**
 * sinksFromConfig builds the configured sinks (none when the section names none); throws Error when
 * a header cannot be resolved and TypeError when a port the config needs (files, env, readFile) is missing.
 */
export function sinksFromConfig(config: DecisionLogsConfigLike, options: SinksFromConfigOptions): Sink[] {
  const at = (p: string) => (isAbsolute(p) || options.baseDir === undefined ? p : resolve(options.baseDir, p));
  const sinks: Sink[] = [];
  if (config.console) sinks.push(createConsoleSink({ target: options.stdout }));
  if (config.file !== undefined) {
    const f = config.file;
    if (options.files === undefined) throw new TypeError('sinksFromConfig: decision_logs.file needs options.files');
    sinks.push(
      createFileSink({
        path: at(f.path),
        files: options.files,
        maxSize: f.maxSize,
        maxFiles: f.maxFiles,
      }),
    );
  }
  if (config.service !== undefined) {
    const s = config.service;
    const headers: Record<string, string> = {};
    for (const [name, source] of Object.entries(s.headers)) {
      if (source.kind === 'inline') headers[name] = source.value;
      else if (source.kind === 'env') {
        if (options.env === undefined) throw new TypeError('sinksFromConfig: an {env} header needs options.env');
        const v = options.env[source.name];
        if (v === undefined) throw new Error(`decision_logs.service.headers.${name}: environment variable ${source.name} is not set`);
        headers[name] = v;
      } else {
        if (options.readFile === undefined) throw new TypeError('sinksFromConfig: a {file} header needs options.readFile');
        headers[name] = options.readFile(at(source.path)).replace(/\r?\n$/, '');
      }
    }
    sinks.push(
      createHttpSink({
        url: s.url,
        headers,
        minDelayMs: s.minDelayMs,
        maxDelayMs: s.maxDelayMs,
        uploadSizeLimitBytes: s.uploadSizeLimitBytes,
        bufferSizeLimitEvents: s.bufferSizeLimitEvents,
      }),
    );
  }
  return sinks;
}
