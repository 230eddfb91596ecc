// graph.reachable and graph.reachable_paths through the built runtime, as OPA's reachable.go
// computes them, with its type errors in strict mode. Results are sets (dumped sorted).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, set, type Arg, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

const R = 'bi_graph_reachable';
const P = 'bi_graph_reachable_paths';

const diamond = { a: ['b', 'c'], b: ['d'], c: set('d'), d: [] };
const cycle = { a: ['b'], b: ['c'], c: ['a'] };

type Case = { note: string; fn: string; args: Arg[]; want: unknown };

const cases: Case[] = [
  { note: 'reachable through arrays and sets', fn: R, args: [diamond, ['a']], want: ['a', 'b', 'c', 'd'] },
  { note: 'reachable from an inner node', fn: R, args: [diamond, set('b')], want: ['b', 'd'] },
  { note: 'reachable around a cycle', fn: R, args: [cycle, ['b']], want: ['a', 'b', 'c'] },
  { note: 'reachable skips a neighbour missing from the graph', fn: R, args: [{ a: ['x', 'b'], b: [] }, ['a']], want: ['a', 'b'] },
  { note: 'reachable skips an initial node missing from the graph', fn: R, args: [diamond, ['z', 'd']], want: ['d'] },
  { note: 'reachable: edges that are not a collection lead nowhere', fn: R, args: [{ a: 'b', b: [] }, ['a']], want: ['a'] },
  { note: 'reachable: a null edges value still marks the node', fn: R, args: [{ a: null }, ['a']], want: ['a'] },
  { note: 'reachable: object edges lead nowhere', fn: R, args: [{ a: { b: true }, b: [] }, ['a']], want: ['a'] },
  { note: 'reachable from nothing', fn: R, args: [diamond, []], want: [] },
  { note: 'reachable in an empty graph', fn: R, args: [{}, ['a']], want: [] },
  { note: 'reachable with a non-object graph', fn: R, args: [['a'], ['a']], want: undefined },
  { note: 'reachable with a string of nodes', fn: R, args: [diamond, 'a'], want: undefined },
  {
    note: 'paths through a diamond',
    fn: P,
    args: [diamond, ['a']],
    want: [
      ['a', 'b', 'd'],
      ['a', 'c', 'd'],
    ],
  },
  {
    note: 'paths from several nodes',
    fn: P,
    args: [diamond, set('b', 'c')],
    want: [
      ['b', 'd'],
      ['c', 'd'],
    ],
  },
  { note: 'a path stops before closing a cycle', fn: P, args: [cycle, ['a']], want: [['a', 'b', 'c']] },
  { note: 'a self loop repeats the node once', fn: P, args: [{ a: ['a'] }, ['a']], want: [['a', 'a']] },
  { note: 'a path stops before a node missing from the graph', fn: P, args: [{ a: ['b'], b: ['x'] }, ['a']], want: [['a', 'b']] },
  { note: 'a node without edges is a path of its own', fn: P, args: [{ a: [] }, ['a']], want: [['a']] },
  { note: 'non-collection edges end the path at the node', fn: P, args: [{ a: ['b'], b: 'c' }, ['a']], want: [['a', 'b']] },
  { note: 'paths skip an initial node missing from the graph', fn: P, args: [diamond, ['z']], want: [] },
  {
    note: 'paths that meet again (OPA reachable_paths/cycle_1022_3)',
    fn: P,
    args: [
      {
        one: ['two', 'five'],
        two: ['four'],
        three: [''],
        four: ['three'],
        five: ['seven', 'six'],
        six: ['nine', 'seven'],
        seven: ['eight'],
        eight: ['three'],
        nine: [''],
      },
      set('one'),
    ],
    want: [
      ['one', 'five', 'seven', 'eight', 'three'],
      ['one', 'five', 'six', 'nine'],
      ['one', 'five', 'six', 'seven', 'eight', 'three'],
      ['one', 'two', 'four', 'three'],
    ],
  },
  {
    note: 'paths in separate components (OPA)',
    fn: P,
    args: [{ a: set('b', 'c'), b: set('d'), c: set('d'), d: set(), e: set('f'), f: set('e'), x: set('x') }, set('b', 'e')],
    want: [
      ['b', 'd'],
      ['e', 'f'],
    ],
  },
  {
    note: 'paths from each initial node (OPA invalid_end)',
    fn: P,
    args: [{ a: ['b'], b: ['nonexistent'] }, set('a', 'b')],
    want: [['a', 'b'], ['b']],
  },
  { note: 'paths with a non-object graph', fn: P, args: [set(), ['a']], want: undefined },
];

describe('graph builtins', () => {
  it.each(cases)('$note', ({ fn, args, want }) => {
    expect(rt.call(fn, ...args)).toEqual(want);
  });
});

type StrictCase = { note: string; fn: string; args: Arg[]; message: string };

const strictCases: StrictCase[] = [
  {
    note: 'reachable graph',
    fn: R,
    args: [['a'], ['a']],
    message: 'eval_type_error: graph.reachable: operand 1 must be object but got array',
  },
  {
    note: 'reachable initial',
    fn: R,
    args: [{}, 'a'],
    message: 'eval_type_error: graph.reachable: operand 2 must be {array, set} but got string',
  },
  {
    note: 'paths graph',
    fn: P,
    args: [null, []],
    message: 'eval_type_error: graph.reachable_paths: operand 1 must be object but got null',
  },
  {
    note: 'paths initial',
    fn: P,
    args: [{}, { a: 1 }],
    message: 'eval_type_error: graph.reachable_paths: operand 2 must be {array, set} but got object',
  },
];

describe('graph builtins in strict mode', () => {
  it.each(strictCases)('$note', ({ fn, args, message }) => {
    rt.exports['rt_set_strict']!(1);
    try {
      expect(() => rt.call(fn, ...args)).toThrow(`abort: ${message}`);
    } finally {
      rt.exports['rt_set_strict']!(0);
    }
  });
});
