// FrameReader: the split-point suite (every fixture, and a concatenation, fed cut at every byte
// offset gives identical frames and decoded messages), zero-copy raw bytes, frames that stay
// intact after later pushes, the startup → tagged switch, and bad or oversize lengths.

import { describe, expect, it } from 'vitest';
import { decodeBackend, decodeFrontend, FrameReader, WireError } from '../../../proxy/wire/index.js';
import type { Frame as AnyFrame, TaggedFrame, UntaggedFrame } from '../../../proxy/wire/index.js';
import { backend, frontend, message } from '../../helpers/wire-buffers.js';

const MAX = 1 << 20;

const frontendFixtures: { note: string; bytes: Buffer }[] = [
  { note: 'query', bytes: frontend.query('select 1') },
  { note: 'empty query', bytes: frontend.query('') },
  { note: 'parse', bytes: frontend.parse({ name: 's1', text: 'select $1::int', types: [23] }) },
  { note: 'bind', bytes: frontend.bind({ portal: 'p', statement: 's1', paramFormats: [0], values: ['42', null], resultFormats: [0] }) },
  { note: 'describe', bytes: frontend.describe('P', 'p') },
  { note: 'execute', bytes: frontend.execute('p', 10) },
  { note: 'sync', bytes: frontend.sync() },
  { note: 'flush', bytes: frontend.flush() },
  { note: 'close', bytes: frontend.close('S', 's1') },
  { note: 'copyData', bytes: frontend.copyData(Buffer.from('1\ta\n2\tb\n')) },
  { note: 'copyDone', bytes: frontend.copyDone() },
  { note: 'copyFail', bytes: frontend.copyFail('no') },
  { note: 'password', bytes: frontend.password('token') },
  { note: 'terminate', bytes: frontend.terminate() },
  { note: 'functionCall', bytes: frontend.functionCall(42) },
];

const backendFixtures: { note: string; bytes: Buffer }[] = [
  { note: 'authenticationOk', bytes: backend.authenticationOk() },
  { note: 'authenticationSASL', bytes: backend.authenticationSASL(['SCRAM-SHA-256']) },
  { note: 'parameterStatus', bytes: backend.parameterStatus('server_version', '17.2') },
  { note: 'backendKeyData', bytes: backend.backendKeyData(1, 2) },
  { note: 'readyForQuery', bytes: backend.readyForQuery('T') },
  {
    note: 'rowDescription',
    bytes: backend.rowDescription([{ name: 'email', tableOID: 16384, columnAttr: 2, dataTypeOID: 25, dataTypeSize: -1, typeModifier: -1 }]),
  },
  { note: 'dataRow', bytes: backend.dataRow(['a@b.c', null, '']) },
  { note: 'commandComplete', bytes: backend.commandComplete('SELECT 1') },
  { note: 'errorResponse', bytes: backend.errorResponse({ S: 'ERROR', C: '42P01', M: 'relation "x" does not exist' }) },
  { note: 'copyOutResponse', bytes: backend.copyOutResponse(0, [0, 0]) },
  { note: 'copyData', bytes: backend.copyData(Buffer.from('x\n')) },
  { note: 'emptyQueryResponse', bytes: backend.emptyQueryResponse() },
];

/** Frame is what these readers return: none of them skips oversize messages. */
type Frame = TaggedFrame | UntaggedFrame;

/** whole narrows a reader's output to complete frames (these readers never skip). */
const whole = (frames: AnyFrame[]): Frame[] => frames as Frame[];

/** collect feeds chunks to a reader and returns every frame, decoding each with decode. */
function collect(reader: FrameReader, chunks: Buffer[]): Frame[] {
  const frames: Frame[] = [];
  for (const c of chunks) frames.push(...whole(reader.push(c)));
  return frames;
}

/** cuts returns [bytes] split at every offset (including 0 and the end), then byte by byte. */
function cuts(bytes: Buffer): { at: string; chunks: Buffer[] }[] {
  const out: { at: string; chunks: Buffer[] }[] = [];
  for (let i = 0; i <= bytes.length; i++) out.push({ at: String(i), chunks: [bytes.subarray(0, i), bytes.subarray(i)] });
  out.push({ at: 'bytewise', chunks: Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)) });
  for (const size of [2, 3, 7, 13]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    out.push({ at: `chunks of ${size}`, chunks });
  }
  return out;
}

