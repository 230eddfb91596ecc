// `npm run test:conformance [-- <dir>] [--json] [--filter <substr>] [--host loader|sdk]`: runs
// every OPA conformance case (default corpus ../shared/conformance/opa from the repo root) through
// compile → Wasm → our loader (`--host sdk`: the official SDK with sdkHostBuiltins()) in a
// 2-worker pool, prints the report (or the JSON summary) and sets the exit code.

import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCorpus } from './corpus.js';
import type { CorpusCase } from './corpus.js';
import { runPool } from './pool.js';
import { exitCode, formatReport, summarise } from './report.js';
import type { CaseResult } from './report.js';
import { HOSTS } from './run-case.js';
import type { HostName, Outcome } from './run-case.js';

/** DEFAULT_TIMEOUT_MS is the per-case time limit. */
export const DEFAULT_TIMEOUT_MS = 10_000;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      filter: { type: 'string' },
      workers: { type: 'string', default: '2' },
      timeout: { type: 'string', default: String(DEFAULT_TIMEOUT_MS) },
      host: { type: 'string', default: 'loader' },
    },
  });
  const host = values.host as HostName;
  if (!HOSTS.includes(host)) throw new Error(`--host must be one of ${HOSTS.join(', ')}, not ${values.host}`);
  const dir = positionals[0] !== undefined ? resolve(positionals[0]) : resolve(repoRoot, '../shared/conformance/opa');
  if (!existsSync(dir)) {
    console.log(`conformance corpus not found at ${dir}; skipping`);
    return 0;
  }
  let cases: CorpusCase[] = loadCorpus(dir);
  if (values.filter !== undefined) cases = cases.filter((c) => c.id.includes(values.filter as string) || c.spec.note.includes(values.filter as string));
  const outcomes = await runPool<CorpusCase, Outcome>(cases, {
    workerUrl: new URL('./worker.ts', import.meta.url),
    workerData: { host },
    size: Number(values.workers) || 2,
    timeoutMs: Number(values.timeout) || DEFAULT_TIMEOUT_MS,
    onTimeout: () => ({ status: 'timeout', reason: `no result within ${Number(values.timeout) || DEFAULT_TIMEOUT_MS} ms` }),
    onCrash: (_c, reason) => ({ status: 'crash', reason }),
  });
  const results: CaseResult[] = cases.map((c, i) => ({ id: c.id, folder: c.folder, note: c.spec.note, outcome: outcomes[i] as Outcome }));
  if (values.json) {
    const { total, passed, failed, skipped, byFolder } = summarise(results);
    console.log(JSON.stringify({ host, total, passed, failed, skipped, byFolder }));
  } else {
    console.log(`host: ${host}`);
    console.log(formatReport(results));
  }
  return exitCode(results);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`conformance harness failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
