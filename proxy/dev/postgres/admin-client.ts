// A minimal PostgreSQL client for the launcher's own setup work: connects over the cluster's
// unix socket (trust auth), sends one simple-protocol Query (multi-statement allowed) and
// resolves at ReadyForQuery, rejecting with the server's first ErrorResponse. Uses pg-protocol
// (a runtime dependency), so the launcher needs no client library and no psql.

import { connect } from 'node:net';
import { parse, serialize } from 'pg-protocol';
import type { DatabaseError } from 'pg-protocol';

/** AdminTarget is where the admin query goes: the cluster's unix socket, a role and a database. */
export type AdminTarget = { readonly socketPath: string; readonly user: string; readonly database: string };

/** runAdminQuery runs SQL as `target.user` over the unix socket; rejects with the server's error (its `code` is the SQLSTATE). */
export function runAdminQuery(target: AdminTarget, sql: string, timeoutMs = 30_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = connect({ path: target.socketPath });
    let firstError: DatabaseError | undefined;
    let sent = false;
    let settled = false;
    const finish = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!socket.destroyed) {
        if (err === undefined) socket.end(serialize.end());
        else socket.destroy();
      }
      if (err === undefined) resolve();
      else reject(err);
    };
    const timer = setTimeout(() => finish(new Error(`no answer from PostgreSQL within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(firstError ?? new Error('PostgreSQL closed the connection')));
    socket.on('connect', () => socket.write(serialize.startup({ user: target.user, database: target.database })));
    void parse(socket, (msg) => {
      switch (msg.name) {
        case 'error':
          // Before the query: a startup failure (e.g. 57P03 "starting up"); the server closes.
          firstError ??= msg as DatabaseError;
          if (!sent) finish(firstError);
          return;
        case 'readyForQuery':
          if (!sent) {
            sent = true;
            socket.write(serialize.query(sql));
          } else {
            finish(firstError);
          }
          return;
        case 'authenticationOk':
        case 'parameterStatus':
        case 'backendKeyData':
        case 'notice':
        case 'commandComplete':
        case 'rowDescription':
        case 'dataRow':
        case 'emptyQuery':
          return;
        default:
          finish(new Error(`unexpected message from PostgreSQL during setup: ${msg.name} (the socket must use trust auth)`));
      }
    }).catch((err: unknown) => finish(err));
  });
}
