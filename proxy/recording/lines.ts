// Journal lines encoded once: a record's line goes straight into the bytes its batch will write,
// and its hash (chain.ts's contentHash, over `prev` + '\n' + `{"journal":…,"seq":…,"at":…,
// "body":<body>}`) is taken over those same bytes. The body's text is UTF-8 encoded once, where it
// will stay; the hashed text is laid out in front of it for the digest, then overwritten by the
// line's own start (which is longer: it adds `"prev"` and `"hash"`), so no text of the record is
// built as a string, copied or encoded twice.

import { sha256Hex } from './chain.js';

// Buffer's own per-encoding writers skip write()'s argument handling (a record makes five writes);
// write() where a platform lacks them
type EncodingWriters = { utf8Write(s: string, offset: number): number; latin1Write(s: string, offset: number): number };
const writers = Buffer.prototype as unknown as Partial<EncodingWriters>;
const utf8Write: (buf: Buffer, s: string, offset: number) => number =
  typeof writers.utf8Write === 'function'
    ? (buf, s, offset) => (buf as unknown as EncodingWriters).utf8Write(s, offset)
    : (buf, s, offset) => buf.write(s, offset, 'utf8');
const latin1Write: (buf: Buffer, s: string, offset: number) => number =
  typeof writers.latin1Write === 'function'
    ? (buf, s, offset) => (buf as unknown as EncodingWriters).latin1Write(s, offset)
    : (buf, s, offset) => buf.write(s, offset, 'latin1');

/** LINE_BUFFER_BYTES is a line buffer's first capacity; one grown past LINE_BUFFER_KEEP is not reused. */
const LINE_BUFFER_BYTES = 64 * 1024;
const LINE_BUFFER_KEEP = 4 * 1024 * 1024;

/** LineBuffer holds the encoded lines of one batch (bytes [0, length) of buf). */
export class LineBuffer {
  buf: Buffer;
  length = 0;

  constructor(capacity = LINE_BUFFER_BYTES) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** reusable tells a written buffer small enough to take the next batch (emptied). */
  reusable(): boolean {
    this.length = 0;
    return this.buf.length <= LINE_BUFFER_KEEP;
  }

  /** room makes sure `bytes` more fit after the data. */
  room(bytes: number): void {
    const need = this.length + bytes;
    if (need <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }
}

/** LineFields are what a journal line says besides its body (the journal id and `at` are ASCII: an id of [A-Za-z0-9_.], an ISO time). */
export type LineFields = { readonly journal: string; readonly seq: number; readonly at: string; readonly prev: string };

/**
 * appendLine encodes the record's line (with its line feed) at the end of `out` and answers its
 * hash. The line is `{"journal":…,"seq":…,"at":…,"prev":…,"hash":…,"body":<bodyJson>}` (chain.ts's
 * recordLine); bodyJson must be a JSON text (no lone surrogates: JSON.stringify never writes one).
 */
export function appendLine(out: LineBuffer, f: LineFields, bodyJson: string): string {
  const head = `{"journal":"${f.journal}","seq":${f.seq},"at":"${f.at}"`;
  const hashed = `${f.prev}\n${head},"body":`;
  const lineStart = `${head},"prev":"${f.prev}","hash":"`;
  // the line's start before the body: lineStart, 64 hex digits, `","body":`
  const before = lineStart.length + 64 + 9;
  out.room(before + bodyJson.length * 3 + 2);
  const start = out.length;
  const bodyAt = start + before;
  const bodyEnd = bodyAt + utf8Write(out.buf, bodyJson, bodyAt);
  out.buf[bodyEnd] = 0x7d; // }
  // the hashed text ends where the line's body does: its start goes just in front of the body
  latin1Write(out.buf, hashed, bodyAt - hashed.length);
  const hash = sha256Hex(out.buf.subarray(bodyAt - hashed.length, bodyEnd + 1));
  let at = start + latin1Write(out.buf, lineStart, start);
  at += latin1Write(out.buf, hash, at);
  latin1Write(out.buf, '","body":', at);
  out.buf[bodyEnd + 1] = 0x0a; // \n
  out.length = bodyEnd + 2;
  return hash;
}
