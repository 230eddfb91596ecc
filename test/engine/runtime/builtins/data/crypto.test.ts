// crypto hash and HMAC builtins through the built runtime, checked against node:crypto, and
// crypto.hmac.equal.
import { createHash, createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

const inputs = ['', 'abc', 'héllo wörld ✓', 'a'.repeat(55), 'b'.repeat(56), 'c'.repeat(64), 'd'.repeat(1000)];
const keys = ['', 'key', 'k'.repeat(64), 'long key '.repeat(20)];
const algs = ['md5', 'sha1', 'sha256'] as const;

type HashCase = { note: string; alg: (typeof algs)[number]; input: string };
const hashCases: HashCase[] = algs.flatMap((alg) =>
  inputs.map((input) => ({ note: `${alg} of ${input.slice(0, 12)} (${input.length})`, alg, input })),
);

type HmacCase = HashCase & { key: string };
const hmacCases: HmacCase[] = algs.flatMap((alg) =>
  keys.map((key, i) => ({ note: `hmac ${alg} key ${key.length}`, alg, input: inputs[i + 1]!, key })),
);

describe('crypto hashes', () => {
  it.each(hashCases)('$note', ({ alg, input }) => {
    expect(rt.call(`bi_crypto_${alg}`, input)).toBe(createHash(alg).update(input, 'utf8').digest('hex'));
  });
  it.each(hmacCases)('$note', ({ alg, input, key }) => {
    expect(rt.call(`bi_crypto_hmac_${alg}`, input, key)).toBe(createHmac(alg, key).update(input, 'utf8').digest('hex'));
  });
});

type EqualCase = { note: string; a: string; b: string; want: boolean };
const equalCases: EqualCase[] = [
  { note: 'same MAC', a: 'a1b2c3', b: 'a1b2c3', want: true },
  { note: 'last byte differs', a: 'a1b2c3', b: 'a1b2c4', want: false },
  { note: 'first byte differs', a: 'x1b2c3', b: 'a1b2c3', want: false },
  { note: 'prefix of the other', a: 'a1b2', b: 'a1b2c3', want: false },
  { note: 'case matters', a: 'ABCD', b: 'abcd', want: false },
  { note: 'both empty', a: '', b: '', want: true },
  { note: 'multi-byte characters', a: 'héllo ✓', b: 'héllo ✓', want: true },
];

describe('crypto.hmac.equal', () => {
  it.each(equalCases)('$note', ({ a, b, want }) => {
    expect(rt.call('bi_crypto_hmac_equal', a, b)).toBe(want);
  });
});

type ErrorCase = { note: string; fn: string; args: unknown[]; message: string };
const errorCases: ErrorCase[] = [
  {
    note: 'sha256 non-string',
    fn: 'bi_crypto_sha256',
    args: [1],
    message: 'eval_type_error: crypto.sha256: operand 1 must be string but got number',
  },
  {
    note: 'hmac key non-string',
    fn: 'bi_crypto_hmac_sha1',
    args: ['x', null],
    message: 'eval_type_error: crypto.hmac.sha1: operand 2 must be string but got null',
  },
  {
    note: 'hmac.equal first operand',
    fn: 'bi_crypto_hmac_equal',
    args: [1, 'x'],
    message: 'eval_type_error: crypto.hmac.equal: operand 1 must be string but got number',
  },
  {
    note: 'hmac.equal second operand',
    fn: 'bi_crypto_hmac_equal',
    args: ['x', ['x']],
    message: 'eval_type_error: crypto.hmac.equal: operand 2 must be string but got array',
  },
];

describe('crypto strict errors', () => {
  it.each(errorCases)('$note', async ({ fn, args, message }) => {
    expect(rt.call(fn, ...(args as never[]))).toBeUndefined();
    const strict = await loadRuntime();
    strict.exports['rt_set_strict']!(1);
    expect(() => strict.call(fn, ...(args as never[]))).toThrow(message);
  });
});
