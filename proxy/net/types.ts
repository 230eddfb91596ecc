// The transport's one abstraction: a FrameChannel is one side of a connection (a client socket
// or an upstream socket) as a pull-based stream of complete protocol frames.

import type { Frame } from '../wire/index.js';

/**
 * FrameChannel is one side of a session (the client socket or the upstream socket) as a
 * pull-based stream of complete protocol frames. Implementations apply backpressure (pause the
 * socket while frames are unread) and enforce the maximum frame size.
 */
export interface FrameChannel {
  /** next resolves with the next frame, or undefined once the peer closed. Rejects with a ProxyError on a protocol error (e.g. an oversize frame). */
  next(): Promise<Frame | undefined>;
  /** write queues bytes for the peer. */
  write(bytes: Uint8Array): void;
  /** end flushes what was written and closes the socket. */
  end(): void;
  /** closed is true once the socket has closed (either side). */
  readonly closed: boolean;
}
