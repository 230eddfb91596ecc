// SQL-level PREPARE / EXECUTE / DEALLOCATE through the gateway with the shipped policy: PREPARE is
// decided as the statement it prepares, EXECUTE as what the session prepared (masks included), an
// EXECUTE of a name the gateway never saw prepared is refused, and a refused PREPARE leaves
// nothing to execute. Simple protocol (psql's way) and the extended protocol (Parse of EXECUTE).

import { describe, expect, it } from 'vitest';
import { failure, useAgents, useStack } from './helpers.js';

const stack = useStack();
const connectAs = useAgents(stack);

describe('SQL-level prepared statements', () => {
  it('a reader prepares and executes a read; the result is masked', async () => {
    const c = await connectAs('prep-reader', ['db:read']);
    await c.query('PREPARE mail(int) AS SELECT id, email FROM customers WHERE id = $1');
    expect((await c.query('EXECUTE mail(1)')).rows).toEqual([{ id: 1, email: '***********.com' }]);
    expect((await c.query({ text: 'EXECUTE mail(2)', values: [] })).rows).toEqual([{ id: 2, email: '************.com' }]);
    await c.query('DEALLOCATE mail');
    expect((await failure(c.query('EXECUTE mail(1)'))).code).toBe('26000');
  });

  it('a reader cannot prepare a write, nor execute what it could not prepare', async () => {
    const c = await connectAs('prep-writer-attempt', ['db:read']);
    const prep = await failure(c.query("PREPARE w AS INSERT INTO audit_log (actor, action) VALUES ('x', 'prepared')"));
    expect(prep).toMatchObject({ code: '42501', detail: 'rule: read_only.write' });
    const exec = await failure(c.query('EXECUTE w'));
    expect(exec.code).toBe('26000');
    expect(exec.message).toMatch(/prepared statement "w" does not exist or was refused by portcullis/);
  });

  it('a masked column cannot be smuggled through PREPARE', async () => {
    const c = await connectAs('prep-smuggle', ['db:read']);
    const e = await failure(c.query('PREPARE s AS SELECT count(*) FROM customers WHERE email LIKE $1'));
    expect(e).toMatchObject({ code: '42501', detail: 'rule: pii.masked_use' });
  });

  it('a writer preparing a production write needs approval, as the write itself would', async () => {
    const c = await connectAs('prep-prod', ['db:write']);
    const e = await failure(c.query("PREPARE u AS UPDATE orders SET status = 'paid' WHERE id = 1"));
    expect(e).toMatchObject({ code: '42501', detail: 'rule: production.write' });
  });
});

describe('protocol-level prepared statements are bounded per session', () => {
  it('a Parse of a new name past 10,000 named statements is refused with 54000; the session goes on', async () => {
    const { connect } = await import('node:net');
    const { decodeBackend, encodeFrontend, FrameReader } = await import('../../proxy/wire/index.js');
    const s = stack.current;
    const socket = connect({ host: s.gateway.host, port: s.gateway.port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const reader = new FrameReader({ maxFrameBytes: 1 << 20, startup: false });
    const seen: { kind: string; code?: string }[] = [];
    socket.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        const m = decodeBackend(f);
        seen.push({ kind: m.kind, ...(m.kind === 'errorResponse' ? { code: m.fields['C'] } : {}) });
      }
    });
    const until = async (n: number): Promise<void> => {
      for (let i = 0; i < 2_000 && seen.filter((m) => m.kind === 'readyForQuery').length < n; i++)
        await new Promise((r) => setTimeout(r, 10));
    };
    socket.write(encodeFrontend({ kind: 'startup', user: 'agent', database: s.pg.database }));
    for (let i = 0; i < 2_000 && !seen.some((m) => m.kind === 'authenticationCleartextPassword'); i++)
      await new Promise((r) => setTimeout(r, 10));
    socket.write(encodeFrontend({ kind: 'password', password: await s.mint('prep-bound', { roles: ['db:read'] }) }));
    await until(1);
    // 10,000 named statements in batches below the pipeline limit, then one more
    for (let b = 0; b < 10; b++) {
      const batch = Array.from({ length: 1_000 }, (_, i) =>
        encodeFrontend({ kind: 'parse', name: `s${b * 1_000 + i}`, query: 'SELECT 1', paramTypes: [] }),
      );
      socket.write(Buffer.concat([...batch, encodeFrontend({ kind: 'sync' })]));
      await until(2 + b);
    }
    expect(seen.filter((m) => m.kind === 'errorResponse')).toEqual([]);
    socket.write(
      Buffer.concat([
        encodeFrontend({ kind: 'parse', name: 'one_more', query: 'SELECT 1', paramTypes: [] }),
        encodeFrontend({ kind: 'sync' }),
      ]),
    );
    await until(12);
    expect(seen.filter((m) => m.kind === 'errorResponse')).toEqual([{ kind: 'errorResponse', code: '54000' }]);
    // closing one makes room again
    socket.write(
      Buffer.concat([
        encodeFrontend({ kind: 'close', target: 'S', name: 's5' }),
        encodeFrontend({ kind: 'parse', name: 'one_more', query: 'SELECT 1', paramTypes: [] }),
        encodeFrontend({ kind: 'sync' }),
      ]),
    );
    await until(13);
    expect(seen.filter((m) => m.kind === 'errorResponse')).toHaveLength(1);
    expect(seen.at(-2)?.kind).toBe('parseComplete');
    socket.end(encodeFrontend({ kind: 'terminate' }));
  }, 60_000);
});
