// Regex capture groups through the built runtime: regex.replace (Go's ReplaceAllString with
// Expand's `$1`/`${name}`), regex.find_all_string_submatch_n, regex.template_match, and regex.match/find_n/split staying
// unchanged now that the parser emits capture nodes.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeExportName } from '../../../../../engine/abi.js';
import { loadRuntime, type Arg, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

type Case = { note: string; fn: string; args: Arg[]; want: unknown };

const cases: Case[] = [
  { note: 'replace literal', fn: 'regex.replace', args: ['-ab-axxb-', 'a(x*)b', 'T'], want: '-T-T-' },
  { note: 'replace $1', fn: 'regex.replace', args: ['-ab-axxb-', 'a(x*)b', '$1'], want: '--xx-' },
  { note: 'replace $1W is the group named 1W', fn: 'regex.replace', args: ['-ab-axxb-', 'a(x*)b', '$1W'], want: '---' },
  { note: 'replace ${1}W', fn: 'regex.replace', args: ['-ab-axxb-', 'a(x*)b', '${1}W'], want: '-W-xxW-' },
  { note: 'replace named group', fn: 'regex.replace', args: ['-ab-axxb-', 'a(?P<mid>x*)b', '<${mid}>'], want: '-<>-<xx>-' },
  { note: 'replace $name', fn: 'regex.replace', args: ['key=val', '(?P<k>\\w+)=(?P<v>\\w+)', '$v=$k'], want: 'val=key' },
  { note: 'replace $$ is a dollar', fn: 'regex.replace', args: ['ab', 'b', '$$'], want: 'a$' },
  { note: 'replace malformed $ kept', fn: 'regex.replace', args: ['ab', 'b', '${x'], want: 'a${x' },
  { note: 'replace out-of-range group empty', fn: 'regex.replace', args: ['ab', 'b', '[$7]'], want: 'a[]' },
  { note: 'replace $0 whole match', fn: 'regex.replace', args: ['abc', 'b', '<$0>'], want: 'a<b>c' },
  { note: 'replace empty matches', fn: 'regex.replace', args: ['abc', 'x*', '-'], want: '-a-b-c-' },
  { note: 'replace no double after match', fn: 'regex.replace', args: ['baaac', 'a*', '-'], want: '-b-c-' },
  { note: 'replace no match', fn: 'regex.replace', args: ['abc', 'z', '-'], want: 'abc' },
  { note: 'replace unicode', fn: 'regex.replace', args: ['héllo wörld', '(\\w+)ö', '[$1]'], want: 'héllo [w]rld' },
  { note: 'replace unset group empty', fn: 'regex.replace', args: ['b', '(a)|b', '<$1>'], want: '<>' },
  { note: 'replace invalid pattern', fn: 'regex.replace', args: ['abc', 'a(', '-'], want: undefined },
  { note: 'replace non-string', fn: 'regex.replace', args: [1, 'a', '-'], want: undefined },
  {
    note: 'submatch all',
    fn: 'regex.find_all_string_submatch_n',
    args: ['a(x*)b', '-ab-axxb-', -1],
    want: [
      ['ab', ''],
      ['axxb', 'xx'],
    ],
  },
  { note: 'submatch limited', fn: 'regex.find_all_string_submatch_n', args: ['a(x*)b', '-ab-axxb-', 1], want: [['ab', '']] },
  { note: 'submatch zero', fn: 'regex.find_all_string_submatch_n', args: ['a', 'aaa', 0], want: [] },
  { note: 'submatch nested groups', fn: 'regex.find_all_string_submatch_n', args: ['((a)|b)+', 'ab', -1], want: [['ab', 'b', 'a']] },
  {
    note: 'submatch unset group',
    fn: 'regex.find_all_string_submatch_n',
    args: ['(a)|(b)', 'ba', -1],
    want: [
      ['b', '', 'b'],
      ['a', 'a', ''],
    ],
  },
  { note: 'submatch non-capturing', fn: 'regex.find_all_string_submatch_n', args: ['(?:a)(b)', 'ab', -1], want: [['ab', 'b']] },
  {
    note: 'submatch greedy last iteration',
    fn: 'regex.find_all_string_submatch_n',
    args: ['(a|ab)(c|bcd)(d*)', 'abcd', -1],
    want: [['abcd', 'a', 'bcd', '']],
  },
  { note: 'submatch lazy', fn: 'regex.find_all_string_submatch_n', args: ['(a+?)(a*)', 'aaa', -1], want: [['aaa', 'a', 'aa']] },
  {
    note: 'submatch empty matches',
    fn: 'regex.find_all_string_submatch_n',
    args: ['(a*)', 'baab', -1],
    want: [
      ['', ''],
      ['aa', 'aa'],
      ['', ''],
    ],
  },
  { note: 'submatch no match', fn: 'regex.find_all_string_submatch_n', args: ['x(y)', 'abc', -1], want: [] },
  { note: 'submatch invalid pattern', fn: 'regex.find_all_string_submatch_n', args: ['(', 'abc', -1], want: undefined },
  { note: 'template_match', fn: 'regex.template_match', args: ['urn:foo:{.*}', 'urn:foo:bar:baz', '{', '}'], want: true },
  { note: 'template_match literal parts are quoted', fn: 'regex.template_match', args: ['a.b:<[0-9]+>', 'axb:12', '<', '>'], want: false },
  { note: 'template_match anchored', fn: 'regex.template_match', args: ['foo:<[0-9]{2,3}>', 'foo:1234', '<', '>'], want: false },
  { note: 'template_match nested delimiters', fn: 'regex.template_match', args: ['id:{[a-z]{2}}', 'id:ab', '{', '}'], want: true },
  { note: 'template_match no expression', fn: 'regex.template_match', args: ['a+b', 'a+b', '{', '}'], want: true },
  { note: 'template_match unbalanced', fn: 'regex.template_match', args: ['a{b', 'ab', '{', '}'], want: undefined },
  { note: 'template_match long delimiter', fn: 'regex.template_match', args: ['a', 'a', '{{', '}'], want: undefined },
  { note: 'match with groups unchanged', fn: 'regex.match', args: ['^(a|b)+$', 'abba'], want: true },
  { note: 'match empty group repeat', fn: 'regex.match', args: ['^()*x$', 'x'], want: true },
  { note: 'match pathological group stays linear', fn: 'regex.match', args: ['^(a*)*b$', 'a'.repeat(5000)], want: false },
  { note: 'find_n with groups', fn: 'regex.find_n', args: ['(a)(.)', 'paranormal', -1], want: ['ar', 'an', 'al'] },
  { note: 'split with groups', fn: 'regex.split', args: ['(,)\\s*', 'a, b,c'], want: ['a', 'b', 'c'] },
];

type ErrCase = { note: string; fn: string; args: Arg[]; want: string };

const errors: ErrCase[] = [
  {
    note: 'replace operand 2 type',
    fn: 'regex.replace',
    args: ['a', 1, 'b'],
    want: 'eval_type_error: regex.replace: operand 2 must be string but got number',
  },
  {
    note: 'replace bad pattern',
    fn: 'regex.replace',
    args: ['a', 'a)', 'b'],
    want: 'eval_builtin_error: regex.replace: error parsing regexp: unexpected )',
  },
  {
    note: 'template_match start delimiter length',
    fn: 'regex.template_match',
    args: ['a', 'a', '{{', '}'],
    want: 'eval_builtin_error: regex.template_match: start delimiter has to be exactly one character long but is 2 long',
  },
  // OPA prints the start delimiter's length in the end-delimiter error.
  {
    note: 'template_match end delimiter length (as OPA)',
    fn: 'regex.template_match',
    args: ['a', 'a', '{', '}}}'],
    want: 'eval_builtin_error: regex.template_match: end delimiter has to be exactly one character long but is 1 long',
  },
  {
    note: 'template_match unbalanced',
    fn: 'regex.template_match',
    args: ['a}b', 'ab', '{', '}'],
    want: 'eval_builtin_error: regex.template_match: unbalanced braces in "a}b"',
  },
  {
    note: 'submatch float count',
    fn: 'regex.find_all_string_submatch_n',
    args: ['a', 'a', 0.5],
    want: 'eval_type_error: regex.find_all_string_submatch_n: operand 3 must be integer number but got floating-point number',
  },
];

describe('regex capture groups', () => {
  it.each(cases)('$note', ({ fn, args, want }) => {
    expect(rt.call(nativeExportName(fn), ...args)).toEqual(want);
  });
});

describe('regex capture groups in strict mode', () => {
  it.each(errors)('$note', ({ fn, args, want }) => {
    rt.exports['rt_set_strict']!(1);
    try {
      expect(() => rt.call(nativeExportName(fn), ...args)).toThrow(`abort: ${want}`);
    } finally {
      rt.exports['rt_set_strict']!(0);
    }
  });
});
