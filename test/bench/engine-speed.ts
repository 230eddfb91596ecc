// Engine speed sections of `npm run bench` (issue 5): the rule-indexing curve (N = 10, 100, 1,000
// guarded deny rules, evals/s with and without indexing in the same run), compile time of the
// 3,000-line generated policy in a fresh process (median of 3 spawns of compile-once.ts), and
// the Kata agent policies (Rego v0): compile time and evals/s over their recorded requests, and
// time.clock in a zone beside UTC.
// Every measurement is time-bounded.

import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Engine = typeof import('../../engine/index.js');
type Instance = Awaited<ReturnType<Engine['loadPolicy']>>;

const here = dirname(fileURLToPath(import.meta.url));
const KATA_ROOT = join(here, '..', '..', '..', 'shared', 'realworld', 'kata');
const INDEX_SIZES = [10, 100, 1_000];
const INDEX_EVAL_MS = 700; // per contender and size
const KATA_EVAL_MS = 1_500; // per policy
const FRESH_RUNS = 3;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** rate calls fn(i) for about `ms` milliseconds and returns calls per second. */
function rate(fn: (i: number) => unknown, ms: number): number {
  for (let i = 0; i < 200; i++) fn(i); // warm-up
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 50; i++) fn(calls + i);
    calls += 50;
    elapsed = performance.now() - start;
  }
  return (calls / elapsed) * 1_000;
}

/** indexedPolicy renders n deny rules, each guarded by `input.statement.kind == "op<i>"`. */
export function indexedPolicy(n: number): string {
  const rules = Array.from(
    { length: n },
    (_, i) =>
      `deny contains msg if {\n  input.statement.kind == "op${i}"\n  input.statement.table in {"t${i}", "secrets"}\n  msg := sprintf("rule %d denies %s", [${i}, input.statement.table])\n}`,
  );
  return `package idx\n\n${rules.join('\n\n')}\n`;
}

function indexInputs(n: number): unknown[] {
  return [
    { statement: { kind: 'op0', table: 'secrets' } },
    { statement: { kind: `op${n - 1}`, table: `t${n - 1}` } },
    { statement: { kind: `op${n >> 1}`, table: 'orders' } },
    { statement: { kind: 'merge', table: 'secrets' } },
  ];
}

function compileOrThrow(
  engine: Engine,
  files: Array<{ name: string; text: string }>,
  entrypoints: string[],
  extra: { ruleIndexing?: boolean; regoVersion?: 'v0' | 'v1' } = {},
): Uint8Array {
  const r = engine.compile({ files, entrypoints, ...extra });
  if (engine.hasErrors(r.diagnostics) || !r.wasm) {
    const first = r.diagnostics.find((d) => d.severity === 'error');
    throw new Error(first ? engine.formatDiagnostic(first) : 'no wasm produced');
  }
  return r.wasm;
}

function evalResult(p: Instance, input: unknown, entrypoint: string): unknown {
  const rs = p.evaluate(input, entrypoint);
  return (rs[0] as { result?: unknown } | undefined)?.result;
}

/** benchIndexing prints evals/s of the N-rule policy with and without rule indexing. */
export async function benchIndexing(engine: Engine): Promise<void> {
  console.log('\nRule indexing (N deny rules guarded by input.statement.kind == "op<i>"; engine loadPolicy)');
  console.log('| N rules | indexed evals/s | unindexed evals/s | indexed / unindexed | indexed compile ms | unindexed compile ms |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of INDEX_SIZES) {
    const files = [{ name: 'idx.rego', text: indexedPolicy(n) }];
    const inputs = indexInputs(n);
    const variants = [];
    for (const ruleIndexing of [true, false]) {
      const t0 = performance.now();
      const wasm = compileOrThrow(engine, files, ['idx/deny'], { ruleIndexing });
      const ms = performance.now() - t0;
      variants.push({ ms, p: await engine.loadPolicy(wasm) });
    }
    const [on, off] = variants as [(typeof variants)[number], (typeof variants)[number]];
    for (const input of inputs) {
      const a = JSON.stringify(evalResult(on.p, input, 'idx/deny'));
      const b = JSON.stringify(evalResult(off.p, input, 'idx/deny'));
      if (a !== b) throw new Error(`indexing changed the result for ${JSON.stringify(input)}: ${a} vs ${b}`);
    }
    const rOn = rate((i) => evalResult(on.p, inputs[i % inputs.length], 'idx/deny'), INDEX_EVAL_MS);
    const rOff = rate((i) => evalResult(off.p, inputs[i % inputs.length], 'idx/deny'), INDEX_EVAL_MS);
    console.log(`| ${fmt(n)} | ${fmt(rOn)} | ${fmt(rOff)} | ${(rOn / rOff).toFixed(1)}× | ${on.ms.toFixed(1)} | ${off.ms.toFixed(1)} |`);
  }
}

