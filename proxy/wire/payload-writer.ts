// A small growable writer for the messages the proxy builds itself (pg-protocol's Writer, one
// instance per message rather than a shared module-level one): reserve the 5-byte header,
// append fields, then frame() fills in the tag and length.

const HEADER = 5;

/** PayloadWriter builds one tagged message. */
export class PayloadWriter {
  #buf: Buffer;
  #offset = HEADER;

  /** constructor takes an initial capacity hint for the payload. */
  constructor(sizeHint = 64) {
    this.#buf = Buffer.allocUnsafe(HEADER + sizeHint);
  }

  #ensure(n: number): void {
    if (this.#buf.length - this.#offset >= n) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#offset + n));
    this.#buf.copy(next, 0, 0, this.#offset);
    this.#buf = next;
  }

  /** byte appends one byte. */
  byte(v: number): this {
    this.#ensure(1);
    this.#buf[this.#offset++] = v & 0xff;
    return this;
  }

  /** int16 appends a big-endian int16 (signed or unsigned input). */
  int16(v: number): this {
    this.#ensure(2);
    this.#buf.writeUInt16BE(v & 0xffff, this.#offset);
    this.#offset += 2;
    return this;
  }

  /** int32 appends a big-endian int32 (signed or unsigned input, e.g. OIDs above 2^31). */
  int32(v: number): this {
    this.#ensure(4);
    this.#buf.writeUInt32BE(v >>> 0, this.#offset);
    this.#offset += 4;
    return this;
  }

  /** cstring appends UTF-8 text and a NUL; text containing NUL is a bug in our code (TypeError). */
  cstring(s: string): this {
    if (s.includes('\0')) throw new TypeError('PayloadWriter: a C string cannot contain NUL');
    const n = Buffer.byteLength(s);
    this.#ensure(n + 1);
    this.#buf.write(s, this.#offset, 'utf8');
    this.#offset += n;
    this.#buf[this.#offset++] = 0;
    return this;
  }

  /** bytes appends raw bytes. */
  bytes(b: Uint8Array): this {
    this.#ensure(b.length);
    this.#buf.set(b, this.#offset);
    this.#offset += b.length;
    return this;
  }

  /** string appends UTF-8 text without a terminator. */
  string(s: string): this {
    const n = Buffer.byteLength(s);
    this.#ensure(n);
    this.#buf.write(s, this.#offset, 'utf8');
    this.#offset += n;
    return this;
  }

  /** frame returns the finished tagged message (tag byte, int32 length, payload). */
  frame(code: number): Buffer {
    this.#buf[0] = code;
    this.#buf.writeInt32BE(this.#offset - 1, 1);
    return this.#buf.subarray(0, this.#offset);
  }

  /** untagged returns the finished startup-phase packet (int32 length, payload), without a tag. */
  untagged(): Buffer {
    const out = this.#buf.subarray(1, this.#offset);
    out.writeInt32BE(out.length, 0);
    return out;
  }
}
