// The `decision_logs` section of opa.config.yaml: defaults without it (no sink, Bind values
// erased), each key read with its default, and every error addressed by its key path.

import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../proxy/config/index.js';
import type { DecisionLogsConfig } from '../../../proxy/config/index.js';

const minimal = {
  upstream: { database: 'app', user: 'gw' },
  identity: { issuer: 'https://idp.example', audience: 'portcullis', jwks: { url: 'https://idp.example/jwks' } },
  policy: { paths: ['policies'] },
};

function decisionLogs(section: unknown): { config?: DecisionLogsConfig; errors: readonly string[] } {
  const r = validateConfig(section === undefined ? minimal : { ...minimal, decision_logs: section });
  return r.ok ? { config: r.config.decisionLogs, errors: [] } : { errors: r.errors };
}

describe('decision_logs values', () => {
  it.each([
    { note: 'absent: no sink, params erased', section: undefined, want: { console: false, mask: [], eraseParams: true } },
    { note: 'console', section: { console: true }, want: { console: true, mask: [], eraseParams: true } },
    {
      note: 'file with defaults',
      section: { file: { path: 'd.log' } },
      want: { console: false, file: { path: 'd.log', maxSize: 104_857_600, maxFiles: 5 }, mask: [], eraseParams: true },
    },
    {
      note: 'file with sizes',
      section: { file: { path: 'd.log', max_size: '10MiB', max_files: 2 } },
      want: { console: false, file: { path: 'd.log', maxSize: 10_485_760, maxFiles: 2 }, mask: [], eraseParams: true },
    },
    {
      note: 'service with defaults',
      section: { service: { url: 'https://collector.example/logs' } },
      want: {
        console: false,
        service: {
          url: 'https://collector.example/logs',
          headers: {},
          minDelayMs: 1_000,
          maxDelayMs: 5_000,
          uploadSizeLimitBytes: 32_768,
          bufferSizeLimitEvents: 10_000,
        },
        mask: [],
        eraseParams: true,
      },
    },
    {
      note: 'service with every key',
      section: {
        service: {
          url: 'http://127.0.0.1:9000/logs',
          headers: { Authorization: { env: 'DL_TOKEN' }, 'X-Tenant': 'acme', 'X-Key': { file: 'key.txt' } },
          min_delay: '100ms',
          max_delay: '2s',
          upload_size_limit_bytes: '64KiB',
          buffer_size_limit_events: 500,
        },
      },
      want: {
        console: false,
        service: {
          url: 'http://127.0.0.1:9000/logs',
          headers: {
            Authorization: { kind: 'env', name: 'DL_TOKEN' },
            'X-Tenant': { kind: 'inline', value: 'acme' },
            'X-Key': { kind: 'file', path: 'key.txt' },
          },
          minDelayMs: 100,
          maxDelayMs: 2_000,
          uploadSizeLimitBytes: 65_536,
          bufferSizeLimitEvents: 500,
        },
        mask: [],
        eraseParams: true,
      },
    },
    {
      note: 'mask rules and params let out',
      section: {
        erase_params: false,
        mask: [
          { op: 'remove', path: '/input/identity/email' },
          { op: 'upsert', path: '/input/statement/text', value: '**REDACTED**' },
        ],
      },
      want: {
        console: false,
        mask: [
          { op: 'remove', path: '/input/identity/email' },
          { op: 'upsert', path: '/input/statement/text', value: '**REDACTED**' },
        ],
        eraseParams: false,
      },
    },
  ])('$note', ({ section, want }) => {
    expect(decisionLogs(section)).toEqual({ config: want, errors: [] });
  });
});

describe('decision_logs errors', () => {
  it.each([
    {
      note: 'unknown key',
      section: { consol: true },
      error: 'decision_logs.consol: unknown key (expected one of console, file, service, mask, erase_params)',
    },
    { note: 'file without path', section: { file: {} }, error: 'decision_logs.file.path: is required' },
    {
      note: 'tiny max_size',
      section: { file: { path: 'x', max_size: 10 } },
      error: 'decision_logs.file.max_size: 10 is too small (at least 1024 bytes)',
    },
    { note: 'service without url', section: { service: {} }, error: 'decision_logs.service.url: is required' },
    {
      note: 'plain http off loopback',
      section: { service: { url: 'http://collector.example/logs' } },
      error:
        'decision_logs.service.url: "http://collector.example/logs" must use https (http is accepted only for 127.0.0.1, localhost and [::1])',
    },
    {
      note: 'max_delay below min_delay',
      section: { service: { url: 'https://c.example', min_delay: '2s', max_delay: '1s' } },
      error: 'decision_logs.service.max_delay: must not be shorter than min_delay',
    },
    {
      note: 'a header of another shape',
      section: { service: { url: 'https://c.example', headers: { Authorization: 5 } } },
      error: 'decision_logs.service.headers.Authorization: must be a string, {env: NAME} or {file: PATH}, got number 5',
    },
    {
      note: 'a bad header name',
      section: { service: { url: 'https://c.example', headers: { 'Bad Name': 'x' } } },
      error: 'decision_logs.service.headers.Bad Name: is not a valid HTTP header name',
    },
    { note: 'mask not a list', section: { mask: 'x' }, error: 'decision_logs.mask: must be a list, got string "x"' },
    {
      note: 'mask op unknown',
      section: { mask: [{ op: 'drop', path: '/input' }] },
      error: 'decision_logs.mask[0].op: must be one of remove, upsert, got string "drop"',
    },
    {
      note: 'mask path outside input and result',
      section: { mask: [{ op: 'remove', path: '/labels/id' }] },
      error: 'decision_logs.mask[0].path: "/labels/id" must be a JSON pointer under /input or /result (e.g. /input/statement/params)',
    },
    {
      note: 'upsert without value',
      section: { mask: [{ op: 'upsert', path: '/input/x' }] },
      error: 'decision_logs.mask[0].value: is required for upsert',
    },
    {
      note: 'remove with value',
      section: { mask: [{ op: 'remove', path: '/input/x', value: 1 }] },
      error: 'decision_logs.mask[0].value: is only for upsert',
    },
    {
      note: 'erase_params not a boolean',
      section: { erase_params: 'no' },
      error: 'decision_logs.erase_params: must be true or false, got string "no"',
    },
  ])('$note', ({ section, error }) => {
    expect(decisionLogs(section).errors).toContain(error);
  });
});
