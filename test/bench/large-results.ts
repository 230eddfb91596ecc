// The large-result section of `npm run bench` (issue 16: "a 1,000,000-row SELECT with a masked
// column streams at least 0.5× pgbouncer's bytes per second, with the gateway's resident memory
// flat"). A throwaway PostgreSQL holds `public.customers` shaped as the demo's (proxy/dev/demo/
// schema.sql), whose email and card_number the shipped policy masks (policies/data.json,
// `portcullis.pii`) for the bench token's db:read role, filled with PORTCULLIS_BENCH_LARGE_ROWS rows
// (default 1,000,000, ~113 bytes each on the wire). `SELECT * FROM customers` is read to the end
// by one streaming client (stream-client.ts) directly, through pgbouncer (session), through the
// Node pass-through and through Portcullis, alternating round by round
// (PORTCULLIS_BENCH_ROUNDS, default 3). Each proxy's resident memory is sampled every 50 ms during
// its runs (pgbouncer from /proc; the pass-through and Portcullis run in this process). Every row
// Portcullis returns first is checked to be masked: the section fails otherwise. Standalone:
// `tsx test/bench/large-results.ts`; PORTCULLIS_BENCH_LARGE=0 skips it in run.ts.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maskValue } from '../../proxy/actions/index.js';
import { rssOf } from './idle-connections.js';
import { startPassthroughProxy } from './passthrough-proxy.js';
import { BENCH_TARGETS, envNumber, startPortcullis } from './pgbench.js';
import type { BenchTarget, TargetState } from './pgbench.js';
import { findPgbench } from './pgbench-tool.js';
import type { Endpoint } from './pgbench-tool.js';
import { findPgbouncer, startPgbouncer } from './pgbouncer.js';
import { renderLargeResultsReport, watchRss } from './large-results-report.js';
import type { LargeSample } from './large-results-report.js';
import { runAsScript, runCleanups, startBenchCluster } from './section.js';
import type { Cleanup } from './section.js';
import { streamQuery } from './stream-client.js';
import type { StreamedResult } from './stream-client.js';

/** TABLE is the table the shipped policy masks columns of (policies/data.json `portcullis.pii`). */
const TABLE = 'public.customers';
/** MASKED are its masked columns and the spec the shipped data gives them (partial, last 4 kept). */
const MASKED: readonly { readonly column: string; readonly keep: number }[] = [
  { column: 'email', keep: 4 },
  { column: 'card_number', keep: 4 },
];
const QUERY = `SELECT * FROM ${TABLE}`;
/** SMOKE_QUERY checks each target (and Portcullis's masks) on a few rows before the measured runs. */
const SMOKE_QUERY = `SELECT * FROM ${TABLE} WHERE id <= 100`;

/**
 * tableSql creates and fills the table: columns as the demo's customers, values whose text
 * lengths keep a row near 113 bytes on the wire. The reader role gets SELECT when the cluster
 * has the shipped policy's database roles (it is created after their grants were given).
 */
export function tableSql(rows: number): string {
  return `
CREATE TABLE ${TABLE} (
  id          integer PRIMARY KEY,
  name        text NOT NULL,
  email       text NOT NULL,
  card_number text,
  created_at  timestamptz NOT NULL
);
INSERT INTO ${TABLE}
  SELECT g, 'Customer ' || g, 'customer' || g || '@example.com', '4111' || lpad(g::text, 12, '0'),
         timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'
  FROM generate_series(1, ${rows}) AS g;
DO $grant$ BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'portcullis_reader') THEN
    GRANT SELECT ON ${TABLE} TO portcullis_reader;
  END IF;
END $grant$;`;
}

/** LargeResultsResult is what the section measured, or why it did not run. */
export type LargeResultsResult =
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'measured'; readonly samples: readonly LargeSample[]; readonly unavailable: ReadonlyMap<BenchTarget, string> };

/**
 * checkMasked throws unless the row (as `columns` name its values) carries every masked column
 * masked as the shipped policy asks, computed from the row's id (the table's values follow it).
 */
export function checkMasked(columns: readonly string[], row: readonly (string | null)[] | undefined): void {
  if (row === undefined) throw new Error(`Portcullis returned no rows of ${TABLE}`);
  const value = (name: string): string | null | undefined => row[columns.indexOf(name)];
  const id = value('id');
  if (id === null || id === undefined)
    throw new Error(`Portcullis returned a row of ${TABLE} without its id (columns: ${columns.join(', ')})`);
  const original: Readonly<Record<string, string>> = {
    email: `customer${id}@example.com`,
    card_number: `4111${id.padStart(12, '0')}`,
  };
  for (const { column, keep } of MASKED) {
    const got = value(column);
    const want = maskValue('partial', original[column] ?? '', { keep });
    if (got !== want) {
      throw new Error(
        `${TABLE}.${column} did not come back masked through Portcullis: row id ${id} has ${JSON.stringify(got)}, the shipped policy's mask gives ${JSON.stringify(want)}`,
      );
    }
  }
}

/** LargeResultsOutput routes the report (default stdout) and the progress lines (default stderr). */
export type LargeResultsOutput = { readonly out?: (line: string) => void; readonly log?: (line: string) => void };

