// Remaining "data" builtins through the built runtime: uuid.parse, crypto.hmac.sha512 (checked
// against node:crypto), json.remove, json.filter, json.patch, json.marshal_with_options and io.jwt.decode.
import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, set, type Arg, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

type UuidCase = { note: string; input: unknown; want: unknown };
const v1 = {
  version: 1,
  variant: 'RFC4122',
  time: 1692326082893617800,
  nodeid: '02-42-ac-12-00-02',
  macvariables: 'local:unicast',
  clocksequence: 15958,
};
const uuidCases: UuidCase[] = [
  { note: 'v4 hyphenated', input: '6ba7b810-9dad-41d1-80b4-00c04fd430c8', want: { version: 4, variant: 'RFC4122' } },
  { note: 'v4 upper case', input: '6BA7B810-9DAD-41D1-80B4-00C04FD430C8', want: { version: 4, variant: 'RFC4122' } },
  { note: 'plain 32 hex', input: '6ba7b8109dad51d1c0b400c04fd430c8', want: { version: 5, variant: 'Microsoft' } },
  { note: 'braced', input: '{6ba7b810-9dad-31d1-e0b4-00c04fd430c8}', want: { version: 3, variant: 'Future' } },
  { note: 'urn prefix', input: 'URN:uuid:6ba7b810-9dad-41d1-00b4-00c04fd430c8', want: { version: 4, variant: 'Reserved' } },
  { note: 'nil uuid', input: '00000000-0000-0000-0000-000000000000', want: { version: 0, variant: 'Reserved' } },
  { note: 'v1 fields', input: 'c9a7a7f2-3d6f-11ee-be56-0242ac120002', want: v1 },
  {
    note: 'v1 multicast global node',
    input: 'c9a7a7f2-3d6f-11ee-be56-0142ac120002',
    want: { ...v1, nodeid: '01-42-ac-12-00-02', macvariables: 'global:multicast' },
  },
  {
    note: 'v2 id and domain',
    input: '000003e8-3d6f-21ee-8100-0242ac120002',
    want: {
      version: 2,
      variant: 'RFC4122',
      time: 1692325744572925600,
      nodeid: '02-42-ac-12-00-02',
      macvariables: 'local:unicast',
      clocksequence: 256,
      id: 1000,
      domain: 'Person',
    },
  },
  { note: 'v2 unknown domain', input: '000003e8-3d6f-21ee-8107-0242ac120002', want: expect.objectContaining({ domain: 'Domain7' }) },
  { note: 'bad hex', input: '6ba7b810-9dad-41d1-80b4-00c04fd430cg', want: undefined },
  { note: 'hyphen misplaced', input: '6ba7b8109-dad-41d1-80b4-00c04fd430c8', want: undefined },
  { note: 'too short', input: '6ba7b810-9dad-41d1-80b4', want: undefined },
  { note: 'empty', input: '', want: undefined },
];

describe('uuid.parse', () => {
  it.each(uuidCases)('$note', ({ input, want }) => {
    expect(rt.call('bi_uuid_parse', input as string)).toEqual(want);
  });
});

type HmacCase = { note: string; input: string; key: string };
const hmacCases: HmacCase[] = [
  { note: 'empty input and key', input: '', key: '' },
  { note: 'short key', input: 'abc', key: 'key' },
  { note: 'key of one block', input: 'héllo wörld ✓', key: 'k'.repeat(128) },
  { note: 'key longer than a block', input: 'x'.repeat(111), key: 'long key '.repeat(20) },
  { note: 'input across padding edge', input: 'y'.repeat(112), key: 'k' },
  { note: 'multi-block input', input: 'z'.repeat(1000), key: 'secret' },
];

describe('crypto.hmac.sha512', () => {
  it.each(hmacCases)('$note', ({ input, key }) => {
    expect(rt.call('bi_crypto_hmac_sha512', input, key)).toBe(createHmac('sha512', key).update(input, 'utf8').digest('hex'));
  });
});

