// The decision memo is exact for the shipped policy: for every input path the engine says
// `portcullis/decision` can read, a change at that path changes the decision for some statement,
// and the memoised decider then answers what the policy answers; a change anywhere else is answered
// from memory with the same decision. A new path the policy starts to read needs a row here.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, formatDiagnostic, loadPolicy } from '../../engine/index.js';
import { buildPolicyInput, createDecider, createDecisionMemo } from '../../proxy/decision/index.js';
import type { Decider, DecisionMemo, PolicyInput } from '../../proxy/decision/index.js';
import { analyze, initSql } from '../../proxy/sql/index.js';
import { POLICIES_DIR, regoFiles } from '../helpers/policies.js';

const root = POLICIES_DIR;

type Mutable = Record<string, unknown> & {
  identity: Record<string, unknown>;
  statement: Record<string, unknown> & { flags: Record<string, boolean> };
};

function inputOf(claims: Record<string, unknown>, sql: string): PolicyInput {
  const analysed = analyze(sql);
  if (!analysed.ok || analysed.statements[0] === undefined) throw new Error(`cannot analyse ${sql}`);
  return buildPolicyInput({
    claims: { iss: 'https://issuer.test', aud: 'portcullis', exp: 1893456000, ...claims },
    connection: { database: 'app', user: 'agent', clientAddress: '127.0.0.1', tls: false },
    statement: analysed.statements[0],
    session: { statements: 0, rowsReturned: 0, inTransaction: false, startedAtMs: 0 },
    nowMs: 1_000,
  });
}

/** changed copies an input (unfrozen) and changes it. */
function changed(input: PolicyInput, change: (i: Mutable) => void): PolicyInput {
  const copy = structuredClone(input) as unknown as Mutable;
  change(copy);
  return copy as unknown as PolicyInput;
}

const VOLATILE = {
  schema: 'public',
  name: 'bump',
  known: true,
  volatility: 'volatile',
  security_definer: false,
  public_execute: true,
  builtin: false,
  kinds: ['function'],
};
const flag = (name: string) => (i: Mutable) => {
  i.statement.flags[name] = !i.statement.flags[name];
};

/** READ_CHANGES: for each path the policy reads, a change there (some base statement's decision must follow it). */
const READ_CHANGES: Record<string, (i: Mutable) => void> = {
  'identity.roles': (i) => {
    i.identity['roles'] = Array.isArray(i.identity['roles']) && (i.identity['roles'] as unknown[]).length > 0 ? [] : ['db:read'];
  },
  'identity.scope': (i) => {
    if ('scope' in i.identity) delete i.identity['scope'];
    else i.identity['scope'] = 'db:admin';
  },
  'identity.scp': (i) => {
    i.identity['scp'] = ['db:admin'];
  },
  'identity.sub': (i) => {
    i.identity['sub'] = 'someone-else';
  },
  'statement.command': (i) => {
    i.statement['command'] = 'SOMETHING ELSE';
  },
  'statement.kind': (i) => {
    i.statement['kind'] = 'insert';
  },
  'statement.routines': (i) => {
    i.statement['routines'] = [VOLATILE];
  },
  'statement.columns.uses': (i) => {
    (i.statement['columns'] as { uses: unknown[] }).uses.push({ table: 'public.customers', column: 'email', use: 'filter' });
  },
  'statement.tables.read': (i) => {
    (i.statement['tables'] as { read: string[] }).read.push('pg_catalog.pg_statistic');
  },
  'statement.tables.written': (i) => {
    (i.statement['tables'] as { written: string[] }).written.push('public.orders');
  },
  ...Object.fromEntries(
    [
      'cascade',
      'copy_from_stdin',
      'copy_program',
      'copy_server_file',
      'data_modifying_cte',
      'ddl',
      'delete_without_where',
      'destructive',
      'dynamic_sql',
      'for_update',
      'into',
      'session_authorization',
      'set_role',
      'update_without_where',
    ].map((f) => [`statement.flags.${f}`, flag(f)]),
  ),
};

