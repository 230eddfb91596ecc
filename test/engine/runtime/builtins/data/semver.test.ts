// semver.compare and semver.is_valid through the built runtime.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, type Arg, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

type Case = { note: string; fn: string; args: Arg[]; want: unknown };

const C = 'bi_semver_compare';
const V = 'bi_semver_is_valid';

const cases: Case[] = [
  { note: 'less major', fn: C, args: ['1.0.0', '2.0.0'], want: -1 },
  { note: 'greater minor numerically', fn: C, args: ['1.10.0', '1.9.0'], want: 1 },
  { note: 'equal', fn: C, args: ['1.2.3', '1.2.3'], want: 0 },
  { note: 'pre-release before release', fn: C, args: ['1.0.0-alpha', '1.0.0'], want: -1 },
  { note: 'release after pre-release', fn: C, args: ['1.0.0', '1.0.0-rc.1'], want: 1 },
  { note: 'numeric identifiers numerically', fn: C, args: ['1.0.0-beta.11', '1.0.0-beta.2'], want: 1 },
  { note: 'numeric before alphanumeric', fn: C, args: ['1.0.0-1', '1.0.0-alpha'], want: -1 },
  { note: 'shorter pre-release first', fn: C, args: ['1.0.0-alpha', '1.0.0-alpha.1'], want: -1 },
  { note: 'lexical alphanumeric', fn: C, args: ['1.0.0-alpha.beta', '1.0.0-beta'], want: -1 },
  { note: 'single zero identifier', fn: C, args: ['1.2.3-0', '1.2.3-1'], want: -1 },
  { note: 'build ignored', fn: C, args: ['1.2.3+01', '1.2.3+2'], want: 0 },
  { note: 'big numbers', fn: C, args: ['1.0.99999999999999999999', '1.0.99999999999999999998'], want: 1 },
  { note: 'leading zero invalid', fn: C, args: ['1.02.3', '1.2.3'], want: undefined },
  { note: 'empty pre-release invalid', fn: C, args: ['1.2.3-', '1.2.3'], want: undefined },
  { note: 'non-string', fn: C, args: [1, '1.2.3'], want: undefined },
  { note: 'is_valid', fn: V, args: ['1.0.0-rc.1+build.01'], want: true },
  { note: 'is_valid leading v', fn: V, args: ['v1.0.0'], want: false },
  { note: 'is_valid two parts', fn: V, args: ['1.0'], want: false },
  { note: 'is_valid pre-release leading zero', fn: V, args: ['1.2.3-01'], want: false },
  { note: 'is_valid empty build', fn: V, args: ['1.2.3+'], want: false },
  { note: 'is_valid non-string', fn: V, args: [1], want: false },
];

describe('semver builtins', () => {
  it.each(cases)('$note', ({ fn, args, want }) => {
    expect(rt.call(fn, ...args)).toEqual(want);
  });
});

type StrictCase = { note: string; args: Arg[]; message: string };

const strictCases: StrictCase[] = [
  {
    note: 'operand 1',
    args: ['1.02.3', '1.2.3'],
    message: 'eval_builtin_error: semver.compare: operand 1: string "1.02.3" is not a valid SemVer',
  },
  { note: 'operand 2', args: ['1.2.3', '1.2.3-01'], message: 'semver.compare: operand 2: string "1.2.3-01" is not a valid SemVer' },
  { note: 'type', args: ['1.2.3', 2], message: 'eval_type_error: semver.compare: operand 2 must be string but got number' },
];

describe('semver strict errors', () => {
  it.each(strictCases)('$note', async ({ args, message }) => {
    const strict = await loadRuntime();
    strict.exports['rt_set_strict']!(1);
    expect(() => strict.call(C, ...args)).toThrow(message);
  });
});
