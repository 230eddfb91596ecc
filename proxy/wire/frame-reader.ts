// Incremental framing for one direction of a connection: bytes in (socket chunks of any size),
// complete frames out, each with its raw bytes so it can be forwarded unchanged. pg-protocol's
// header loop (decode only complete frames, remainder in one growable buffer with offset and
// length cursors), plus the untagged startup phase and a cap on declared lengths; messages of the
// types named in skipOversize that are over the cap are skipped, their bytes never held.

import { FrameTooLargeError, ProtocolViolationError } from './errors.js';
import type { WireError } from './errors.js';
import { MAX_STARTUP_PACKET_LENGTH } from './codes.js';
import type { Frame, FrameReaderOptions } from './messages.js';

// tagged: code:1 byte + length:int32 (the length counts itself, not the code)
const TAGGED_HEADER = 5;
// untagged: length:int32 + request code:int32
const UNTAGGED_HEADER = 4;
const MIN_STARTUP_LENGTH = 8;
const MIN_BUFFER = 1024;
const EMPTY = Buffer.alloc(0);

/** FrameReaderMode is what the reader cuts next: untagged startup packets, tagged messages, or nothing until told. */
export type FrameReaderMode = 'startup' | 'tagged' | 'paused';

/**
 * FrameReader cuts one direction of a connection into frames. The client direction starts in
 * startup mode; after each untagged packet it pauses (the bytes that follow may be TLS, a second
 * startup packet, or tagged messages, which only the session knows) until the session calls
 * expectTagged(), expectStartup() or takeBuffered(). Frames are zero-copy views of the pushed
 * chunks, or of an internal buffer that is never overwritten once a frame points into it, so
 * frames may be held across awaits; push() takes ownership of the chunk (do not mutate it).
 * A bad or oversize length raises a WireError and the reader stays failed.
 */
export class FrameReader {
  #buffer: Buffer = EMPTY;
  #offset = 0;
  #length = 0;
  #mode: FrameReaderMode;
  #failure: WireError | undefined;
  readonly #maxFrameBytes: number;
  readonly #maxStartupBytes: number;
  readonly #skipOversize: ReadonlySet<number>;
  /** #skip is the number of bytes of a skipped message still to come (discarded as they arrive). */
  #skip = 0;
  readonly #streamCodes: ReadonlySet<number>;
  readonly #streamAbove: number;
  /** #stream is the message being streamed: its tag and the bytes of it still to come. */
  #stream: { readonly code: number; readonly declared: number; left: number } | undefined;

  /** constructor validates the options (TypeError on misuse: they come from our own code). */
  constructor(options: FrameReaderOptions) {
    const maxStartup = options.maxStartupBytes ?? MAX_STARTUP_PACKET_LENGTH;
    if (!Number.isInteger(options.maxFrameBytes) || options.maxFrameBytes < 5) {
      throw new TypeError('FrameReader: maxFrameBytes must be an integer >= 5');
    }
    if (!Number.isInteger(maxStartup) || maxStartup < MIN_STARTUP_LENGTH) {
      throw new TypeError('FrameReader: maxStartupBytes must be an integer >= 8');
    }
    this.#maxFrameBytes = options.maxFrameBytes;
    this.#maxStartupBytes = maxStartup;
    this.#skipOversize = new Set(options.skipOversize ?? []);
    this.#streamCodes = new Set(options.streamAbove?.codes ?? []);
    this.#streamAbove = options.streamAbove?.bytes ?? Number.POSITIVE_INFINITY;
    this.#mode = options.startup ? 'startup' : 'tagged';
  }

  /** mode is what the reader cuts next. */
  get mode(): FrameReaderMode {
    return this.#mode;
  }

  /** bufferedBytes is the number of bytes received but not yet returned in a frame. */
  get bufferedBytes(): number {
    return this.#length;
  }

  /** push adds a chunk and returns the frames it completes, in order; throws a WireError on a bad length. */
  push(chunk: Buffer): Frame[] {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#skip > 0) {
      const n = Math.min(this.#skip, chunk.length);
      this.#skip -= n;
      if (n === chunk.length) return [];
      chunk = chunk.subarray(n);
    }
    const parts: Frame[] = [];
    const s = this.#stream;
    if (s !== undefined) {
      // the rest of a streamed message goes out as it arrives (the chunk is ours: no copy)
      const n = Math.min(s.left, chunk.length);
      s.left -= n;
      const last = s.left === 0;
      parts.push({
        kind: 'part',
        code: s.code,
        tag: String.fromCharCode(s.code),
        declared: s.declared,
        first: false,
        last,
        bytes: chunk.subarray(0, n),
      });
      if (last) this.#stream = undefined;
      if (n === chunk.length) return parts;
      chunk = chunk.subarray(n);
    }
    this.#merge(chunk);
    const frames = this.#cut();
    return parts.length === 0 ? frames : [...parts, ...frames];
  }

