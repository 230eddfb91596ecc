// Live control of sessions across gateways: an operator ends one live session, or blocks an
// identity (its new logins are refused and its live sessions end) until a time or until
// unblocked. Blocks are rows of the shared state store; every action is an audit event there;
// every gateway hears of it at once through NOTIFY on `portcullis_control` (and reloads the blocks
// after a lost LISTEN connection), so an action taken through any gateway reaches the session
// wherever it runs, within a second.

import type { ProxyError } from '../errors.js';
import { messageOf } from '../errors.js';
import type { StateStore } from '../state/index.js';
import { IdentityBlockedError, SessionTerminatedError } from './errors.js';

/** CONTROL_CHANNEL is the NOTIFY channel of live control (payload: JSON). */
export const CONTROL_CHANNEL = 'portcullis_control';

/** LiveSession is a session as live control sees it (the gateway's registry entry). */
export type LiveSession = {
  readonly id: string;
  readonly identity: { readonly iss: string; readonly sub: string };
  terminate(error: ProxyError, reason: 'terminated' | 'blocked'): void;
};

/** Actor is who acts (the verified claims of their token). */
export type Actor = { readonly iss: string; readonly sub: string };

/** Block is a blocked identity. */
export type Block = {
  readonly iss: string;
  readonly sub: string;
  readonly reason: string;
  readonly by: string;
  readonly until: string | null;
};

/** LiveControlDeps are live control's collaborators. */
export type LiveControlDeps = {
  readonly store: StateStore;
  /** sessions lists this gateway's live sessions. */
  readonly sessions: () => readonly LiveSession[];
  readonly onEvent?: (e: { readonly kind: string; readonly message: string }) => void;
  readonly now?: () => number;
};

/** LiveControl is one gateway's part of live control. */
export type LiveControl = {
  /** start loads the blocks and listens for actions; rejects with a StateError when the store cannot be reached. */
  start(): Promise<void>;
  /** blocked says whether an identity is blocked right now (from memory: checked at every login). */
  blocked(iss: string, sub: string): Block | undefined;
  /** terminate ends a live session wherever it runs. */
  terminate(session: string, by: Actor, reason: string): Promise<void>;
  /** block refuses an identity's new logins and ends its live sessions, until `until` (RFC 3339) or unblocked. */
  block(target: { readonly iss: string; readonly sub: string; readonly until?: string }, by: Actor, reason: string): Promise<Block>;
  /** unblock lets the identity log in again; false when it was not blocked. */
  unblock(target: { readonly iss: string; readonly sub: string }, by: Actor, reason: string): Promise<boolean>;
  /** blocks lists the identities blocked now. */
  blocks(): Promise<readonly Block[]>;
  close(): void;
};

type Notice =
  | { readonly type: 'terminate'; readonly session: string; readonly by: string; readonly reason: string }
  | { readonly type: 'block' | 'unblock'; readonly iss: string; readonly sub: string };

/** createLiveControl returns one gateway's live control; call start() before relying on blocked(). */
export function createLiveControl(deps: LiveControlDeps): LiveControl {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const report = deps.onEvent ?? (() => {});
  let blocks = new Map<string, Block>();
  let listener: { close(): void } | undefined;
  const key = (iss: string, sub: string): string => `${iss}\u0000${sub}`;
  const name = (a: Actor): string => `${a.sub} (${a.iss})`;

  const load = async (): Promise<void> => {
    const res = await store.query(
      `SELECT iss, sub, reason, blocked_by, to_json(until)#>>'{}' FROM portcullis.identity_blocks WHERE until IS NULL OR until > now()`,
      [],
    );
    blocks = new Map(
      res.rows.map((r) => {
        const b: Block = { iss: r[0] ?? '', sub: r[1] ?? '', reason: r[2] ?? '', by: r[3] ?? '', until: iso(r[4] ?? null) };
        return [key(b.iss, b.sub), b];
      }),
    );
  };

  const blocked = (iss: string, sub: string): Block | undefined => {
    const b = blocks.get(key(iss, sub));
    if (b === undefined) return undefined;
    if (b.until !== null && Date.parse(b.until) <= now()) return undefined;
    return b;
  };

  const endBlocked = (iss: string, sub: string): void => {
    const b = blocked(iss, sub);
    if (b === undefined) return;
    for (const s of deps.sessions()) {
      if (s.identity.iss === iss && s.identity.sub === sub) s.terminate(new IdentityBlockedError(b.by, b.reason, b.until), 'blocked');
    }
  };

  const onNotice = (payload: string): void => {
    let n: Notice;
    try {
      n = JSON.parse(payload) as Notice;
    } catch {
      return;
    }
    if (n.type === 'terminate') {
      for (const s of deps.sessions()) if (s.id === n.session) s.terminate(new SessionTerminatedError(n.by, n.reason), 'terminated');
      return;
    }
    void load().then(
      () => {
        if (n.type === 'block') endBlocked(n.iss, n.sub);
      },
      (e: unknown) => report({ kind: 'control.failed', message: `cannot reload the identity blocks: ${messageOf(e)}` }),
    );
  };

  const audit = (kind: string, by: Actor, target: unknown, reason: string) =>
    store.query('INSERT INTO portcullis.control_events (kind, actor, target, reason) VALUES ($1, $2, $3::jsonb, $4)', [
      kind,
      `${by.iss}#${by.sub}`,
      JSON.stringify(target),
      reason,
    ]);

  const notify = (n: Notice) => store.query('SELECT pg_notify($1, $2)', [CONTROL_CHANNEL, JSON.stringify(n)]);

  return {
    async start() {
      await load();
      listener = await store.listen(CONTROL_CHANNEL, onNotice, () => {
        void load().then(
          () => {
            for (const b of blocks.values()) endBlocked(b.iss, b.sub);
          },
          () => undefined,
        );
      });
    },
    blocked,
    async terminate(session, by, reason) {
      await audit('session.terminate', by, { session }, reason);
      await notify({ type: 'terminate', session, by: name(by), reason });
    },
    async block(target, by, reason) {
      const res = await store.query(
        `INSERT INTO portcullis.identity_blocks (iss, sub, reason, blocked_by, until) VALUES ($1, $2, $3, $4, $5::timestamptz)
         ON CONFLICT (iss, sub) DO UPDATE SET reason = EXCLUDED.reason, blocked_by = EXCLUDED.blocked_by, until = EXCLUDED.until, created_at = now()
         RETURNING to_json(until)#>>'{}'`,
        [target.iss, target.sub, reason, name(by), target.until ?? null],
      );
      await audit('identity.block', by, target, reason);
      await notify({ type: 'block', iss: target.iss, sub: target.sub });
      // this gateway knows at once; the others when the notification arrives
      await load();
      return { iss: target.iss, sub: target.sub, reason, by: name(by), until: iso(res.rows[0]?.[0] ?? null) };
    },
    async unblock(target, by, reason) {
      const res = await store.query('DELETE FROM portcullis.identity_blocks WHERE iss = $1 AND sub = $2 RETURNING iss', [
        target.iss,
        target.sub,
      ]);
      await audit('identity.unblock', by, target, reason);
      await notify({ type: 'unblock', iss: target.iss, sub: target.sub });
      await load();
      return res.rows.length > 0;
    },
    async blocks() {
      await load();
      return [...blocks.values()].filter((b) => blocked(b.iss, b.sub) !== undefined);
    },
    close() {
      listener?.close();
      listener = undefined;
    },
  };
}

/** iso renders a PostgreSQL timestamptz (JSON form) as RFC 3339 UTC. */
function iso(value: string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}