type PathCase = { note: string; obj: Arg; paths: Arg; want: unknown };
const doc = { a: { b: { c: 7, d: 8 }, x: [1, { y: 2, z: 3 }, 4] }, e: 9, 'k/1': 10, 't~': 11 };
const removeCases: PathCase[] = [
  {
    note: 'nested and top level',
    obj: doc,
    paths: set('a/b/c', 'e'),
    want: { a: { b: { d: 8 }, x: [1, { y: 2, z: 3 }, 4] }, 'k/1': 10, 't~': 11 },
  },
  { note: 'parent wins over child', obj: { a: { b: 1 }, c: 2 }, paths: ['a/b', 'a'], want: { c: 2 } },
  { note: 'parent first then child', obj: { a: { b: 1 }, c: 2 }, paths: ['a', 'a/b'], want: { c: 2 } },
  {
    note: 'array index closes gap',
    obj: doc,
    paths: ['a/x/0', '/a/x/1/y', 'a/b'],
    want: { a: { x: [{ z: 3 }, 4] }, e: 9, 'k/1': 10, 't~': 11 },
  },
  { note: 'escaped segments', obj: doc, paths: ['k~11', 't~0', 'a'], want: { e: 9 } },
  { note: 'segment arrays', obj: doc, paths: [['a', 'b'], ['e']], want: { a: { x: [1, { y: 2, z: 3 }, 4] }, 'k/1': 10, 't~': 11 } },
  { note: 'missing paths and empty path', obj: { a: 1 }, paths: ['', 'b/c', 'a/z'], want: { a: 1 } },
  { note: 'set member', obj: { s: set('p', 'q') }, paths: ['s/p'], want: { s: ['q'] } },
];
const filterCases: PathCase[] = [
  { note: 'nested and top level', obj: doc, paths: set('a/b/c', 'e'), want: { a: { b: { c: 7 } }, e: 9 } },
  { note: 'parent keeps whole value', obj: doc, paths: ['a/b/c', 'a/b'], want: { a: { b: { c: 7, d: 8 } } } },
  { note: 'array indexes', obj: doc, paths: ['a/x/2', 'a/x/1/z'], want: { a: { x: [{ z: 3 }, 4] } } },
  { note: 'escaped segments', obj: doc, paths: ['/k~11', 't~0'], want: { 'k/1': 10, 't~': 11 } },
  { note: 'segment arrays', obj: doc, paths: [['a', 'b', 'd']], want: { a: { b: { d: 8 } } } },
  { note: 'nothing matches', obj: doc, paths: ['zz', ''], want: {} },
  { note: 'scalar below path kept', obj: { a: 1 }, paths: ['a/b'], want: { a: 1 } },
];

describe('json.remove', () => {
  it.each(removeCases)('$note', ({ obj, paths, want }) => {
    expect(rt.call('bi_json_remove', obj, paths)).toEqual(want);
  });
});

describe('json.filter', () => {
  it.each(filterCases)('$note', ({ obj, paths, want }) => {
    expect(rt.call('bi_json_filter', obj, paths)).toEqual(want);
  });
});

