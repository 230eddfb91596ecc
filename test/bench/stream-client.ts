// The large-result section's client: one simple-protocol query read to ReadyForQuery while
// holding no rows. Bytes in are cut into messages by header alone (tag and length); DataRows after
// the first few are counted and skipped where they lie in the socket's chunks, never copied or
// decoded, so the client costs next to nothing beside the proxy it measures. Login and the few
// kept messages go through the gateway's own codec (proxy/wire) and password methods
// (proxy/upstream), so it logs in wherever the bench does: SCRAM directly, cleartext through
// pgbouncer's plain auth and through Portcullis (the password is the token).

import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { createScramClient, md5Password } from '../../proxy/upstream/index.js';
import type { ScramClient } from '../../proxy/upstream/index.js';
import { BACKEND_TAGS, decodeBackend, encodeFrontend } from '../../proxy/wire/index.js';
import type { BackendMessage, TaggedFrame } from '../../proxy/wire/index.js';
import type { Endpoint } from './pgbench-tool.js';

/** HEADER_BYTES is a backend message's tag byte and int32 length (the length counts itself, not the tag). */
const HEADER_BYTES = 5;

/**
 * RowSkippingFramer cuts a backend byte stream into messages by their headers. Every message but
 * a DataRow reaches `onMessage` whole, and so do the first `keepRows` DataRows; later DataRows are
 * counted and their bytes skipped as they arrive, so a result of any size holds at most one
 * non-row message and a partial header.
 */
export class RowSkippingFramer {
  /** rows is how many DataRows went by; dataRowBytes their bytes, headers included. */
  rows = 0;
  dataRowBytes = 0;
  readonly #onMessage: (frame: TaggedFrame) => void;
  readonly #keepRows: number;
  readonly #head = Buffer.alloc(HEADER_BYTES);
  #headLength = 0;
  /** #skip is how many bytes of the current DataRow's body are still to come. */
  #skip = 0;
  /** #kept collects the current message when it is handed on whole (#keepLeft bytes still to come). */
  #kept: Buffer[] = [];
  #keepLeft = 0;

  constructor(onMessage: (frame: TaggedFrame) => void, keepRows = 1) {
    this.#onMessage = onMessage;
    this.#keepRows = keepRows;
  }

  /** push takes the next chunk of the stream (any size, cut anywhere). */
  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - at);
        this.#skip -= n;
        at += n;
      } else if (this.#keepLeft > 0) {
        const n = Math.min(this.#keepLeft, chunk.length - at);
        this.#kept.push(chunk.subarray(at, at + n));
        this.#keepLeft -= n;
        at += n;
        if (this.#keepLeft === 0) this.#deliver();
      } else if (this.#headLength === 0 && chunk.length - at >= HEADER_BYTES) {
        // the common case: a whole header inside this chunk
        this.#begin(chunk[at] as number, chunk.readInt32BE(at + 1), chunk.subarray(at, at + HEADER_BYTES));
        at += HEADER_BYTES;
      } else {
        const n = Math.min(HEADER_BYTES - this.#headLength, chunk.length - at);
        chunk.copy(this.#head, this.#headLength, at, at + n);
        this.#headLength += n;
        at += n;
        if (this.#headLength === HEADER_BYTES) {
          this.#headLength = 0;
          this.#begin(this.#head[0] as number, this.#head.readInt32BE(1), Buffer.from(this.#head));
        }
      }
    }
  }

  /** #begin starts a message from its header: a DataRow past the kept ones is skipped, anything else collected. */
  #begin(code: number, length: number, header: Buffer): void {
    if (length < 4) throw new Error(`backend message '${String.fromCharCode(code)}' declares length ${length} (< 4)`);
    const body = length - 4;
    if (code === BACKEND_TAGS.dataRow) {
      this.rows += 1;
      this.dataRowBytes += HEADER_BYTES + body;
      if (this.rows > this.#keepRows) {
        this.#skip = body;
        return;
      }
    }
    this.#kept = [header];
    this.#keepLeft = body;
    if (body === 0) this.#deliver();
  }

  #deliver(): void {
    const raw = Buffer.concat(this.#kept);
    this.#kept = [];
    const code = raw[0] as number;
    this.#onMessage({ kind: 'tagged', code, tag: String.fromCharCode(code), payload: raw.subarray(HEADER_BYTES), raw });
  }
}

/** StreamedResult is what one streamed query returned, with its size and how long it took. */
export type StreamedResult = {
  /** tag is the last CommandComplete tag (e.g. `SELECT 1000000`). */
  readonly tag: string;
  /** bytes is everything received from sending the query to ReadyForQuery. */
  readonly bytes: number;
  /** columns are the last RowDescription's column names. */
  readonly columns: readonly string[];
  /** rows is the DataRows received; dataRowBytes their bytes, headers included. */
  readonly rows: number;
  readonly dataRowBytes: number;
  /** firstRow is the first DataRow's values as UTF-8 text (undefined when there were no rows). */
  readonly firstRow: readonly (string | null)[] | undefined;
  /** seconds is the wall time from sending the query to ReadyForQuery. */
  readonly seconds: number;
};

/** StreamOptions tune streamQuery. */
export type StreamOptions = {
  /** timeoutMs bounds login plus the whole query (default 10 minutes). */
  readonly timeoutMs?: number;
};

/**
 * streamQuery logs in to `endpoint`, runs `sql` as one simple Query and reads the answer to
 * ReadyForQuery, then terminates the session. It rejects on a refused login or an ErrorResponse
 * (with the server's SQLSTATE and message), a closed connection or the timeout.
 */
