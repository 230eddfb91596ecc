// regex.match (RE2 syntax on a Pike VM) and glob.match through the built runtime.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, type Arg, type Runtime } from './harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

type Re = { note: string; pattern: string; value: string; want: boolean | undefined };
const regexCases: Re[] = [
  { note: 'anchored class and escapes', pattern: '^[a-z]+\\[[0-9]+\\]$', value: 'foo[1]', want: true },
  { note: 'empty anchored', pattern: '^$', value: '', want: true },
  { note: 'empty pattern', pattern: '', value: 'x', want: true },
  { note: 'negative', pattern: '^$', value: 'something', want: false },
  { note: 'bad pattern', pattern: '$^[[[', value: 'something', want: undefined },
  { note: 'unbalanced paren', pattern: '(ab', value: 'ab', want: undefined },
  { note: 'nested repetition is invalid', pattern: 'a**', value: 'a', want: undefined },
  { note: 'unknown escape is invalid', pattern: '\\q', value: 'q', want: undefined },
  { note: 'unanchored search', pattern: 'b+c', value: 'aabbbcd', want: true },
  { note: 'dot excludes newline', pattern: '^a.b$', value: 'a\nb', want: false },
  { note: '(?s) dot matches newline', pattern: '(?s)^a.b$', value: 'a\nb', want: true },
  { note: 'dot is UTF-8 aware', pattern: '^.$', value: 'é', want: true },
  { note: 'negated class', pattern: '^[^abc]+$', value: 'xyz', want: true },
  { note: 'negated class miss', pattern: '^[^abc]+$', value: 'xaz', want: false },
  { note: '\\d \\w \\s', pattern: '^\\d+\\s\\w+$', value: '12 ab_c', want: true },
  { note: '\\D \\W \\S', pattern: '^\\D\\W\\S$', value: 'a-b', want: true },
  { note: 'word boundary', pattern: '\\bfoo\\b', value: 'a foo b', want: true },
  { note: 'word boundary miss', pattern: '\\bfoo\\b', value: 'afoob', want: false },
  { note: '\\A and \\z', pattern: '\\Aab\\z', value: 'ab', want: true },
  { note: '$ is end of text without (?m)', pattern: 'a$', value: 'a\nb', want: false },
  { note: '(?m) line anchors', pattern: '(?m)^b$', value: 'a\nb\nc', want: true },
  { note: 'alternation', pattern: '^(cat|dog)s?$', value: 'dogs', want: true },
  { note: 'non-capturing group', pattern: '^(?:ab)+$', value: 'ababab', want: true },
  { note: 'named group', pattern: '^(?P<x>a)(?<y>b)$', value: 'ab', want: true },
  { note: 'counted {2}', pattern: '^a{2}$', value: 'aa', want: true },
  { note: 'counted {2} miss', pattern: '^a{2}$', value: 'aaa', want: false },
  { note: 'counted {2,}', pattern: '^a{2,}$', value: 'aaaa', want: true },
  { note: 'counted {1,2}', pattern: '^a{1,2}$', value: 'aaa', want: false },
  { note: 'lazy quantifiers', pattern: '^a+?b*?c??$', value: 'aab', want: true },
  { note: 'literal brace', pattern: '^a{x$', value: 'a{x', want: true },
  { note: 'case-insensitive', pattern: '(?i)^hello$', value: 'HeLLo', want: true },
  { note: 'case-insensitive class', pattern: '(?i)^[a-c]+$', value: 'ABC', want: true },
  { note: 'case-sensitive by default', pattern: '^hello$', value: 'HELLO', want: false },
  { note: 'posix class', pattern: '^[[:alpha:]]+$', value: 'abC', want: true },
  { note: 'hex escape', pattern: '^\\x41\\x{1F367}$', value: 'A🍧', want: true },
  { note: 'class with escaped bracket', pattern: '^[\\]a]+$', value: ']a', want: true },
  { note: 'unicode literal', pattern: 'ü+', value: 'xüüy', want: true },
];

describe('regex.match', () => {
  it.each(regexCases)('$note', ({ pattern, value, want }) => {
    expect(rt.call('bi_regex_match', pattern, value)).toBe(want);
  });
  it('rejects non-string operands', () => {
    expect(rt.call('bi_regex_match', 'a', 1)).toBeUndefined();
  });
  it('runs pathological patterns in linear time', () => {
    const long = 'a'.repeat(20000);
    const t0 = performance.now();
    expect(rt.call('bi_regex_match', '(a*)*b', long)).toBe(false);
    expect(rt.call('bi_regex_match', '^(a|a)*$', long)).toBe(true);
    expect(rt.call('bi_regex_match', '(a+)+$', `${long}!`)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

type Glob = { note: string; pattern: string; delims: Arg; value: string; want: boolean | undefined };
const globCases: Glob[] = [
  { note: 'delimiter :', pattern: '*:github:com', delims: [':'], value: 'api:github:com', want: true },
  { note: '? needs one char', pattern: '?', delims: null, value: '', want: false },
  { note: '[!0-9] needs one char', pattern: '[!0-9]', delims: null, value: '', want: false },
  { note: '* does not consume a literal', pattern: 'a/*/b', delims: null, value: 'a/b', want: false },
  { note: '* between literals', pattern: 'a/*/b', delims: null, value: 'a/x/b', want: true },
  { note: '** does not consume a literal', pattern: 'a/**/b', delims: null, value: 'a/b', want: false },
  { note: '** matches empty', pattern: 'a/**/b', delims: null, value: 'a//b', want: true },
  { note: '** is not a globstar', pattern: '**/x', delims: null, value: 'x', want: false },
  { note: 'empty alternative', pattern: '{**/,}x', delims: null, value: 'x', want: true },
  { note: 'run of wildcards matches empty', pattern: '***', delims: ['.'], value: '', want: true },
  { note: 'wildcards do not cross delimiters', pattern: '*?*', delims: ['.', '/'], value: 'api.github.com', want: false },
  { note: 'wildcards with multiple delimiters', pattern: '*?*', delims: ['.', '/'], value: 'abc', want: true },
  { note: '* does not cross second delimiter', pattern: '*', delims: ['.', '/'], value: 'a/b', want: false },
  { note: 'escaped meta', pattern: '\\*', delims: null, value: '*', want: true },
  { note: 'escaped meta miss', pattern: '\\*', delims: null, value: 'a', want: false },
  { note: 'empty delimiters default to .', pattern: '*.com', delims: [], value: 'a.b.com', want: false },
  { note: '** crosses the default delimiter', pattern: '**.com', delims: [], value: 'a.b.com', want: true },
  { note: 'character list', pattern: '[abc]at', delims: null, value: 'bat', want: true },
  { note: 'character range', pattern: '[a-c]at', delims: null, value: 'dat', want: false },
  { note: 'alternatives', pattern: '{cat,dog}s', delims: null, value: 'dogs', want: true },
  { note: 'unclosed brace is an error', pattern: '{a,b', delims: null, value: 'a', want: undefined },
];

describe('glob.match', () => {
  it.each(globCases)('$note', ({ pattern, delims, value, want }) => {
    expect(rt.call('bi_glob_match', pattern, delims, value)).toBe(want);
  });
});
