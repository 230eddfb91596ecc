// A bounds-checked reader over one frame's payload. Every read past the end, missing NUL
// terminator or trailing garbage raises ProtocolViolationError (08P01) instead of a RangeError,
// so malformed input never surfaces as another kind of exception.

import { isUtf8 } from 'node:buffer';
import { InvalidEncodingError, ProtocolViolationError } from './errors.js';
import type { ProxyErrorSeverity } from '../errors.js';

/** PayloadReader reads the fields of one message payload in order. */
export class PayloadReader {
  readonly #buf: Buffer;
  readonly #what: string;
  readonly #severity: ProxyErrorSeverity;
  #offset = 0;

  /** constructor takes the payload, a name for messages ("Bind message") and the severity of violations. */
  constructor(buf: Buffer, what: string, severity: ProxyErrorSeverity = 'ERROR') {
    this.#buf = buf;
    this.#what = what;
    this.#severity = severity;
  }

  /** remaining is the number of unread bytes. */
  get remaining(): number {
    return this.#buf.length - this.#offset;
  }

  /** fail raises a protocol violation about this message. */
  fail(reason: string): never {
    throw new ProtocolViolationError(`portcullis: invalid ${this.#what}: ${reason}`, { severity: this.#severity });
  }

  #need(n: number): void {
    if (this.#buf.length - this.#offset < n) this.fail('message is too short');
  }

  /** byte reads an unsigned byte. */
  byte(): number {
    this.#need(1);
    return this.#buf[this.#offset++] as number;
  }

  /** int16 reads a signed big-endian int16. */
  int16(): number {
    this.#need(2);
    const v = this.#buf.readInt16BE(this.#offset);
    this.#offset += 2;
    return v;
  }

  /** uint16 reads an unsigned big-endian int16 (counts, which PostgreSQL reads as uint16). */
  uint16(): number {
    this.#need(2);
    const v = this.#buf.readUInt16BE(this.#offset);
    this.#offset += 2;
    return v;
  }

  /** int32 reads a signed big-endian int32. */
  int32(): number {
    this.#need(4);
    const v = this.#buf.readInt32BE(this.#offset);
    this.#offset += 4;
    return v;
  }

  /** uint32 reads an unsigned big-endian int32 (OIDs). */
  uint32(): number {
    this.#need(4);
    const v = this.#buf.readUInt32BE(this.#offset);
    this.#offset += 4;
    return v;
  }

  /** bytes returns a zero-copy view of the next n bytes. */
  bytes(n: number): Buffer {
    if (n < 0) this.fail(`negative length ${n}`);
    this.#need(n);
    const v = this.#buf.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return v;
  }

  /** skip passes over the next n bytes with the checks of bytes(n), without making a view. */
  skip(n: number): void {
    if (n < 0) this.fail(`negative length ${n}`);
    this.#need(n);
    this.#offset += n;
  }

  /** rest returns a zero-copy view of every unread byte. */
  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  /** cstringBytes returns the bytes up to the next NUL (excluded) and consumes the NUL. */
  cstringBytes(): Buffer {
    const end = this.#buf.indexOf(0, this.#offset);
    if (end === -1) this.fail('missing string terminator');
    const v = this.#buf.subarray(this.#offset, end);
    this.#offset = end + 1;
    return v;
  }

  /** cstring reads a NUL-terminated string that must be valid UTF-8 (field names the string for errors). */
  cstring(field: string): string {
    return decodeUtf8(this.cstringBytes(), `${this.#what} ${field}`);
  }

  /** looseCstring reads a NUL-terminated string, replacing invalid UTF-8 (for text the server sends). */
  looseCstring(): string {
    return this.cstringBytes().toString('utf8');
  }

  /** end checks that the whole payload was read. */
  end(): void {
    if (this.#offset !== this.#buf.length) this.fail(`${this.#buf.length - this.#offset} unexpected trailing bytes`);
  }
}

/** decodeUtf8 decodes strictly: text that is not valid UTF-8 raises InvalidEncodingError (22021). */
export function decodeUtf8(bytes: Buffer, what: string): string {
  if (!isUtf8(bytes)) throw new InvalidEncodingError(what);
  return bytes.toString('utf8');
}
