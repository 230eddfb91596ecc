// What the agent saw of one statement's answers, for its outcome record (proxy/recording): the
// result columns, the rows counted, the SHA-256 of every byte sent to the agent (after masking)
// and, with `recording.results: capped`, the rows themselves up to a byte cap.

import crypto, { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { decodeBackend } from '../../wire/index.js';
import type { OutcomeBody } from '../../recording/index.js';

/**
 * PENDING_BYTES: the bytes sent are gathered (frames side by side in one received chunk as one
 * view) and hashed in one call at the end when the answer is small, as most are (a Hash object
 * costs more than hashing them); a larger answer goes into a Hash object this many bytes at a time.
 */
const PENDING_BYTES = 64 * 1024;

// one call for a small answer where the platform has it (crypto.hash, Node >= 20.12)
const oneShot: ((data: Uint8Array) => string) | undefined =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data, 'hex') : undefined;

/** ResultTap follows one statement's answers as they are sent to the agent. */
export class ResultTap {
  /** #hash takes the bytes gathered once they pass PENDING_BYTES (from the start without a one-shot hash). */
  #hash: Hash | undefined = oneShot === undefined ? createHash('sha256') : undefined;
  /** #parts are the bytes sent and not yet hashed: views of received chunks, never changed afterwards (WriteCoalescer's contract). */
  #parts: Uint8Array[] = [];
  #pending = 0;
  readonly #columns: readonly string[];
  /** #cap is the byte cap of the rows kept (undefined: rows are not kept). */
  readonly #cap: number | undefined;
  #rows = 0;
  #kept: (string | null)[][] = [];
  #keptBytes = 0;
  #truncated = false;
  #bytes = 0;

  constructor(columns: readonly string[], cap: number | undefined) {
    this.#columns = columns;
    this.#cap = cap;
  }

  /** seen adds bytes sent to the agent; `row` says they end a DataRow (kept, under the cap, when rows are kept). */
  seen(bytes: Uint8Array, row: boolean): void {
    this.#bytes += bytes.length;
    const parts = this.#parts;
    const last = parts[parts.length - 1];
    if (last !== undefined && last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset) {
      parts[parts.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.length + bytes.length);
    } else {
      parts.push(bytes);
    }
    this.#pending += bytes.length;
    if (this.#pending > PENDING_BYTES) {
      this.#hash ??= createHash('sha256');
      for (const p of parts) this.#hash.update(p);
      this.#parts = [];
      this.#pending = 0;
    }
    if (!row) return;
    this.#rows++;
    if (this.#cap === undefined) return;
    if (this.#truncated || this.#keptBytes + bytes.length > this.#cap || bytes[0] !== 0x44) {
      this.#truncated = true;
      return;
    }
    const raw = Buffer.from(bytes);
    const msg = decodeBackend({ kind: 'tagged', code: bytes[0], tag: 'D', raw, payload: raw.subarray(5) });
    if (msg.kind !== 'dataRow') return;
    this.#kept.push(msg.values.map((v) => (v === null ? null : v.toString('utf8'))));
    this.#keptBytes += bytes.length;
  }

  #digest(): string {
    const parts = this.#parts;
    this.#parts = [];
    if (this.#hash !== undefined) {
      for (const p of parts) this.#hash.update(p);
      return this.#hash.digest('hex');
    }
    return (oneShot as (data: Uint8Array) => string)(parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts));
  }

  /** outcome is what the tap saw, as the outcome record's fields (no digest when nothing was sent; the digest ends the tap). */
  outcome(): Pick<OutcomeBody, 'rows' | 'columns' | 'digest' | 'result_rows' | 'result_truncated'> {
    return {
      rows: this.#rows,
      columns: this.#columns,
      digest: this.#bytes === 0 ? null : this.#digest(),
      ...(this.#cap !== undefined ? { result_rows: this.#kept, result_truncated: this.#truncated } : {}),
    };
  }
}
