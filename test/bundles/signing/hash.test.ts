// Golden vectors for OPA's bundle file hashing (bundle/hash.go + verify.go). Each canonical form
// below was written by hand from the documented algorithm and its SHA-256 taken with an outside
// tool (Python's hashlib over the UTF-8 bytes), so the pins do not come from the code they check.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, compareUtf8, formatFloat32g, goQuote, hashFile, isStructuredFile } from '../../../bundles/index.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

const JSON_IN = String.raw`{
  "é": 1,
  "b": [1.0, 1e2, -0, 12345678901234567890123, -1.5E-3, {"y": [], "x": {}}],
  "\uffff": 3,
  "a": {"z": "<&>\u2028\u2029 \u0001\b\f\n\t\"\\\u007f \u00e9\ud83d\ude00", "y": null, "x": true},
  "😀": 2
}`;

const YAML_IN = `# settings
name: portcullis
enabled: yes
mode: off
octal: 0777
hex: 0x1F
float: 1.0
exp: 1e3
negzero: -0.0
small: 1e-7
big: 99999999999999999999
quoted: "1.0"
date: 2001-12-14
list: [a, ~, 3]
base: &base {p: 1, q: 2}
merged:
  <<: *base
  q: 3
`;

const vectors: readonly { note: string; path: string; bytes: Uint8Array; canonical: Uint8Array | string; sha256: string }[] = [
  {
    note: 'JSON: key order by UTF-8 bytes, number literals verbatim, Go escaping (no HTML escapes, U+2028/9 escaped)',
    path: '/data.json',
    bytes: utf8(JSON_IN),
    canonical:
      '{"a":{"x":true,"y":null,"z":"<&>\\u2028\\u2029 \\u0001\\b\\f\\n\\t\\"\\\\\x7f é😀"},"b":[1.0,1e2,-0,12345678901234567890123,-1.5E-3,{"x":{},"y":[]}],"é":1,"\uffff":3,"😀":2}',
    sha256: '11a7a94de2310f650ab9c764aef35efbcd61d6ca460bd5a742345fadee8cdee9',
  },
  {
    note: 'YAML as go-yaml v2 reads it (yes/off booleans, 0777 octal, 1.0 the float 1, -0.0, merge keys) then Go JSON numbers',
    path: '/roles/data.yaml',
    bytes: utf8(YAML_IN),
    canonical:
      '{"base":{"p":1,"q":2},"big":100000000000000000000,"date":"2001-12-14","enabled":true,"exp":1000,"float":1,"hex":31,"list":["a",null,3],"merged":{"p":1,"q":3},"mode":false,"name":"portcullis","negzero":-0,"octal":511,"quoted":"1.0","small":1e-7}',
    sha256: '500b6604233ccfafceabc34a6354971185715ec50928185cd52b8285ccb6c93b',
  },
  {
    note: '.manifest is structured too',
    path: '/.manifest',
    bytes: utf8('{"revision":"abc","roots":[""],"wasm":[{"entrypoint":"p/allow","module":"/policy.wasm"}],"rego_version":1}'),
    canonical: '{"rego_version":1,"revision":"abc","roots":[""],"wasm":[{"entrypoint":"p/allow","module":"/policy.wasm"}]}',
    sha256: 'b56894834f424d6de4e003c61d0fa6588bcb2855c719ba06768e6b0140239a6e',
  },
  {
    note: 'a .rego file is hashed as its bytes',
    path: '/p/policy.rego',
    bytes: utf8('package p\n\nallow := true\n'),
    canonical: 'package p\n\nallow := true\n',
    sha256: 'e7435ac2a981d4ead916898d35c4206e29ec9014e4200ed1832692fe0242c83b',
  },
  {
    note: 'a binary .wasm is hashed as its bytes',
    path: '/policy.wasm',
    bytes: new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
    canonical: new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
    sha256: '93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476',
  },
  {
    note: 'another .json name is not structured: raw bytes',
    path: '/other.json',
    bytes: utf8('{"b": 1, "a": 2}'),
    canonical: '{"b": 1, "a": 2}',
    sha256: '6f21dfd78e16c0562728430c24f1064b9a2b169b376be1b918907673e5cea7ba',
  },
  {
    note: 'an empty data.json is the YAML null document',
    path: '/data.json',
    bytes: utf8(''),
    canonical: 'null',
    sha256: '74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b',
  },
  {
    note: 'a UTF-8 BOM is dropped; YAML in data.json is read as YAML',
    path: '/data.json',
    bytes: new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('a: 1\n')]),
    canonical: '{"a":1}',
    sha256: '015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862',
  },
  {
    note: 'each invalid UTF-8 byte becomes one U+FFFD',
    path: '/data.json',
    bytes: new Uint8Array([...utf8('{"a":"'), 0xff, 0xfe, ...utf8('"}')]),
    canonical: '{"a":"\ufffd\ufffd"}',
    sha256: '4568d936bd25e192cc967a07e6f3be01ac206b45e6b45cda2e82fb919da5b161',
  },
];

