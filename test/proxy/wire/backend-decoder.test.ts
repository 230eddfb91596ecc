// decodeBackend: every server message kind decoded from builder fixtures (through pg-protocol's
// parser where it is used), unknown tags passed through, and malformed payloads raising
// ProtocolViolationError rather than any other exception.

import { describe, expect, it } from 'vitest';
import { checkDataRow, decodeBackend, WireError } from '../../../proxy/wire/index.js';
import type { BackendMessage } from '../../../proxy/wire/index.js';
import { backend, BufferList, frameOf, message } from '../../helpers/wire-buffers.js';

describe('decodeBackend', () => {
  const cases: { note: string; bytes: Buffer; want: BackendMessage }[] = [
    { note: 'authenticationOk', bytes: backend.authenticationOk(), want: { kind: 'authenticationOk' } },
    {
      note: 'authenticationCleartextPassword',
      bytes: backend.authenticationCleartextPassword(),
      want: { kind: 'authenticationCleartextPassword' },
    },
    {
      note: 'authenticationMD5Password',
      bytes: backend.authenticationMD5Password(Buffer.from([1, 2, 3, 4])),
      want: { kind: 'authenticationMD5Password', salt: Buffer.from([1, 2, 3, 4]) },
    },
    {
      note: 'authenticationSASL',
      bytes: backend.authenticationSASL(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']),
      want: { kind: 'authenticationSASL', mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] },
    },
    {
      note: 'authenticationSASLContinue',
      bytes: backend.authenticationSASLContinue(Buffer.from('r=abc,s=xyz,i=4096')),
      want: { kind: 'authenticationSASLContinue', data: Buffer.from('r=abc,s=xyz,i=4096') },
    },
    {
      note: 'authenticationSASLFinal',
      bytes: backend.authenticationSASLFinal(Buffer.from('v=sig')),
      want: { kind: 'authenticationSASLFinal', data: Buffer.from('v=sig') },
    },
    {
      note: 'authentication GSS is unsupported',
      bytes: backend.authenticationGSS(),
      want: { kind: 'authenticationUnsupported', method: 7 },
    },
    {
      note: 'parameterStatus',
      bytes: backend.parameterStatus('TimeZone', 'Europe/Zürich'),
      want: { kind: 'parameterStatus', name: 'TimeZone', value: 'Europe/Zürich' },
    },
    { note: 'backendKeyData', bytes: backend.backendKeyData(31337, -5), want: { kind: 'backendKeyData', processId: 31337, secretKey: -5 } },
    { note: 'readyForQuery idle', bytes: backend.readyForQuery('I'), want: { kind: 'readyForQuery', status: 'I' } },
    { note: 'readyForQuery failed transaction', bytes: backend.readyForQuery('E'), want: { kind: 'readyForQuery', status: 'E' } },
    {
      note: 'rowDescription',
      bytes: backend.rowDescription([
        { name: 'id', tableOID: 16384, columnAttr: 1, dataTypeOID: 23, dataTypeSize: 4, typeModifier: -1 },
        { name: 'e-mail "x"', tableOID: 0xfffffff0, columnAttr: 2, dataTypeOID: 25, dataTypeSize: -1, typeModifier: -1, format: 1 },
      ]),
      want: {
        kind: 'rowDescription',
        fields: [
          { name: 'id', tableOID: 16384, columnAttr: 1, dataTypeOID: 23, dataTypeSize: 4, typeModifier: -1, format: 0 },
          { name: 'e-mail "x"', tableOID: 0xfffffff0, columnAttr: 2, dataTypeOID: 25, dataTypeSize: -1, typeModifier: -1, format: 1 },
        ],
      },
    },
    { note: 'rowDescription without columns', bytes: backend.rowDescription([]), want: { kind: 'rowDescription', fields: [] } },
    {
      note: 'dataRow with NULL, empty and binary',
      bytes: backend.dataRow(['a@b.c', null, '', Buffer.from([0, 255])]),
      want: { kind: 'dataRow', values: [Buffer.from('a@b.c'), null, Buffer.alloc(0), Buffer.from([0, 255])] },
    },
    { note: 'commandComplete', bytes: backend.commandComplete('INSERT 0 3'), want: { kind: 'commandComplete', tag: 'INSERT 0 3' } },
    {
      note: 'errorResponse keeps every field',
      bytes: backend.errorResponse({
        S: 'ERROR',
        V: 'ERROR',
        C: '42601',
        M: 'syntax error',
        P: '8',
        F: 'scan.l',
        L: '1241',
        R: 'scanner_yyerror',
        W: 'ctx',
      }),
      want: {
        kind: 'errorResponse',
        fields: { S: 'ERROR', V: 'ERROR', C: '42601', M: 'syntax error', P: '8', F: 'scan.l', L: '1241', R: 'scanner_yyerror', W: 'ctx' },
      },
    },
    {
      note: 'noticeResponse',
      bytes: backend.noticeResponse({ S: 'NOTICE', C: '00000', M: 'hi' }),
      want: { kind: 'noticeResponse', fields: { S: 'NOTICE', C: '00000', M: 'hi' } },
    },
    {
      note: 'copyInResponse',
      bytes: backend.copyInResponse(0, [0, 0]),
      want: { kind: 'copyInResponse', format: 0, columnFormats: [0, 0] },
    },
    {
      note: 'copyOutResponse binary',
      bytes: backend.copyOutResponse(1, [1]),
      want: { kind: 'copyOutResponse', format: 1, columnFormats: [1] },
    },
    { note: 'copyBothResponse', bytes: backend.copyBothResponse(0, []), want: { kind: 'copyBothResponse', format: 0, columnFormats: [] } },
    { note: 'copyData', bytes: backend.copyData(Buffer.from('1\tx\n')), want: { kind: 'copyData', data: Buffer.from('1\tx\n') } },
    { note: 'copyDone', bytes: backend.copyDone(), want: { kind: 'copyDone' } },
    {
      note: 'parameterDescription',
      bytes: backend.parameterDescription([23, 25, 0xfffffffe]),
      want: { kind: 'parameterDescription', paramTypes: [23, 25, 0xfffffffe] },
    },
    { note: 'noData', bytes: backend.noData(), want: { kind: 'noData' } },
    { note: 'parseComplete', bytes: backend.parseComplete(), want: { kind: 'parseComplete' } },
    { note: 'bindComplete', bytes: backend.bindComplete(), want: { kind: 'bindComplete' } },
    { note: 'closeComplete', bytes: backend.closeComplete(), want: { kind: 'closeComplete' } },
    { note: 'portalSuspended', bytes: backend.portalSuspended(), want: { kind: 'portalSuspended' } },
    { note: 'emptyQueryResponse', bytes: backend.emptyQueryResponse(), want: { kind: 'emptyQueryResponse' } },
    {
      note: 'notification',
      bytes: backend.notification(77, 'jobs', '{"id":1}'),
      want: { kind: 'notification', processId: 77, channel: 'jobs', payload: '{"id":1}' },
    },
    {
      note: 'NegotiateProtocolVersion is unknown',
      bytes: message('v', new BufferList().addInt32(0).addInt32(0).join().subarray(4)),
      want: { kind: 'unknown', code: 0x76 },
    },
  ];

  it.each(cases)('$note', ({ bytes, want }) => {
    expect(decodeBackend(frameOf(bytes))).toEqual(want);
  });

  it('keeps DataRow values as zero-copy views of the frame', () => {
    const frame = frameOf(backend.dataRow(['secret']));
    const msg = decodeBackend(frame);
    if (msg.kind !== 'dataRow') throw new Error('expected dataRow');
    expect(msg.values[0]?.buffer).toBe(frame.raw.buffer);
  });
});

