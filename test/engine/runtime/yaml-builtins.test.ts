// The yaml.* host builtins against OPA's behaviour (sigs.k8s.io/yaml over go-yaml v2): validity of
// whole streams, YAML 1.1 scalars, JSON-only values, and go-yaml's output layout.

import { describe, expect, it } from 'vitest';
import { compareGoYamlKeys, formatGoNumber, yamlIsValid, yamlMarshal, yamlUnmarshal } from '../../../engine/runtime/yaml-builtins.js';

describe('yamlIsValid', () => {
  it.each([
    { note: 'indented first key, then a key at column 0 (content the parser cannot reach)', text: '  test:\ntest1: hello\n', want: false },
    { note: 'tab indentation in a later document', text: 'a: 1\n---\n\tb: 2\n', want: false },
    { note: 'two valid documents', text: 'a: 1\n---\nb: 2\n', want: true },
    { note: 'unclosed flow mapping', text: 'foo:\n  - qux: bar\n  - baz: {', want: false },
    { note: 'JSON is YAML', text: '{"json": "ok"}', want: true },
    { note: 'empty string', text: '', want: true },
    { note: 'a value JSON cannot hold (.inf)', text: 'a: .inf', want: false },
    { note: 'a collection as a map key', text: '? [a]\n: 1', want: false },
    { note: 'a null map key', text: '~: 1', want: false },
    { note: 'a number', text: 1, want: false },
    { note: 'null', text: null, want: false },
    { note: 'an object', text: { a: 1 }, want: false },
  ])('$note → $want', ({ text, want }) => {
    expect(yamlIsValid(text)).toBe(want);
  });
});

describe('yamlUnmarshal', () => {
  it.each([
    { note: 'first document of a stream', text: 'a: 1\n---\nb: 2\n', want: { a: 1 } },
    { note: 'empty stream is null', text: '', want: null },
    { note: 'comments only is null', text: '# nothing\n', want: null },
    { note: 'explicit empty document is null', text: '---\n', want: null },
    { note: 'YAML 1.1 booleans', text: 'a: yes\nb: off\nc: y\n', want: { a: true, b: false, c: true } },
    { note: 'YAML 1.1 octal and binary ints', text: 'a: 0755\nb: 0b101\nc: 1_000\n', want: { a: 493, b: 5, c: 1000 } },
    { note: 'exponent without a dot is a float', text: 'a: 1e3\n', want: { a: 1000 } },
    { note: 'timestamps and base-60 numbers stay strings', text: 'a: 2001-12-14\nb: 1:20\n', want: { a: '2001-12-14', b: '1:20' } },
    { note: 'scalar keys become strings', text: '1: a\ntrue: b\n1.5: c\n', want: { '1': 'a', true: 'b', '1.5': 'c' } },
    { note: 'duplicate keys: the last wins', text: 'a: 1\na: 2\n', want: { a: 2 } },
    { note: 'anchors, aliases and merge keys', text: 'a: &x [1]\nb: *x\n<<: {c: 3}\n', want: { a: [1], b: [1], c: 3 } },
    { note: '!!binary is the decoded text', text: 'a: !!binary aGVsbG8=\n', want: { a: 'hello' } },
    { note: '!!set is a plain mapping', text: 's: !!set {a, b}\n', want: { s: { a: null, b: null } } },
    { note: '__proto__ is an ordinary key', text: '__proto__: 1\n', want: JSON.parse('{"__proto__": 1}') },
  ])('$note', ({ text, want }) => {
    expect(yamlUnmarshal(text)).toEqual(want);
  });

  it.each([
    {
      note: 'syntax error in a later document',
      text: 'a: 1\n---\n\tb: 2\n',
      message: /^error converting YAML to JSON: Tabs are not allowed/,
    },
    { note: 'NaN', text: 'a: .nan', message: 'json: unsupported value: NaN' },
    { note: 'collection key', text: '? [a]\n: 1', message: 'error converting YAML to JSON: unsupported map key: ["a"]' },
  ])('rejects $note', ({ text, message }) => {
    expect(() => yamlUnmarshal(text)).toThrow(message);
  });

  it('rejects a non-string operand with an eval_type_error', () => {
    expect(() => yamlUnmarshal(1)).toThrow(
      expect.objectContaining({ regoCode: 'eval_type_error', message: 'yaml.unmarshal: operand 1 must be string but got number' }),
    );
  });
});