/** copies makes each chunk its own allocation, as socket reads are. */
const copies = (chunks: Buffer[]): Buffer[] => chunks.map((c) => Buffer.from(c));

const shape = (f: Frame) => ({
  kind: f.kind,
  raw: Buffer.from(f.raw),
  payload: Buffer.from(f.payload),
  ...(f.kind === 'tagged' ? { code: f.code, tag: f.tag } : {}),
});

describe('FrameReader split points', () => {
  const directions: { note: string; fixtures: { note: string; bytes: Buffer }[]; decode: (f: Frame) => unknown }[] = [
    { note: 'frontend', fixtures: frontendFixtures, decode: decodeFrontend },
    { note: 'backend', fixtures: backendFixtures, decode: decodeBackend },
  ];

  for (const { note, fixtures, decode } of directions) {
    it.each(fixtures)(`${note} $note: every cut gives the same frame and message`, ({ bytes }) => {
      const whole = collect(new FrameReader({ maxFrameBytes: MAX, startup: false }), [bytes]);
      expect(whole).toHaveLength(1);
      expect(Buffer.compare(whole[0]!.raw, bytes)).toBe(0);
      const want = whole.map(decode);
      for (const { chunks } of cuts(bytes)) {
        const got = collect(new FrameReader({ maxFrameBytes: MAX, startup: false }), copies(chunks));
        expect(got.map(shape)).toEqual(whole.map(shape));
        expect(got.map(decode)).toEqual(want);
      }
    });

    it(`${note}: a concatenation of every fixture, cut anywhere, gives the same sequence`, () => {
      const all = Buffer.concat(fixtures.map((f) => f.bytes));
      const whole = collect(new FrameReader({ maxFrameBytes: MAX, startup: false }), [all]);
      expect(whole.map((f) => Buffer.from(f.raw))).toEqual(fixtures.map((f) => f.bytes));
      const want = whole.map(decode);
      for (const { at, chunks } of cuts(all)) {
        const got = collect(new FrameReader({ maxFrameBytes: MAX, startup: false }), copies(chunks));
        // frames are compared after all pushes: earlier frames must not be overwritten by later ones
        expect(got.map(shape), `cut ${at}`).toEqual(whole.map(shape));
        expect(got.map(decode), `cut ${at}`).toEqual(want);
      }
    });
  }
});

describe('FrameReader zero-copy', () => {
  it('returns subarrays of the pushed chunk whose raw bytes equal the input', () => {
    const bytes = Buffer.concat([frontend.query('select 1'), frontend.sync()]);
    const frames = whole(new FrameReader({ maxFrameBytes: MAX, startup: false }).push(bytes));
    expect(frames).toHaveLength(2);
    expect(frames.every((f) => f.raw.buffer === bytes.buffer)).toBe(true);
    expect(frames[0]!.raw.byteOffset).toBe(bytes.byteOffset);
    expect(Buffer.concat(frames.map((f) => f.raw))).toEqual(bytes);
    expect(frames[0]!.payload).toEqual(Buffer.from('select 1\0'));
  });

  it('never writes into a chunk it was given', () => {
    const first = Buffer.from(frontend.query('select 42'));
    const before = Buffer.from(first);
    const reader = new FrameReader({ maxFrameBytes: MAX, startup: false });
    reader.push(first.subarray(0, 7));
    reader.push(Buffer.concat([first.subarray(7), frontend.sync().subarray(0, 2)]));
    reader.push(frontend.sync().subarray(2));
    expect(first).toEqual(before);
  });

  it('keeps a large frame arriving in small chunks intact while later frames are cut', () => {
    const big = frontend.copyData(Buffer.alloc(50_000, 7));
    const stream = Buffer.concat([big, frontend.copyDone(), big, frontend.copyDone()]);
    const reader = new FrameReader({ maxFrameBytes: MAX, startup: false });
    const frames: Frame[] = [];
    for (let i = 0; i < stream.length; i += 1000) frames.push(...whole(reader.push(Buffer.from(stream.subarray(i, i + 1000)))));
    expect(frames.map((f) => (f.kind === 'tagged' ? f.tag : ''))).toEqual(['d', 'c', 'd', 'c']);
    expect(frames[0]!.raw).toEqual(big);
    expect(frames[2]!.raw).toEqual(big);
    expect(reader.bufferedBytes).toBe(0);
  });
});

