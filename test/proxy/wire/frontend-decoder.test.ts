// decodeFrontend: every client message kind decoded from builder fixtures, the 'p' helpers, and
// malformed payloads raising WireErrors with the right code (never another kind of exception).

import { describe, expect, it } from 'vitest';
import { decodeFrontend, decodeSaslInitial, decodeSaslResponse, readCleartextPassword, WireError } from '../../../proxy/wire/index.js';
import type { FrontendMessage, PasswordMessage } from '../../../proxy/wire/index.js';
import { BufferList, frameOf, frontend, message } from '../../helpers/wire-buffers.js';

const startupFrame = (b: Buffer) => frameOf(b, true);

describe('decodeFrontend', () => {
  const cases: { note: string; bytes: Buffer; startup?: boolean; want: FrontendMessage }[] = [
    {
      note: 'startup with parameters in order',
      bytes: frontend.startup({ user: 'agent', database: 'app', application_name: 'psql' }),
      startup: true,
      want: {
        kind: 'startup',
        majorVersion: 3,
        minorVersion: 0,
        parameters: new Map([
          ['user', 'agent'],
          ['database', 'app'],
          ['application_name', 'psql'],
        ]),
      },
    },
    {
      note: 'startup protocol 3.2 reports the minor version',
      bytes: frontend.startup({ user: 'ü' }, (3 << 16) | 2),
      startup: true,
      want: { kind: 'startup', majorVersion: 3, minorVersion: 2, parameters: new Map([['user', 'ü']]) },
    },
    { note: 'sslRequest', bytes: frontend.sslRequest(), startup: true, want: { kind: 'sslRequest' } },
    { note: 'gssEncRequest', bytes: frontend.gssEncRequest(), startup: true, want: { kind: 'gssEncRequest' } },
    {
      note: 'cancelRequest with a negative secret key',
      bytes: frontend.cancelRequest(4242, -123456789),
      startup: true,
      want: { kind: 'cancelRequest', processId: 4242, secretKey: -123456789 },
    },
    { note: 'password', bytes: frontend.password('ey.jwt'), want: { kind: 'password', data: Buffer.from('ey.jwt\0') } },
    { note: 'query', bytes: frontend.query('select 1'), want: { kind: 'query', sql: 'select 1', sqlBytes: Buffer.from('select 1') } },
    { note: 'empty query', bytes: frontend.query(''), want: { kind: 'query', sql: '', sqlBytes: Buffer.alloc(0) } },
    {
      note: 'query with an inner NUL is kept whole',
      bytes: frontend.query('select 1\0drop table t'),
      want: { kind: 'query', sql: 'select 1\0drop table t', sqlBytes: Buffer.from('select 1\0drop table t') },
    },
    {
      note: 'parse named with types (OID above 2^31 read unsigned)',
      bytes: frontend.parse({ name: 's1', text: 'select $1, $2', types: [23, 0xfffffff0] }),
      want: { kind: 'parse', name: 's1', query: 'select $1, $2', queryBytes: Buffer.from('select $1, $2'), paramTypes: [23, 0xfffffff0] },
    },
    {
      note: 'parse unnamed without types',
      bytes: frontend.parse({ text: 'select 1' }),
      want: { kind: 'parse', name: '', query: 'select 1', queryBytes: Buffer.from('select 1'), paramTypes: [] },
    },
    {
      note: 'bind with mixed formats, NULL and binary value',
      bytes: frontend.bind({
        portal: 'p1',
        statement: 's1',
        paramFormats: [0, 1, 0],
        values: ['abc', Buffer.from([0, 0, 0, 7]), null],
        resultFormats: [1],
      }),
      want: {
        kind: 'bind',
        portal: 'p1',
        statement: 's1',
        paramFormats: [0, 1, 0],
        values: [Buffer.from('abc'), Buffer.from([0, 0, 0, 7]), null],
        resultFormats: [1],
      },
    },
    {
      note: 'bind with one format for all values and an empty value',
      bytes: frontend.bind({ paramFormats: [1], values: [Buffer.alloc(0), 'x'] }),
      want: { kind: 'bind', portal: '', statement: '', paramFormats: [1], values: [Buffer.alloc(0), Buffer.from('x')], resultFormats: [] },
    },
    { note: 'describe statement', bytes: frontend.describe('S', 's1'), want: { kind: 'describe', target: 'S', name: 's1' } },
    { note: 'describe unnamed portal', bytes: frontend.describe('P'), want: { kind: 'describe', target: 'P', name: '' } },
    { note: 'execute with a row limit', bytes: frontend.execute('p1', 100), want: { kind: 'execute', portal: 'p1', maxRows: 100 } },
    { note: 'execute unnamed', bytes: frontend.execute(), want: { kind: 'execute', portal: '', maxRows: 0 } },
    { note: 'sync', bytes: frontend.sync(), want: { kind: 'sync' } },
    { note: 'flush', bytes: frontend.flush(), want: { kind: 'flush' } },
    { note: 'close portal', bytes: frontend.close('P', 'p1'), want: { kind: 'close', target: 'P', name: 'p1' } },
    { note: 'close statement', bytes: frontend.close('S'), want: { kind: 'close', target: 'S', name: '' } },
    { note: 'copyData', bytes: frontend.copyData(Buffer.from('1\tx\n')), want: { kind: 'copyData', data: Buffer.from('1\tx\n') } },
    { note: 'copyDone', bytes: frontend.copyDone(), want: { kind: 'copyDone' } },
    { note: 'copyFail', bytes: frontend.copyFail('aborted'), want: { kind: 'copyFail', message: 'aborted' } },
    { note: 'terminate', bytes: frontend.terminate(), want: { kind: 'terminate' } },
    { note: 'functionCall', bytes: frontend.functionCall(1234, [Buffer.from('x')]), want: { kind: 'functionCall', functionOid: 1234 } },
  ];

  it.each(cases)('$note', ({ bytes, startup, want }) => {
    expect(decodeFrontend(frameOf(bytes, startup ?? false))).toEqual(want);
  });

  it('keeps bind values and query bytes as zero-copy views of the frame', () => {
    const frame = frameOf(frontend.bind({ values: ['abc'] }));
    const msg = decodeFrontend(frame);
    if (msg.kind !== 'bind') throw new Error('expected bind');
    expect(msg.values[0]?.buffer).toBe(frame.raw.buffer);
    const q = frameOf(frontend.query('select 1'));
    const qm = decodeFrontend(q);
    if (qm.kind !== 'query') throw new Error('expected query');
    expect(qm.sqlBytes.buffer).toBe(q.raw.buffer);
  });
});

