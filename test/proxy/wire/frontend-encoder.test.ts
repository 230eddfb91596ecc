// encodeFrontend: every message the proxy writes upstream equals the independently built fixture
// byte for byte and decodes back (through decodeFrontend), including byte-exact Bind passthrough.

import { describe, expect, it } from 'vitest';
import { decodeFrontend, decodeSaslInitial, encodeFrontend } from '../../../proxy/wire/index.js';
import type { FrontendMessage, FrontendMessageOut } from '../../../proxy/wire/index.js';
import { frameOf, frontend } from '../../helpers/wire-buffers.js';

describe('encodeFrontend', () => {
  const cases: { note: string; msg: FrontendMessageOut; bytes: Buffer; startup?: boolean; decoded: FrontendMessage }[] = [
    {
      note: 'startup with user, database, application_name and more parameters',
      msg: {
        kind: 'startup',
        user: 'portcullis',
        database: 'app',
        applicationName: 'agent-7',
        parameters: { client_encoding: 'UTF8', options: '-c statement_timeout=5s' },
      },
      bytes: frontend.startup({
        user: 'portcullis',
        database: 'app',
        application_name: 'agent-7',
        client_encoding: 'UTF8',
        options: '-c statement_timeout=5s',
      }),
      startup: true,
      decoded: {
        kind: 'startup',
        majorVersion: 3,
        minorVersion: 0,
        parameters: new Map([
          ['user', 'portcullis'],
          ['database', 'app'],
          ['application_name', 'agent-7'],
          ['client_encoding', 'UTF8'],
          ['options', '-c statement_timeout=5s'],
        ]),
      },
    },
    {
      note: 'startup with only a user; a Map of parameters cannot override it',
      msg: {
        kind: 'startup',
        user: 'u',
        parameters: new Map([
          ['user', 'evil'],
          ['DateStyle', 'ISO'],
        ]),
      },
      bytes: frontend.startup({ user: 'u', DateStyle: 'ISO' }),
      startup: true,
      decoded: {
        kind: 'startup',
        majorVersion: 3,
        minorVersion: 0,
        parameters: new Map([
          ['user', 'u'],
          ['DateStyle', 'ISO'],
        ]),
      },
    },
    { note: 'sslRequest', msg: { kind: 'sslRequest' }, bytes: frontend.sslRequest(), startup: true, decoded: { kind: 'sslRequest' } },
    {
      note: 'cancelRequest',
      msg: { kind: 'cancelRequest', processId: 99, secretKey: -7 },
      bytes: frontend.cancelRequest(99, -7),
      startup: true,
      decoded: { kind: 'cancelRequest', processId: 99, secretKey: -7 },
    },
    {
      note: 'password',
      msg: { kind: 'password', password: 'md5abc' },
      bytes: frontend.password('md5abc'),
      decoded: { kind: 'password', data: Buffer.from('md5abc\0') },
    },
    {
      note: 'saslInitialResponse with string data',
      msg: { kind: 'saslInitialResponse', mechanism: 'SCRAM-SHA-256', data: 'n,,n=*,r=abc' },
      bytes: frontend.saslInitialResponse('SCRAM-SHA-256', Buffer.from('n,,n=*,r=abc')),
      decoded: { kind: 'password', data: frameOf(frontend.saslInitialResponse('SCRAM-SHA-256', Buffer.from('n,,n=*,r=abc'))).payload },
    },
    {
      note: 'saslInitialResponse with Buffer data',
      msg: { kind: 'saslInitialResponse', mechanism: 'SCRAM-SHA-256', data: Buffer.from([0, 1, 2]) },
      bytes: frontend.saslInitialResponse('SCRAM-SHA-256', Buffer.from([0, 1, 2])),
      decoded: { kind: 'password', data: frameOf(frontend.saslInitialResponse('SCRAM-SHA-256', Buffer.from([0, 1, 2]))).payload },
    },
    {
      note: 'saslResponse with string data',
      msg: { kind: 'saslResponse', data: 'c=biws,r=abc,p=xyz' },
      bytes: frontend.saslResponse(Buffer.from('c=biws,r=abc,p=xyz')),
      decoded: { kind: 'password', data: Buffer.from('c=biws,r=abc,p=xyz') },
    },
    {
      note: 'saslResponse with Buffer data',
      msg: { kind: 'saslResponse', data: Buffer.from([9, 8]) },
      bytes: frontend.saslResponse(Buffer.from([9, 8])),
      decoded: { kind: 'password', data: Buffer.from([9, 8]) },
    },
    {
      note: 'query',
      msg: { kind: 'query', sql: 'select * from t; select 2' },
      bytes: frontend.query('select * from t; select 2'),
      decoded: { kind: 'query', sql: 'select * from t; select 2', sqlBytes: Buffer.from('select * from t; select 2') },
    },
    {
      note: 'parse with a name longer than 63 bytes (no console warning) and types',
      msg: { kind: 'parse', name: 's'.repeat(70), query: 'select $1', paramTypes: [25] },
      bytes: frontend.parse({ name: 's'.repeat(70), text: 'select $1', types: [25] }),
      decoded: { kind: 'parse', name: 's'.repeat(70), query: 'select $1', queryBytes: Buffer.from('select $1'), paramTypes: [25] },
    },
    {
      note: 'parse unnamed',
      msg: { kind: 'parse', query: 'select 1' },
      bytes: frontend.parse({ text: 'select 1' }),
      decoded: { kind: 'parse', name: '', query: 'select 1', queryBytes: Buffer.from('select 1'), paramTypes: [] },
    },
    {
      note: 'bind passes values and formats through byte-exact',
      msg: {
        kind: 'bind',
        portal: 'p',
        statement: 's',
        paramFormats: [1, 0],
        values: [Buffer.from([0, 0, 0, 1]), null],
        resultFormats: [0, 1],
      },
      bytes: frontend.bind({
        portal: 'p',
        statement: 's',
        paramFormats: [1, 0],
        values: [Buffer.from([0, 0, 0, 1]), null],
        resultFormats: [0, 1],
      }),
      decoded: {
        kind: 'bind',
        portal: 'p',
        statement: 's',
        paramFormats: [1, 0],
        values: [Buffer.from([0, 0, 0, 1]), null],
        resultFormats: [0, 1],
      },
    },
    {
      note: 'bind with nothing',
      msg: { kind: 'bind' },
      bytes: frontend.bind({}),
      decoded: { kind: 'bind', portal: '', statement: '', paramFormats: [], values: [], resultFormats: [] },
    },
    {
      note: 'describe named statement',
      msg: { kind: 'describe', target: 'S', name: 's1' },
      bytes: frontend.describe('S', 's1'),
      decoded: { kind: 'describe', target: 'S', name: 's1' },
    },
    {
      note: 'describe unnamed portal',
      msg: { kind: 'describe', target: 'P' },
      bytes: frontend.describe('P'),
      decoded: { kind: 'describe', target: 'P', name: '' },
    },
    {
      note: 'execute with limit',
      msg: { kind: 'execute', portal: 'p', maxRows: 5 },
      bytes: frontend.execute('p', 5),
      decoded: { kind: 'execute', portal: 'p', maxRows: 5 },
    },
    { note: 'execute unnamed', msg: { kind: 'execute' }, bytes: frontend.execute(), decoded: { kind: 'execute', portal: '', maxRows: 0 } },
    { note: 'sync', msg: { kind: 'sync' }, bytes: frontend.sync(), decoded: { kind: 'sync' } },
    { note: 'flush', msg: { kind: 'flush' }, bytes: frontend.flush(), decoded: { kind: 'flush' } },
    {
      note: 'close portal',
      msg: { kind: 'close', target: 'P', name: 'p' },
      bytes: frontend.close('P', 'p'),
      decoded: { kind: 'close', target: 'P', name: 'p' },
    },
    {
      note: 'close unnamed statement',
      msg: { kind: 'close', target: 'S' },
      bytes: frontend.close('S'),
      decoded: { kind: 'close', target: 'S', name: '' },
    },
    {
      note: 'copyData',
      msg: { kind: 'copyData', data: Buffer.from('a\n') },
      bytes: frontend.copyData(Buffer.from('a\n')),
      decoded: { kind: 'copyData', data: Buffer.from('a\n') },
    },
    { note: 'copyDone', msg: { kind: 'copyDone' }, bytes: frontend.copyDone(), decoded: { kind: 'copyDone' } },
    {
      note: 'copyFail',
      msg: { kind: 'copyFail', message: 'denied by policy' },
      bytes: frontend.copyFail('denied by policy'),
      decoded: { kind: 'copyFail', message: 'denied by policy' },
    },
    { note: 'terminate', msg: { kind: 'terminate' }, bytes: frontend.terminate(), decoded: { kind: 'terminate' } },
  ];

  it.each(cases)('$note', ({ msg, bytes, startup, decoded }) => {
    const out = encodeFrontend(msg);
    expect(out).toEqual(bytes);
    expect(decodeFrontend(frameOf(out, startup ?? false))).toEqual(decoded);
  });

  it('writes a SASLInitialResponse that decodeSaslInitial reads back', () => {
    const m = decodeFrontend(frameOf(encodeFrontend({ kind: 'saslInitialResponse', mechanism: 'SCRAM-SHA-256', data: 'n,,n=*,r=x' })));
    if (m.kind !== 'password') throw new Error('expected password');
    expect(decodeSaslInitial(m)).toEqual({ kind: 'saslInitialResponse', mechanism: 'SCRAM-SHA-256', data: Buffer.from('n,,n=*,r=x') });
  });

  it.each([
    { note: 'query with NUL', msg: { kind: 'query', sql: 'select 1\0' } as const },
    { note: 'password with NUL', msg: { kind: 'password', password: 'a\0b' } as const },
    { note: 'parse name with NUL', msg: { kind: 'parse', name: 'a\0', query: 'select 1' } as const },
    { note: 'startup parameter with NUL', msg: { kind: 'startup', user: 'u\0' } as const },
    { note: 'empty startup parameter name', msg: { kind: 'startup', user: 'u', parameters: { '': 'x' } } as const },
  ])('refuses misuse from our own code with TypeError: $note', ({ msg }) => {
    expect(() => encodeFrontend(msg)).toThrow(TypeError);
  });
});
