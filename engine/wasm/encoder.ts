// Byte-level Wasm encoding: a growable byte buffer with LEB128 writers and section framing.
// In: numbers, strings and byte runs. Out: Uint8Array slices used by codegen and the linker.

const utf8 = new TextEncoder();

/** ByteWriter is a growable byte buffer with the Wasm binary primitives. */
export class ByteWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  /** length is the number of bytes written so far. */
  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** u8 writes one byte. */
  u8(b: number): this {
    this.reserve(1);
    this.buf[this.len++] = b & 0xff;
    return this;
  }

  /** u32 writes an unsigned LEB128 integer. */
  u32(v: number): this {
    let n = v >>> 0;
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n !== 0) b |= 0x80;
      this.u8(b);
    } while (n !== 0);
    return this;
  }

  /** i32 writes a signed LEB128 integer. */
  i32(v: number): this {
    let n = v | 0;
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
        this.u8(b);
        return this;
      }
      this.u8(b | 0x80);
    }
  }

  /** u32le writes a little-endian 32-bit integer (for static data). */
  u32le(v: number): this {
    this.reserve(4);
    const n = v >>> 0;
    this.buf[this.len++] = n & 0xff;
    this.buf[this.len++] = (n >>> 8) & 0xff;
    this.buf[this.len++] = (n >>> 16) & 0xff;
    this.buf[this.len++] = (n >>> 24) & 0xff;
    return this;
  }

  /** bytes appends raw bytes. */
  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** vecBytes writes a length-prefixed byte vector. */
  vecBytes(b: Uint8Array): this {
    return this.u32(b.length).bytes(b);
  }

  /** name writes a length-prefixed UTF-8 string. */
  name(s: string): this {
    return this.vecBytes(utf8.encode(s));
  }

  /** zeros appends n zero bytes. */
  zeros(n: number): this {
    this.reserve(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    return this;
  }

  /** toBytes returns a copy of the written bytes. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** encodeUtf8 returns the UTF-8 bytes of s. */
export function encodeUtf8(s: string): Uint8Array {
  return utf8.encode(s);
}

/** section frames a payload as a Wasm section with id. */
export function section(id: number, payload: Uint8Array): Uint8Array {
  return new ByteWriter(payload.length + 6).u8(id).vecBytes(payload).toBytes();
}

/** ByteReader reads the Wasm binary primitives from a byte array. */
export class ByteReader {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /** atEnd tells whether all bytes were consumed. */
  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** u8 reads one byte. */
  u8(): number {
    if (this.pos >= this.end) throw new RangeError('unexpected end of wasm bytes');
    return this.buf[this.pos++] as number;
  }

  /** u32 reads an unsigned LEB128 integer. */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
      if (shift > 35) throw new RangeError('LEB128 too long');
    }
  }

  /** i32 reads a signed LEB128 integer. */
  i32(): number {
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.u8();
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while ((b & 0x80) !== 0 && shift < 35);
    if (shift < 32 && (b & 0x40) !== 0) result |= ~0 << shift;
    return result | 0;
  }

  /** bytes reads n raw bytes (a view, not a copy). */
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.end) throw new RangeError('unexpected end of wasm bytes');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** name reads a length-prefixed UTF-8 string. */
  name(): string {
    return new TextDecoder().decode(this.bytes(this.u32()));
  }
}
