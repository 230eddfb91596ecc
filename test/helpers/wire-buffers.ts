// Builders for PostgreSQL protocol fixtures (pg-protocol's src/testing/test-buffers.ts, in our
// types): `frontend.query('select 1')`, `backend.dataRow(['a', null])`, … Written independently
// of proxy/wire's encoders so codec tests compare against a second implementation, not themselves.

import { FrameReader } from '../../proxy/wire/index.js';
import type { TaggedFrame, UntaggedFrame } from '../../proxy/wire/index.js';

/** BufferList accumulates big-endian fields and joins them into a tagged or untagged message. */
export class BufferList {
  readonly #parts: Buffer[] = [];

  /** add appends raw bytes. */
  add(b: Buffer): this {
    this.#parts.push(b);
    return this;
  }
  /** addByte appends one byte. */
  addByte(v: number): this {
    return this.add(Buffer.from([v & 0xff]));
  }
  /** addInt16 appends a big-endian int16 (signed or unsigned input). */
  addInt16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v & 0xffff);
    return this.add(b);
  }
  /** addInt32 appends a big-endian int32 (signed or unsigned input). */
  addInt32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    return this.add(b);
  }
  /** addCString appends UTF-8 text and a NUL. */
  addCString(s: string): this {
    return this.add(Buffer.from(s, 'utf8')).addByte(0);
  }
  /** addString appends UTF-8 text without a terminator. */
  addString(s: string): this {
    return this.add(Buffer.from(s, 'utf8'));
  }
  /** join returns tag + int32 length + payload (tag omitted for startup packets). */
  join(tag?: string): Buffer {
    const payload = Buffer.concat(this.#parts);
    const head = Buffer.alloc(4);
    head.writeInt32BE(payload.length + 4);
    return tag === undefined ? Buffer.concat([head, payload]) : Buffer.concat([Buffer.from(tag, 'latin1'), head, payload]);
  }
}

/** message builds a tagged message from a tag and a raw payload (for malformed fixtures). */
export function message(tag: string, payload: Buffer = Buffer.alloc(0)): Buffer {
  return new BufferList().add(payload).join(tag);
}

const startupCode = (code: number): Buffer => new BufferList().addInt32(code).join();

/** frontend builds client → server messages. */
export const frontend = {
  startup(params: Record<string, string>, version = 196608): Buffer {
    const b = new BufferList().addInt32(version);
    for (const [k, v] of Object.entries(params)) b.addCString(k).addCString(v);
    return b.addByte(0).join();
  },
  sslRequest: (): Buffer => startupCode(80877103),
  gssEncRequest: (): Buffer => startupCode(80877104),
  cancelRequest: (processId: number, secretKey: number): Buffer =>
    new BufferList().addInt32(80877102).addInt32(processId).addInt32(secretKey).join(),
  password: (password: string): Buffer => new BufferList().addCString(password).join('p'),
  saslInitialResponse(mechanism: string, data: Buffer | null): Buffer {
    const b = new BufferList().addCString(mechanism);
    if (data === null) b.addInt32(-1);
    else b.addInt32(data.length).add(data);
    return b.join('p');
  },
  saslResponse: (data: Buffer): Buffer => new BufferList().add(data).join('p'),
  query: (sql: string): Buffer => new BufferList().addCString(sql).join('Q'),
  parse(opts: { name?: string; text: string; types?: number[] }): Buffer {
    const b = new BufferList()
      .addCString(opts.name ?? '')
      .addCString(opts.text)
      .addInt16(opts.types?.length ?? 0);
    for (const t of opts.types ?? []) b.addInt32(t);
    return b.join('P');
  },
  bind(opts: {
    portal?: string;
    statement?: string;
    paramFormats?: number[];
    values?: (Buffer | string | null)[];
    resultFormats?: number[];
  }): Buffer {
    const b = new BufferList().addCString(opts.portal ?? '').addCString(opts.statement ?? '');
    b.addInt16(opts.paramFormats?.length ?? 0);
    for (const f of opts.paramFormats ?? []) b.addInt16(f);
    b.addInt16(opts.values?.length ?? 0);
    for (const v of opts.values ?? []) {
      if (v === null) b.addInt32(-1);
      else {
        const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
        b.addInt32(bytes.length).add(bytes);
      }
    }
    b.addInt16(opts.resultFormats?.length ?? 0);
    for (const f of opts.resultFormats ?? []) b.addInt16(f);
    return b.join('B');
  },
  describe: (target: 'S' | 'P', name = ''): Buffer => new BufferList().addString(target).addCString(name).join('D'),
  execute: (portal = '', maxRows = 0): Buffer => new BufferList().addCString(portal).addInt32(maxRows).join('E'),
  sync: (): Buffer => message('S'),
  flush: (): Buffer => message('H'),
  close: (target: 'S' | 'P', name = ''): Buffer => new BufferList().addString(target).addCString(name).join('C'),
  copyData: (data: Buffer): Buffer => message('d', data),
  copyDone: (): Buffer => message('c'),
  copyFail: (msg: string): Buffer => new BufferList().addCString(msg).join('f'),
  terminate: (): Buffer => message('X'),
  functionCall(oid: number, args: Buffer[] = []): Buffer {
    const b = new BufferList().addInt32(oid).addInt16(0).addInt16(args.length);
    for (const a of args) b.addInt32(a.length).add(a);
    return b.addInt16(0).join('F');
  },
};

