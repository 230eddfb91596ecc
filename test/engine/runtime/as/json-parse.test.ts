// Tests for engine/runtime/as/json-parse.ts through the built runtime: JSON round-trips (unicode,
// escapes, numbers keeping their text, nesting), rejection of invalid JSON, and a 1 MB document.

import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, type Runtime } from './runtime-harness.js';

let r: Runtime;
beforeAll(() => {
  r = loadRuntime();
});

const roundTrips: { note: string; text: string; want: string }[] = [
  { note: 'null', text: 'null', want: 'null' },
  { note: 'true', text: 'true', want: 'true' },
  { note: 'false', text: 'false', want: 'false' },
  { note: 'zero', text: '0', want: '0' },
  { note: 'negative int', text: '-17', want: '-17' },
  { note: 'float keeps text', text: '0.1', want: '0.1' },
  { note: 'float with trailing zero keeps text', text: '1.50', want: '1.50' },
  { note: 'exponent keeps text', text: '1E+2', want: '1E+2' },
  { note: 'huge exponent keeps text', text: '1e400', want: '1e400' },
  { note: 'big integer keeps text', text: '12345678901234567890', want: '12345678901234567890' },
  { note: 'empty string', text: '""', want: '""' },
  { note: 'plain string', text: '"hello"', want: '"hello"' },
  { note: 'short escapes', text: '"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"', want: '"a\\"b\\\\c/d\\b\\f\\n\\r\\t"' },
  { note: 'unicode escape to UTF-8', text: '"\\u00e9\\u4e2d"', want: '"é中"' },
  { note: 'surrogate pair', text: '"\\ud83d\\ude00"', want: '"😀"' },
  { note: 'lone high surrogate', text: '"\\ud83dx"', want: '"\uFFFDx"' },
  { note: 'lone low surrogate', text: '"\\ude00"', want: '"\uFFFD"' },
  { note: 'raw UTF-8', text: '"né😀"', want: '"né😀"' },
  { note: 'NUL escaped on dump', text: '"\\u0000"', want: '"\\u0000"' },
  { note: 'control char escaped on dump', text: '"\\u001f"', want: '"\\u001f"' },
  { note: 'empty array', text: '[]', want: '[]' },
  { note: 'empty object', text: '{}', want: '{}' },
  { note: 'whitespace everywhere', text: ' \t\n{ "a" : [ 1 , 2 ] \r\n } ', want: '{"a":[1,2]}' },
  { note: 'nested', text: '{"a":{"b":[{"c":[[]]}]}}', want: '{"a":{"b":[{"c":[[]]}]}}' },
  { note: 'keys sorted', text: '{"b":1,"a":2,"c":3}', want: '{"a":2,"b":1,"c":3}' },
  { note: 'keys sorted by bytes', text: '{"é":1,"z":2,"Z":3,"":4}', want: '{"":4,"Z":3,"z":2,"é":1}' },
  { note: 'duplicate key keeps last', text: '{"a":1,"a":2}', want: '{"a":2}' },
  { note: 'array order kept', text: '[3,1,2]', want: '[3,1,2]' },
];

const invalid: { note: string; text: string }[] = [
  { note: 'empty', text: '' },
  { note: 'only whitespace', text: '   ' },
  { note: 'unterminated array', text: '[1' },
  { note: 'trailing comma array', text: '[1,]' },
  { note: 'trailing comma object', text: '{"a":1,}' },
  { note: 'leading zero', text: '01' },
  { note: 'bare minus', text: '-' },
  { note: 'dot without digits', text: '1.' },
  { note: 'exponent without digits', text: '1e' },
  { note: 'plus sign', text: '+1' },
  { note: 'truncated literal', text: 'tru' },
  { note: 'misspelled literal', text: 'nul1' },
  { note: 'trailing garbage', text: '"a" x' },
  { note: 'two values', text: '1 2' },
  { note: 'unterminated string', text: '"abc' },
  { note: 'raw newline in string', text: '"a\nb"' },
  { note: 'bad escape', text: '"\\x"' },
  { note: 'bad unicode escape', text: '"\\u12g4"' },
  { note: 'short unicode escape', text: '"\\u12"' },
  { note: 'non-string key', text: '{1:2}' },
  { note: 'missing colon', text: '{"a" 1}' },
  { note: 'single quotes', text: "'a'" },
  { note: 'NaN', text: 'NaN' },
];

describe('opa_json_parse', () => {
  it.each(roundTrips)('$note', ({ text, want }) => {
    const v = r.json(text);
    expect(v).not.toBe(0);
    expect(r.dump(v)).toBe(want);
  });

  it.each(invalid)('rejects $note', ({ text }) => {
    expect(r.json(text)).toBe(0);
  });

  it('parses numbers to their f64 value', () => {
    const texts = [
      '0.1',
      '1e2',
      '-2.5e-3',
      '9007199254740993',
      '123456789012345678901234567890',
      '1e-400',
      '4.9e-324',
      '2.4703282292062328e-324',
      '1.7976931348623157e308',
      '1.7976931348623159e308',
      '1e400',
      '-0',
      '0.000e5',
    ];
    const v = r.json(`[${texts.join(',')}]`);
    const dv = new DataView(r.memory.buffer);
    const want = texts.map(Number);
    want.forEach((w, i) => {
      const n = r.x.rt_value_at!(v, i);
      expect(dv.getFloat64(n + 8, true)).toBe(w);
    });
  });

  it('parses numbers correctly rounded, like JS Number()', () => {
    const base = r.x.rt_heap_get!();
    let seed = 99;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const view = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 3000; i++) {
      r.x.rt_heap_set!(base);
      let text: string;
      if (i % 2 === 0) {
        view.setUint32(0, next());
        view.setUint32(4, next());
        const f = view.getFloat64(0);
        if (!Number.isFinite(f)) continue;
        text = String(f).replace('e+', 'e');
      } else {
        let digits = '';
        for (let k = 0; k < 25; k++) digits += String(next() % 10);
        text = `${next() % 2 ? '-' : ''}${1 + (next() % 9)}${digits.slice(0, next() % 5)}.${digits.slice(5)}e${(next() % 700) - 350}`;
      }
      const v = r.json(text);
      expect(v, text).not.toBe(0);
      expect(new DataView(r.memory.buffer).getFloat64(v + 8, true), text).toBe(Number(text));
    }
  });

  it('parses deep nesting', () => {
    const depth = 2000;
    const text = `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    const v = r.json(text);
    expect(v).not.toBe(0);
    expect(r.dump(v)).toBe(text);
  });

  it('round-trips a 1 MB document, growing memory', () => {
    const doc: Record<string, unknown> = {};
    for (let i = 0; i < 9000; i++) {
      doc[`key${String(i).padStart(5, '0')}`] = {
        // keys in sorted order, as the runtime dumps them
        id: i,
        name: `name-${i}-é`,
        nested: { x: [i, i + 1, i + 2], y: 'q"uote' },
        score: i / 8,
        tags: ['a', 'b', i % 7 === 0 ? null : true],
      };
    }
    const text = JSON.stringify(doc);
    expect(text.length).toBeGreaterThan(1_000_000);
    const pagesBefore = r.memory.buffer.byteLength;
    const v = r.json(text);
    expect(v).not.toBe(0);
    expect(r.memory.buffer.byteLength).toBeGreaterThan(pagesBefore);
    const out = r.dump(v);
    expect(out.length).toBe(text.length);
    expect(out === text).toBe(true); // not toBe: a 1 MB diff is unreadable
  });
});