describe('FrameReader startup phase', () => {
  /** drive plays the session: after StartupMessage expect tagged frames, after SSL/GSS refusal another startup packet. */
  function drive(reader: FrameReader, chunks: Buffer[]): Frame[] {
    const out: Frame[] = [];
    const take = (frames: Frame[]): void => {
      for (const f of frames) {
        out.push(f);
        if (f.kind === 'untagged') {
          const m = decodeFrontend(f);
          take(whole(m.kind === 'startup' ? reader.expectTagged() : reader.expectStartup()));
        }
      }
    };
    for (const c of chunks) take(whole(reader.push(c)));
    return out;
  }

  it('switches from untagged to tagged after the startup packet, at every cut', () => {
    const fixtures = [
      frontend.sslRequest(),
      frontend.startup({ user: 'agent', database: 'app' }),
      frontend.password('jwt'),
      frontend.query('select 1'),
      frontend.terminate(),
    ];
    const all = Buffer.concat(fixtures);
    const whole = drive(new FrameReader({ maxFrameBytes: MAX, startup: true }), [all]);
    expect(whole.map((f) => f.kind)).toEqual(['untagged', 'untagged', 'tagged', 'tagged', 'tagged']);
    expect(whole.map(decodeFrontend).map((m) => m.kind)).toEqual(['sslRequest', 'startup', 'password', 'query', 'terminate']);
    expect(whole.map((f) => Buffer.from(f.raw))).toEqual(fixtures);
    for (const { at, chunks } of cuts(all)) {
      const got = drive(new FrameReader({ maxFrameBytes: MAX, startup: true }), copies(chunks));
      expect(got.map(shape), `cut ${at}`).toEqual(whole.map(shape));
    }
  });

  it.each([
    { note: 'startup reader', startup: true, want: 'startup' },
    { note: 'tagged reader', startup: false, want: 'tagged' },
  ])('starts in the right mode: $note', ({ startup, want }) => {
    expect(new FrameReader({ maxFrameBytes: MAX, startup }).mode).toBe(want);
  });

  it('pauses after an untagged packet and hands back bytes sent before a TLS handshake', () => {
    const reader = new FrameReader({ maxFrameBytes: MAX, startup: true });
    const smuggled = frontend.query('select 1');
    const frames = whole(reader.push(Buffer.concat([frontend.sslRequest(), smuggled])));
    expect(frames.map(decodeFrontend)).toEqual([{ kind: 'sslRequest' }]);
    expect(reader.mode).toBe('paused');
    expect(reader.bufferedBytes).toBe(smuggled.length);
    expect(reader.takeBuffered()).toEqual(smuggled);
    expect(reader.bufferedBytes).toBe(0);
  });

  it('does not read TLS bytes that follow an SSLRequest as a packet length', () => {
    const reader = new FrameReader({ maxFrameBytes: MAX, startup: true });
    const clientHello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]);
    expect(reader.push(Buffer.concat([frontend.sslRequest(), clientHello])).map(decodeFrontend)).toEqual([{ kind: 'sslRequest' }]);
    expect(reader.takeBuffered()).toEqual(clientHello);
  });

  it('returns buffered frames from expectTagged', () => {
    const reader = new FrameReader({ maxFrameBytes: MAX, startup: true });
    expect(reader.push(Buffer.concat([frontend.startup({ user: 'a' }), frontend.query('select 1')]))).toHaveLength(1);
    expect(reader.push(Buffer.alloc(0))).toEqual([]);
    const later = reader.expectTagged();
    expect(later.map(decodeFrontend)).toEqual([{ kind: 'query', sql: 'select 1', sqlBytes: Buffer.from('select 1') }]);
    expect(reader.mode).toBe('tagged');
  });
});

