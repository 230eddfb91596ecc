// Test helper for the units that take a statement's analysis (the gate, its records, resolution,
// the policy input and the decision log): the first statement's facts, analysed for real (call
// initSql() first), and a plain gate session of one agent.

import type { GateSession } from '../../proxy/gate/index.js';
import { analyze } from '../../proxy/sql/index.js';
import type { StatementFacts } from '../../proxy/sql/index.js';

/** facts analyses sql (initSql() must have run) and returns its first statement's facts; an analysis error is thrown. */
export function facts(sql: string): StatementFacts {
  const r = analyze(sql);
  if (!r.ok) throw new Error(`analyze failed: ${sql}: ${r.error.message}`);
  return r.statements[0] as StatementFacts;
}

/** gateSession is a fresh session of `agent` (issuer https://issuer) on database app, no statements yet. */
export function gateSession(): GateSession {
  return {
    id: 's1',
    principal: { subject: 'agent', issuer: 'https://issuer', audience: ['portcullis'], claims: { sub: 'agent' }, expiresAt: new Date(0) },
    connection: { database: 'app', user: 'agent', applicationName: '', clientAddress: '127.0.0.1', tls: false },
    startedAt: 0,
    counters: { statements: 0, rowsReturned: 0 },
    sqlPrepared: new Map(),
  };
}
