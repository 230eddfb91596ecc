// One client connection during startup, as explicit state: its id and address, the frame channel
// (replaced once by the TLS upgrade), whether it is encrypted, logged in or aborted, and the
// upstream once there is one. fail() is the one way a startup ends in error.

import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { createSocketChannel } from '../../net/index.js';
import type { SocketChannel, SocketChannelOptions } from '../../net/index.js';
import { ProxyError, toErrorFields } from '../../errors.js';
import type { UpstreamLogin } from '../../upstream/index.js';
import { encodeBackend } from '../../wire/index.js';
import type { SessionEnvironment } from './environment.js';

/** channelOptions frames a client socket: messages up to max_message_bytes, queues bounded by max_queued_bytes. */
function channelOptions(env: SessionEnvironment): SocketChannelOptions {
  return { maxFrameBytes: env.limits.maxMessageBytes, maxQueuedBytes: env.limits.maxQueuedBytes, startup: true };
}

/** ClientConnection is the state of one connection from accept to the end of its session. */
export class ClientConnection {
  readonly id = randomUUID();
  readonly clientAddress: string;
  readonly env: SessionEnvironment;
  /** socket is the accepted socket (the TLS socket after an upgrade wraps it). */
  readonly socket: Socket;
  /** channel is the client side as frames (a new one after the TLS upgrade). */
  channel: SocketChannel;
  tls = false;
  loggedIn = false;
  aborted = false;
  upstream: UpstreamLogin | undefined;
  /** startupTimer ends a connection that has not logged in within the allowed time. */
  startupTimer: NodeJS.Timeout | undefined;

  /** constructor starts reading the socket's untagged startup packets. */
  constructor(socket: Socket, env: SessionEnvironment) {
    this.socket = socket;
    this.env = env;
    this.clientAddress = socket.remoteAddress ?? '';
    this.channel = createSocketChannel(socket, channelOptions(env));
  }

  /** markLoggedIn records that the client was greeted; the startup timeout no longer applies. */
  markLoggedIn(): void {
    this.loggedIn = true;
    clearTimeout(this.startupTimer);
  }

  /** useTls replaces the channel with one over the upgraded socket. */
  useTls(secure: Socket): void {
    this.channel = createSocketChannel(secure, channelOptions(this.env));
    this.tls = true;
  }

  /** fail reports the error to the client (when still open) as FATAL and closes everything. */
  fail(err: unknown): void {
    this.aborted = true;
    if (!(err instanceof ProxyError)) {
      this.env.events.publish({ type: 'session.failed', session: this.id, subject: '', message: String(err) });
    }
    try {
      this.channel.write(encodeBackend({ kind: 'errorResponse', ...toErrorFields(err), severity: 'FATAL' }));
    } catch {
      // the encoder only throws for our own bugs; the connection closes anyway
    }
    this.channel.end();
    destroySoon(this.channel);
    this.upstream?.destroy();
  }
}

/** destroySoon destroys a channel that has not closed a while after end() (a peer that never closes its side). */
export function destroySoon(channel: SocketChannel): void {
  setTimeout(() => channel.destroy(), 5_000).unref();
}
