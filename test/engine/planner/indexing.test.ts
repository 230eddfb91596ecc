// Rule indexing (engine/planner/indexing.ts): for representative policies, results, print lines
// and errors are the same with and without indexing (IR interpreter and compiled Wasm), indexed
// policies really get a dispatch tree, and only the matching bodies run.

import { describe, expect, it } from 'vitest';
import { parse } from '../../../engine/parser/index.js';
import { check } from '../../../engine/check/index.js';
import { plan } from '../../../engine/planner/index.js';
import { compile, loadPolicy } from '../../../engine/index.js';
import { printPolicy } from '../../../engine/ir/index.js';
import type { Policy } from '../../../engine/ir/index.js';
import { BUILTINS } from '../../helpers/ir-builtins.js';
import type { Builtin } from '../../helpers/ir-builtins.js';
import { runPlan } from '../../helpers/ir-interpreter.js';
import { toJson } from '../../helpers/ir-values.js';
import type { Value } from '../../helpers/ir-values.js';
import { INTERPRETED_HOST_BUILTINS } from './interpreter-conformance.js';

/** planWith plans one module with indexing on or off; throws on diagnostics. */
function planWith(text: string, entrypoint: string, ruleIndexing: boolean): Policy {
  const parsed = parse({ name: 'idx.rego', text });
  if (!parsed.value) throw new Error('parse failed');
  const checked = check([parsed.value], { hostBuiltins: INTERPRETED_HOST_BUILTINS });
  const planned = plan(checked.value, { entrypoints: [entrypoint], hostBuiltins: INTERPRETED_HOST_BUILTINS, ruleIndexing });
  const errors = [...parsed.diagnostics, ...checked.diagnostics, ...planned.diagnostics].filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join('\n'));
  return planned.value;
}

type Outcome = { value?: unknown; error?: string; prints: string[]; concatCalls: number };

/** run evaluates through the IR interpreter, counting `concat` calls and capturing prints. */
function run(p: Policy, entrypoint: string, input: unknown, extra: Readonly<Record<string, Builtin>> = {}): Outcome {
  const prints: string[] = [];
  let concatCalls = 0;
  const concat = BUILTINS['concat'] as (args: Value[], ctx: Parameters<NonNullable<(typeof BUILTINS)['concat']>>[1]) => Value | undefined;
  const builtins = {
    concat: (args: Value[], ctx: Parameters<typeof concat>[1]) => {
      concatCalls++;
      return concat(args, ctx);
    },
    ...extra,
  };
  try {
    const v = runPlan(p, entrypoint, input, {}, { builtins, prints });
    return { value: v === undefined ? undefined : toJson(v), prints, concatCalls };
  } catch (e) {
    return { error: (e as Error).message, prints, concatCalls };
  }
}

const KINDS = ['select', 'insert', 'update', 'delete', 'drop', 'grant'];

/** manyDeny renders n guarded deny rules (kinds cycling), each building its message with concat. */
function manyDeny(n: number): string {
  const rules = Array.from(
    { length: n },
    (_, i) =>
      `deny contains msg if {\n  input.statement.kind == "${KINDS[i % KINDS.length]}"\n  input.statement.table == "t${i}"\n  msg := concat(":", ["r${i}", input.statement.table])\n}`,
  );
  return `package idx\n\n${rules.join('\n\n')}\n`;
}

type Case = { note: string; rego: string; entry: string; inputs: unknown[]; indexed: boolean };

const multi = `package idx

deny contains "always" if input.user == "root"

deny contains msg if {
  input.statement.kind == "select"
  msg := concat("", ["select ", input.statement.table])
}

deny contains "insert" if input.statement.kind == "insert"

deny contains msg if {
  "update" == input.statement.kind
  print("update on", input.statement.table)
  msg := "update"
}

deny contains "delete" if input.statement.kind = "delete"

deny contains "select again" if input.statement.kind == "select"

deny contains "unguarded" if input.statement.table == "secrets"

deny contains "drop" if input.statement.kind == "drop"

deny contains "grant" if input.statement.kind == "grant"

deny contains "truncate" if input.statement.kind == "truncate"
`;

const complete = `package idx

default level := "none"

level := "read" if input.kind == "select"

level := "write" if input.kind == "insert"

level := "write" if input.kind == "update"

level := "admin" if input.kind == "drop"

level := "conflict" if input.kind == "drop"

level := "grant" if input.kind == "grant"
`;

const partialObject = `package idx

cost[t] := 1 if { input.kind == "a"; t := input.table }
cost[t] := 2 if { input.kind == "b"; t := input.table }
cost[t] := 3 if { input.kind == "c"; t := input.table }
cost[t] := 4 if { input.kind == "c"; t := input.table }
cost[t] := 5 if { input.kind == "d"; t := input.table }
cost["x"] := 0 if input.kind == "e"
`;

const withOverride = `package idx

kinds contains "a" if input.k == "a"
kinds contains "b" if input.k == "b"
kinds contains "c" if input.k == "c"
kinds contains "d" if input.k == "d"

as_c := x if x := kinds with input.k as "c"
as_obj := x if x := kinds with input as {"k": "d"}
as_num := x if x := kinds with input.k as 1

res := {"plain": kinds, "as_c": as_c, "as_obj": as_obj, "as_num": as_num}
`;

const elseChain = `package idx

p := 1 if input.k == "a"
p := 2 if input.k == "b"
p := 3 if input.k == "c" else := 4 if input.k == "d"
p := 5 if input.k == "e"
p := 6 if input.k == "f"
`;

const fewRules = `package idx

q contains 1 if input.k == "a"
q contains 2 if input.k == "b"
q contains 3 if input.k == "c"
`;

