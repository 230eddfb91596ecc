// Logging in to the upstream PostgreSQL as a client: TCP connect, StartupMessage, the password
// method the server asks for (cleartext, md5 or SCRAM-SHA-256; trust needs none), then
// ParameterStatus and BackendKeyData until ReadyForQuery. Every failure is an UpstreamError
// whose message names what went wrong but never the configured user or password; the upstream's
// own text is kept on the error for the operator's log.

import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { createSocketChannel } from '../net/index.js';
import type { SocketChannel } from '../net/index.js';
import { BACKEND_TAGS, decodeBackend, encodeFrontend } from '../wire/index.js';
import type { BackendMessage } from '../wire/index.js';
import { createScramClient, md5Password } from './auth-methods.js';
import type { ScramClient } from './auth-methods.js';
import { messageOf } from '../errors.js';
import { UpstreamAuthFailedError, UpstreamError, UpstreamProtocolError, UpstreamUnavailableError } from './errors.js';
import type { BackendKey, UpstreamAuthMethod, UpstreamLogin, UpstreamOptions } from './types.js';

/** DEFAULT_MAX_FRAME_BYTES sits above PostgreSQL's 1 GiB field limit, so any legal upstream message fits. */
const DEFAULT_MAX_FRAME_BYTES = 1_073_741_824 + 65_536;

/** SKIPPABLE are the messages one row travels in (DataRow, COPY TO's CopyData): over the cap, the statement fails, not the session. */
const SKIPPABLE = [BACKEND_TAGS.dataRow, BACKEND_TAGS.copyData];

/** SQLSTATEs that mean "try again later", not "your login is wrong". */
const UNAVAILABLE_STATES: Readonly<Record<string, string>> = {
  '57P03': 'the database system is starting up or shutting down',
  '57P01': 'the database system is shutting down',
  '53300': 'the upstream has too many connections',
  '53000': 'the upstream has insufficient resources',
  '08006': 'connection failure',
};

