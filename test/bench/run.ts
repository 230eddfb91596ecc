// `npm run bench`: (a) warm in-process compile time (median) for generated 100/1,000/3,000-line
// policies; (b) evaluations per second of a small policy through the official SDK and through the
// engine's loader, each beside a hand-written JS baseline; the 3,000-line compile in a fresh
// process, the rule-indexing curve, the Kata policies and time zone lookups (engine-speed.ts).
// Bounded (< 1 min); exits 1 if the pipeline cannot compile yet. Then (c) the gateway section (test/bench/pgbench.ts): pgbench
// select-only TPS direct, through pgbouncer (session mode), through a Node pass-through proxy and
// through Portcullis (recording every session to a journal with fsync on, results digest only;
// PORTCULLIS_BENCH_GATEWAY_RECORDING=0: off), each proxy's CPU per transaction and PostgreSQL's
// behind each, then Portcullis's per-stage costs from a run per mode with the CPU profiler on
// (~6 min; PORTCULLIS_BENCH_SECONDS / _ROUNDS tune it; PORTCULLIS_BENCH_STAGES=0 skips the
// profiled run; PORTCULLIS_BENCH_GATEWAY=0 skips the section). Then (d) the
// cost of a connection (test/bench/idle-connections.ts): resident memory of `portcullis serve`
// per idle authenticated connection and per connection with a statement in flight (5,000
// connections, ~15 s; PORTCULLIS_BENCH_IDLE_CONNECTIONS sets the count, 0 skips it). Then (e)
// approvals (test/bench/approvals.ts): approval → first row latency (p50/p99) through the same and a
// second state store instance, and pgbench -S TPS with approvals configured against without
// (~1.5 min; PORTCULLIS_BENCH_APPROVALS sets the held statements per path, default 50, 0 skips it;
// the pgbench part follows PORTCULLIS_BENCH_SECONDS / _ROUNDS). Then (f) recording
// (test/bench/recording.ts): pgbench -S TPS with every session recorded (journal fsync on, and off)
// against recording off, the on/off ratio beside the target (≥ 0.85) and the journal's fsyncs and
// records per second (~1.5 min; PORTCULLIS_BENCH_RECORDING=0 skips it, _RECORDING_SHIP=1 adds the shippers; follows
// PORTCULLIS_BENCH_SECONDS / _ROUNDS / _CLIENTS). Then (g) hot reload (test/bench/reload.ts): pgbench -S
// through a gateway polling a bundle server while PORTCULLIS_BENCH_RELOADS (default 100) revisions
// are published: failed statements, the TPS dip, publish → activation latency (~40 s;
// PORTCULLIS_BENCH_RELOAD=0 skips it). Then (h) large results (test/bench/large-results.ts): a
// 1,000,000-row `SELECT * FROM customers` whose email and card_number the shipped policy masks,
// streamed directly, through pgbouncer, the pass-through and Portcullis: median MB/s, the ratio to
// pgbouncer (target ≥ 0.5) and each proxy's RSS growth while streaming (~30 s;
// PORTCULLIS_BENCH_LARGE=0 skips it, PORTCULLIS_BENCH_LARGE_ROWS sets the rows; follows _ROUNDS).

import { loadPolicy as sdkLoadPolicy } from '@open-policy-agent/opa-wasm';
import { benchApprovals } from './approvals.js';
import { benchGateway } from './pgbench.js';
import { benchRecording } from './recording.js';
import { benchReload } from './reload.js';
import { benchIdleConnections } from './idle-connections.js';
import { benchLargeResults } from './large-results.js';
import { benchMemoryAttacks } from './memory-attacks.js';
import { benchFreshCompile, benchIndexing, benchKata, benchZones } from './engine-speed.js';
import { BENCH_INPUTS, SMALL_ENTRYPOINT, SMALL_POLICY, allowJs, generatePolicy } from './policies.js';

type Engine = typeof import('../../engine/index.js');

const COMPILE_SIZES = [100, 1_000, 3_000];
const COMPILE_RUNS = 5;
const COMPILE_BUDGET_MS = 10_000; // per size, warm-up included
const EVAL_MS = 2_000; // per contender

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

async function loadEngine(): Promise<Engine> {
  try {
    return await import('../../engine/index.js');
  } catch (e) {
    return fail(`the pipeline does not compile yet (engine failed to load: ${(e as Error).message})`);
  }
}

function compileOrFail(engine: Engine, files: Array<{ name: string; text: string }>, entrypoints: string[]): Uint8Array {
  let r: ReturnType<Engine['compile']>;
  try {
    r = engine.compile({ files, entrypoints });
  } catch (e) {
    return fail(`the pipeline does not compile yet (compile threw: ${(e as Error).message})`);
  }
  if (engine.hasErrors(r.diagnostics) || !r.wasm) {
    const first = r.diagnostics
      .slice(0, 5)
      .map((d) => `  ${engine.formatDiagnostic(d)}`)
      .join('\n');
    return fail(`the pipeline does not compile yet:\n${first}`);
  }
  return r.wasm;
}

