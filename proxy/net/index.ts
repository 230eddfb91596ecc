// Public surface of proxy/net: the transport under both sides of a session. A net or TLS socket
// becomes a FrameChannel (framing through proxy/wire, backpressure, one coalesced write per
// tick). Used by proxy/upstream (the gateway as a client) and proxy/session (the client side).
// Re-exports only.

export { createSocketChannel, DEFAULT_MAX_QUEUED_BYTES } from './channel.js';
export type { SocketChannel, SocketChannelOptions } from './channel.js';
export type { ChannelBytes, FrameChannel } from './types.js';
export { isLoopbackAddress } from './loopback.js';