/** UNREAD_CHANGES: changes at paths the policy does not read (answered from memory). */
const UNREAD_CHANGES: Record<string, (i: Mutable) => void> = {
  'identity.exp': (i) => {
    i.identity['exp'] = 1;
  },
  'identity.iss': (i) => {
    i.identity['iss'] = 'https://other.test';
  },
  'connection.database': (i) => {
    (i['connection'] as { database: string }).database = 'other';
  },
  'statement.text': (i) => {
    i.statement['text'] = 'SELECT 2';
  },
  'statement.fingerprint': (i) => {
    i.statement['fingerprint'] = 'f00';
  },
  'statement.params': (i) => {
    i.statement['params'] = ['x'];
  },
  'session.statements': (i) => {
    (i['session'] as { statements: number }).statements = 99;
  },
  'time.now_ns': (i) => {
    (i['time'] as { now_ns: number }).now_ns = 5;
  },
};

describe('the decision memo with the shipped policy', () => {
  let plain: Decider;
  let memoised: Decider;
  let memo: DecisionMemo;
  let paths: string[];
  const bases: Record<string, () => PolicyInput> = {
    'a reader selects orders': () => inputOf({ sub: 'agent-r', roles: ['db:read'] }, 'SELECT id, amount FROM orders WHERE id = 1'),
    'a writer updates orders': () => inputOf({ sub: 'agent-w', roles: ['db:write'] }, "UPDATE orders SET status = 'paid' WHERE id = 7"),
    'an admin drops a table': () => inputOf({ sub: 'agent-a', scope: 'db:admin' }, 'DROP TABLE scratch'),
    'a token without roles selects': () => inputOf({ sub: 'agent-n' }, 'SELECT 1'),
  };

  beforeAll(async () => {
    await initSql();
    const out = compile({ files: regoFiles().filter((f) => !f.name.endsWith('_test.rego')), entrypoints: ['portcullis/decision'] });
    expect(out.diagnostics.map(formatDiagnostic)).toEqual([]);
    const reads = out.inputReads?.['portcullis/decision'];
    if (reads?.kind !== 'paths') throw new Error(`the shipped decision is not memoisable: ${JSON.stringify(reads)}`);
    paths = reads.paths.map((p) => p.join('.'));
    const policy = await loadPolicy(out.wasm as Uint8Array);
    policy.setData(JSON.parse(readFileSync(join(root, 'data.json'), 'utf8')));
    plain = createDecider({ policy });
    memo = createDecisionMemo(policy, reads.paths);
    memoised = createDecider({ policy, memo: () => memo });
  });

  it('every path the policy reads has a change here, and nothing else does', () => {
    expect([...paths].sort()).toEqual(Object.keys(READ_CHANGES).sort());
  });

  it.each(Object.keys(READ_CHANGES))('a change at %s changes some decision, and the memo follows it', (path) => {
    const change = READ_CHANGES[path] as (i: Mutable) => void;
    let flipped = 0;
    for (const base of Object.values(bases)) {
      const a = base();
      const b = changed(a, change);
      const want = [plain.decide(a), plain.decide(b)];
      if (JSON.stringify(want[0]) !== JSON.stringify(want[1])) flipped++;
      // both orders, twice: misses and hits alike answer what the policy answers
      for (const i of [a, b, a, b]) expect(memoised.decide(i)).toEqual(plain.decide(i));
    }
    expect(flipped).toBeGreaterThan(0);
  });

  it.each(Object.keys(UNREAD_CHANGES))('a change at %s is answered from memory, with the same decision', (path) => {
    expect(paths.some((p) => path === p || path.startsWith(`${p}.`))).toBe(false);
    const change = UNREAD_CHANGES[path] as (i: Mutable) => void;
    for (const base of Object.values(bases)) {
      const a = base();
      const b = changed(a, change);
      const first = memoised.decide(a);
      const hits = memo.stats.hits;
      expect(memoised.decide(b)).toEqual(first);
      expect(memo.stats.hits).toBe(hits + 1);
      expect(plain.decide(b)).toEqual(first);
    }
  });
});