/** FieldSpec describes one RowDescription column for backend.rowDescription (omitted numbers are 0). */
export type FieldSpec = {
  name: string;
  tableOID?: number;
  columnAttr?: number;
  dataTypeOID?: number;
  dataTypeSize?: number;
  typeModifier?: number;
  format?: number;
};

const auth = (method: number, rest: Buffer = Buffer.alloc(0)): Buffer => new BufferList().addInt32(method).add(rest).join('R');

function notice(tag: string, fields: Record<string, string>): Buffer {
  const b = new BufferList();
  for (const [k, v] of Object.entries(fields)) b.addString(k).addCString(v);
  return b.addByte(0).join(tag);
}

function copyResponse(tag: string, format: number, columnFormats: number[]): Buffer {
  const b = new BufferList().addByte(format).addInt16(columnFormats.length);
  for (const f of columnFormats) b.addInt16(f);
  return b.join(tag);
}

/** backend builds server → client messages. */
export const backend = {
  authenticationOk: (): Buffer => auth(0),
  authenticationCleartextPassword: (): Buffer => auth(3),
  authenticationMD5Password: (salt: Buffer): Buffer => auth(5, salt),
  authenticationSASL(mechanisms: string[]): Buffer {
    const b = new BufferList();
    for (const m of mechanisms) b.addCString(m);
    return auth(10, b.addByte(0).join().subarray(4));
  },
  authenticationSASLContinue: (data: Buffer): Buffer => auth(11, data),
  authenticationSASLFinal: (data: Buffer): Buffer => auth(12, data),
  authenticationGSS: (): Buffer => auth(7),
  parameterStatus: (name: string, value: string): Buffer => new BufferList().addCString(name).addCString(value).join('S'),
  backendKeyData: (processId: number, secretKey: number): Buffer => new BufferList().addInt32(processId).addInt32(secretKey).join('K'),
  readyForQuery: (status: 'I' | 'T' | 'E' = 'I'): Buffer => new BufferList().addString(status).join('Z'),
  rowDescription(fields: FieldSpec[]): Buffer {
    const b = new BufferList().addInt16(fields.length);
    for (const f of fields) {
      b.addCString(f.name)
        .addInt32(f.tableOID ?? 0)
        .addInt16(f.columnAttr ?? 0)
        .addInt32(f.dataTypeOID ?? 0)
        .addInt16(f.dataTypeSize ?? 0)
        .addInt32(f.typeModifier ?? 0)
        .addInt16(f.format ?? 0);
    }
    return b.join('T');
  },
  dataRow(values: (Buffer | string | null)[]): Buffer {
    const b = new BufferList().addInt16(values.length);
    for (const v of values) {
      if (v === null) b.addInt32(-1);
      else {
        const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
        b.addInt32(bytes.length).add(bytes);
      }
    }
    return b.join('D');
  },
  commandComplete: (tag: string): Buffer => new BufferList().addCString(tag).join('C'),
  errorResponse: (fields: Record<string, string>): Buffer => notice('E', fields),
  noticeResponse: (fields: Record<string, string>): Buffer => notice('N', fields),
  parseComplete: (): Buffer => message('1'),
  bindComplete: (): Buffer => message('2'),
  closeComplete: (): Buffer => message('3'),
  noData: (): Buffer => message('n'),
  portalSuspended: (): Buffer => message('s'),
  emptyQueryResponse: (): Buffer => message('I'),
  copyInResponse: (format: number, columnFormats: number[]): Buffer => copyResponse('G', format, columnFormats),
  copyOutResponse: (format: number, columnFormats: number[]): Buffer => copyResponse('H', format, columnFormats),
  copyBothResponse: (format: number, columnFormats: number[]): Buffer => copyResponse('W', format, columnFormats),
  copyData: (data: Buffer): Buffer => message('d', data),
  copyDone: (): Buffer => message('c'),
  parameterDescription(oids: number[]): Buffer {
    const b = new BufferList().addInt16(oids.length);
    for (const o of oids) b.addInt32(o);
    return b.join('t');
  },
  notification: (processId: number, channel: string, payload: string): Buffer =>
    new BufferList().addInt32(processId).addCString(channel).addCString(payload).join('A'),
};

/** frameOf cuts exactly one complete frame out of bytes with a real FrameReader (untagged when startup is true). */
export function frameOf(bytes: Buffer, startup = false): TaggedFrame | UntaggedFrame {
  const frames = new FrameReader({ maxFrameBytes: 1 << 30, startup }).push(bytes);
  const f = frames[0];
  if (frames.length !== 1 || f === undefined || f.kind === 'skipped' || f.kind === 'part' || f.raw.length !== bytes.length) {
    throw new Error(`frameOf: expected exactly one frame in ${bytes.length} bytes, got ${frames.length}`);
  }
  return f;
}