describe('OPA file hashing (golden vectors)', () => {
  it.each(vectors)('$note', ({ path, bytes, canonical, sha256 }) => {
    const want = typeof canonical === 'string' ? utf8(canonical) : canonical;
    expect(Buffer.from(canonicalBytes(path, bytes)).toString('utf8')).toBe(Buffer.from(want).toString('utf8'));
    expect(Buffer.from(canonicalBytes(path, bytes)).equals(Buffer.from(want))).toBe(true);
    expect(hashFile(path, bytes)).toBe(sha256);
    // the pin is the digest of the hand-written canonical bytes
    expect(createHash('sha256').update(want).digest('hex')).toBe(sha256);
  });

  it('is not JSON.parse plus sorted keys (that would lose 1.0 and escape differently)', () => {
    const bytes = utf8('{"n": 1.0, "s": "\\u2028"}');
    const naive = JSON.stringify(JSON.parse(Buffer.from(bytes).toString()));
    expect(Buffer.from(canonicalBytes('/data.json', bytes)).toString()).not.toBe(naive);
    expect(Buffer.from(canonicalBytes('/data.json', bytes)).toString()).toBe('{"n":1.0,"s":"\\u2028"}');
  });

  it("matches the digest OPA's own verify_test.go pins for a .manifest (MD5)", () => {
    // OPA: `/.manifest: digest mismatch (want: …, got: a005c38a509dc2d5a7407b9494efb2ad)` for this text
    expect(hashFile('/.manifest', utf8('{"revision": "quickbrownfaux"}'), 'MD5')).toBe('a005c38a509dc2d5a7407b9494efb2ad');
  });

  it('ignores whitespace and key order of structured files', () => {
    expect(hashFile('/data.json', utf8('{"b":1,"a":[1, 2]}'))).toBe(hashFile('/data.json', utf8('{ "a": [1,2],\n "b": 1 }')));
  });

  it.each([
    { note: 'MD5', algorithm: 'MD5', want: createHash('md5').update('{"a":1}').digest('hex') },
    { note: 'SHA-512-256', algorithm: 'SHA-512-256', want: createHash('sha512-256').update('{"a":1}').digest('hex') },
  ] as const)('hashes with $note', ({ algorithm, want }) => {
    expect(hashFile('/data.json', utf8('{ "a" : 1 }'), algorithm)).toBe(want);
  });

  it.each([
    { note: 'sorts keys by UTF-8 bytes, not UTF-16 units', a: '\uffff', b: '😀', want: -1 },
    { note: 'a prefix sorts first', a: 'ab', b: 'abc', want: -1 },
    { note: 'equal strings', a: 'é', b: 'é', want: 0 },
  ])('compareUtf8 $note', ({ a, b, want }) => {
    expect(Math.sign(compareUtf8(a, b))).toBe(want);
    expect(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)))).toBe(want);
  });

  it.each([
    { note: 'HTML characters stay', s: '<a&b>', want: '"<a&b>"' },
    { note: 'short escapes', s: '\b\f\n\r\t"\\', want: '"\\b\\f\\n\\r\\t\\"\\\\"' },
    { note: 'other controls in lower-case hex', s: '\u0001\u001f', want: '"\\u0001\\u001f"' },
    { note: 'line and paragraph separators', s: '\u2028\u2029', want: '"\\u2028\\u2029"' },
    { note: 'a lone surrogate', s: '\ud800x', want: '"\ufffdx"' },
  ])('goQuote: $note', ({ s, want }) => {
    expect(goQuote(s)).toBe(want);
  });

  it.each([
    { note: 'integer', f: 3, want: '3' },
    { note: 'fraction', f: 1.5, want: '1.5' },
    { note: 'large, exponent form', f: 1e6, want: '1e+06' },
    { note: 'float32 precision', f: 0.1, want: '0.1' },
    { note: 'small', f: 0.00001, want: '1e-05' },
  ])('YAML float keys as Go %g of float32: $note', ({ f, want }) => {
    expect(formatFloat32g(f)).toBe(want);
  });

  it.each([
    { path: '/data.json', want: true },
    { path: '/a/b/data.yaml', want: true },
    { path: '/.manifest', want: true },
    { path: '/a/data.yml', want: false },
    { path: '/x.json', want: false },
  ])('isStructuredFile($path) is $want', ({ path, want }) => {
    expect(isStructuredFile(path)).toBe(want);
  });

  it.each([
    { note: 'a NaN value', path: '/data.yaml', text: 'a: .nan\n' },
    { note: 'a null key', path: '/data.yaml', text: '~: 1\n' },
    { note: 'broken YAML', path: '/data.yaml', text: 'a: [1\n' },
  ])('refuses to hash $note', ({ path, text }) => {
    expect(() => hashFile(path, utf8(text))).toThrow(/neither JSON nor YAML/);
  });
});

