// Early exit (engine/planner/early-exit.ts): complete rules whose definitions all have the same
// ground value stop each body at its first solution (prints show it), later bodies still run,
// conflicts of rules with different values are still detected, default/else keep their meaning,
// functions evaluate every solution; the compiled Wasm gives the same values and errors.

import { describe, expect, it } from 'vitest';
import { compile, loadPolicy } from '../../../engine/index.js';
import { printPolicy } from '../../../engine/ir/index.js';
import { canExitEarly, groundKey } from '../../../engine/planner/early-exit.js';
import { parse } from '../../../engine/parser/index.js';
import { check } from '../../../engine/check/index.js';
import { runPlan } from '../../helpers/ir-interpreter.js';
import { toJson } from '../../helpers/ir-values.js';
import { planSources } from './helpers.js';
import { INTERPRETED_HOST_BUILTINS } from './interpreter-conformance.js';

type Case = { note: string; rego: string; entry: string; input?: unknown; value?: unknown; error?: string; prints: string[] };

const cases: Case[] = [
  {
    note: 'constant-head rule: a body stops at its first solution, later bodies still run',
    rego: 'package t\n\np if {\n  some x in [1, 2, 3]\n  print("p1", x)\n  x > 0\n}\n\np if {\n  some y in [4, 5]\n  print("p2", y)\n}\n',
    entry: 't/p',
    value: true,
    prints: ['p1 1', 'p2 4'],
  },
  {
    note: 'nested iteration is left completely',
    rego: 'package t\n\np = "ok" if {\n  some x in [1, 2]\n  some y in [3, 4]\n  print("xy", x, y)\n}\n',
    entry: 't/p',
    value: 'ok',
    prints: ['xy 1 3'],
  },
  {
    note: 'bodies without a solution keep iterating until one is found',
    rego: 'package t\n\np if {\n  some x in [1, 2, 3]\n  print("x", x)\n  x >= 2\n}\n',
    entry: 't/p',
    value: true,
    prints: ['x 1', 'x 2'],
  },
  {
    note: 'different values: every solution runs and the conflict is detected',
    rego: 'package t\n\np = x if {\n  some x in [1, 2]\n  print("x", x)\n}\n',
    entry: 't/p',
    error: 'eval_conflict_error',
    prints: ['x 1', 'x 2'],
  },
  {
    note: 'different constant heads across bodies: full evaluation, conflict detected',
    rego: 'package t\n\np = 1 if {\n  some x in [1, 2]\n  print("a", x)\n}\n\np = 2 if print("b")\n',
    entry: 't/p',
    error: 'eval_conflict_error',
    prints: ['a 1', 'a 2', 'b'],
  },
  {
    note: 'default applies when no body has a solution',
    rego: 'package t\n\ndefault p := false\n\np if {\n  some x in [1, 2]\n  print("x", x)\n  x > 5\n}\n',
    entry: 't/p',
    value: false,
    prints: ['x 1', 'x 2'],
  },
  {
    note: 'else chain with the same value: the first clause with a solution stops',
    rego: 'package t\n\np if {\n  some x in [1, 2]\n  print("a", x)\n  x > 5\n} else if {\n  some y in [3, 4]\n  print("b", y)\n}\n',
    entry: 't/p',
    value: true,
    prints: ['a 1', 'a 2', 'b 3'],
  },
  {
    note: 'functions evaluate every solution (as regorus)',
    rego: 'package t\n\nf(a) if {\n  some x in a\n  print("f", x)\n}\n\nq := f([1, 2])\n',
    entry: 't/q',
    value: true,
    prints: ['f 1', 'f 2'],
  },
];

/** evalCase runs a case through the IR interpreter, capturing prints and the error code. */
function evalCase(c: Case): { value?: unknown; error?: string; prints: string[] } {
  const prints: string[] = [];
  try {
    const v = runPlan(planSources([c.rego], [c.entry]), c.entry, c.input, {}, { prints });
    return v === undefined ? { prints } : { value: toJson(v), prints };
  } catch (e) {
    return { error: /eval_\w+/.exec((e as Error).message)?.[0] ?? (e as Error).message, prints };
  }
}

describe('early exit for complete rules', () => {
  it.each(cases)('$note', (c) => {
    const want = c.error !== undefined ? { error: c.error, prints: c.prints } : { value: c.value, prints: c.prints };
    expect(evalCase(c)).toEqual(want);
  });

  it.each(cases)('Wasm: $note', async (c) => {
    const r = compile({ files: [{ name: 't.rego', text: c.rego }], entrypoints: [c.entry] });
    if (!r.wasm) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
    const mod = await loadPolicy(r.wasm);
    let got: unknown;
    try {
      got = { value: (mod.evaluate(c.input, c.entry) as { result: unknown }[])[0]?.result };
    } catch (e) {
      got = { error: /eval_\w+/.exec((e as Error).message)?.[0] ?? (e as Error).message };
    }
    expect(got).toEqual(c.error !== undefined ? { error: c.error } : { value: c.value });
  });

  const breakCases = [
    { note: 'constant head gets a break', rego: 'package t\n\np if {\n  some x in [1]\n  x\n}\n', breaks: true },
    { note: 'variable head gets none', rego: 'package t\n\np = x if {\n  some x in [1]\n}\n', breaks: false },
  ];
  it.each(breakCases)('IR: $note', ({ rego, breaks }) => {
    expect(/\bbreak\b/i.test(printPolicy(planSources([rego], ['t/p'])))).toBe(breaks);
  });
});

describe('canExitEarly / groundKey', () => {
  const rulesOf = (text: string) => {
    const parsed = parse({ name: 'g.rego', text });
    if (!parsed.value) throw new Error('parse failed');
    return check([parsed.value], { hostBuiltins: INTERPRETED_HOST_BUILTINS }).value.rules.filter((r) => r.path.join('.') === 'data.t.p');
  };
  const cases2 = [
    { note: 'implicit true heads', rego: 'package t\np if input.a\np if input.b\n', want: true },
    {
      note: 'equal ground objects (any key order)',
      rego: 'package t\np := {"a": 1, "b": [2]} if input.a\np := {"b": [2], "a": 1} if input.b\n',
      want: true,
    },
    { note: 'different constants', rego: 'package t\np := 1 if input.a\np := 2 if input.b\n', want: false },
    { note: 'a variable head', rego: 'package t\np := x if x := input.a\n', want: false },
    { note: 'default is ignored', rego: 'package t\ndefault p := false\np if input.a\n', want: true },
    { note: 'else with another value', rego: 'package t\np := 1 if input.a else := 2\n', want: false },
    { note: 'multi-value rules never', rego: 'package t\np contains 1 if input.a\n', want: false },
  ];
  it.each(cases2)('$note', ({ rego, want }) => {
    expect(canExitEarly(rulesOf(rego))).toBe(want);
  });

  it.each([
    { note: 'sets are order-insensitive', a: '{1, 2}', b: '{2, 1}', same: true },
    { note: 'numbers compare by text', a: '1', b: '2', same: false },
    { note: 'arrays are ordered', a: '[1, 2]', b: '[2, 1]', same: false },
  ])('groundKey: $note', ({ a, b, same }) => {
    const head = (v: string) => rulesOf(`package t\np := ${v} if input.x\n`)[0]?.rule.head.value;
    expect(groundKey(head(a)) === groundKey(head(b))).toBe(same);
  });
});