describe('password helpers', () => {
  const pw = (bytes: Buffer): PasswordMessage => {
    const m = decodeFrontend(frameOf(bytes));
    if (m.kind !== 'password') throw new Error('expected password');
    return m;
  };

  it.each([
    { note: 'ascii token', bytes: frontend.password('eyJ.a.b'), want: 'eyJ.a.b' },
    { note: 'utf-8 password', bytes: frontend.password('pässword'), want: 'pässword' },
    { note: 'empty password', bytes: frontend.password(''), want: '' },
  ])('readCleartextPassword: $note', ({ bytes, want }) => {
    expect(readCleartextPassword(pw(bytes))).toBe(want);
  });

  it.each([
    {
      note: 'SCRAM with data',
      bytes: frontend.saslInitialResponse('SCRAM-SHA-256', Buffer.from('n,,n=,r=abc')),
      want: { kind: 'saslInitialResponse', mechanism: 'SCRAM-SHA-256', data: Buffer.from('n,,n=,r=abc') },
    },
    {
      note: 'no data (-1)',
      bytes: frontend.saslInitialResponse('PLAIN', null),
      want: { kind: 'saslInitialResponse', mechanism: 'PLAIN', data: null },
    },
  ])('decodeSaslInitial: $note', ({ bytes, want }) => {
    expect(decodeSaslInitial(pw(bytes))).toEqual(want);
  });

  it('decodeSaslResponse returns the whole payload', () => {
    expect(decodeSaslResponse(pw(frontend.saslResponse(Buffer.from('c=biws,r=x,p=y'))))).toEqual({
      kind: 'saslResponse',
      data: Buffer.from('c=biws,r=x,p=y'),
    });
  });

  it.each([
    {
      note: 'password with bytes after the NUL',
      run: () => readCleartextPassword(pw(message('p', Buffer.from('a\0b')))),
      code: 'ERR_PROXY_PROTOCOL',
      message: /unexpected trailing bytes/,
    },
    {
      note: 'password without terminator',
      run: () => readCleartextPassword(pw(message('p', Buffer.from('abc')))),
      code: 'ERR_PROXY_PROTOCOL',
      message: /missing string terminator/,
    },
    {
      note: 'password not UTF-8',
      run: () => readCleartextPassword(pw(message('p', Buffer.from([0xff, 0])))),
      code: 'ERR_PROXY_INVALID_ENCODING',
      message: /UTF8/,
    },
    {
      note: 'SASL length past the end',
      run: () => decodeSaslInitial(pw(new BufferList().addCString('SCRAM-SHA-256').addInt32(10).addString('abc').join('p'))),
      code: 'ERR_PROXY_PROTOCOL',
      message: /too short/,
    },
    {
      note: 'SASL length below -1',
      run: () => decodeSaslInitial(pw(new BufferList().addCString('X').addInt32(-2).join('p'))),
      code: 'ERR_PROXY_PROTOCOL',
      message: /invalid length -2/,
    },
  ])('$note', ({ run, code, message: msg }) => {
    expect(run).toThrow(WireError);
    expect(run).toThrow(expect.objectContaining({ code, message: expect.stringMatching(msg) }));
  });
});

