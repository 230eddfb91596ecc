// shippableOf, the shipper's reading of a journal line: where the line and its body have the
// journal's own layout (a statement or an outcome: kind, session, statement first) it takes the
// columns from the text; any other line is parsed. Either way the answer is what parsing the
// whole record gives, and the body's text is the line's, byte for byte.

import { describe, expect, it } from 'vitest';
import { LineBuffer, appendLine } from '../../../proxy/recording/lines.js';
import { parseRecordLine, shippableOf } from '../../../proxy/recording/index.js';
import type { ShippableRecord } from '../../../proxy/recording/index.js';

/** lineOf is a journal line for a body text, as the journal writes it. */
function lineOf(bodyJson: string, seq = 7): string {
  const out = new LineBuffer();
  appendLine(out, { journal: 'j1', seq, at: '2026-12-08T01:02:03.456Z', prev: 'ab'.repeat(32) }, bodyJson);
  return out.buf.subarray(0, out.length - 1).toString('utf8');
}

/** parsed is what parsing the whole line gives the shipper. */
function parsed(line: string): ShippableRecord | undefined {
  const r = parseRecordLine(line);
  if (r === undefined) return undefined;
  const b = r.body as Record<string, unknown>;
  return {
    journal: r.journal,
    seq: r.seq,
    at: r.at,
    prev: r.prev,
    hash: r.hash,
    kind: typeof b['kind'] === 'string' ? b['kind'] : '',
    session: typeof b['session'] === 'string' ? b['session'] : null,
    statement: typeof b['statement'] === 'number' && Number.isInteger(b['statement']) ? b['statement'] : null,
    bodyJson: r.bodyJson,
  };
}

describe('shippableOf', () => {
  it.each([
    { note: 'a statement record', body: '{"kind":"statement","session":"5f0c","statement":12,"text":"SELECT 1","input":{"a":[1,2]}}' },
    { note: 'an outcome', body: '{"kind":"statement.outcome","session":"5f0c","statement":3,"tag":"SELECT 1","rows":1}' },
    { note: 'a session start (parsed)', body: '{"kind":"session.start","session":"5f0c","identity":{"sub":"a"}}' },
    { note: 'a tombstone (no session)', body: '{"kind":"tombstone","journal":"j0","from_seq":1,"to_seq":9,"last_hash":"x","reason":"r"}' },
    { note: 'a session with an escape (parsed)', body: '{"kind":"statement","session":"a\\"b","statement":1}' },
    { note: 'another key order (parsed)', body: '{"kind":"statement","statement":4,"session":"s9"}' },
    { note: 'whitespace (parsed)', body: '{"kind": "statement", "session": "s", "statement": 2}' },
    { note: 'a statement number past int4 (parsed: no column)', body: '{"kind":"statement","session":"s","statement":4294967296}' },
    { note: 'a body that is no object', body: '"just text"' },
    { note: 'non-ASCII text', body: '{"kind":"statement","session":"s","statement":5,"text":"SELECT \'é😀\'"}' },
  ])('$note: as parsing the whole record', ({ body }) => {
    const line = lineOf(body);
    const got = shippableOf(line);
    expect(got).toEqual(parsed(line));
    expect(got?.bodyJson).toBe(body);
  });

  it.each([
    { note: 'a torn line', line: lineOf('{"kind":"statement","session":"s","statement":1}').slice(0, -3) },
    { note: 'not JSON', line: 'garbage' },
    { note: 'JSON but no record', line: '{"a":1}' },
  ])('$note: no record', ({ line }) => {
    expect(shippableOf(line)).toBeUndefined();
  });
});
