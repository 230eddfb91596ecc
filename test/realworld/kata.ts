// Kata harness: compiles each ../shared/realworld/kata/<test>/policy.rego as Rego v0, evaluates
// every recorded request through loadPolicy and compares rule values and print() lines with the
// recordings (regorus' tests/kata layout). Run with `npx tsx test/realworld/kata.ts [--verbose]`.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { compile, formatDiagnostic, hasErrors, loadPolicy } from '../../engine/index.js';

/** KATA_DIR is where the recorded kata tests live (absent in some checkouts). */
export const KATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/realworld/kata');

/** KataRequest is one recorded request: the endpoint rule, its input and the recorded outcome. */
export type KataRequest = {
  readonly endpoint: string;
  readonly input: unknown;
  readonly output: unknown;
  readonly prints: readonly string[];
};

/** KataTestResult summarises one kata test. */
export type KataTestResult = {
  readonly test: string;
  /** Compile diagnostics (errors only); when non-empty nothing was evaluated. */
  readonly compileErrors: readonly string[];
  readonly requests: number;
  /** Requests whose rule value matched. */
  readonly valuesPassed: number;
  /** Requests whose print lines matched too. */
  readonly printsPassed: number;
  /** Builtins the compiler reported as unsupported. */
  readonly missingBuiltins: readonly string[];
  /** First few mismatches, for reports. */
  readonly failures: readonly string[];
};

/** readRequests parses inputs.txt (`["ep":"Name",{…}],` lines) with outputs.json and prints.json. */
export function readRequests(dir: string): KataRequest[] {
  const lines = readFileSync(join(dir, 'inputs.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const outputs = JSON.parse(readFileSync(join(dir, 'outputs.json'), 'utf8')) as unknown[];
  const prints = JSON.parse(readFileSync(join(dir, 'prints.json'), 'utf8')) as string[][];
  return lines.map((line, i) => {
    const text = line.trim().replace('"ep":', '').replace(/,$/, '');
    const [endpoint, input] = JSON.parse(text) as [string, unknown];
    return { endpoint, input, output: outputs[i], prints: prints[i] ?? [] };
  });
}

/**
 * normalisePrint drops the `<file>:<row>: ` prefix regorus records (OPA's Wasm print hands the
 * host only the arguments), keeping the printed text.
 */
export function normalisePrint(line: string): string {
  const m = /^[^\s:]*\.rego:\d+: /.exec(line);
  return m === null ? line : line.slice(m[0].length);
}

/** runKataTest compiles and evaluates one kata test directory. */
export async function runKataTest(dir: string): Promise<KataTestResult> {
  const test = dir.split(/[\\/]/).pop() as string;
  const requests = readRequests(dir);
  const endpoints = [...new Set(requests.map((r) => r.endpoint))].sort();
  const text = readFileSync(join(dir, 'policy.rego'), 'utf8');
  const res = compile({
    files: [{ name: 'policy.rego', text }],
    regoVersion: 'v0',
    entrypoints: endpoints.map((e) => `agent_policy/${e}`),
  });
  const errors = res.diagnostics.filter((d) => d.severity === 'error');
  const missingBuiltins = [...new Set(errors.flatMap((d) => /unsupported builtin:? ([\w.]+)/.exec(d.message)?.[1] ?? []))].sort();
  const base = { test, requests: requests.length, missingBuiltins };
  if (hasErrors(res.diagnostics) || res.wasm === undefined) {
    return { ...base, compileErrors: errors.map(formatDiagnostic), valuesPassed: 0, printsPassed: 0, failures: [] };
  }
  let printed: string[] = [];
  const policy = await loadPolicy(res.wasm, {
    onPrint: (line) => printed.push(line),
    hostBuiltins: { 'time.now_ns': () => Date.now() * 1e6 },
  });
  let valuesPassed = 0;
  let printsPassed = 0;
  const failures: string[] = [];
  requests.forEach((r, i) => {
    printed = [];
    let value: unknown;
    try {
      const rs = policy.evaluate(r.input, `agent_policy/${r.endpoint}`);
      value = rs[0]?.result;
    } catch (e) {
      value = `error: ${(e as Error).message}`;
    }
    const valueOk = isDeepStrictEqual(value, r.output);
    if (valueOk) valuesPassed++;
    else if (failures.length < 5)
      failures.push(clip(`#${i} ${r.endpoint}: got ${JSON.stringify(value)}, want ${JSON.stringify(r.output)}`));
    const got = printed.map(normalisePrint);
    const want = r.prints.map(normalisePrint);
    if (valueOk && isDeepStrictEqual(got, want)) printsPassed++;
    else if (valueOk && failures.length < 5) {
      const k = got.findIndex((g, j) => g !== want[j]);
      const at = k < 0 ? got.length : k;
      failures.push(clip(`#${i} ${r.endpoint}: print ${at}: got ${JSON.stringify(got[at])}, want ${JSON.stringify(want[at])}`));
    }
  });
  return { ...base, compileErrors: [], valuesPassed, printsPassed, failures };
}

function clip(s: string): string {
  return s.length > 240 ? `${s.slice(0, 240)}…` : s;
}

/** runKata runs every test under KATA_DIR (sorted); empty when the folder is absent. */
export async function runKata(dir = KATA_DIR): Promise<KataTestResult[]> {
  if (!existsSync(dir)) return [];
  const tests = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'policy.rego')));
  const out: KataTestResult[] = [];
  for (const t of tests.map((d) => d.name).sort()) out.push(await runKataTest(join(dir, t)));
  return out;
}

async function main(): Promise<void> {
  const verbose = process.argv.includes('--verbose');
  const results = await runKata();
  if (results.length === 0) console.log(`no kata tests at ${KATA_DIR}`);
  for (const r of results) {
    const ok = r.compileErrors.length === 0 && r.valuesPassed === r.requests && r.printsPassed === r.requests;
    console.log(`${ok ? 'PASS' : 'FAIL'} ${r.test}: values ${r.valuesPassed}/${r.requests}, prints ${r.printsPassed}/${r.requests}`);
    if (r.missingBuiltins.length > 0) console.log(`  missing builtins: ${r.missingBuiltins.join(', ')}`);
    for (const e of r.compileErrors.slice(0, verbose ? Infinity : 5)) console.log(`  ${e}`);
    for (const f of r.failures) console.log(`  ${f}`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