type PatchCase = { note: string; doc: Arg; patches: Arg; want: unknown };
const pdoc = { a: { foo: 1 }, l: [1, 2, 3], s: set('x', 'y') };
const patchCases: PatchCase[] = [
  {
    note: 'add member',
    doc: pdoc,
    patches: [{ op: 'add', path: '/a/bar', value: 2 }],
    want: { a: { foo: 1, bar: 2 }, l: [1, 2, 3], s: ['x', 'y'] },
  },
  { note: 'add replaces member', doc: { a: 1 }, patches: [{ op: 'add', path: '/a', value: [9] }], want: { a: [9] } },
  { note: 'add inserts into array', doc: { l: [1, 2] }, patches: [{ op: 'add', path: '/l/1', value: 5 }], want: { l: [1, 5, 2] } },
  { note: 'add appends with dash', doc: { l: [1, 2] }, patches: [{ op: 'add', path: '/l/-', value: 3 }], want: { l: [1, 2, 3] } },
  { note: 'add at array end index', doc: { l: [1] }, patches: [{ op: 'add', path: '/l/1', value: 2 }], want: { l: [1, 2] } },
  { note: 'add past array end fails', doc: { l: [1] }, patches: [{ op: 'add', path: '/l/2', value: 2 }], want: undefined },
  { note: 'add to set', doc: { s: set('x') }, patches: [{ op: 'add', path: '/s/z', value: 'z' }], want: { s: ['x', 'z'] } },
  { note: 'add missing parent fails', doc: { a: 1 }, patches: [{ op: 'add', path: '/b/c', value: 1 }], want: undefined },
  { note: 'replace root', doc: { a: 1 }, patches: [{ op: 'replace', path: '', value: 7 }], want: 7 },
  {
    note: 'remove member and index',
    doc: pdoc,
    patches: [
      { op: 'remove', path: '/a/foo' },
      { op: 'remove', path: '/l/0' },
    ],
    want: { a: {}, l: [2, 3], s: ['x', 'y'] },
  },
  { note: 'remove set element', doc: pdoc, patches: [{ op: 'remove', path: ['s', 'x'] }], want: { a: { foo: 1 }, l: [1, 2, 3], s: ['y'] } },
  { note: 'remove missing fails', doc: { a: 1 }, patches: [{ op: 'remove', path: '/b' }], want: undefined },
  { note: 'replace existing', doc: { l: [1, 2] }, patches: [{ op: 'replace', path: '/l/0', value: 'z' }], want: { l: ['z', 2] } },
  { note: 'replace missing fails', doc: { a: 1 }, patches: [{ op: 'replace', path: '/b', value: 1 }], want: undefined },
  { note: 'move', doc: { a: { b: 1 }, c: {} }, patches: [{ op: 'move', from: '/a/b', path: '/c/d' }], want: { a: {}, c: { d: 1 } } },
  { note: 'copy', doc: { a: [1, 2] }, patches: [{ op: 'copy', from: '/a/1', path: '/a/0' }], want: { a: [2, 1, 2] } },
  { note: 'test passes', doc: { a: [1] }, patches: [{ op: 'test', path: '/a', value: [1] }], want: { a: [1] } },
  {
    note: 'test fails atomically',
    doc: { a: 1 },
    patches: [
      { op: 'add', path: '/b', value: 2 },
      { op: 'test', path: '/a', value: 2 },
    ],
    want: undefined,
  },
  {
    note: 'escaped pointer',
    doc: { 'a/b': 1, 'c~': 2 },
    patches: [
      { op: 'remove', path: '/a~1b' },
      { op: 'replace', path: '/c~0', value: 3 },
    ],
    want: { 'c~': 3 },
  },
  { note: 'unknown op fails', doc: { a: 1 }, patches: [{ op: 'frob', path: '/a' }], want: undefined },
  { note: 'no patches', doc: 'str', patches: [], want: 'str' },
  // The root path "" (or []) is the whole document (RFC 6902 over OPA's edit tree).
  { note: 'add at root', doc: { a: 1 }, patches: [{ op: 'add', path: '', value: [1] }], want: [1] },
  { note: 'add at root, array path', doc: 'x', patches: [{ op: 'add', path: [], value: { b: 2 } }], want: { b: 2 } },
  { note: 'replace root with a string', doc: { a: 1 }, patches: [{ op: 'replace', path: '', value: 'z' }], want: 'z' },
  {
    note: 'remove root then add',
    doc: { a: 1 },
    patches: [
      { op: 'remove', path: '' },
      { op: 'add', path: '', value: 3 },
    ],
    want: 3,
  },
  { note: 'remove root leaves nothing', doc: { a: 1 }, patches: [{ op: 'remove', path: '' }], want: undefined },
  {
    note: 'remove root twice fails',
    doc: 1,
    patches: [
      { op: 'remove', path: '' },
      { op: 'remove', path: '' },
    ],
    want: undefined,
  },
  {
    note: 'replace removed root fails',
    doc: 1,
    patches: [
      { op: 'remove', path: '' },
      { op: 'replace', path: '', value: 2 },
    ],
    want: undefined,
  },
  {
    note: 'edit under removed root fails',
    doc: { a: 1 },
    patches: [
      { op: 'remove', path: '' },
      { op: 'add', path: '/a', value: 2 },
    ],
    want: undefined,
  },
  { note: 'test root', doc: { a: [1] }, patches: [{ op: 'test', path: '', value: { a: [1] } }], want: { a: [1] } },
  { note: 'test root differs', doc: { a: [1] }, patches: [{ op: 'test', path: '', value: { a: [2] } }], want: undefined },
  { note: 'move root to root', doc: { a: 1 }, patches: [{ op: 'move', from: '', path: '' }], want: { a: 1 } },
  { note: 'move root below itself fails', doc: { a: 1 }, patches: [{ op: 'move', from: '', path: '/b' }], want: undefined },
  { note: 'move member to root', doc: { a: { b: 1 }, c: 2 }, patches: [{ op: 'move', from: '/a', path: '' }], want: { b: 1 } },
  { note: 'copy root into itself', doc: { a: 1 }, patches: [{ op: 'copy', from: '', path: '/b' }], want: { a: 1, b: { a: 1 } } },
  { note: 'copy member to root', doc: { a: [1, 2] }, patches: [{ op: 'copy', from: '/a', path: '' }], want: [1, 2] },
  { note: 'slash alone is the "" key', doc: { '': 1 }, patches: [{ op: 'replace', path: '/', value: 2 }], want: { '': 2 } },
];