const stmtInputs = [
  {},
  { statement: {} },
  { statement: { kind: 'select', table: 'orders' } },
  { statement: { kind: 'insert', table: 't1' } },
  { statement: { kind: 'update', table: 't2' }, user: 'root' },
  { statement: { kind: 'delete', table: 'secrets' } },
  { statement: { kind: 'drop', table: 't4' } },
  { statement: { kind: 'grant', table: 't5' } },
  { statement: { kind: 'truncate', table: 't5' } },
  { statement: { kind: 'merge', table: 'secrets' } },
  { statement: { kind: 1, table: 't0' } },
  { statement: { kind: ['select'], table: 't0' } },
  { statement: 'select' },
];
const kindInputs = [
  {},
  { kind: 'select' },
  { kind: 'insert' },
  { kind: 'update' },
  { kind: 'drop' },
  { kind: 'grant' },
  { kind: 'other' },
  { kind: null },
  { kind: 'a', table: 't' },
  { kind: 'b', table: 't' },
  { kind: 'c', table: 't' },
  { kind: 'd', table: 't' },
  { kind: 'e' },
];
const kInputs = [{}, { k: 'a' }, { k: 'b' }, { k: 'c' }, { k: 'd' }, { k: 'e' }, { k: 'f' }, { k: 'z' }, { k: 2 }];

const cases: Case[] = [
  {
    note: 'multi-value rules, mixed guards, reversed and unification guards, prints',
    rego: multi,
    entry: 'idx/deny',
    inputs: stmtInputs,
    indexed: true,
  },
  { note: 'complete rules with default and a conflict', rego: complete, entry: 'idx/level', inputs: kindInputs, indexed: true },
  { note: 'partial object rules with a key conflict', rego: partialObject, entry: 'idx/cost', inputs: kindInputs, indexed: true },
  { note: 'with input overrides reach the index', rego: withOverride, entry: 'idx/res', inputs: kInputs, indexed: true },
  { note: 'else chains are not indexed but keep their place', rego: elseChain, entry: 'idx/p', inputs: kInputs, indexed: false },
  { note: 'runs shorter than the threshold stay linear', rego: fewRules, entry: 'idx/q', inputs: kInputs, indexed: false },
  {
    note: '60 generated deny rules',
    rego: manyDeny(60),
    entry: 'idx/deny',
    inputs: [...stmtInputs, { statement: { kind: 'select', table: 't6' } }, { statement: { kind: 'grant', table: 't59' } }],
    indexed: true,
  },
];

describe('rule indexing', () => {
  it.each(cases)('IR interpreter: same outcome with and without indexing: $note', ({ rego, entry, inputs, indexed }) => {
    const on = planWith(rego, entry, true);
    const off = planWith(rego, entry, false);
    expect(printPolicy(on) !== printPolicy(off)).toBe(indexed);
    for (const input of inputs) {
      const a = run(on, entry, input);
      const b = run(off, entry, input);
      expect({ input, value: a.value, error: a.error, prints: a.prints }).toEqual({
        input,
        value: b.value,
        error: b.error,
        prints: b.prints,
      });
    }
  });

  it.each(cases)('Wasm: same outcome with and without indexing: $note', async ({ rego, entry, inputs }) => {
    const mods = await Promise.all(
      [true, false].map(async (ruleIndexing) => {
        const r = compile({ files: [{ name: 'idx.rego', text: rego }], entrypoints: [entry], ruleIndexing });
        if (!r.wasm) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
        return loadPolicy(r.wasm);
      }),
    );
    const evalOne = (i: number, input: unknown) => {
      try {
        return { result: mods[i]?.evaluate(input, entry) };
      } catch (e) {
        return { error: (e as Error).message };
      }
    };
    for (const input of inputs) expect({ input, ...evalOne(0, input) }).toEqual({ input, ...evalOne(1, input) });
  });

  const countCases = [
    {
      note: 'select runs only the select bodies',
      n: 60,
      input: { statement: { kind: 'select', table: 't6' } },
      guards: 10,
      unindexed: 60,
      want: ['r6:t6'],
    },
    {
      note: 'an unknown kind runs no body',
      n: 60,
      input: { statement: { kind: 'merge', table: 't6' } },
      guards: 0,
      unindexed: 60,
      want: [],
    },
    { note: 'a missing kind runs no body', n: 60, input: { statement: {} }, guards: 0, unindexed: 0, want: [] },
    {
      note: '600 rules: drop runs 100 bodies',
      n: 600,
      input: { statement: { kind: 'drop', table: 't598' } },
      guards: 100,
      unindexed: 600,
      want: ['r598:t598'],
    },
  ];
  it.each(countCases)('only matching bodies run: $note', ({ n, input, guards, unindexed, want }) => {
    const a = runCounting(planWith(manyDeny(n), 'idx/deny', true), input);
    const b = runCounting(planWith(manyDeny(n), 'idx/deny', false), input);
    expect(a.value).toEqual(want);
    expect(b.value).toEqual(want);
    expect({ guards: a.guards, concat: a.concatCalls }).toEqual({ guards, concat: want.length });
    expect({ guards: b.guards, concat: b.concatCalls }).toEqual({ guards: unindexed, concat: want.length });
  });
});

/** runCounting runs idx/deny counting guard tests (`equal` calls against a kind) and `concat` calls. */
function runCounting(p: Policy, input: unknown): Outcome & { guards: number } {
  const eq = BUILTINS['equal'] as Builtin;
  let guards = 0;
  const counting: Builtin = (args, ctx) => {
    if (args.some((a) => typeof a === 'string' && KINDS.includes(a))) guards++;
    return eq(args, ctx);
  };
  const out = run(p, 'idx/deny', input, { equal: counting });
  return { ...out, guards };
}
