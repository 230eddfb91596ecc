// One client connection during startup, as explicit state: its id and address, the frame channel
// (replaced once by the TLS upgrade), whether it is encrypted, logged in or aborted, its place in
// the gateway's connection limits, and the upstream once there is one. fail() is the one way a
// startup ends in error. The message timeout watches the channel from accept to close: a message
// begun and not completed within limits.message_timeout ends the connection (before login
// through fail(), after it through the session's own ending, `terminate`).

import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { createSocketChannel } from '../../net/index.js';
import type { SocketChannel, SocketChannelOptions } from '../../net/index.js';
import { ProxyError, toErrorFields } from '../../errors.js';
import type { UpstreamLogin } from '../../upstream/index.js';
import { encodeBackend } from '../../wire/index.js';
import { messageTimeout } from '../errors.js';
import type { Admission, SessionEnvironment } from './environment.js';

/** UNLIMITED is the admission of a connection the caller does not count (every step allowed). */
const UNLIMITED: Admission = { onCrowdedOut() {}, presented() {}, authenticate: () => true };

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
  /** admission is the connection's place in the gateway's connection limits. */
  readonly admission: Admission;
  /** channel is the client side as frames (a new one after the TLS upgrade). */
  channel: SocketChannel;
  tls = false;
  loggedIn = false;
  aborted = false;
  upstream: UpstreamLogin | undefined;
  /** startupTimer ends a connection that has not logged in within the allowed time. */
  startupTimer: NodeJS.Timeout | undefined;
  /** authenticationTimer ends a connection that has not authenticated within limits.authentication_timeout. */
  authenticationTimer: NodeJS.Timeout | undefined;
  /** terminate ends the connection with a FATAL error: fail() until the session starts, then the session's own ending. */
  terminate: (error: ProxyError) => void = (error) => this.fail(error);
  #unwatch: () => void = () => {};

  /** constructor starts reading the socket's untagged startup packets. */
  constructor(socket: Socket, env: SessionEnvironment, admission: Admission = UNLIMITED) {
    this.socket = socket;
    this.env = env;
    this.admission = admission;
    this.clientAddress = socket.remoteAddress ?? '';
    this.channel = createSocketChannel(socket, channelOptions(env));
    this.#watchMessages();
  }

  /** markLoggedIn records that the client was greeted; the startup timeout no longer applies. */
  markLoggedIn(): void {
    this.loggedIn = true;
    clearTimeout(this.startupTimer);
  }

  /** useTls replaces the channel with one over the upgraded socket. */
  useTls(secure: Socket): void {
    this.#unwatch();
    this.channel = createSocketChannel(secure, channelOptions(this.env));
    this.tls = true;
    this.#watchMessages();
  }

  /** fail reports the error to the client (when still open) as FATAL and closes everything. */
  fail(err: unknown): void {
    this.aborted = true;
    clearTimeout(this.authenticationTimer);
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

  /**
   * #watchMessages arms the message timeout at the first byte of a message and disarms it when the
   * message is complete. Bytes are counted after the channel framed them (its listener runs first):
   * when fewer bytes stay buffered than before plus the chunk, a message completed and any
   * remainder began in this chunk. While the channel has paused the socket (backpressure: the
   * gateway, not the client, is behind), the timeout waits.
   */
  #watchMessages(): void {
    const timeoutMs = this.env.limits.messageTimeoutMs;
    if (timeoutMs === undefined) return;
    const channel = this.channel;
    const socket = channel.socket;
    let buffered = channel.bufferedBytes;
    let timer: NodeJS.Timeout | undefined;
    const disarm = (): void => {
      clearTimeout(timer);
      timer = undefined;
    };
    const expire = (): void => {
      timer = undefined;
      if (this.aborted || channel.closed || channel.bufferedBytes === 0) return;
      if (socket.isPaused()) {
        timer = setTimeout(expire, timeoutMs);
        return;
      }
      this.terminate(messageTimeout(timeoutMs));
    };
    const onData = (chunk: Buffer): void => {
      const before = buffered;
      buffered = channel.bufferedBytes;
      if (buffered === 0) disarm();
      else if (timer === undefined || buffered < before + chunk.length) {
        disarm();
        timer = setTimeout(expire, timeoutMs);
      }
    };
    socket.on('data', onData);
    socket.once('close', disarm);
    this.#unwatch = () => {
      disarm();
      socket.off('data', onData);
      socket.off('close', disarm);
    };
  }
}

/** destroySoon destroys a channel that has not closed a while after end() (a peer that never closes its side). */
export function destroySoon(channel: SocketChannel): void {
  setTimeout(() => channel.destroy(), 5_000).unref();
}
