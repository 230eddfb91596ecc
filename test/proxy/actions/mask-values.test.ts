// maskValue / maskBinaryValue: every kind on text values, NULLs, short values, Unicode,
// options, and which binary-format values can be masked safely.

import { describe, expect, it } from 'vitest';
import { MASK_DEFAULTS, canMaskBinary, maskBinaryValue, maskValue } from '../../../proxy/actions/mask-values.js';
import type { MaskOptions } from '../../../proxy/actions/mask-values.js';
import type { MaskKind } from '../../../proxy/decision/index.js';

// SHA-256("abc") is the FIPS 180-2 test vector; HMAC-SHA256(key "key", "abc") computed independently.
const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('maskValue', () => {
  const cases: { note: string; kind: MaskKind; value: string | null; opts?: MaskOptions; want: string | null }[] = [
    { note: 'redact', kind: 'redact', value: 'alice@example.com', want: '****' },
    { note: 'redact with a custom token', kind: 'redact', value: 'x', opts: { token: '[hidden]' }, want: '[hidden]' },
    { note: 'redact of an empty string', kind: 'redact', value: '', want: '****' },
    { note: 'partial keeps the last 4 by default', kind: 'partial', value: '4111111111111111', want: '************1111' },
    { note: 'partial with keep 2', kind: 'partial', value: 'alice@example.com', opts: { keep: 2 }, want: '***************om' },
    { note: 'partial with keep 0 masks all', kind: 'partial', value: 'secret', opts: { keep: 0 }, want: '******' },
    { note: 'partial of a value no longer than keep masks all', kind: 'partial', value: '1234', want: '****' },
    { note: 'partial of a short value masks all', kind: 'partial', value: 'ab', want: '**' },
    { note: 'partial of an empty string', kind: 'partial', value: '', want: '' },
    { note: 'partial counts code points, not UTF-16 units', kind: 'partial', value: 'ünïcødé😀', opts: { keep: 2 }, want: '******é😀' },
    { note: 'hash is a 16-digit SHA-256 prefix', kind: 'hash', value: 'abc', want: SHA256_ABC.slice(0, 16) },
    { note: 'hash with the full length', kind: 'hash', value: 'abc', opts: { hashLength: 64 }, want: SHA256_ABC },
    {
      note: 'hash with a key is an HMAC',
      kind: 'hash',
      value: 'abc',
      opts: { hashKey: 'key', hashLength: 64 },
      want: '9c196e32dc0175f86f4b1cb89289d6619de6bee699e4c378e68309ed97a1a6ab',
    },
    { note: 'null', kind: 'null', value: 'anything', want: null },
    { note: 'NULL stays NULL under redact', kind: 'redact', value: null, want: null },
    { note: 'NULL stays NULL under partial', kind: 'partial', value: null, want: null },
    { note: 'NULL stays NULL under hash', kind: 'hash', value: null, want: null },
  ];
  it.each(cases)('$note', ({ kind, value, opts, want }) => {
    expect(maskValue(kind, value, opts)).toBe(want);
  });

  it('hashes stably and distinguishes values', () => {
    expect(maskValue('hash', 'a@x.io')).toBe(maskValue('hash', 'a@x.io'));
    expect(maskValue('hash', 'a@x.io')).not.toBe(maskValue('hash', 'b@x.io'));
    expect(maskValue('hash', 'a@x.io', { hashKey: 'k1' })).not.toBe(maskValue('hash', 'a@x.io', { hashKey: 'k2' }));
  });

  it('has documented defaults', () => {
    expect(MASK_DEFAULTS).toEqual({ keep: 4, token: '****', hashLength: 16 });
  });

  const misuse: { note: string; kind: MaskKind; opts: MaskOptions; message: RegExp }[] = [
    { note: 'negative keep', kind: 'partial', opts: { keep: -1 }, message: /keep must be an integer >= 0/ },
    { note: 'fractional keep', kind: 'partial', opts: { keep: 1.5 }, message: /keep must be an integer >= 0/ },
    { note: 'hash length 0', kind: 'hash', opts: { hashLength: 0 }, message: /hashLength must be 1..64/ },
    { note: 'hash length 65', kind: 'hash', opts: { hashLength: 65 }, message: /hashLength must be 1..64/ },
  ];
  it.each(misuse)('throws TypeError for $note (a caller bug, not input)', ({ kind, opts, message }) => {
    expect(() => maskValue(kind, 'v', opts)).toThrow(TypeError);
    expect(() => maskValue(kind, 'v', opts)).toThrow(message);
  });

  it('rejects an unknown kind', () => {
    expect(() => maskValue('scramble' as MaskKind, 'v')).toThrow(TypeError);
  });
});

describe('maskBinaryValue', () => {
  const TEXT = 25;
  const VARCHAR = 1043;
  const INT4 = 23;
  const BYTEA = 17;
  const bytes = (s: string) => new TextEncoder().encode(s);
  const cases: {
    note: string;
    kind: MaskKind;
    value: Uint8Array | null;
    oid: number;
    want: { ok: true; value: string | null } | { ok: false; reason: RegExp };
  }[] = [
    { note: 'null kind on int4', kind: 'null', value: new Uint8Array([0, 0, 0, 42]), oid: INT4, want: { ok: true, value: null } },
    { note: 'NULL int4 under redact', kind: 'redact', value: null, oid: INT4, want: { ok: true, value: null } },
    {
      note: 'partial on text',
      kind: 'partial',
      value: bytes('4111111111111111'),
      oid: TEXT,
      want: { ok: true, value: '************1111' },
    },
    { note: 'redact on varchar', kind: 'redact', value: bytes('bob'), oid: VARCHAR, want: { ok: true, value: '****' } },
    {
      note: 'hash on text matches the text format',
      kind: 'hash',
      value: bytes('abc'),
      oid: TEXT,
      want: { ok: true, value: SHA256_ABC.slice(0, 16) },
    },
    {
      note: 'redact on int4 is refused',
      kind: 'redact',
      value: new Uint8Array([0, 0, 0, 42]),
      oid: INT4,
      want: { ok: false, reason: /cannot apply mask "redact" to a binary-format value of type oid 23; request text format/ },
    },
    {
      note: 'partial on bytea is refused',
      kind: 'partial',
      value: new Uint8Array([1, 2, 3, 4, 5]),
      oid: BYTEA,
      want: { ok: false, reason: /type oid 17/ },
    },
  ];
  it.each(cases)('$note', ({ kind, value, oid, want }) => {
    const got = maskBinaryValue(kind, value, oid);
    if (want.ok) {
      expect(got.ok).toBe(true);
      const v = got.ok ? got.value : undefined;
      expect(v === null ? null : new TextDecoder().decode(v)).toBe(want.value);
    } else {
      expect(got).toMatchObject({ ok: false, reason: expect.stringMatching(want.reason) });
    }
  });

  const support: { note: string; kind: MaskKind; oid: number; want: boolean }[] = [
    { note: 'null on any type', kind: 'null', oid: 23, want: true },
    { note: 'hash on bpchar', kind: 'hash', oid: 1042, want: true },
    { note: 'partial on name', kind: 'partial', oid: 19, want: true },
    { note: 'hash on numeric', kind: 'hash', oid: 1700, want: false },
    { note: 'redact on json', kind: 'redact', oid: 114, want: false },
  ];
  it.each(support)('canMaskBinary: $note → $want', ({ kind, oid, want }) => {
    expect(canMaskBinary(kind, oid)).toBe(want);
  });
});
