// Static data of a generated policy: the constants table (filled by the start function), the
// (addr, len) descriptors of the constant JSON texts, the texts themselves and interned
// NUL-terminated ASCII strings (abort messages, builtin call locations), and raw blobs (tzdata).
// In: base address and constant texts. Out: one contiguous byte run placed at `base`.

import { ByteWriter, encodeUtf8 } from './encoder.js';

/** StaticData lays out static bytes starting at a fixed base address. */
export class StaticData {
  /** base is the address of the first byte. */
  readonly base: number;
  /** tableAddr is where constant i's value pointer lives (tableAddr + 4*i), filled at start. */
  readonly tableAddr: number;
  /** descAddr holds constCount pairs of (text address, text length). */
  readonly descAddr: number;
  /** constCount is the number of constants. */
  readonly constCount: number;
  private readonly w = new ByteWriter(1024);
  private readonly interned = new Map<string, number>();

  constructor(base: number, texts: readonly string[]) {
    this.base = base;
    this.constCount = texts.length;
    this.tableAddr = base;
    this.descAddr = base + 4 * texts.length;
    const encoded = texts.map((t) => encodeUtf8(t));
    this.w.zeros(4 * texts.length);
    let at = this.descAddr + 8 * texts.length;
    for (const e of encoded) {
      this.w.u32le(at).u32le(e.length);
      at += e.length;
    }
    for (const e of encoded) this.w.bytes(e);
  }

  /** constAddr is the address of constant i's value pointer. */
  constAddr(i: number): number {
    return this.tableAddr + 4 * i;
  }

  /** cstring interns a NUL-terminated ASCII string (non-ASCII becomes `?`) and returns its address. */
  cstring(text: string): number {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the terminator, so it is replaced like non-ASCII
    const ascii = text.replace(/[^\x01-\x7f]/g, '?');
    const known = this.interned.get(ascii);
    if (known !== undefined) return known;
    const addr = this.base + this.w.length;
    for (let i = 0; i < ascii.length; i++) this.w.u8(ascii.charCodeAt(i));
    this.w.u8(0);
    this.interned.set(ascii, addr);
    return addr;
  }

  /** blob places raw bytes at the next 8-aligned address and returns it. */
  blob(bytes: Uint8Array): number {
    while (this.w.length % 8 !== 0) this.w.u8(0);
    const addr = this.base + this.w.length;
    this.w.bytes(bytes);
    return addr;
  }

  /** end is the first address past the static data. */
  get end(): number {
    return this.base + this.w.length;
  }

  /** bytes returns the static data bytes (to be placed at `base`). */
  bytes(): Uint8Array {
    return this.w.toBytes();
  }
}
