// `npm run test:conformance [-- <dir>] [--json] [--filter <substr>] [--host loader|sdk]
// [--expected <file>] [--update-expected]`: runs every OPA conformance case (default corpus
// ../shared/conformance/opa from the repo root) through compile → Wasm → our loader (`--host sdk`:
// the official SDK with sdkHostBuiltins()) in a 2-worker pool, compares the outcomes with the
// expected-outcomes file (default corpus: test/conformance/expected.json), prints the report (or
// the JSON summary) and sets the exit code; `--update-expected` records this host's outcomes instead.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCorpus } from './corpus.js';
import type { CorpusCase } from './corpus.js';
import { compareExpected, differences, formatVerdict, parseExpected, serialiseExpected, updateExpected } from './expected.js';
import type { ExpectedFile } from './expected.js';
import { runPool } from './pool.js';
import { exitCode, formatReport, summarise } from './report.js';
import type { CaseResult } from './report.js';
import { HOSTS } from './run-case.js';
import type { HostName, Outcome } from './run-case.js';

/** DEFAULT_TIMEOUT_MS is the per-case time limit. */
export const DEFAULT_TIMEOUT_MS = 10_000;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const defaultCorpus = resolve(repoRoot, '../shared/conformance/opa');
const defaultExpected = resolve(repoRoot, 'test/conformance/expected.json');

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
      expected: { type: 'string' },
      'update-expected': { type: 'boolean', default: false },
    },
  });
  const host = values.host as HostName;
  if (!HOSTS.includes(host)) throw new Error(`--host must be one of ${HOSTS.join(', ')}, not ${values.host}`);
  const dir = positionals[0] !== undefined ? resolve(positionals[0]) : defaultCorpus;
  // The committed file describes the default corpus; another corpus is ratcheted only with --expected.
  const expectedPath = values.expected !== undefined ? resolve(values.expected) : dir === defaultCorpus ? defaultExpected : undefined;
  const update = values['update-expected'];
  if (update && expectedPath === undefined)
    throw new Error('--update-expected needs --expected <file> for a corpus other than the default');
  if (!existsSync(dir)) {
    console.log(`conformance corpus not found at ${dir}; skipping`);
    return 0;
  }
  let cases: CorpusCase[] = loadCorpus(dir);
  if (values.filter !== undefined)
    cases = cases.filter((c) => c.id.includes(values.filter as string) || c.spec.note.includes(values.filter as string));
  const outcomes = await runPool<CorpusCase, Outcome>(cases, {
    workerUrl: new URL('./worker.ts', import.meta.url),
    workerData: { host },
    size: Number(values.workers) || 2,
    timeoutMs: Number(values.timeout) || DEFAULT_TIMEOUT_MS,
    onTimeout: () => ({ status: 'timeout', reason: `no result within ${Number(values.timeout) || DEFAULT_TIMEOUT_MS} ms` }),
    onCrash: (_c, reason) => ({ status: 'crash', reason }),
  });
  const results: CaseResult[] = cases.map((c, i) => ({ id: c.id, folder: c.folder, note: c.spec.note, outcome: outcomes[i] as Outcome }));
  const complete = values.filter === undefined;
  let verdictLines: string[] = [];
  let diffCount = 0;
  let ratchet: Record<string, string[]> | undefined;
  if (expectedPath !== undefined) {
    const where = `${relative(process.cwd(), expectedPath) || expectedPath}, host ${host}`;
    const file: ExpectedFile = existsSync(expectedPath) ? parseExpected(readFileSync(expectedPath, 'utf8'), HOSTS) : {};
    const verdict = compareExpected(file, host, results, complete);
    diffCount = differences(verdict);
    ratchet = Object.fromEntries(Object.entries(verdict).map(([k, changes]) => [k, changes.map((c) => c.id)]));
    const script = host === 'sdk' ? 'test:conformance:sdk' : 'test:conformance';
    verdictLines = formatVerdict(verdict, where, update ? undefined : `npm run ${script} -- --update-expected`);
    if (update) {
      if (results.some((r) => r.outcome.status === 'timeout' || r.outcome.status === 'crash')) {
        verdictLines.push(`not updating ${where}: a case timed out or crashed (rerun first)`);
      } else {
        writeFileSync(expectedPath, serialiseExpected(updateExpected(file, host, results, complete), HOSTS));
        verdictLines.push(`updated ${where} (${diffCount} change${diffCount === 1 ? '' : 's'} recorded)`);
        diffCount = 0;
      }
    }
  } else {
    verdictLines = ['expected outcomes: none for this corpus (pass --expected <file> to ratchet it)'];
  }
  if (values.json) {
    const { total, passed, failed, skipped, byFolder } = summarise(results);
    console.log(JSON.stringify({ host, total, passed, failed, skipped, byFolder, ratchet }));
  } else {
    console.log(`host: ${host}`);
    console.log(formatReport(results, verdictLines));
  }
  return exitCode(results, diffCount);
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