export function streamQuery(endpoint: Endpoint, sql: string, options: StreamOptions = {}): Promise<StreamedResult> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: endpoint.host, port: endpoint.port, noDelay: true });
    let settled = false;
    const finish = (outcome: StreamedResult | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome instanceof Error) {
        socket.destroy();
        reject(outcome);
      } else {
        socket.end(encodeFrontend({ kind: 'terminate' }));
        resolve(outcome);
      }
    };
    const timer = setTimeout(() => finish(new Error(`no ReadyForQuery from ${where(endpoint)} within ${timeoutMs} ms`)), timeoutMs);
    const framer: RowSkippingFramer = new RowSkippingFramer((frame) => {
      try {
        session.receive(decodeBackend(frame));
      } catch (e) {
        finish(e as Error);
      }
    });
    const session = new QuerySession(endpoint, sql, framer, (bytes) => socket.write(bytes), finish);
    socket.on('data', (chunk: Buffer) => {
      if (session.querying) session.bytes += chunk.length;
      try {
        framer.push(chunk);
      } catch (e) {
        finish(e as Error);
      }
    });
    socket.on('error', (e) => finish(new Error(`${where(endpoint)}: ${e.message}`)));
    socket.on('close', () => finish(new Error(`${where(endpoint)} closed the connection before ReadyForQuery`)));
    socket.once('connect', () => socket.write(encodeFrontend({ kind: 'startup', user: endpoint.user, database: endpoint.database })));
  });
}

function where(endpoint: Endpoint): string {
  return `${endpoint.host}:${endpoint.port}`;
}

/** QuerySession is streamQuery's state: logging in, then one query until ReadyForQuery. */
class QuerySession {
  querying = false;
  bytes = 0;
  readonly #endpoint: Endpoint;
  readonly #sql: string;
  /** #counts is the framer, whose row counters are the result's. */
  readonly #counts: { readonly rows: number; readonly dataRowBytes: number };
  readonly #write: (bytes: Buffer) => void;
  readonly #finish: (outcome: StreamedResult | Error) => void;
  #scram: ScramClient | undefined;
  #started = 0;
  #columns: readonly string[] = [];
  #firstRow: readonly (string | null)[] | undefined;
  #tag = '';
  #failed: Error | undefined;

  constructor(
    endpoint: Endpoint,
    sql: string,
    counts: { readonly rows: number; readonly dataRowBytes: number },
    write: (bytes: Buffer) => void,
    finish: (outcome: StreamedResult | Error) => void,
  ) {
    this.#endpoint = endpoint;
    this.#sql = sql;
    this.#counts = counts;
    this.#write = write;
    this.#finish = finish;
  }

  /** #sasl is the SCRAM exchange the server started; a SASL step without one is a protocol error. */
  #sasl(): ScramClient {
    if (this.#scram === undefined) throw new Error(`${where(this.#endpoint)} sent a SASL step without a SASL exchange`);
    return this.#scram;
  }

  /** receive answers one server message: the login's password steps, then the query's answer until ReadyForQuery. */
  receive(msg: BackendMessage): void {
    switch (msg.kind) {
      case 'authenticationCleartextPassword':
        this.#write(encodeFrontend({ kind: 'password', password: this.#endpoint.password }));
        return;
      case 'authenticationMD5Password':
        this.#write(encodeFrontend({ kind: 'password', password: md5Password(this.#endpoint.user, this.#endpoint.password, msg.salt) }));
        return;
      case 'authenticationSASL':
        if (!msg.mechanisms.includes('SCRAM-SHA-256'))
          throw new Error(`${where(this.#endpoint)} offers no SCRAM-SHA-256 (${msg.mechanisms.join(', ')})`);
        this.#scram = createScramClient(this.#endpoint.password);
        this.#write(encodeFrontend({ kind: 'saslInitialResponse', mechanism: 'SCRAM-SHA-256', data: this.#scram.clientFirst }));
        return;
      case 'authenticationSASLContinue':
        this.#sasl()
          .clientFinal(msg.data.toString('utf8'))
          .then(
            (data) => this.#write(encodeFrontend({ kind: 'saslResponse', data })),
            (e: Error) => this.#finish(e),
          );
        return;
      case 'authenticationSASLFinal':
        this.#sasl().verifyServerFinal(msg.data.toString('utf8'));
        return;
      case 'rowDescription':
        this.#columns = msg.fields.map((f) => f.name);
        return;
      case 'dataRow':
        this.#firstRow ??= msg.values.map((v) => (v === null ? null : v.toString('utf8')));
        return;
      case 'commandComplete':
        this.#tag = msg.tag;
        return;
      case 'errorResponse': {
        const failure = new Error(`${where(this.#endpoint)}: SQLSTATE ${msg.fields['C'] ?? '?'}: ${msg.fields['M'] ?? 'error'}`);
        // refused at login the server closes; in a query, ReadyForQuery follows
        if (!this.querying) this.#finish(failure);
        this.#failed ??= failure;
        return;
      }
      case 'readyForQuery':
        if (!this.querying) {
          this.querying = true;
          this.#started = performance.now();
          this.#write(encodeFrontend({ kind: 'query', sql: this.#sql }));
          return;
        }
        this.#finish(
          this.#failed ?? {
            bytes: this.bytes,
            rows: this.#counts.rows,
            dataRowBytes: this.#counts.dataRowBytes,
            seconds: (performance.now() - this.#started) / 1000,
            columns: this.#columns,
            firstRow: this.#firstRow,
            tag: this.#tag,
          },
        );
        return;
      case 'authenticationUnsupported':
        this.#finish(new Error(`${where(this.#endpoint)} asks for an unsupported authentication method (${msg.method})`));
        return;
      default:
        // AuthenticationOk, ParameterStatus, BackendKeyData, notices: nothing to answer
        return;
    }
  }
}