describe('json.patch', () => {
  it.each(patchCases)('$note', ({ doc, patches, want }) => {
    expect(rt.call('bi_json_patch', doc, patches)).toEqual(want);
  });
});

type MarshalCase = { note: string; value: Arg; opts: Arg; want: unknown };
const mval = { b: [1, { c: 'x<y' }, []], a: {}, s: set(2, 1), q: 'a"\\,:{' };
const marshalCases: MarshalCase[] = [
  { note: 'no options is compact', value: mval, opts: {}, want: '{"a":{},"b":[1,{"c":"x\\u003cy"},[]],"q":"a\\"\\\\,:{","s":[1,2]}' },
  { note: 'pretty false is compact', value: [1, 2], opts: { pretty: false, indent: '  ' }, want: '[1,2]' },
  {
    note: 'pretty uses tabs',
    value: mval,
    opts: { pretty: true },
    want: '{\n\t"a": {},\n\t"b": [\n\t\t1,\n\t\t{\n\t\t\t"c": "x\\u003cy"\n\t\t},\n\t\t[]\n\t],\n\t"q": "a\\"\\\\,:{",\n\t"s": [\n\t\t1,\n\t\t2\n\t]\n}',
  },
  { note: 'indent implies pretty', value: { k: [true] }, opts: { indent: '  ' }, want: '{\n  "k": [\n    true\n  ]\n}' },
  { note: 'prefix on every line', value: { k: null }, opts: { prefix: '> ', indent: '' }, want: '> {\n> "k": null\n> }' },
  { note: 'scalar pretty', value: 'str', opts: { pretty: true, prefix: '#' }, want: '#"str"' },
];

describe('json.marshal_with_options', () => {
  it.each(marshalCases)('$note', ({ value, opts, want }) => {
    expect(rt.call('bi_json_marshal_with_options', value, opts)).toBe(want);
  });
});

const b64u = (s: string | Uint8Array): string => Buffer.from(s).toString('base64url');
const jwt = (header: unknown, payload: unknown, sig: Uint8Array): string =>
  `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}.${b64u(sig)}`;
const sig = new Uint8Array([0, 1, 0xfe, 0xff, 0x7f]);
const hs = { alg: 'HS256', typ: 'JWT' };
const claims = { sub: 'alice', iat: 1516239022, roles: ['admin'], nested: { ok: true } };
type JwtCase = { note: string; token: string; want: unknown };
const jwtCases: JwtCase[] = [
  { note: 'plain token', token: jwt(hs, claims, sig), want: [hs, claims, '0001feff7f'] },
  {
    note: 'padded sections',
    token: `${Buffer.from(JSON.stringify(hs)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_')}.${b64u('{"a":1}')}.`,
    want: [hs, { a: 1 }, ''],
  },
  {
    note: 'nested cty JWT',
    token: `${b64u(JSON.stringify({ alg: 'HS256', cty: 'JWT' }))}.${b64u(jwt(hs, claims, sig))}.${b64u('x')}`,
    want: [hs, claims, '0001feff7f'],
  },
  {
    note: 'nested token in quotes',
    token: `${b64u(JSON.stringify({ alg: 'HS256', cty: 'JWT' }))}.${b64u(`"${jwt(hs, claims, sig)}"`)}.${b64u('x')}`,
    want: [hs, claims, '0001feff7f'],
  },
  {
    note: 'cty other than exactly JWT is a plain payload',
    token: `${b64u(JSON.stringify({ alg: 'none', cty: 'jwt' }))}.${b64u('{"a":1}')}.`,
    want: [{ alg: 'none', cty: 'jwt' }, { a: 1 }, ''],
  },
  { note: 'empty signature', token: `${b64u(JSON.stringify(hs))}.${b64u(JSON.stringify(claims))}.`, want: [hs, claims, ''] },
  { note: 'no periods', token: 'abc', want: undefined },
  { note: 'four sections', token: 'a.b.c.d', want: undefined },
  { note: 'header not base64url', token: `e+y.${b64u('{}')}.`, want: undefined },
  { note: 'header not an object', token: `${b64u('[1]')}.${b64u('{}')}.`, want: undefined },
  { note: 'payload not JSON', token: `${b64u(JSON.stringify(hs))}.${b64u('nope')}.`, want: undefined },
  { note: 'JWE refused', token: `${b64u(JSON.stringify({ alg: 'RSA-OAEP', enc: 'A256GCM' }))}.${b64u('{}')}.`, want: undefined },
  {
    note: 'cty json is a plain payload',
    token: `${b64u(JSON.stringify({ alg: 'none', cty: 'json' }))}.${b64u('{}')}.`,
    want: [{ alg: 'none', cty: 'json' }, {}, ''],
  },
];