describe('yamlMarshal', () => {
  it.each([
    { note: 'null', value: null, want: 'null\n' },
    { note: 'empty object and array', value: { o: {}, a: [] }, want: 'a: []\no: {}\n' },
    { note: 'keys in go-yaml order', value: { b10: 1, b9: 2, _: 3, B: 4, a: 5 }, want: 'B: 4\na: 5\nb9: 2\nb10: 1\n_: 3\n' },
    { note: 'sequences not indented under their key', value: { a: [1, [2, 3], { k: 'v' }] }, want: 'a:\n- 1\n- - 2\n  - 3\n- k: v\n' },
    {
      note: 'strings read as other types are double-quoted',
      value: ['yes', 'n', '1.5', '', 'null', '2001-12-14', '1:20'],
      want: '- "yes"\n- "n"\n- "1.5"\n- ""\n- "null"\n- "2001-12-14"\n- "1:20"\n',
    },
    { note: 'a key read as another type is double-quoted', value: { y: 1 }, want: '"y": 1\n' },
    {
      note: 'strings that cannot be plain are single-quoted',
      value: ['a: b', ' lead', '#x', '- a'],
      want: "- 'a: b'\n- ' lead'\n- '#x'\n- '- a'\n",
    },
    { note: 'multi-line strings are literal blocks', value: { m: 'a\nb' }, want: 'm: |-\n  a\n  b\n' },
    { note: 'a top-level literal block is indented', value: 'x\ny\n', want: '|\n  x\n  y\n' },
    {
      note: 'numbers in Go style',
      value: [3, 0.5, 1234567.5, 0.00001, 1e21, -1.5e-7],
      want: '- 3\n- 0.5\n- 1.2345675e+06\n- 1e-05\n- 1e+21\n- -1.5e-07\n',
    },
  ])('$note', ({ value, want }) => {
    expect(yamlMarshal(value)).toBe(want);
  });

  it.each([
    { note: 'nested object', value: { z: [1, { 'a b': 'c: d', t: true }], e: null } },
    { note: 'awkward strings', value: ['yes', '', ' x', 'a\nb', 'it\'s "q"', 'ü', '0x1F'] },
  ])('round-trips through yamlUnmarshal: $note', ({ value }) => {
    expect(yamlUnmarshal(yamlMarshal(value))).toEqual(value);
  });
});

describe('go-yaml helpers', () => {
  it.each([
    { note: 'letters before digits and punctuation', keys: ['10', '_', 'b', 'A'], want: ['A', 'b', '_', '10'] },
    { note: 'digit runs compare as numbers', keys: ['x10', 'x9', 'x100', 'x09'], want: ['x9', 'x09', 'x10', 'x100'] },
    { note: 'a prefix sorts first', keys: ['ab', 'a', 'abc'], want: ['a', 'ab', 'abc'] },
    { note: 'non-ASCII letters are letters', keys: ['_', 'ä', 'z'], want: ['z', 'ä', '_'] },
  ])('compareGoYamlKeys: $note', ({ keys, want }) => {
    expect([...keys].sort(compareGoYamlKeys)).toEqual(want);
  });

  it.each([
    { n: 0, want: '0' },
    { n: -42, want: '-42' },
    { n: 123456.5, want: '123456.5' },
    { n: 0.0001, want: '0.0001' },
    { n: 0.00001, want: '1e-05' },
    { n: 1e6 + 0.5, want: '1.0000005e+06' },
    { n: 1e100, want: '1e+100' },
  ])('formatGoNumber($n) = $want', ({ n, want }) => {
    expect(formatGoNumber(n)).toBe(want);
  });
});