function benchCompile(engine: Engine): void {
  // Warm the JIT on every size first, so the smaller sizes are not measured cold.
  const policies = COMPILE_SIZES.map(generatePolicy);
  for (const p of policies) compileOrFail(engine, p.files, p.entrypoints);
  console.log('Compile time (warm, in-process, median)');
  console.log('| lines | files | entrypoints | runs | median ms | min ms | wasm KiB |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const p of policies) {
    const start = performance.now();
    const wasm = compileOrFail(engine, p.files, p.entrypoints); // warm-up
    const times: number[] = [];
    while (times.length < COMPILE_RUNS && performance.now() - start < COMPILE_BUDGET_MS) {
      const t0 = performance.now();
      compileOrFail(engine, p.files, p.entrypoints);
      times.push(performance.now() - t0);
    }
    if (times.length === 0) times.push(performance.now() - start);
    console.log(
      `| ${p.lines} | ${p.files.length} | ${p.entrypoints.length} | ${times.length} | ${median(times).toFixed(1)} | ${Math.min(...times).toFixed(1)} | ${(wasm.length / 1024).toFixed(1)} |`,
    );
  }
}

/** throughput calls fn with the inputs in turn for about EVAL_MS and returns calls per second. */
function throughput(fn: (input: (typeof BENCH_INPUTS)[number]) => unknown): number {
  const n = BENCH_INPUTS.length;
  for (let i = 0; i < 2_000; i++) fn(BENCH_INPUTS[i % n] as (typeof BENCH_INPUTS)[number]); // warm-up
  let calls = 0;
  let sink = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < EVAL_MS) {
    for (let i = 0; i < 1_000; i++) if (fn(BENCH_INPUTS[(calls + i) % n] as (typeof BENCH_INPUTS)[number])) sink++;
    calls += 1_000;
    elapsed = performance.now() - start;
  }
  if (sink < 0) console.log(sink); // keep the results observable
  return (calls / elapsed) * 1_000;
}

function describeError(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

function resultOf(rs: unknown): unknown {
  return Array.isArray(rs) ? (rs[0] as { result?: unknown } | undefined)?.result : undefined;
}

async function benchEval(engine: Engine): Promise<void> {
  const wasm = compileOrFail(engine, [{ name: 'bench.rego', text: SMALL_POLICY }], [SMALL_ENTRYPOINT]);
  let sdk: Awaited<ReturnType<typeof sdkLoadPolicy>>;
  let ours: Awaited<ReturnType<Engine['loadPolicy']>>;
  try {
    sdk = await sdkLoadPolicy(wasm);
    ours = await engine.loadPolicy(wasm);
  } catch (e) {
    return fail(`the compiled module does not load (${describeError(e)})`);
  }
  const contenders: Array<{ name: string; fn: (input: (typeof BENCH_INPUTS)[number]) => unknown }> = [
    { name: 'official SDK (@open-policy-agent/opa-wasm)', fn: (input) => resultOf(sdk.evaluate(input, SMALL_ENTRYPOINT)) },
    { name: 'engine loadPolicy', fn: (input) => resultOf(ours.evaluate(input, SMALL_ENTRYPOINT)) },
  ];
  for (const c of contenders) {
    for (const input of BENCH_INPUTS) {
      let got: unknown;
      try {
        got = c.fn(input);
      } catch (e) {
        fail(`the pipeline does not evaluate yet (${c.name}: ${describeError(e)})`);
      }
      if (got !== allowJs(input))
        fail(`${c.name} returned ${JSON.stringify(got)} for ${JSON.stringify(input)}; expected ${allowJs(input)}`);
    }
  }
  console.log('\nEvaluations per second (small allow policy; each row beside the JS baseline of the same run)');
  console.log('| path | evals/s | JS baseline evals/s | ratio to JS |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const c of contenders) {
    const rate = throughput(c.fn);
    const js = throughput(allowJs);
    console.log(
      `| ${c.name} | ${Math.round(rate).toLocaleString('en-US')} | ${Math.round(js).toLocaleString('en-US')} | ${(rate / js).toFixed(4)}× (JS is ${(js / rate).toFixed(0)}× faster) |`,
    );
  }
}

/** runSection runs one timed section, unless `skipVar` is 0 in the environment; a failure ends the bench with exit code 1. */
async function runSection(title: string, skipVar: string, label: string, section: () => Promise<unknown>): Promise<void> {
  if (process.env[skipVar] === '0') {
    console.log(`\n${title}: skipped (${skipVar}=0)`);
    return;
  }
  const started = performance.now();
  try {
    await section();
  } catch (e) {
    fail(`the ${label} section failed: ${describeError(e)}`);
  }
  console.log(`\n${label} bench finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const engine = await loadEngine();
const t0 = performance.now();
benchCompile(engine);
benchFreshCompile(3_000);
await benchEval(engine);
try {
  await benchIndexing(engine);
} catch (e) {
  fail(`the rule-indexing section failed: ${describeError(e)}`);
}
await benchKata(engine);
await benchZones(engine);
console.log(`\nbench finished in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
await runSection('Gateway throughput', 'PORTCULLIS_BENCH_GATEWAY', 'gateway', benchGateway);
try {
  await benchIdleConnections();
} catch (e) {
  fail(`the connection-cost section failed: ${describeError(e)}`);
}
try {
  await benchMemoryAttacks();
} catch (e) {
  fail(`the memory-under-attack section failed: ${describeError(e)}`);
}
await runSection('Approvals', 'PORTCULLIS_BENCH_APPROVALS', 'approvals', benchApprovals);
await runSection('Recording', 'PORTCULLIS_BENCH_RECORDING', 'recording', benchRecording);
await runSection('Hot reload', 'PORTCULLIS_BENCH_RELOAD', 'reload', benchReload);
await runSection('Large results', 'PORTCULLIS_BENCH_LARGE', 'large-results', benchLargeResults);
