// A FrameChannel over a net or TLS socket: socket chunks go through proxy/wire's FrameReader and
// come out as complete frames, pulled with next(). Backpressure is by bytes, both ways: the socket
// is paused while more than `maxQueuedBytes` of frames wait unread (resumed once half of that is
// read), and needsDrain / whenWritable tell a writer when more than `maxQueuedBytes` wait to be
// sent, so it stops reading the other side until the socket drained. A framing
// error (oversize or impossible length) is raised by the reader and delivered, after the frames
// before it, as the rejection of next(); the socket stops being read from then on. Writes of one
// tick leave together (write-coalescer.ts).

import type { Socket } from 'node:net';
import { FrameReader } from '../wire/index.js';
import type { Frame } from '../wire/index.js';
import type { ChannelBytes, FrameChannel } from './types.js';
import { WriteCoalescer } from './write-coalescer.js';

/** SocketChannelOptions configures createSocketChannel. */
export type SocketChannelOptions = {
  /** maxFrameBytes caps one tagged frame's declared length (FrameTooLargeError above it). */
  readonly maxFrameBytes: number;
  /** startup: true for a client connection, which begins with untagged packets. */
  readonly startup: boolean;
  /** maxQueuedBytes bounds what waits unread and what waits to be sent before backpressure applies (default 1 MiB). */
  readonly maxQueuedBytes?: number;
  /** skipOversize lists tag bytes whose oversize messages are skipped (SkippedFrame) rather than failing the channel. */
  readonly skipOversize?: readonly number[];
  /** streamAbove streams messages of these types larger than `bytes` as PartFrames (FrameReaderOptions.streamAbove). */
  readonly streamAbove?: { readonly codes: readonly number[]; readonly bytes: number };
};

/** SocketChannel is a FrameChannel with the startup-phase controls the session needs. */
export interface SocketChannel extends FrameChannel {
  /** socket is the underlying net.Socket or tls.TLSSocket. */
  readonly socket: Socket;
  /** expectTagged switches the reader to tagged messages (after StartupMessage / the login). */
  expectTagged(): void;
  /** expectStartup reads one more untagged packet (after answering SSLRequest / GSSENCRequest with 'N'). */
  expectStartup(): void;
  /** bufferedBytes is the number of bytes received of a message not yet complete (0 between messages). */
  readonly bufferedBytes: number;
  /** detach stops reading the socket and returns the bytes received but not framed (must be empty before a TLS upgrade). */
  detach(): Buffer;
  /** destroy closes the socket at once, dropping unsent bytes. */
  destroy(): void;
}

/** DEFAULT_MAX_QUEUED_BYTES is the default bound of each direction's queue (limits.max_queued_bytes). */
export const DEFAULT_MAX_QUEUED_BYTES = 1_048_576;

