// Socket writes of one tick, sent as one: the query cycle forwards an answer frame by frame
// (RowDescription, DataRow, CommandComplete, ReadyForQuery), and a socket write per frame costs
// a system call each. Bytes written during one turn of the event loop are queued and handed to
// the socket together once the current tick's microtasks are done (process.nextTick), i.e. as
// soon as the session waits for I/O; frames that lie side by side in one received chunk are
// sent as a single view of it, without copying.

/** COPY_LIMIT is the size up to which queued chunks are copied into one buffer; above it they go out as a corked writev. */
const COPY_LIMIT = 64 * 1024;

/** CoalescerSink is the socket side of a WriteCoalescer. */
export type CoalescerSink = {
  /** write hands bytes to the socket. */
  readonly write: (bytes: Uint8Array) => void;
  /** cork and uncork bracket several writes that should leave in one system call (net.Socket's own). */
  readonly cork: () => void;
  readonly uncork: () => void;
};

/**
 * WriteCoalescer queues writes and flushes them at the end of the current tick, in order. It never
 * holds bytes past the tick they were written in, so nothing waits on a later event.
 */
export class WriteCoalescer {
  readonly #sink: CoalescerSink;
  #pending: Uint8Array[] = [];
  /** #lastLength, when set, is the length the last pending view has grown to (the view itself is made at flush). */
  #lastLength = -1;
  #bytes = 0;
  #scheduled = false;
  readonly #flushSoon = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  /** constructor binds the coalescer to a socket. */
  constructor(sink: CoalescerSink) {
    this.#sink = sink;
  }

  /** pendingBytes is the number of bytes queued and not yet handed to the socket. */
  get pendingBytes(): number {
    return this.#bytes;
  }

  /** write queues bytes; the caller must not change them afterwards (frames are views of received chunks). */
  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const last = this.#pending.length - 1;
    const prev = this.#pending[last];
    const prevLength = this.#lastLength >= 0 ? this.#lastLength : (prev?.length ?? 0);
    if (prev !== undefined && prev.buffer === bytes.buffer && prev.byteOffset + prevLength === bytes.byteOffset) {
      // the next frame of the same received chunk: the last view grows (made once, at flush)
      this.#lastLength = prevLength + bytes.length;
    } else {
      this.#settleLast();
      this.#pending.push(bytes);
    }
    this.#bytes += bytes.length;
    if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.#flushSoon);
    }
  }

  /** flush hands everything queued to the socket now (before end(), a TLS upgrade, …). */
  /** #settleLast makes the grown last view. */
  #settleLast(): void {
    if (this.#lastLength < 0) return;
    const last = this.#pending.length - 1;
    const prev = this.#pending[last] as Uint8Array;
    this.#pending[last] = Buffer.from(prev.buffer, prev.byteOffset, this.#lastLength);
    this.#lastLength = -1;
  }

  flush(): void {
    this.#settleLast();
    const chunks = this.#pending;
    const bytes = this.#bytes;
    if (chunks.length === 0) return;
    this.#pending = [];
    this.#bytes = 0;
    if (chunks.length === 1) {
      this.#sink.write(chunks[0] as Uint8Array);
    } else if (bytes <= COPY_LIMIT) {
      this.#sink.write(Buffer.concat(chunks, bytes));
    } else {
      this.#sink.cork();
      for (const c of chunks) this.#sink.write(c);
      this.#sink.uncork();
    }
  }

  /** discard forgets what is queued (the socket is being destroyed). */
  discard(): void {
    this.#pending = [];
    this.#lastLength = -1;
    this.#bytes = 0;
  }
}