const toStdout = (line: string): void => void process.stdout.write(`${line}\n`);
const toStderr = (line: string): void => void process.stderr.write(`${line}\n`);

/** benchLargeResults runs the section and prints its report; it stops everything it started, also on error. */
export async function benchLargeResults({ out = toStdout, log = toStderr }: LargeResultsOutput = {}): Promise<LargeResultsResult> {
  const settings = {
    rows: envNumber(process.env, 'PORTCULLIS_BENCH_LARGE_ROWS', 1_000_000),
    rounds: envNumber(process.env, 'PORTCULLIS_BENCH_ROUNDS', 3),
  };
  const tool = await findPgbench(log);
  if (tool.kind === 'unavailable') {
    out(`\nLarge results: skipped (${tool.reason})`);
    return { kind: 'skipped', reason: tool.reason };
  }
  const cleanups: Cleanup[] = [];
  try {
    const scratch = mkdtempSync(join(tmpdir(), 'portcullis-bench-large-'));
    cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
    const { direct, cluster } = await startBenchCluster(tool.path, 'bench', log, cleanups);
    log(`bench: filling ${TABLE} with ${settings.rows.toLocaleString('en-US')} rows`);
    await streamQuery(direct, tableSql(settings.rows));
    // frozen and analysed: the first scan must not set hint bits for the target that happens to read first
    await streamQuery(direct, `VACUUM (FREEZE, ANALYZE) ${TABLE}`);

    // the proxies, each with the way its resident memory is read
    const rss = new Map<BenchTarget, () => number>();
    const targets = new Map<BenchTarget, TargetState>([['direct', { kind: 'ready', endpoint: direct }]]);
    const bouncerTool = await findPgbouncer(log);
    if (bouncerTool.kind === 'found') {
      try {
        const bouncer = await startPgbouncer(bouncerTool.path, direct);
        cleanups.push(() => bouncer.close());
        targets.set('pgbouncer', { kind: 'ready', endpoint: bouncer.endpoint });
        rss.set('pgbouncer', () => rssOf(bouncer.pid));
      } catch (e) {
        targets.set('pgbouncer', { kind: 'unavailable', reason: (e as Error).message });
      }
    } else targets.set('pgbouncer', bouncerTool);
    const passthrough = await startPassthroughProxy({ upstreamHost: cluster.host, upstreamPort: cluster.port });
    cleanups.push(() => passthrough.close());
    targets.set('passthrough', { kind: 'ready', endpoint: { ...direct, host: passthrough.host, port: passthrough.port } });
    rss.set('passthrough', () => process.memoryUsage.rss());
    const gateway = await startPortcullis(direct, scratch, log);
    if (gateway.kind === 'started') {
      cleanups.push(() => gateway.gateway.close());
      targets.set('portcullis', { kind: 'ready', endpoint: gateway.gateway.endpoint });
      rss.set('portcullis', () => process.memoryUsage.rss());
    } else targets.set('portcullis', gateway);

    // A few rows through each target first: a target that cannot run the query is reported, and
    // Portcullis that does not mask fails the section before anything is measured.
    const unavailable = new Map<BenchTarget, string>();
    const ready = new Map<BenchTarget, Endpoint>();
    for (const [target, state] of targets) {
      if (state.kind === 'unavailable') {
        unavailable.set(target, state.reason);
        continue;
      }
      try {
        const smoke = await streamQuery(state.endpoint, SMOKE_QUERY);
        if (target === 'portcullis') checkMasked(smoke.columns, smoke.firstRow);
        ready.set(target, state.endpoint);
      } catch (e) {
        if (target === 'portcullis') throw e;
        unavailable.set(target, `the smoke query failed: ${(e as Error).message}`);
      }
    }

    const samples: LargeSample[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      for (const target of BENCH_TARGETS) {
        const endpoint = ready.get(target);
        if (endpoint === undefined) continue;
        log(`bench: large results round ${round}/${settings.rounds}: ${target}`);
        const read = rss.get(target);
        const watch = read !== undefined ? watchRss(read) : undefined;
        let r: StreamedResult;
        let memory: { readonly before: number; readonly peak: number } | undefined;
        try {
          r = await streamQuery(endpoint, QUERY);
        } finally {
          memory = watch?.stop();
        }
        if (r.rows !== settings.rows) throw new Error(`${target} returned ${r.rows} rows of ${settings.rows} (${r.tag})`);
        if (target === 'portcullis') checkMasked(r.columns, r.firstRow);
        samples.push({
          target,
          round,
          bytes: r.bytes,
          seconds: r.seconds,
          ...(memory !== undefined ? { rssBefore: memory.before, rssPeak: memory.peak } : {}),
        });
      }
    }
    out('');
    out(
      renderLargeResultsReport(
        samples,
        unavailable,
        { ...settings, table: TABLE, masked: MASKED.map((m) => m.column).join(' and ') },
        BENCH_TARGETS,
      ),
    );
    return { kind: 'measured', samples, unavailable };
  } finally {
    await runCleanups(cleanups, 'large results', log);
  }
}

// Standalone: `tsx test/bench/large-results.ts`.
await runAsScript(import.meta.url, 'large results', benchLargeResults);
