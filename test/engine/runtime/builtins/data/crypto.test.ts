// crypto hash and HMAC builtins through the built runtime, checked against node:crypto.
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
const hashCases: HashCase[] = algs.flatMap((alg) => inputs.map((input) => ({ note: `${alg} of ${input.slice(0, 12)} (${input.length})`, alg, input })));

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

type ErrorCase = { note: string; fn: string; args: unknown[]; message: string };
const errorCases: ErrorCase[] = [
  { note: 'sha256 non-string', fn: 'bi_crypto_sha256', args: [1], message: 'eval_type_error: crypto.sha256: operand 1 must be string but got number' },
  { note: 'hmac key non-string', fn: 'bi_crypto_hmac_sha1', args: ['x', null], message: 'eval_type_error: crypto.hmac.sha1: operand 2 must be string but got null' },
];

describe('crypto strict errors', () => {
  it.each(errorCases)('$note', async ({ fn, args, message }) => {
    expect(rt.call(fn, ...(args as never[]))).toBeUndefined();
    const strict = await loadRuntime();
    strict.exports['rt_set_strict']!(1);
    expect(() => strict.call(fn, ...(args as never[]))).toThrow(message);
  });
});