describe('decodeFrontend rejects malformed input', () => {
  const raw = (tag: string, payload: Buffer) => frameOf(message(tag, payload));
  const cases = [
    {
      note: 'query without terminator',
      frame: raw('Q', Buffer.from('select 1')),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /missing string terminator/,
    },
    {
      note: 'query empty payload',
      frame: raw('Q', Buffer.alloc(0)),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /missing string terminator/,
    },
    {
      note: 'query not UTF-8',
      frame: raw('Q', Buffer.from([0x73, 0xc3, 0x28, 0])),
      code: 'ERR_PROXY_INVALID_ENCODING',
      sqlstate: '22021',
      message: /Query message/,
    },
    {
      note: 'parse with truncated types',
      frame: raw('P', new BufferList().addCString('').addCString('select $1').addInt16(2).addInt32(23).join().subarray(4)),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /too short/,
    },
    {
      note: 'parse with trailing bytes',
      frame: raw('P', Buffer.concat([frameOf(frontend.parse({ text: 'x' })).payload, Buffer.from([1])])),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /trailing/,
    },
    {
      note: 'bind with 2 formats for 3 values',
      frame: frameOf(frontend.bind({ paramFormats: [0, 0], values: ['a', 'b', 'c'] })),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /2 parameter formats but 3 parameters/,
    },
    {
      note: 'bind with format code 2',
      frame: frameOf(frontend.bind({ paramFormats: [2], values: ['a'] })),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /unsupported format code 2/,
    },
    {
      note: 'bind with result format -1',
      frame: frameOf(frontend.bind({ resultFormats: [0xffff] })),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /unsupported format code -1/,
    },
    {
      note: 'bind value length -2',
      frame: raw('B', new BufferList().addCString('').addCString('').addInt16(0).addInt16(1).addInt32(-2).addInt16(0).join().subarray(4)),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /invalid length -2/,
    },
    {
      note: 'bind value longer than the message',
      frame: raw(
        'B',
        new BufferList().addCString('').addCString('').addInt16(0).addInt16(1).addInt32(100).addString('ab').join().subarray(4),
      ),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /too short/,
    },
    {
      note: 'bind name not terminated',
      frame: raw('B', Buffer.from('portal')),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /missing string terminator/,
    },
    {
      note: 'describe target X',
      frame: raw('D', Buffer.from('Xname\0')),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /invalid target type 'X'/,
    },
    {
      note: 'close with empty payload',
      frame: raw('C', Buffer.alloc(0)),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /too short/,
    },
    {
      note: 'execute without row limit',
      frame: raw('E', Buffer.from('\0')),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /too short/,
    },
    { note: 'sync with a payload', frame: raw('S', Buffer.from('x')), code: 'ERR_PROXY_PROTOCOL', sqlstate: '08P01', message: /trailing/ },
    {
      note: 'copyFail without terminator',
      frame: raw('f', Buffer.from('oops')),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /missing string terminator/,
    },
    {
      note: 'functionCall too short',
      frame: raw('F', Buffer.from([0, 1])),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /too short/,
    },
    {
      note: 'unknown tag',
      frame: raw('z', Buffer.alloc(0)),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /invalid frontend message type 122 \('z'\)/,
    },
    {
      note: 'startup protocol 2.0',
      frame: startupFrame(
        new BufferList()
          .addInt32(2 << 16)
          .addByte(0)
          .join(),
      ),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /unsupported frontend protocol 2\.0/,
    },
    {
      note: 'startup without final NUL',
      frame: startupFrame(new BufferList().addInt32(196608).addCString('user').addCString('a').join()),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /missing string terminator/,
    },
    {
      note: 'startup parameter without value',
      frame: startupFrame(new BufferList().addInt32(196608).addCString('user').join()),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /missing string terminator/,
    },
    {
      note: 'startup parameter not UTF-8',
      frame: startupFrame(
        new BufferList()
          .addInt32(196608)
          .addCString('user')
          .add(Buffer.from([0xfe, 0]))
          .addByte(0)
          .join(),
      ),
      code: 'ERR_PROXY_INVALID_ENCODING',
      sqlstate: '22021',
      message: /startup packet/,
    },
    {
      note: 'cancelRequest too short',
      frame: startupFrame(new BufferList().addInt32(80877102).addInt32(1).join()),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /too short/,
    },
    {
      note: 'sslRequest with extra bytes',
      frame: startupFrame(new BufferList().addInt32(80877103).addInt32(0).join()),
      code: 'ERR_PROXY_PROTOCOL',
      sqlstate: '08P01',
      message: /trailing/,
    },
  ];

  it.each(cases)('$note', ({ frame, code, sqlstate, message: msg }) => {
    let caught: unknown;
    try {
      decodeFrontend(frame);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WireError);
    expect(caught).toMatchObject({ code, sqlstate, message: expect.stringMatching(msg) });
  });

  it('never throws anything but a WireError on random payloads of every tag', () => {
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const tags = 'BCdcfDEHFPpQSXz';
    let decoded = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const payload = Buffer.from(Array.from({ length: rand(24) }, () => (rand(4) === 0 ? 0 : rand(256))));
      const tagged = i % 4 !== 0;
      const frame = tagged
        ? frameOf(message(tags[rand(tags.length)] as string, payload))
        : frameOf(
            new BufferList()
              .addInt32([196608, 80877102, 80877103, 80877104][rand(4)] as number)
              .add(payload)
              .join(),
            true,
          );
      try {
        decodeFrontend(frame);
        decoded++;
      } catch (err) {
        expect(err).toBeInstanceOf(WireError);
        refused++;
      }
    }
    expect(decoded).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