/** createSocketChannel starts reading `socket` into frames; it owns the socket's data/end/close/error events from now on. */
export function createSocketChannel(socket: Socket, options: SocketChannelOptions): SocketChannel {
  const reader = new FrameReader({
    maxFrameBytes: options.maxFrameBytes,
    startup: options.startup,
    ...(options.skipOversize !== undefined ? { skipOversize: options.skipOversize } : {}),
    ...(options.streamAbove !== undefined ? { streamAbove: options.streamAbove } : {}),
  });
  const bound = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
  if (!Number.isInteger(bound) || bound < 1) throw new TypeError('createSocketChannel: maxQueuedBytes must be a positive integer');
  const queue: Frame[] = [];
  let head = 0;
  /** queuedBytes is the size of the frames in `queue` not yet taken. */
  let queuedBytes = 0;
  let peakRead = 0;
  let peakWrite = 0;
  let failure: unknown;
  let ended = false;
  let closed = false;
  let detached = false;
  let waiter: { resolve: (f: Frame | undefined) => void; reject: (e: unknown) => void } | undefined;
  const writable = (): boolean => !socket.destroyed && socket.writable;
  const sizeOf = (f: Frame): number => (f.kind === 'skipped' ? 0 : f.kind === 'part' ? f.bytes.length : f.raw.length);
  const writeQueued = (): number => out.pendingBytes + socket.writableLength;
  const out = new WriteCoalescer({
    write: (bytes) => {
      if (writable()) socket.write(bytes);
    },
    cork: () => socket.cork(),
    uncork: () => socket.uncork(),
  });

  const settle = (): void => {
    if (waiter === undefined) return;
    const w = waiter;
    if (head < queue.length) {
      waiter = undefined;
      w.resolve(take());
    } else if (failure !== undefined) {
      waiter = undefined;
      w.reject(failure);
    } else if (ended || closed) {
      waiter = undefined;
      w.resolve(undefined);
    }
  };

  const take = (): Frame => {
    const frame = queue[head] as Frame;
    queue[head] = undefined as unknown as Frame;
    head += 1;
    queuedBytes -= sizeOf(frame);
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else if (head > 1024) {
      queue.splice(0, head);
      head = 0;
    }
    if (!detached && failure === undefined && socket.isPaused() && queuedBytes <= bound / 2) socket.resume();
    return frame;
  };

  const enqueue = (frames: readonly Frame[]): void => {
    for (const f of frames) {
      queue.push(f);
      queuedBytes += sizeOf(f);
    }
    // a frame larger than the bound is still read whole (up to maxFrameBytes): only complete frames count
    peakRead = Math.max(peakRead, queuedBytes + reader.bufferedBytes);
    if (queuedBytes > bound) socket.pause();
    settle();
  };

  const guard = (step: () => Frame[]): void => {
    if (failure !== undefined) return;
    try {
      enqueue(step());
    } catch (err) {
      failure = err;
      socket.pause();
      settle();
    }
  };

  const onData = (chunk: Buffer): void => guard(() => reader.push(chunk));
  const onEnd = (): void => {
    ended = true;
    settle();
  };
  const onClose = (): void => {
    closed = true;
    ended = true;
    settle();
  };
  // ECONNRESET and friends: the peer is gone; 'close' follows.
  const onError = (): void => {
    ended = true;
    settle();
  };

  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('close', onClose);
  socket.on('error', onError);
  if (socket.destroyed) onClose();

  return {
    socket,
    get closed(): boolean {
      return closed || socket.destroyed;
    },
    get bufferedBytes(): number {
      return reader.bufferedBytes;
    },
    next(): Promise<Frame | undefined> {
      if (waiter !== undefined) return Promise.reject(new TypeError('FrameChannel.next: a previous next() is still pending'));
      if (head < queue.length) return Promise.resolve(take());
      if (failure !== undefined) return Promise.reject(failure);
      if (ended || closed || detached) return Promise.resolve(undefined);
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject };
      });
    },
    write(bytes: Uint8Array): void {
      if (!writable()) return;
      out.write(bytes);
      peakWrite = Math.max(peakWrite, writeQueued());
    },
    get needsDrain(): boolean {
      return writeQueued() > bound && writable();
    },
    get bytes(): ChannelBytes {
      return { unread: queuedBytes + reader.bufferedBytes, unsent: writeQueued(), peakUnread: peakRead, peakUnsent: peakWrite };
    },
    end(): void {
      out.flush();
      if (!socket.destroyed) socket.end();
    },
    destroy(): void {
      out.discard();
      socket.destroy();
    },
    expectTagged(): void {
      guard(() => reader.expectTagged());
    },
    expectStartup(): void {
      guard(() => reader.expectStartup());
    },
    detach(): Buffer {
      // what was written so far goes out before whoever takes the socket over writes to it
      out.flush();
      detached = true;
      socket.pause();
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onClose);
      socket.off('error', onError);
      // keep a no-op error listener: an error on the raw socket after the upgrade must not crash the process
      socket.on('error', () => {});
      const rest = reader.takeBuffered();
      settle();
      return rest;
    },
    whenWritable(): Promise<void> {
      if (writeQueued() <= bound || !writable()) return Promise.resolve();
      // hand what this tick queued to the socket, so its 'drain' covers it
      out.flush();
      if (socket.writableLength <= bound || !socket.writableNeedDrain) return Promise.resolve();
      return new Promise((resolve) => {
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    },
  };
}
