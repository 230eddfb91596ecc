// The transport's one abstraction: a FrameChannel is one side of a connection (a client socket
// or an upstream socket) as a pull-based stream of complete protocol frames.

import type { Frame } from '../wire/index.js';

/** ChannelBytes is what a channel holds right now, and the most it held, in bytes. */
export type ChannelBytes = {
  /** unread is the bytes received and not yet taken with next() (complete frames plus a partial one). */
  readonly unread: number;
  /** unsent is the bytes written and not yet handed to the kernel (the coalescer's queue plus the socket's buffer). */
  readonly unsent: number;
  /** peakUnread and peakUnsent are the largest values seen since the channel opened. */
  readonly peakUnread: number;
  readonly peakUnsent: number;
};

/**
 * FrameChannel is one side of a session (the client socket or the upstream socket) as a
 * pull-based stream of complete protocol frames. Implementations apply backpressure (pause the
 * socket while more than a bound of bytes are unread) and enforce the maximum frame size; a writer
 * applies the other half of it with needsDrain and whenWritable.
 */
export interface FrameChannel {
  /** next resolves with the next frame, or undefined once the peer closed. Rejects with a ProxyError on a protocol error (e.g. an oversize frame). */
  next(): Promise<Frame | undefined>;
  /** write queues bytes for the peer. */
  write(bytes: Uint8Array): void;
  /** end flushes what was written and closes the socket. */
  end(): void;
  /** needsDrain is true while more than the channel's bound of bytes wait to be sent (stop reading the other side). */
  readonly needsDrain: boolean;
  /** whenWritable resolves once at most the bound waits to be sent (after 'drain'), or the socket closed. */
  whenWritable(): Promise<void>;
  /** bytes is what the channel holds, for introspection (tests, diagnostics). */
  readonly bytes: ChannelBytes;
  /** closed is true once the socket has closed (either side). */
  readonly closed: boolean;
}
