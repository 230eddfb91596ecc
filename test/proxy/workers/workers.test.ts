// proxy/workers' pure parts: how many workers `workers` means here, and the per-worker
// configuration (the decision log file each worker rotates alone). The process tree itself is
// tested end to end in test/e2e/serve-workers.test.ts.

import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../proxy/config/index.js';
import type { GatewayConfig } from '../../../proxy/config/index.js';
import { forWorker, joinAsWorker, workerCount, workerLine } from '../../../proxy/workers/index.js';

function config(extra: Record<string, unknown>): GatewayConfig {
  const v = validateConfig({
    upstream: { database: 'app', user: 'gw' },
    identity: { issuer: 'https://idp.example', audience: 'portcullis', jwks: { url: 'https://idp.example/jwks' } },
    policy: { paths: ['policies'] },
    state: { database: 'portcullis_state', user: 'gw' },
    ...extra,
  });
  if (!v.ok) throw new Error(v.errors.join('; '));
  return v.config;
}

describe('workerCount', () => {
  it.each([
    { workers: 1, want: 1 },
    { workers: 3, want: 3 },
    { workers: 'auto' as const, want: Math.max(1, availableParallelism()) },
  ])('$workers → $want', ({ workers, want }) => {
    expect(workerCount(workers)).toBe(want);
  });
});

describe('forWorker', () => {
  it.each([
    { note: 'an extension', path: '/var/log/portcullis/decisions.jsonl', index: 2, want: '/var/log/portcullis/decisions.w2.jsonl' },
    { note: 'none', path: 'logs/decisions', index: 1, want: 'logs/decisions.w1' },
    { note: 'dots in the directory', path: '/srv/a.b/decisions.log', index: 3, want: '/srv/a.b/decisions.w3.log' },
  ])('gives each worker its own decision log file ($note)', ({ path, index, want }) => {
    const c = config({ decision_logs: { file: { path } } });
    const w = forWorker(c, index);
    expect(w.decisionLogs.file?.path).toBe(want);
    // nothing else changes
    expect({ ...w, decisionLogs: { ...w.decisionLogs, file: undefined } }).toEqual({
      ...c,
      decisionLogs: { ...c.decisionLogs, file: undefined },
    });
  });

  it('leaves a configuration without a decision log file as it is', () => {
    const c = config({ decision_logs: { console: true } });
    expect(forWorker(c, 2)).toBe(c);
  });
});

describe('joinAsWorker', () => {
  it.each([
    { note: 'no worker variable', env: {} },
    { note: 'an index that is no number', env: { PORTCULLIS_WORKER: 'x' } },
    { note: 'index 0', env: { PORTCULLIS_WORKER: '0' } },
    { note: 'a valid index, in a process no cluster supervisor forked (this one)', env: { PORTCULLIS_WORKER: '1' } },
  ])('is no worker with $note', ({ env }) => {
    expect(joinAsWorker(env)).toBeUndefined();
  });
});

describe('workerLine', () => {
  it.each([
    {
      note: 'a JSON log line gains a worker field and stays one JSON object',
      line: '{"level":"info","msg":"policy activated"}',
      index: 2,
      want: '{"worker":2,"level":"info","msg":"policy activated"}',
    },
    {
      note: 'a plain line gets a prefix',
      line: 'policies/x.rego:4:1: rego_parse_error',
      index: 1,
      want: '[worker 1] policies/x.rego:4:1: rego_parse_error',
    },
    { note: 'an empty object is no log line: a prefix', line: '{}', index: 3, want: '[worker 3] {}' },
  ])('$note', ({ line, index, want }) => {
    const got = workerLine(line, index);
    expect(got).toBe(want);
    if (line.startsWith('{"')) expect(JSON.parse(got)).toEqual({ worker: index, ...JSON.parse(line) });
  });
});