describe('io.jwt.decode', () => {
  it.each(jwtCases)('$note', ({ token, want }) => {
    expect(rt.call('bi_io_jwt_decode', token)).toEqual(want);
  });
});

type ErrorCase = { note: string; fn: string; args: unknown[]; message: string };
const errorCases: ErrorCase[] = [
  {
    note: 'uuid.parse non-string',
    fn: 'bi_uuid_parse',
    args: [1],
    message: 'eval_type_error: uuid.parse: operand 1 must be string but got number',
  },
  {
    note: 'json.remove non-object',
    fn: 'bi_json_remove',
    args: [[1], ['a']],
    message: 'eval_type_error: json.remove: operand 1 must be object but got array',
  },
  {
    note: 'json.filter paths string',
    fn: 'bi_json_filter',
    args: [{}, 'a'],
    message: 'eval_type_error: json.filter: operand 2 must be one of {array, set} but got string',
  },
  {
    note: 'json.remove bad path element',
    fn: 'bi_json_remove',
    args: [{}, [1]],
    message:
      'eval_type_error: json.remove: operand 2 must be one of {set, array} containing string paths or array of path segments but got number',
  },
  {
    note: 'jwt non-string',
    fn: 'bi_io_jwt_decode',
    args: [[]],
    message: 'eval_type_error: io.jwt.decode: operand 1 must be string but got array',
  },
  {
    note: 'jwt sections',
    fn: 'bi_io_jwt_decode',
    args: ['a.b'],
    message: 'eval_builtin_error: io.jwt.decode: encoded JWT must have 3 sections, found 2',
  },
  {
    note: 'jwt no periods',
    fn: 'bi_io_jwt_decode',
    args: ['ab'],
    message: 'eval_builtin_error: io.jwt.decode: encoded JWT had no period separators',
  },
  {
    note: 'jwt header not an object',
    fn: 'bi_io_jwt_decode',
    args: ['WzFd.e30.'],
    message: 'eval_builtin_error: io.jwt.decode: bad JWT header:',
  },
  {
    note: 'json.patch patches not array',
    fn: 'bi_json_patch',
    args: [{}, {}],
    message: 'eval_type_error: json.patch: operand 2 must be array but got object',
  },
  {
    note: 'marshal opts not object',
    fn: 'bi_json_marshal_with_options',
    args: [1, []],
    message: 'eval_type_error: json.marshal_with_options: operand 2 must be object but got array',
  },
  {
    note: 'marshal unknown key',
    fn: 'bi_json_marshal_with_options',
    args: [1, { width: 3 }],
    message: 'eval_type_error: json.marshal_with_options: operand 2 object contained unknown key width',
  },
  {
    note: 'marshal pretty not boolean',
    fn: 'bi_json_marshal_with_options',
    args: [1, { pretty: 1 }],
    message: 'eval_type_error: json.marshal_with_options: operand 2 key pretty failed cast to bool',
  },
  {
    note: 'marshal indent not string (second option)',
    fn: 'bi_json_marshal_with_options',
    args: [1, { indent: 2, prefix: '' }],
    message:
      'eval_type_error: json.marshal_with_options: operand 2 key indent failed cast to string: operand 0 must be string but got number',
  },
  {
    note: 'marshal prefix not string',
    fn: 'bi_json_marshal_with_options',
    args: [1, { indent: ' ', prefix: null }],
    message:
      'eval_type_error: json.marshal_with_options: operand 2 key prefix failed cast to string: operand 1 must be string but got null',
  },
  {
    note: 'hmac sha512 key non-string',
    fn: 'bi_crypto_hmac_sha512',
    args: ['x', null],
    message: 'eval_type_error: crypto.hmac.sha512: operand 2 must be string but got null',
  },
];

describe('more data strict errors', () => {
  it.each(errorCases)('$note', async ({ fn, args, message }) => {
    expect(rt.call(fn, ...(args as never[]))).toBeUndefined();
    const strict = await loadRuntime();
    strict.exports['rt_set_strict']!(1);
    expect(() => strict.call(fn, ...(args as never[]))).toThrow(message);
  });
});