describe('FrameReader refuses bad lengths', () => {
  const lengthWord = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const cases = [
    {
      note: 'tagged length 3',
      startup: false,
      bytes: Buffer.concat([Buffer.from('Q'), lengthWord(3)]),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /invalid length 3 of message of type 0x51/,
    },
    {
      note: 'tagged negative length',
      startup: false,
      bytes: Buffer.concat([Buffer.from('Q'), lengthWord(-1)]),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /invalid length -1/,
    },
    {
      note: 'tagged length over the cap, refused from the header alone',
      startup: false,
      bytes: Buffer.concat([Buffer.from('d'), lengthWord(1025)]),
      code: 'ERR_PROXY_FRAME_TOO_LARGE',
      sqlstate: '54000',
      message: /message of 1025 bytes exceeds the limit of 1024 bytes/,
    },
    {
      note: 'tagged frame of 2^31-1 bytes',
      startup: false,
      bytes: Buffer.concat([Buffer.from('Q'), lengthWord(0x7fffffff)]),
      code: 'ERR_PROXY_FRAME_TOO_LARGE',
      sqlstate: '54000',
      message: /exceeds the limit/,
    },
    {
      note: 'startup length 4',
      startup: true,
      bytes: lengthWord(4),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /invalid length 4 of startup packet/,
    },
    {
      note: 'startup length over 10000',
      startup: true,
      bytes: lengthWord(10001),
      code: 'ERR_PROXY_FRAME_TOO_LARGE',
      sqlstate: '54000',
      message: /10001 bytes exceeds the limit of 10000/,
    },
    {
      note: 'TLS ClientHello where a startup packet belongs',
      startup: true,
      bytes: Buffer.from([0x16, 0x03, 0x01, 0x02]),
      code: 'ERR_PROXY_FRAME_TOO_LARGE',
      sqlstate: '54000',
      message: /exceeds the limit/,
    },
    {
      note: 'flood while paused after startup',
      startup: true,
      bytes: Buffer.concat([frontend.startup({ user: 'a' }), Buffer.alloc(1100)]),
      code: 'ERR_PROXY_FRAME_TOO_LARGE',
      sqlstate: '54000',
      message: /1100 bytes exceeds the limit of 1024/,
    },
  ];

  it.each(cases)('$note', ({ startup, bytes, code, sqlstate, message: msg }) => {
    const reader = new FrameReader({ maxFrameBytes: 1024, startup });
    const run = () => reader.push(bytes);
    expect(run).toThrow(WireError);
    // the reader stays failed: the stream can no longer be cut into messages
    expect(run).toThrow(expect.objectContaining({ code, sqlstate, severity: 'FATAL', message: expect.stringMatching(msg) }));
    expect(() => reader.expectTagged()).toThrow(expect.objectContaining({ code }));
  });

  it('refuses an oversize frame at every split of its header', () => {
    const bytes = Buffer.concat([frontend.sync(), message('d', Buffer.alloc(2000))]);
    for (let i = 0; i <= 10; i++) {
      const reader = new FrameReader({ maxFrameBytes: 1024, startup: false });
      const frames: Frame[] = [];
      let err: unknown;
      try {
        frames.push(...whole(reader.push(bytes.subarray(0, i))));
        frames.push(...whole(reader.push(bytes.subarray(i, 10))));
      } catch (e) {
        err = e;
      }
      expect(err, `cut ${i}`).toMatchObject({ code: 'ERR_PROXY_FRAME_TOO_LARGE' });
      expect(reader.bufferedBytes).toBeLessThanOrEqual(10);
    }
  });

  it('accepts a frame of exactly the cap', () => {
    const bytes = message('d', Buffer.alloc(1020));
    expect(new FrameReader({ maxFrameBytes: 1024, startup: false }).push(bytes)).toHaveLength(1);
  });

  it.each([
    { note: 'maxFrameBytes 0', opts: { maxFrameBytes: 0, startup: false } },
    { note: 'maxFrameBytes not an integer', opts: { maxFrameBytes: 1.5, startup: false } },
    { note: 'maxStartupBytes 4', opts: { maxFrameBytes: 100, startup: true, maxStartupBytes: 4 } },
  ])('rejects options from our own code with TypeError: $note', ({ opts }) => {
    expect(() => new FrameReader(opts)).toThrow(TypeError);
  });
});

