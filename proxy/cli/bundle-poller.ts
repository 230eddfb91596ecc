// The poller options a `policy.bundle` mapping stands for (proxy/config RemoteBundleSource →
// proxy/bundle-service BundlePollerOptions): the delays and limits as they are, the bearer token
// read from its environment variable or file for every request. The caller adds `activate`, the
// log and, after a restart, the persisted bundle's ETag and revision.

import { readFile } from 'node:fs/promises';
import type { BundlePollerOptions } from '../bundle-service/index.js';
import { secretFromFile } from '../config/index.js';
import type { RemoteBundleSource } from '../config/index.js';

/** BundlePollerBase is every poller option that comes from the configuration. */
export type BundlePollerBase = Omit<BundlePollerOptions, 'activate' | 'log' | 'etag' | 'revision'>;

/** bundlePollerOptions maps a validated `policy.bundle` mapping to poller options; env is the process environment. */
export function bundlePollerOptions(source: RemoteBundleSource, env: Readonly<Record<string, string | undefined>>): BundlePollerBase {
  const bearer = source.bearer;
  const token =
    bearer === undefined
      ? undefined
      : bearer.kind === 'env'
        ? () => {
            const value = env[bearer.name];
            if (value === undefined || value === '') throw new Error(`environment variable ${bearer.name} is not set`);
            return value;
          }
        : () => readFile(bearer.path, 'utf8').then(secretFromFile);
  return {
    url: source.url,
    minDelayMs: source.polling.minDelayMs,
    maxDelayMs: source.polling.maxDelayMs,
    ...(source.polling.longPollingTimeoutMs !== undefined ? { longPollingTimeoutMs: source.polling.longPollingTimeoutMs } : {}),
    sizeLimitBytes: source.sizeLimitBytes,
    ...(source.persistDir !== undefined ? { persistDir: source.persistDir } : {}),
    ...(token !== undefined ? { token } : {}),
  };
}
