// Masking of single result values, as the policy's `mask` entries ask: text-format values in
// DataRow messages and COPY TO STDOUT output, and the few binary-format values that can be
// masked without knowing their encoding (NULL for any type; text-like types, whose binary form
// is their UTF-8 text). Everything else must be refused by the caller (see canMaskBinary).

import { createHash, createHmac } from 'node:crypto';
import { assertNever } from '../errors.js';
import type { MaskKind } from '../decision/index.js';

/** MaskOptions tunes masking; defaults are in MASK_DEFAULTS. */
export type MaskOptions = {
  /** keep is how many trailing characters `partial` leaves visible. */
  readonly keep?: number;
  /** token replaces the whole value for `redact`. */
  readonly token?: string;
  /** hashLength is how many hex digits of the digest `hash` keeps (1..64). */
  readonly hashLength?: number;
  /** hashKey, when set, makes `hash` an HMAC-SHA256 so values cannot be guessed by hashing candidates. */
  readonly hashKey?: string;
};

/** MASK_DEFAULTS are the option values used when a MaskOptions field is absent. */
export const MASK_DEFAULTS = Object.freeze({ keep: 4, token: '****', hashLength: 16 });

/**
 * maskValue masks one text-format value. SQL NULL stays NULL for every kind (a NULL carries no
 * data). `partial` replaces every character but the last `keep` with `*` (characters are code
 * points, so the length stays as the client counts it) and masks a value no longer than `keep`
 * entirely, so a short value is never revealed whole. `hash` is the hex SHA-256 (or HMAC) prefix
 * of the UTF-8 text: stable, so equal values stay joinable.
 */
export function maskValue(kind: MaskKind, value: string | null, opts: MaskOptions = {}): string | null {
  if (value === null) return null;
  switch (kind) {
    case 'redact':
      return opts.token ?? MASK_DEFAULTS.token;
    case 'partial': {
      const keep = opts.keep ?? MASK_DEFAULTS.keep;
      if (!Number.isInteger(keep) || keep < 0) throw new TypeError(`maskValue: keep must be an integer >= 0, got ${keep}`);
      const chars = Array.from(value);
      if (chars.length <= keep) return '*'.repeat(chars.length);
      const visible = keep === 0 ? [] : chars.slice(-keep);
      return '*'.repeat(chars.length - visible.length) + visible.join('');
    }
    case 'hash': {
      const len = opts.hashLength ?? MASK_DEFAULTS.hashLength;
      if (!Number.isInteger(len) || len < 1 || len > 64) throw new TypeError(`maskValue: hashLength must be 1..64, got ${len}`);
      const h = opts.hashKey !== undefined ? createHmac('sha256', opts.hashKey) : createHash('sha256');
      return h.update(value, 'utf8').digest('hex').slice(0, len);
    }
    case 'null':
      return null;
    default:
      return assertNever(kind, 'maskValue: unknown mask kind');
  }
}

/**
 * TEXT_LIKE_TYPE_OIDS are the PostgreSQL types whose binary wire format is their UTF-8 text:
 * text (25), varchar (1043), bpchar (1042), name (19), unknown (705).
 */
export const TEXT_LIKE_TYPE_OIDS: ReadonlySet<number> = new Set([25, 1043, 1042, 19, 705]);

/** canMaskBinary tells whether a binary-format value of this type can be masked with this kind. */
export function canMaskBinary(kind: MaskKind, typeOid: number): boolean {
  return kind === 'null' || TEXT_LIKE_TYPE_OIDS.has(typeOid);
}

/** BinaryMaskResult is a masked binary value, or the reason it cannot be masked (the caller denies). */
export type BinaryMaskResult = { readonly ok: true; readonly value: Uint8Array | null } | { readonly ok: false; readonly reason: string };

/**
 * maskBinaryValue masks one binary-format value: `null` works for every type (DataRow length -1);
 * other kinds only for text-like types, where the bytes are UTF-8 text. Any other combination is
 * refused, because a replacement would not be a valid value of the column's type.
 */
export function maskBinaryValue(kind: MaskKind, value: Uint8Array | null, typeOid: number, opts: MaskOptions = {}): BinaryMaskResult {
  if (value === null || kind === 'null') return { ok: true, value: null };
  if (!canMaskBinary(kind, typeOid)) {
    return { ok: false, reason: `cannot apply mask "${kind}" to a binary-format value of type oid ${typeOid}; request text format` };
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(value);
  const masked = maskValue(kind, text, opts);
  return { ok: true, value: masked === null ? null : new TextEncoder().encode(masked) };
}
