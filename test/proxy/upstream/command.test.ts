// runCommand (proxy/upstream/command.ts), the one internal command of SET SESSION ROLE and of a
// pooled connection's reset: what PostgreSQL answers decides the outcome, ParameterStatus values
// are kept, notices and notifications dropped, and a read begun before is read first.

import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../proxy/upstream/index.js';
import { decodeFrontend, encodeBackend } from '../../../proxy/wire/index.js';
import type { BackendMessageOut } from '../../../proxy/wire/index.js';
import { FrameReader } from '../../../proxy/wire/index.js';
import { FakeChannel } from '../../helpers/fake-channel.js';

type Answer = BackendMessageOut | 'notification';
/** NOTIFICATION is a NotificationResponse (pid 1, channel c, payload p): the proxy never writes one, so it is spelled out. */
const NOTIFICATION = Buffer.from([0x41, 0, 0, 0, 12, 0, 0, 0, 1, 0x63, 0, 0x70, 0]);
const m = (msgs: Answer[]): Buffer => Buffer.concat(msgs.map((x) => (x === 'notification' ? NOTIFICATION : encodeBackend(x))));
const ready = (status: 'I' | 'T' | 'E'): Answer => ({ kind: 'readyForQuery', status });
const done: Answer = { kind: 'commandComplete', tag: 'SET' };
const error: Answer = { kind: 'errorResponse', severity: 'ERROR', code: '22023', message: 'role "x" does not exist' };

describe('runCommand', () => {
  it.each<{ note: string; answers: Answer[]; close?: boolean; want: unknown }>([
    {
      note: 'completed, idle: done with the parameters reported on the way',
      answers: [
        { kind: 'noticeResponse', severity: 'NOTICE', code: '00000', message: 'hi' },
        { kind: 'parameterStatus', name: 'is_superuser', value: 'off' },
        'notification',
        done,
        ready('I'),
      ],
      want: { kind: 'done', reported: new Map([['is_superuser', 'off']]) },
    },
    {
      note: 'an error, then ready: refused with the first error',
      answers: [error, ready('I')],
      want: { kind: 'refused', sqlstate: '22023', message: 'role "x" does not exist' },
    },
    {
      note: 'completed inside a transaction block: broken',
      answers: [done, ready('T')],
      want: expect.objectContaining({ kind: 'broken', closed: false }),
    },
    { note: 'ready without completing: broken', answers: [ready('I')], want: expect.objectContaining({ kind: 'broken', closed: false }) },
    {
      note: 'two commands completed: broken',
      answers: [done, done, ready('I')],
      want: expect.objectContaining({ kind: 'broken', closed: false }),
    },
    {
      note: 'rows where none belong: broken',
      answers: [{ kind: 'dataRow', values: [null] }],
      want: expect.objectContaining({ kind: 'broken', closed: false }),
    },
    {
      note: 'the connection closing: broken, closed',
      answers: [done],
      close: true,
      want: { kind: 'broken', closed: true, reason: 'the connection closed' },
    },
  ])('$note', async ({ answers, close, want }) => {
    const conn = new FakeChannel();
    conn.feed(m(answers));
    if (close === true) conn.finish();
    expect(await runCommand(conn, 'SET x = 1')).toEqual(want);
    const sent = new FrameReader({ maxFrameBytes: 1 << 20, startup: false })
      .push(Buffer.concat(conn.written))
      .map((f) => decodeFrontend(f));
    expect(sent).toEqual([expect.objectContaining({ kind: 'query', sql: 'SET x = 1' })]);
  });

  it('reads a read begun before first', async () => {
    const conn = new FakeChannel();
    conn.feed(m([{ kind: 'parameterStatus', name: 'TimeZone', value: 'UTC' }, done, ready('I')]));
    const begun = conn.next();
    expect(await runCommand(conn, 'DISCARD ALL', begun)).toEqual({ kind: 'done', reported: new Map([['TimeZone', 'UTC']]) });
  });
});
