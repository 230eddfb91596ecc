// encodeBackend: every message the proxy writes to clients equals the independently built
// fixture byte for byte, and decodes back (through decodeBackend) to what was meant.

import { describe, expect, it } from 'vitest';
import { decodeBackend, encodeBackend } from '../../../proxy/wire/index.js';
import type { BackendMessage, BackendMessageOut } from '../../../proxy/wire/index.js';
import { backend, frameOf } from '../../helpers/wire-buffers.js';

describe('encodeBackend', () => {
  const cases: { note: string; msg: BackendMessageOut; bytes: Buffer; decoded: BackendMessage }[] = [
    {
      note: 'authenticationOk',
      msg: { kind: 'authenticationOk' },
      bytes: backend.authenticationOk(),
      decoded: { kind: 'authenticationOk' },
    },
    {
      note: 'authenticationCleartextPassword',
      msg: { kind: 'authenticationCleartextPassword' },
      bytes: backend.authenticationCleartextPassword(),
      decoded: { kind: 'authenticationCleartextPassword' },
    },
    {
      note: 'errorResponse with every named field',
      msg: {
        kind: 'errorResponse',
        severity: 'ERROR',
        code: '42501',
        message: 'deny: read-only identity',
        detail: 'rule: readonly.deny',
        hint: 'ask for a writer token',
        position: 15,
      },
      bytes: backend.errorResponse({
        S: 'ERROR',
        V: 'ERROR',
        C: '42501',
        M: 'deny: read-only identity',
        D: 'rule: readonly.deny',
        H: 'ask for a writer token',
        P: '15',
      }),
      decoded: {
        kind: 'errorResponse',
        fields: {
          S: 'ERROR',
          V: 'ERROR',
          C: '42501',
          M: 'deny: read-only identity',
          D: 'rule: readonly.deny',
          H: 'ask for a writer token',
          P: '15',
        },
      },
    },
    {
      note: 'FATAL errorResponse with extra fields (named ones cannot be overridden)',
      msg: {
        kind: 'errorResponse',
        severity: 'FATAL',
        code: '28000',
        message: 'token expired',
        extra: { W: 'context', C: 'XX000', ab: 'ignored' },
      },
      bytes: backend.errorResponse({ S: 'FATAL', V: 'FATAL', C: '28000', M: 'token expired', W: 'context' }),
      decoded: { kind: 'errorResponse', fields: { S: 'FATAL', V: 'FATAL', C: '28000', M: 'token expired', W: 'context' } },
    },
    {
      note: 'errorResponse drops NUL bytes from a policy reason',
      msg: { kind: 'errorResponse', severity: 'ERROR', code: '42501', message: 'bad\0reason' },
      bytes: backend.errorResponse({ S: 'ERROR', V: 'ERROR', C: '42501', M: 'badreason' }),
      decoded: { kind: 'errorResponse', fields: { S: 'ERROR', V: 'ERROR', C: '42501', M: 'badreason' } },
    },
    {
      note: 'noticeResponse',
      msg: { kind: 'noticeResponse', severity: 'WARNING', code: '01000', message: 'columns masked' },
      bytes: backend.noticeResponse({ S: 'WARNING', V: 'WARNING', C: '01000', M: 'columns masked' }),
      decoded: { kind: 'noticeResponse', fields: { S: 'WARNING', V: 'WARNING', C: '01000', M: 'columns masked' } },
    },
    {
      note: 'parameterStatus',
      msg: { kind: 'parameterStatus', name: 'client_encoding', value: 'UTF8' },
      bytes: backend.parameterStatus('client_encoding', 'UTF8'),
      decoded: { kind: 'parameterStatus', name: 'client_encoding', value: 'UTF8' },
    },
    {
      note: 'backendKeyData with a negative key',
      msg: { kind: 'backendKeyData', processId: 7, secretKey: -2 },
      bytes: backend.backendKeyData(7, -2),
      decoded: { kind: 'backendKeyData', processId: 7, secretKey: -2 },
    },
    {
      note: 'readyForQuery in transaction',
      msg: { kind: 'readyForQuery', status: 'T' },
      bytes: backend.readyForQuery('T'),
      decoded: { kind: 'readyForQuery', status: 'T' },
    },
    {
      note: 'rowDescription with defaults',
      msg: {
        kind: 'rowDescription',
        fields: [
          { name: 'email', tableOID: 16384, columnAttr: 3, dataTypeOID: 25, dataTypeSize: -1, typeModifier: -1 },
          { name: '?column?' },
        ],
      },
      bytes: backend.rowDescription([
        { name: 'email', tableOID: 16384, columnAttr: 3, dataTypeOID: 25, dataTypeSize: -1, typeModifier: -1 },
        { name: '?column?' },
      ]),
      decoded: {
        kind: 'rowDescription',
        fields: [
          { name: 'email', tableOID: 16384, columnAttr: 3, dataTypeOID: 25, dataTypeSize: -1, typeModifier: -1, format: 0 },
          { name: '?column?', tableOID: 0, columnAttr: 0, dataTypeOID: 0, dataTypeSize: 0, typeModifier: 0, format: 0 },
        ],
      },
    },
    {
      note: 'dataRow with a masked string, raw bytes and NULL',
      msg: { kind: 'dataRow', values: ['****1234', Buffer.from([1, 2]), null, 'é'] },
      bytes: backend.dataRow(['****1234', Buffer.from([1, 2]), null, 'é']),
      decoded: { kind: 'dataRow', values: [Buffer.from('****1234'), Buffer.from([1, 2]), null, Buffer.from('é')] },
    },
    { note: 'empty dataRow', msg: { kind: 'dataRow', values: [] }, bytes: backend.dataRow([]), decoded: { kind: 'dataRow', values: [] } },
    {
      note: 'commandComplete',
      msg: { kind: 'commandComplete', tag: 'SELECT 2' },
      bytes: backend.commandComplete('SELECT 2'),
      decoded: { kind: 'commandComplete', tag: 'SELECT 2' },
    },
    {
      note: 'emptyQueryResponse',
      msg: { kind: 'emptyQueryResponse' },
      bytes: backend.emptyQueryResponse(),
      decoded: { kind: 'emptyQueryResponse' },
    },
    { note: 'parseComplete', msg: { kind: 'parseComplete' }, bytes: backend.parseComplete(), decoded: { kind: 'parseComplete' } },
    { note: 'bindComplete', msg: { kind: 'bindComplete' }, bytes: backend.bindComplete(), decoded: { kind: 'bindComplete' } },
    { note: 'closeComplete', msg: { kind: 'closeComplete' }, bytes: backend.closeComplete(), decoded: { kind: 'closeComplete' } },
    { note: 'noData', msg: { kind: 'noData' }, bytes: backend.noData(), decoded: { kind: 'noData' } },
    {
      note: 'copyData',
      msg: { kind: 'copyData', data: Buffer.from('1\t****\n') },
      bytes: backend.copyData(Buffer.from('1\t****\n')),
      decoded: { kind: 'copyData', data: Buffer.from('1\t****\n') },
    },
    { note: 'copyDone', msg: { kind: 'copyDone' }, bytes: backend.copyDone(), decoded: { kind: 'copyDone' } },
  ];

  it.each(cases)('$note', ({ msg, bytes, decoded }) => {
    const out = encodeBackend(msg);
    expect(out).toEqual(bytes);
    expect(decodeBackend(frameOf(out))).toEqual(decoded);
  });

  it.each([
    { note: 'accept TLS', answer: 'S' as const, want: [0x53] },
    { note: 'refuse TLS or GSS', answer: 'N' as const, want: [0x4e] },
  ])('sslResponse is a single byte, not a frame: $note', ({ answer, want }) => {
    expect(encodeBackend({ kind: 'sslResponse', answer })).toEqual(Buffer.from(want));
  });

  it('returns a fresh buffer each time, so callers may keep or modify it', () => {
    const a = encodeBackend({ kind: 'noData' });
    a[0] = 0;
    expect(encodeBackend({ kind: 'noData' })).toEqual(backend.noData());
  });

  it('refuses a NUL inside a C string field from our own code with TypeError', () => {
    expect(() => encodeBackend({ kind: 'commandComplete', tag: 'SELECT\0 1' })).toThrow(TypeError);
  });
});