describe('decodeBackend rejects malformed input', () => {
  const raw = (tag: string, payload: number[] | Buffer) => frameOf(message(tag, Buffer.from(payload)));
  const cases = [
    { note: 'dataRow value past the end', frame: raw('D', [0, 1, 0, 0, 0, 9, 0x61]), message: /DataRow message: message is too short/ },
    { note: 'dataRow length -2', frame: raw('D', [0, 1, 0xff, 0xff, 0xff, 0xfe]), message: /invalid length -2 of column 1/ },
    { note: 'dataRow trailing bytes', frame: raw('D', [0, 0, 1]), message: /trailing/ },
    { note: 'rowDescription truncated (pg-protocol path)', frame: raw('T', [0, 1, 0x61, 0, 0, 0]), message: /malformed message type 'T'/ },
    {
      note: 'rowDescription with trailing bytes',
      frame: raw('T', Buffer.concat([frameOf(backend.rowDescription([])).payload, Buffer.from([9])])),
      message: /has length 3, expected 2/,
    },
    { note: 'parameterStatus without terminators', frame: raw('S', Buffer.from('TimeZone')), message: /has length 8, expected 10/ },
    { note: 'commandComplete with text after the NUL', frame: raw('C', Buffer.from('SELECT 1\0x\0')), message: /expected 9/ },
    { note: 'readyForQuery with status X', frame: raw('Z', Buffer.from('X')), message: /invalid transaction status 'X'/ },
    { note: 'readyForQuery empty', frame: raw('Z', []), message: /invalid transaction status/ },
    { note: 'backendKeyData short', frame: raw('K', [0, 0, 0, 1]), message: /malformed message type 'K'/ },
    { note: 'copyOutResponse format 2', frame: raw('H', [2, 0, 0]), message: /unsupported format code 2/ },
    { note: 'copyBothResponse short', frame: raw('W', [0, 0]), message: /too short/ },
    { note: 'errorResponse without final NUL', frame: raw('E', Buffer.from('SERROR\0')), message: /too short/ },
    { note: 'authentication md5 without salt', frame: raw('R', [0, 0, 0, 5, 1, 2]), message: /too short/ },
    { note: 'authenticationOk with trailing bytes', frame: raw('R', [0, 0, 0, 0, 1]), message: /trailing/ },
    { note: 'authentication empty', frame: raw('R', []), message: /too short/ },
    { note: 'parseComplete with a payload', frame: raw('1', [0]), message: /1 unexpected bytes/ },
    { note: 'an untagged packet', frame: frameOf(new BufferList().addInt32(196608).addByte(0).join(), true), message: /untagged/ },
  ];

  it.each(cases)('$note', ({ frame, message: msg }) => {
    let caught: unknown;
    try {
      decodeBackend(frame);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WireError);
    expect(caught).toMatchObject({ code: 'ERR_PROXY_PROTOCOL', sqlstate: '08P01', severity: 'FATAL', message: expect.stringMatching(msg) });
  });

  it('never throws anything but a WireError on random payloads of every tag', () => {
    let seed = 0x1234567;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const tags = 'RKS23CcGHWDIEnNAts Zdv';
    let decoded = 0;
    let refused = 0;
    for (let i = 0; i < 4000; i++) {
      const payload = Buffer.from(Array.from({ length: rand(24) }, () => (rand(3) === 0 ? 0 : rand(256))));
      try {
        decodeBackend(frameOf(message(tags[rand(tags.length)] as string, payload)));
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

describe('checkDataRow', () => {
  const raw = (payload: number[]) => frameOf(message('D', Buffer.from(payload)));
  const malformed = [
    { note: 'value past the end', frame: raw([0, 1, 0, 0, 0, 9, 0x61]) },
    { note: 'length -2', frame: raw([0, 1, 0xff, 0xff, 0xff, 0xfe]) },
    { note: 'trailing bytes', frame: raw([0, 0, 1]) },
    { note: 'no column count', frame: raw([0]) },
    { note: 'a column length cut short', frame: raw([0, 2, 0, 0, 0, 1, 0x61, 0, 0]) },
  ];
  it.each(malformed)('rejects $note exactly as decodeBackend does', ({ frame }) => {
    const error = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (err) {
        return err;
      }
      return undefined;
    };
    const want = error(() => decodeBackend(frame));
    expect(want).toBeInstanceOf(WireError);
    expect(error(() => checkDataRow(frame))).toEqual(want);
  });

  it.each([
    { note: 'values, NULL and empty', values: ['a@b.c', null, '', Buffer.from([0, 255])] },
    { note: 'no columns', values: [] },
  ])('accepts a well-formed row: $note', ({ values }) => {
    expect(() => checkDataRow(frameOf(backend.dataRow(values)))).not.toThrow();
  });
});