describe('canonical form, rule by rule', () => {
  const canon = (path: string, text: string) => Buffer.from(canonicalBytes(path, utf8(text))).toString('utf8');

  it.each([
    { note: 'a repeated key keeps the last value', text: '{"a":1,"a":2}', want: '{"a":2}' },
    { note: 'a NUL escape', text: '["\\u0000"]', want: '["\\u0000"]' },
    { note: 'a surrogate pair escape', text: '["\\ud83d\\ude00"]', want: '["😀"]' },
    { note: 'a lone low surrogate', text: '["\\udc00"]', want: '["\ufffd"]' },
    { note: 'a top-level string', text: '"<b>"', want: '"<b>"' },
    { note: 'a leading zero is not JSON: read as YAML, 01 is octal 1', text: '{"a": 01}', want: '{"a":1}' },
    { note: 'a raw tab in a string is not JSON: read as YAML', text: '{"a": "x\ty"}', want: '{"a":"x\\ty"}' },
  ])('JSON: $note', ({ text, want }) => {
    expect(canon('/data.json', text)).toBe(want);
  });

  it.each([
    { note: 'y is true (YAML 1.1)', text: 'a: y', want: '{"a":true}' },
    { note: 'a quoted yes is a string', text: "a: 'yes'", want: '{"a":"yes"}' },
    { note: 'underscores in numbers', text: 'a: 1_000', want: '{"a":1000}' },
    { note: 'binary', text: 'a: 0b101', want: '{"a":5}' },
    { note: 'negative binary', text: 'a: -0b101', want: '{"a":-5}' },
    { note: '0o octal', text: 'a: 0o17', want: '{"a":15}' },
    { note: '08 is no octal: the float 8', text: 'a: 08', want: '{"a":8}' },
    { note: 'a plus sign', text: 'a: +12', want: '{"a":12}' },
    { note: 'a leading dot', text: 'a: .5', want: '{"a":0.5}' },
    { note: 'a trailing dot', text: 'a: 1.', want: '{"a":1}' },
    { note: 'the largest uint64', text: 'a: 18446744073709551615', want: '{"a":18446744073709551615}' },
    { note: 'below int64: a float', text: 'a: -9223372036854775809', want: '{"a":-9223372036854776000}' },
    { note: 'hex beyond uint64: a big integer', text: 'a: 0x10000000000000000', want: '{"a":18446744073709551616}' },
    { note: 'a large float', text: 'a: 1e21', want: '{"a":1e+21}' },
    { note: 'float digits', text: 'a: 123456789.123456789', want: '{"a":123456789.12345679}' },
    { note: '!!str', text: 'a: !!str 12', want: '{"a":"12"}' },
    { note: '!!float of an integer', text: 'a: !!float 1', want: '{"a":1}' },
    { note: '!!int of a quoted hex', text: 'a: !!int "0x10"', want: '{"a":16}' },
    { note: 'a custom tag keeps the text', text: 'a: !thing 12', want: '{"a":"12"}' },
    { note: 'a literal block', text: 'a: |\n  x\n', want: '{"a":"x\\n"}' },
    { note: 'a timestamp stays a string', text: 'a: 2001-12-14T21:59:43.10-05:00', want: '{"a":"2001-12-14T21:59:43.10-05:00"}' },
    { note: 'an empty value is null', text: 'a:', want: '{"a":null}' },
    { note: 'integer, hex, float and boolean keys', text: '1: a\n0x10: b\n1.5: c\non: d', want: '{"1":"a","1.5":"c","16":"b","true":"d"}' },
    { note: 'a top-level list', text: '- 1\n- x', want: '[1,"x"]' },
    { note: 'only the first document', text: 'a: 1\n---\nb: 2\n', want: '{"a":1}' },
    {
      note: 'merged maps: earlier ones win, own keys win over merged',
      text: 'p: &p {a: 1}\nq: &q {a: 2, b: 2}\nz:\n  <<: [*p, *q]\n  c: 3\n',
      want: '{"p":{"a":1},"q":{"a":2,"b":2},"z":{"a":1,"b":2,"c":3}}',
    },
    { note: '!!binary is decoded', text: 'a: !!binary aGk=', want: '{"a":"hi"}' },
  ])('YAML: $note', ({ text, want }) => {
    expect(canon('/data.yaml', text)).toBe(want);
  });
});
