// shippableOf, the shipper's reading of a journal line: where the line and its body have the
// journal's own layout (a statement or an outcome: kind, session, statement first) it takes the
// columns from the text; any other line is parsed. Either way each body gives the columns it
// holds, and the body's text is the line's, byte for byte.

import { describe, expect, it } from 'vitest';
import { LineBuffer, appendLine } from '../../../proxy/recording/lines.js';
import { parseRecordLine, shippableOf } from '../../../proxy/recording/index.js';

/** lineOf is a journal line for a body text, as the journal writes it. */
function lineOf(bodyJson: string, seq = 7): string {
  const out = new LineBuffer();
  appendLine(out, { journal: 'j1', seq, at: '2026-12-08T01:02:03.456Z', prev: 'ab'.repeat(32) }, bodyJson);
  return out.buf.subarray(0, out.length - 1).toString('utf8');
}

describe('shippableOf', () => {
  // each body with the columns it must give (kind, session, statement), whichever way it is read
  it.each([
    {
      note: 'a statement record',
      body: '{"kind":"statement","session":"5f0c","statement":12,"text":"SELECT 1","input":{"a":[1,2]}}',
      cols: ['statement', '5f0c', 12],
    },
    {
      note: 'an outcome',
      body: '{"kind":"statement.outcome","session":"5f0c","statement":3,"tag":"SELECT 1","rows":1}',
      cols: ['statement.outcome', '5f0c', 3],
    },
    {
      note: 'a session start (parsed)',
      body: '{"kind":"session.start","session":"5f0c","identity":{"sub":"a"}}',
      cols: ['session.start', '5f0c', null],
    },
    {
      note: 'a tombstone (no session)',
      body: '{"kind":"tombstone","journal":"j0","from_seq":1,"to_seq":9,"last_hash":"x","reason":"r"}',
      cols: ['tombstone', null, null],
    },
    {
      note: 'a session with an escape (parsed)',
      body: '{"kind":"statement","session":"a\\"b","statement":1}',
      cols: ['statement', 'a"b', 1],
    },
    { note: 'another key order (parsed)', body: '{"kind":"statement","statement":4,"session":"s9"}', cols: ['statement', 's9', 4] },
    { note: 'whitespace (parsed)', body: '{"kind": "statement", "session": "s", "statement": 2}', cols: ['statement', 's', 2] },
    {
      note: 'a statement number that is no integer (parsed)',
      body: '{"kind":"statement","session":"s","statement":2.5}',
      cols: ['statement', 's', null],
    },
    { note: 'a body that is no object', body: '"just text"', cols: ['', null, null] },
    {
      note: 'non-ASCII text',
      body: '{"kind":"statement","session":"s","statement":5,"text":"SELECT \'é😀\'"}',
      cols: ['statement', 's', 5],
    },
  ])('$note', ({ body, cols }) => {
    const line = lineOf(body);
    const whole = parseRecordLine(line);
    const [kind, session, statement] = cols;
    expect(shippableOf(line)).toEqual({
      journal: 'j1',
      seq: 7,
      at: '2026-12-08T01:02:03.456Z',
      prev: 'ab'.repeat(32),
      hash: whole?.hash,
      kind,
      session,
      statement,
      bodyJson: body, // byte for byte
    });
  });

  it.each([
    { note: 'a torn line', line: lineOf('{"kind":"statement","session":"s","statement":1}').slice(0, -3) },
    { note: 'not JSON', line: 'garbage' },
    { note: 'JSON but no record', line: '{"a":1}' },
  ])('$note: no record', ({ line }) => {
    expect(shippableOf(line)).toBeUndefined();
  });
});
