// Micro-benchmark of the gateway's per-statement pipeline, in-process, no sockets: analyze
// (libpg-query parse + facts) → buildPolicyInput → decide (policies/) for the statement pgbench -S
// sends, with a new literal each time (simple protocol: the memo by text misses, the facts cache
// hits) and with a repeated text (extended protocol: the memo hits). Prints µs per operation.
// Run: `tsx test/bench/statement-pipeline.ts`; env PIPELINE_MS (per line, default 1500).

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSync } from 'libpg-query';
import { compile, hasErrors, loadPolicy } from '../../engine/index.js';
import { collectSources, loadDataFiles } from '../../bundles/index.js';
import { analyze, initSql } from '../../proxy/sql/index.js';
import type { StatementFacts } from '../../proxy/sql/index.js';
import { buildPolicyInput, createDecider, DEFAULT_ENTRYPOINT } from '../../proxy/decision/index.js';
import { policyInputJson } from '../../proxy/decision/input-json.js';
import { BENCH_CLAIMS } from './pgbench.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MS = Number(process.env['PIPELINE_MS'] ?? 1500);

/** bench runs fn (after a warm-up) for about MS milliseconds and prints µs per call. */
function bench(name: string, fn: (i: number) => unknown): void {
  for (let i = 0; i < 3000; i++) fn(i);
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < MS) {
    for (let k = 0; k < 200; k++) fn(n++);
    t = performance.now();
  }
  console.log(`${name.padEnd(48)} ${(((t - t0) * 1000) / n).toFixed(2).padStart(8)} µs/op`);
}

await initSql();
const policyDir = join(REPO_ROOT, 'policies');
const compiled = compile({
  files: collectSources([policyDir]).map((f) => ({ name: f.name, text: f.text })),
  entrypoints: [DEFAULT_ENTRYPOINT],
});
if (hasErrors(compiled.diagnostics) || compiled.wasm === undefined) throw new Error('the example policies do not compile');
const policy = await loadPolicy(compiled.wasm);
policy.setData(loadDataFiles([policyDir]));
const decider = createDecider({ policy });

const claims = Object.freeze({
  sub: 'pgbench',
  iss: 'https://bench.portcullis.invalid',
  aud: 'portcullis',
  exp: 2_000_000_000,
  ...BENCH_CLAIMS,
});
const literal = (i: number): string => `SELECT abalance FROM pgbench_accounts WHERE aid = ${((i * 7919) % 100_000) + 1};`;
const prepared = 'SELECT abalance FROM pgbench_accounts WHERE aid = $1;';
const facts = (sql: string): StatementFacts => {
  const r = analyze(sql);
  if (!r.ok) throw r.error;
  return r.statements[0] as StatementFacts;
};
const inputOf = (f: StatementFacts, params: (string | null)[] | null) =>
  buildPolicyInput({
    claims,
    connection: { database: 'bench', user: 'pgbench', applicationName: 'pgbench', clientAddress: '127.0.0.1', tls: false },
    statement: f,
    params,
    session: { statements: 1, rowsReturned: 1, inTransaction: false, startedAtMs: Date.now() },
    nowMs: Date.now(),
  });

let i = 1_000_000;
bench('parseSync (libpg-query, new literal)', () => parseSync(literal(i++)));
bench('analyze (new literal: memo miss, facts shared)', () => analyze(literal(i++)));
bench('analyze (repeated text: memo hit)', () => analyze(prepared));
const f = facts(prepared);
bench('buildPolicyInput', () => inputOf(f, ['42']));
const input = inputOf(f, ['42']);
bench('JSON.stringify(input)', () => JSON.stringify(input));
bench('policyInputJson(input)', () => policyInputJson(input));
const json = policyInputJson(input);
bench('policy.evaluateRaw(json)', () => policy.evaluateRaw(json, DEFAULT_ENTRYPOINT));
bench('decider.decide(input)', () => decider.decide(input));
bench('simple: analyze + input + decide (new literal)', () => decider.decide(inputOf(facts(literal(i++)), null)));
bench('extended: analyze + input + decide (memo hit)', () => decider.decide(inputOf(facts(prepared), ['42'])));