/** benchFreshCompile spawns compile-once.ts FRESH_RUNS times and prints the medians. */
export function benchFreshCompile(lines: number): void {
  const script = join(here, 'compile-once.ts');
  const compiles: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < FRESH_RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, String(lines)], { encoding: 'utf8', timeout: 60_000 });
    const wall = performance.now() - t0;
    const m = /compile_ms=([\d.]+)/.exec(r.stdout ?? '');
    if (r.status !== 0 || !m) {
      console.log(`\nCompile time in a fresh process: failed (${(r.stderr || r.stdout || String(r.error)).trim().split('\n')[0]})`);
      return;
    }
    compiles.push(Number(m[1]));
    walls.push(wall);
  }
  console.log(`\nCompile time in a fresh process (${lines}-line generated policy, median of ${FRESH_RUNS} spawns of node --import tsx)`);
  console.log('| first compile in the process, ms | whole process incl. startup and engine load, ms |');
  console.log('| ---: | ---: |');
  console.log(`| ${median(compiles).toFixed(1)} | ${median(walls).toFixed(0)} |`);
}

type KataRequest = { endpoint: string; input: unknown; expected: unknown };

function kataRequests(dir: string): KataRequest[] {
  const expected = JSON.parse(readFileSync(join(dir, 'outputs.json'), 'utf8')) as unknown[];
  const lines = readFileSync(join(dir, 'inputs.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.map((line, i) => {
    const [endpoint, input] = JSON.parse(line.replace('"ep":', '').replace(/,$/, '')) as [string, unknown];
    return { endpoint, input, expected: expected[i] };
  });
}

/** benchKata prints compile time and evals/s of each Kata policy over its recorded requests. */
export async function benchKata(engine: Engine): Promise<void> {
  let dirs: string[];
  try {
    dirs = readdirSync(KATA_ROOT).sort();
  } catch {
    console.log(`\nkata: not yet compilable (no corpus at ${KATA_ROOT})`);
    return;
  }
  console.log('\nKata agent policies (Rego v0; warm compile median of 3; evals/s cycling the recorded requests)');
  console.log('| policy | lines | requests | compile ms | evals/s | recorded values matched |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const name of dirs) {
    const dir = join(KATA_ROOT, name);
    const text = readFileSync(join(dir, 'policy.rego'), 'utf8');
    const reqs = kataRequests(dir);
    const entrypoints = [...new Set(reqs.map((r) => `agent_policy/${r.endpoint}`))];
    const files = [{ name: `kata/${name}/policy.rego`, text }];
    let wasm: Uint8Array;
    const times: number[] = [];
    try {
      wasm = compileOrThrow(engine, files, entrypoints, { regoVersion: 'v0' });
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        compileOrThrow(engine, files, entrypoints, { regoVersion: 'v0' });
        times.push(performance.now() - t0);
      }
    } catch (e) {
      console.log(`| ${name} | kata: not yet compilable (${(e as Error).message.split('\n')[0]}) | | | | |`);
      continue;
    }
    let p: Instance;
    try {
      p = await engine.loadPolicy(wasm, { onPrint: () => {} });
    } catch (e) {
      console.log(`| ${name} | kata: not yet loadable (${(e as Error).message.split('\n')[0]}) | | | | |`);
      continue;
    }
    const run = (r: KataRequest): unknown => {
      try {
        return evalResult(p, r.input, `agent_policy/${r.endpoint}`);
      } catch (e) {
        return `error: ${(e as Error).message}`;
      }
    };
    const matched = reqs.filter((r) => JSON.stringify(run(r)) === JSON.stringify(r.expected)).length;
    const evals = rate((i) => run(reqs[i % reqs.length] as KataRequest), KATA_EVAL_MS);
    console.log(
      `| ${name} | ${text.split('\n').length} | ${reqs.length} | ${median(times).toFixed(1)} | ${fmt(evals)} | ${matched}/${reqs.length} |`,
    );
  }
}

const ZONE_POLICY = `package tz
clock := time.clock([input.ns, input.tz])
`;
const ZONE_EVAL_MS = 700; // per row

/**
 * benchZones measures time.clock through the tzdata blob beside UTC (no lookup): a zone whose
 * current rule applies (2024) and a historical instant found by scanning transitions (1975).
 */
export async function benchZones(engine: Engine): Promise<void> {
  const wasm = compileOrThrow(engine, [{ name: 'tz.rego', text: ZONE_POLICY }], ['tz/clock'], {});
  const p = await engine.loadPolicy(wasm);
  const rows = [
    { note: 'UTC (no zone lookup)', input: { ns: 1719835200000000000, tz: 'UTC' } },
    { note: 'America/New_York, 2024 (footer rule)', input: { ns: 1719835200000000000, tz: 'America/New_York' } },
    { note: 'America/New_York, 1975 (transition scan)', input: { ns: 173448000000000000, tz: 'America/New_York' } },
    { note: 'Europe/Berlin, 2024 (footer rule)', input: { ns: 1719835200000000000, tz: 'Europe/Berlin' } },
  ];
  console.log(
    `\nTime zones (time.clock([ns, tz]) through engine loadPolicy; module ${(wasm.length / 1024).toFixed(0)} KiB with the tzdata blob)`,
  );
  console.log('| zone and instant | evals/s | relative to UTC |');
  console.log('| --- | ---: | ---: |');
  let utc = 0;
  for (const r of rows) {
    if (evalResult(p, r.input, 'tz/clock') === undefined) throw new Error(`time.clock undefined for ${JSON.stringify(r.input)}`);
    const evals = rate(() => evalResult(p, r.input, 'tz/clock'), ZONE_EVAL_MS);
    if (utc === 0) utc = evals;
    console.log(`| ${r.note} | ${fmt(evals)} | ${(evals / utc).toFixed(2)}× |`);
  }
}
