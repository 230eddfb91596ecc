// Internal commands over an idle upstream connection (SET SESSION ROLE, a pooled connection's
// DISCARD ALL and SET application_name): write one simple Query and read its answers to
// ReadyForQuery, keeping the ParameterStatus values PostgreSQL reports on the way and dropping
// notices and notifications. What the command came to is the caller's to judge.

import type { FrameChannel } from '../net/index.js';
import type { Frame } from '../wire/index.js';
import { decodeBackend, encodeFrontend } from '../wire/index.js';

/** CommandOutcome is how an internal command ended. */
export type CommandOutcome =
  /** done: CommandComplete, then ReadyForQuery 'I'. */
  | { readonly kind: 'done'; readonly reported: ReadonlyMap<string, string> }
  /** refused: PostgreSQL answered an ErrorResponse (the first one's SQLSTATE and message). */
  | { readonly kind: 'refused'; readonly sqlstate: string; readonly message: string }
  /** broken: the connection closed (`closed`), or the answers were not those of one completed command. */
  | { readonly kind: 'broken'; readonly closed: boolean; readonly reason: string };

/**
 * runCommand runs `sql` as a simple Query on an idle connection and reads to ReadyForQuery.
 * `first` is a read already begun on the connection (its frame is the first answer read here).
 */
export async function runCommand(conn: FrameChannel, sql: string, first?: Promise<Frame | undefined>): Promise<CommandOutcome> {
  conn.write(encodeFrontend({ kind: 'query', sql }));
  const reported = new Map<string, string>();
  let refused: { sqlstate: string; message: string } | undefined;
  let completed = false;
  let pending = first;
  for (;;) {
    const frame = await (pending ?? conn.next());
    pending = undefined;
    if (frame === undefined) return { kind: 'broken', closed: true, reason: 'the connection closed' };
    if (frame.kind !== 'tagged') return { kind: 'broken', closed: false, reason: 'an answer that is not a message' };
    const msg = decodeBackend(frame);
    switch (msg.kind) {
      case 'parameterStatus':
        reported.set(msg.name, msg.value);
        break;
      case 'noticeResponse':
      case 'notification':
        break;
      case 'commandComplete':
        if (completed) return { kind: 'broken', closed: false, reason: 'more than one command completed' };
        completed = true;
        break;
      case 'errorResponse':
        refused ??= { sqlstate: msg.fields['C'] ?? 'XX000', message: msg.fields['M'] ?? 'unknown error' };
        break;
      case 'readyForQuery':
        if (refused !== undefined) return { kind: 'refused', ...refused };
        if (!completed || msg.status !== 'I') {
          return { kind: 'broken', closed: false, reason: `the command ended without completing (status ${msg.status})` };
        }
        return { kind: 'done', reported };
      default:
        return { kind: 'broken', closed: false, reason: `unexpected message "${msg.kind}"` };
    }
  }
}
