// A FrameChannel over a net or TLS socket: socket chunks go through proxy/wire's FrameReader and
// come out as complete frames, pulled with next(). Backpressure: the socket is paused while more
// than `highWaterFrames` frames wait unread, and resumed when the reader catches up. A framing
// error (oversize or impossible length) is raised by the reader and delivered, after the frames
// before it, as the rejection of next(); the socket stops being read from then on. Writes of one
// tick leave together (write-coalescer.ts).

import type { Socket } from 'node:net';
import { FrameReader } from '../wire/index.js';
import type { Frame } from '../wire/index.js';
import type { FrameChannel } from './types.js';
import { WriteCoalescer } from './write-coalescer.js';

/** SocketChannelOptions configures createSocketChannel. */
export type SocketChannelOptions = {
  /** maxFrameBytes caps one tagged frame's declared length (FrameTooLargeError above it). */
  readonly maxFrameBytes: number;
  /** startup: true for a client connection, which begins with untagged packets. */
  readonly startup: boolean;
  /** highWaterFrames pauses the socket while more frames than this wait unread (default 64). */
  readonly highWaterFrames?: number;
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
  /** whenWritable resolves once the socket's write buffer is below its high-water mark (or the socket closed). */
  whenWritable(): Promise<void>;
  /** destroy closes the socket at once, dropping unsent bytes. */
  destroy(): void;
}

const DEFAULT_HIGH_WATER_FRAMES = 64;

/** createSocketChannel starts reading `socket` into frames; it owns the socket's data/end/close/error events from now on. */
export function createSocketChannel(socket: Socket, options: SocketChannelOptions): SocketChannel {
  const reader = new FrameReader({ maxFrameBytes: options.maxFrameBytes, startup: options.startup });
  const highWater = options.highWaterFrames ?? DEFAULT_HIGH_WATER_FRAMES;
  const queue: Frame[] = [];
  let head = 0;
  let failure: unknown;
  let ended = false;
  let closed = false;
  let detached = false;
  let waiter: { resolve: (f: Frame | undefined) => void; reject: (e: unknown) => void } | undefined;
  const writable = (): boolean => !socket.destroyed && socket.writable;
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
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else if (head > 1024) {
      queue.splice(0, head);
      head = 0;
    }
    if (!detached && failure === undefined && socket.isPaused() && queue.length - head <= highWater / 2) socket.resume();
    return frame;
  };

  const enqueue = (frames: readonly Frame[]): void => {
    for (const f of frames) queue.push(f);
    if (queue.length - head > highWater) socket.pause();
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
      if (writable()) out.write(bytes);
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
      if (!socket.writableNeedDrain || socket.destroyed) return Promise.resolve();
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