describe('FrameReader skipOversize', () => {
  const big = backend.dataRow(['x'.repeat(3000)]);
  const stream = Buffer.concat([backend.dataRow(['a']), big, backend.commandComplete('SELECT 2'), backend.copyData(Buffer.alloc(2000))]);
  const summary = (frames: AnyFrame[]) =>
    frames.map((f) =>
      f.kind === 'skipped' ? { skipped: f.tag, declared: f.declared, limit: f.limit } : Buffer.from(f.kind === 'part' ? f.bytes : f.raw),
    );
  const want = [
    backend.dataRow(['a']),
    { skipped: 'D', declared: big.length - 1, limit: 1024 },
    backend.commandComplete('SELECT 2'),
    { skipped: 'd', declared: 2004, limit: 1024 },
  ];

  it('reports an oversize DataRow or CopyData once and drops its bytes, at every cut', () => {
    for (const { at, chunks } of cuts(stream)) {
      const reader = new FrameReader({ maxFrameBytes: 1024, startup: false, skipOversize: [0x44, 0x64] });
      const frames: AnyFrame[] = [];
      for (const c of copies(chunks)) frames.push(...reader.push(c));
      expect(summary(frames), `cut ${at}`).toEqual(want);
      // nothing of a skipped message is held
      expect(reader.bufferedBytes, `cut ${at}`).toBe(0);
    }
  });

  it('still fails on an oversize message of another type', () => {
    const reader = new FrameReader({ maxFrameBytes: 1024, startup: false, skipOversize: [0x44] });
    expect(() => reader.push(backend.errorResponse({ S: 'ERROR', C: 'XX000', M: 'x'.repeat(2000) }))).toThrow(
      expect.objectContaining({ code: 'ERR_PROXY_FRAME_TOO_LARGE' }),
    );
  });
});

describe('FrameReader streamAbove', () => {
  const big = backend.dataRow(['x'.repeat(5000)]);
  const small = backend.dataRow(['a']);
  const after = backend.commandComplete('SELECT 3');
  const stream = Buffer.concat([small, big, small, after]);
  const options = { maxFrameBytes: 1 << 20, startup: false, streamAbove: { codes: [0x44], bytes: 1000 } };

  it.each([1, 7, 100, 999, 1024, 4096, stream.length])(
    'streams the large row in parts at every split (%i bytes per push), whole frames around it',
    (step) => {
      const reader = new FrameReader(options);
      const frames: AnyFrame[] = [];
      for (let i = 0; i < stream.length; i += step) frames.push(...reader.push(stream.subarray(i, i + step)));
      const parts = frames.filter((f) => f.kind === 'part');
      const whole = frames.filter((f) => f.kind === 'tagged').map((f) => Buffer.from((f as TaggedFrame).raw));
      if (step >= stream.length) {
        // all of it at once: the row is complete when it is seen, so it is a whole frame
        expect(parts).toEqual([]);
        expect(whole).toEqual([small, big, small, after]);
        return;
      }
      expect(whole).toEqual([small, small, after]);
      expect(Buffer.concat(parts.map((p) => (p.kind === 'part' ? p.bytes : Buffer.alloc(0))))).toEqual(big);
      expect(parts[0]).toMatchObject({ first: true, last: false, code: 0x44, declared: big.length - 1 });
      expect(parts.at(-1)).toMatchObject({ last: true });
      expect(parts.filter((p) => p.kind === 'part' && p.last)).toHaveLength(1);
      // order: the small row, the parts, the small row, CommandComplete
      const order = frames.map((f) => (f.kind === 'part' ? 'part' : f.kind === 'tagged' ? f.tag : f.kind));
      expect(order[0]).toBe('D');
      expect(order.slice(-2)).toEqual(['D', 'C']);
    },
  );

  it('holds rows at or under the size, and other message types of any size', () => {
    const reader = new FrameReader(options);
    const notice = backend.noticeResponse({ S: 'NOTICE', C: '00000', M: 'n'.repeat(5000) });
    const frames = [...reader.push(notice.subarray(0, 100)), ...reader.push(notice.subarray(100))];
    expect(frames.map((f) => f.kind)).toEqual(['tagged']);
  });
});