  /** expectTagged switches to tagged messages (after StartupMessage) and returns frames already buffered. */
  expectTagged(): Frame[] {
    if (this.#failure !== undefined) throw this.#failure;
    this.#mode = 'tagged';
    return this.#cut();
  }

  /** expectStartup reads one more untagged packet (after refusing SSLRequest / GSSENCRequest with 'N') and returns it if already buffered. */
  expectStartup(): Frame[] {
    if (this.#failure !== undefined) throw this.#failure;
    this.#mode = 'startup';
    return this.#cut();
  }

  /**
   * takeBuffered returns and forgets the bytes not yet framed, and pauses the reader. After an
   * accepted SSLRequest the session must find this empty: bytes sent before the TLS handshake
   * would otherwise be trusted as if encrypted (CVE-2021-23214).
   */
  takeBuffered(): Buffer {
    const rest = this.#buffer.subarray(this.#offset, this.#offset + this.#length);
    this.#buffer = EMPTY;
    this.#offset = 0;
    this.#length = 0;
    this.#mode = 'paused';
    return rest;
  }

  #fail(err: WireError): never {
    this.#failure = err;
    throw err;
  }

  #merge(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.#length === 0) {
      // nothing pending: frame straight out of the caller's chunk (zero-copy)
      this.#buffer = chunk;
      this.#offset = 0;
      this.#length = chunk.length;
      return;
    }
    const needed = this.#length + chunk.length;
    const end = this.#offset + this.#length;
    // The free tail after the pending bytes is never referenced by a returned frame, so appending
    // there is safe. The region before #offset may be, so the remainder is never moved in place.
    // A caller's chunk always ends at `end`, so it is never written into.
    if (end + chunk.length > this.#buffer.length) {
      // Grow by doubling (amortized linear copying), but never past a pending frame's declared
      // size: a peer that merely declares a large frame does not make us allocate it up front.
      const pending = this.#pendingFrameSize();
      const doubled = Math.max(MIN_BUFFER, needed * 2);
      const size = pending >= needed ? Math.min(pending, doubled) : doubled;
      const next = Buffer.allocUnsafe(size);
      this.#buffer.copy(next, 0, this.#offset, end);
      this.#buffer = next;
      this.#offset = 0;
    }
    chunk.copy(this.#buffer, this.#offset + this.#length);
    this.#length = needed;
  }

  /** #pendingFrameSize is the full size of the partial frame at the cursor when its header is buffered, else 0. */
  #pendingFrameSize(): number {
    const b = this.#buffer;
    const o = this.#offset;
    if (this.#mode === 'tagged' && this.#length >= TAGGED_HEADER) return 1 + Math.max(0, b.readInt32BE(o + 1));
    if (this.#mode === 'startup' && this.#length >= UNTAGGED_HEADER) return Math.max(0, b.readInt32BE(o));
    return 0;
  }

  #cut(): Frame[] {
    const frames: Frame[] = [];
    const buf = this.#buffer;
    let offset = this.#offset;
    const end = this.#offset + this.#length;
    for (;;) {
      const available = end - offset;
      if (this.#mode === 'tagged') {
        if (available < TAGGED_HEADER) break;
        const code = buf[offset] as number;
        const declared = buf.readInt32BE(offset + 1);
        if (declared > this.#maxFrameBytes && this.#skipOversize.has(code)) {
          // report it now and discard its bytes: what is buffered here, the rest as it arrives
          frames.push({ kind: 'skipped', code, tag: String.fromCharCode(code), declared, limit: this.#maxFrameBytes });
          const taken = Math.min(available, 1 + declared);
          offset += taken;
          this.#skip = 1 + declared - taken;
          continue;
        }
        this.#checkLength(declared, 4, this.#maxFrameBytes, code);
        if (declared > this.#streamAbove && this.#streamCodes.has(code) && available < 1 + declared) {
          // too large to hold: what is here goes out now (copied: the buffer is reused), the rest as it arrives
          const bytes = Buffer.from(buf.subarray(offset, end));
          frames.push({ kind: 'part', code, tag: String.fromCharCode(code), declared, first: true, last: false, bytes });
          this.#stream = { code, declared, left: 1 + declared - available };
          offset = end;
          break;
        }
        if (available < 1 + declared) break;
        const raw = buf.subarray(offset, offset + 1 + declared);
        frames.push({ kind: 'tagged', code, tag: String.fromCharCode(code), payload: raw.subarray(TAGGED_HEADER), raw });
        offset += 1 + declared;
      } else if (this.#mode === 'startup') {
        if (available < UNTAGGED_HEADER) break;
        const declared = buf.readInt32BE(offset);
        this.#checkLength(declared, MIN_STARTUP_LENGTH, this.#maxStartupBytes, undefined);
        if (available < declared) break;
        const raw = buf.subarray(offset, offset + declared);
        frames.push({ kind: 'untagged', payload: raw.subarray(UNTAGGED_HEADER), raw });
        offset += declared;
        this.#mode = 'paused';
      } else {
        break;
      }
    }
    if (offset === end) {
      this.#buffer = EMPTY;
      this.#offset = 0;
      this.#length = 0;
    } else {
      this.#offset = offset;
      this.#length = end - offset;
      if (this.#mode === 'paused' && this.#length > this.#maxFrameBytes) {
        this.#fail(new FrameTooLargeError(this.#length, this.#maxFrameBytes));
      }
    }
    return frames;
  }

  #checkLength(declared: number, min: number, max: number, code: number | undefined): void {
    if (declared < min) {
      const what = code === undefined ? 'startup packet' : `message of type 0x${code.toString(16).padStart(2, '0')}`;
      this.#fail(new ProtocolViolationError(`portcullis: invalid length ${declared} of ${what}`, { severity: 'FATAL' }));
    }
    if (declared > max) this.#fail(new FrameTooLargeError(declared, max));
  }
}
