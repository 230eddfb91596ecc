// What the agent saw of one statement's answers, for its outcome record (proxy/recording): the
// result columns, the rows counted, the SHA-256 of every byte sent to the agent (after masking)
// and, with `recording.results: capped`, the rows themselves up to a byte cap.

import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { decodeBackend } from '../../wire/index.js';
import type { OutcomeBody } from '../../recording/index.js';

/** ResultTap follows one statement's answers as they are sent to the agent. */
export class ResultTap {
  readonly #hash: Hash = createHash('sha256');
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
    this.#hash.update(bytes);
    this.#bytes += bytes.length;
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

  /** outcome is what the tap saw, as the outcome record's fields (no digest when nothing was sent; the digest ends the tap). */
  outcome(): Pick<OutcomeBody, 'rows' | 'columns' | 'digest' | 'result_rows' | 'result_truncated'> {
    return {
      rows: this.#rows,
      columns: this.#columns,
      digest: this.#bytes > 0 ? this.#hash.digest('hex') : null,
      ...(this.#cap !== undefined ? { result_rows: this.#kept, result_truncated: this.#truncated } : {}),
    };
  }
}