/** connectUpstream opens and logs in a connection; rejects with an UpstreamError (FATAL, 08006 or 08P01). */
export async function connectUpstream(given: UpstreamOptions): Promise<UpstreamLogin> {
  const options = await withPassword(given);
  const deadline = Date.now() + options.connectTimeoutMs;
  const socket = await openSocket(options.host, options.port, options.connectTimeoutMs);
  const channel = createSocketChannel(socket, {
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    startup: false,
    skipOversize: SKIPPABLE,
    ...(options.streamRowsAbove !== undefined ? { streamAbove: { codes: [BACKEND_TAGS.dataRow], bytes: options.streamRowsAbove } } : {}),
    ...(options.maxQueuedBytes !== undefined ? { maxQueuedBytes: options.maxQueuedBytes } : {}),
  });
  const left = Math.max(1, deadline - Date.now());
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UpstreamUnavailableError(`login timed out after ${options.connectTimeoutMs} ms`)), left);
  });
  try {
    return await Promise.race([login(channel, options), timeout]);
  } catch (err) {
    socket.destroy();
    throw err instanceof UpstreamError ? err : new UpstreamProtocolError('unreadable login response', { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** withPassword reads the password from its source, when there is one, for this login (fail closed when it cannot be read). */
async function withPassword(options: UpstreamOptions): Promise<UpstreamOptions> {
  if (options.passwordSource === undefined) return options;
  let password: string;
  try {
    password = await options.passwordSource();
  } catch (err) {
    throw new UpstreamAuthFailedError(`the gateway's upstream password could not be read (${messageOf(err)})`, { cause: err });
  }
  return { ...options, password };
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UpstreamUnavailableError(`connection timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (err: NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new UpstreamUnavailableError(describeSocketError(err), { cause: err }));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setKeepAlive(true, 60_000);
      resolve(socket);
    });
  });
}

function describeSocketError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'upstream host name not resolved';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'upstream host unreachable';
    default:
      return `connection failed (${err.code ?? 'socket error'})`;
  }
}

async function login(channel: SocketChannel, options: UpstreamOptions): Promise<UpstreamLogin> {
  channel.write(
    encodeFrontend({
      kind: 'startup',
      user: options.user,
      database: options.database,
      ...(options.applicationName !== undefined ? { applicationName: options.applicationName } : {}),
      ...(options.parameters !== undefined ? { parameters: options.parameters } : {}),
    }),
  );
  const parameters = new Map<string, string>();
  let key: BackendKey | undefined;
  let method: UpstreamAuthMethod = 'trust';
  let scram: ScramClient | undefined;
  const needPassword = (what: UpstreamAuthMethod): string => {
    if (options.password === undefined)
      throw new UpstreamAuthFailedError(`the upstream requires ${what} authentication and no password is configured`);
    return options.password;
  };
  for (;;) {
    const frame = await channel.next();
    if (frame === undefined) throw new UpstreamUnavailableError('the upstream closed the connection during login');
    const msg: BackendMessage = decodeBackend(frame);
    switch (msg.kind) {
      case 'authenticationOk':
        break;
      case 'authenticationCleartextPassword':
        method = 'password';
        channel.write(encodeFrontend({ kind: 'password', password: needPassword('password') }));
        break;
      case 'authenticationMD5Password':
        method = 'md5';
        channel.write(encodeFrontend({ kind: 'password', password: md5Password(options.user, needPassword('md5'), msg.salt) }));
        break;
      case 'authenticationSASL':
        if (!msg.mechanisms.includes('SCRAM-SHA-256')) {
          throw new UpstreamAuthFailedError(`the upstream offers only unsupported SASL mechanisms (${msg.mechanisms.join(', ')})`);
        }
        method = 'scram-sha-256';
        scram = createScramClient(needPassword('scram-sha-256'));
        channel.write(encodeFrontend({ kind: 'saslInitialResponse', mechanism: 'SCRAM-SHA-256', data: scram.clientFirst }));
        break;
      case 'authenticationSASLContinue':
        if (scram === undefined) throw new UpstreamProtocolError('SASL continue without a SASL exchange');
        channel.write(encodeFrontend({ kind: 'saslResponse', data: await scram.clientFinal(msg.data.toString('utf8')) }));
        break;
      case 'authenticationSASLFinal':
        if (scram === undefined) throw new UpstreamProtocolError('SASL final without a SASL exchange');
        scram.verifyServerFinal(msg.data.toString('utf8'));
        break;
      case 'authenticationUnsupported':
        throw new UpstreamAuthFailedError(`the upstream requires an unsupported authentication method (code ${msg.method})`);
      case 'parameterStatus':
        parameters.set(msg.name, msg.value);
        break;
      case 'backendKeyData':
        key = { processId: msg.processId, secretKey: msg.secretKey };
        break;
      case 'noticeResponse':
      case 'unknown': // e.g. NegotiateProtocolVersion: we asked for 3.0 without options
        break;
      case 'errorResponse':
        throw loginRefused(msg.fields);
      case 'readyForQuery':
        if (key === undefined) throw new UpstreamProtocolError('no BackendKeyData before ReadyForQuery');
        return loggedIn(channel, method, key, parameters);
      default:
        throw new UpstreamProtocolError(`unexpected message "${msg.kind}" during login`);
    }
  }
}

/** loginRefused maps the upstream's ErrorResponse to an error that does not repeat the upstream's text to the client. */
function loginRefused(fields: Readonly<Record<string, string>>): UpstreamError {
  const state = fields['C'] ?? 'XX000';
  const upstreamMessage = fields['M'] ?? '';
  const unavailable = UNAVAILABLE_STATES[state];
  if (unavailable !== undefined) return new UpstreamUnavailableError(`${unavailable} (SQLSTATE ${state})`, { cause: upstreamMessage });
  const what =
    state === '28P01'
      ? 'invalid password'
      : state === '28000'
        ? 'not authorized'
        : state === '3D000'
          ? 'the configured database does not exist'
          : 'login error';
  return new UpstreamAuthFailedError(`${what} (SQLSTATE ${state})`, { upstreamSqlstate: state, upstreamMessage });
}

function loggedIn(
  channel: SocketChannel,
  authMethod: UpstreamAuthMethod,
  backendKey: BackendKey,
  parameters: ReadonlyMap<string, string>,
): UpstreamLogin {
  return {
    authMethod,
    backendKey,
    parameters,
    get closed() {
      return channel.closed;
    },
    next: () => channel.next(),
    write: (bytes) => channel.write(bytes),
    get needsDrain() {
      return channel.needsDrain;
    },
    whenWritable: () => channel.whenWritable(),
    get bytes() {
      return channel.bytes;
    },
    end: () => channel.end(),
    destroy: () => channel.destroy(),
    onClose(listener) {
      if (channel.closed) queueMicrotask(listener);
      else channel.socket.once('close', () => listener());
    },
  };
}
