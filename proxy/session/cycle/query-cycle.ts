// The query cycle of one session, after startup: read client frames, analyze and decide every
// statement (simple and extended protocol, COPY), forward what is allowed, relay the upstream's
// answers with masks applied, and refuse the rest with an ErrorResponse. Entry: runQueryCycle.

import { decodeBackend, decodeFrontend, encodeFrontend, ProtocolViolationError } from '../../wire/index.js';
import type { QueryMessage, TaggedFrame } from '../../wire/index.js';
import { initSql } from '../../sql/index.js';
import { FunctionCallRefusedError } from '../../actions/index.js';
import { ProxyError, messageOf, toErrorFields } from '../../errors.js';
import type { IdleUpstreamState, SessionContext, SessionEnd } from '../types.js';
import { endRefusedQuery } from './abort.js';
import { isFatal, sendError, sendToClient, sendUpstreamClosed } from './replies.js';
import { RelayDesyncError } from '../errors.js';
import { createCycle } from './state.js';
import type { Cycle } from './state.js';
import { EXTENDED_TAGS, runExtendedBatch } from './extended.js';
import { runSimpleQuery } from './simple.js';
import type { RelayOutcome } from './expectations.js';

/**
 * runQueryCycle serves the session until the client terminates or either side closes. Invalid
 * client input becomes an ErrorResponse (FATAL ones close the session); it never rejects, and it
 * resolves, once both channels have been ended, with how the session ended.
 */
export async function runQueryCycle(ctx: SessionContext): Promise<SessionEnd> {
  const cycle = createCycle(ctx);
  const activity = ctx.activity;
  let terminate = false;
  /** atRest: the session ended between requests (the client closed or said Terminate while idle) */
  let atRest = false;
  let reason: SessionEnd['reason'] = 'client';
  let idleUpstream: IdleUpstreamState | undefined;
  try {
    // idempotent; if loading fails, analyze() refuses every statement (fail closed)
    await initSql().catch((err: unknown) => ctx.events.publish({ type: 'sql.unavailable', message: messageOf(err) }));
    for (;;) {
      const side = await Promise.race([
        cycle.client.ready().then(() => 'client' as const),
        cycle.upstream.ready().then(() => 'upstream' as const),
      ]);
      if (side === 'upstream') {
        // between requests the upstream only sends asynchronous messages (notifications,
        // notices, parameter changes) or a FATAL error before closing: pass them on
        const frame = await cycle.upstream.next();
        if (frame === undefined) {
          sendUpstreamClosed(cycle);
          reason = 'upstream';
          break;
        }
        if (frame.kind !== 'tagged')
          throw new RelayDesyncError(`upstream sent an ${frame.kind === 'skipped' ? 'oversize' : 'untagged'} message between requests`);
        if (frame.tag === 'E') {
          const msg = decodeBackend(frame);
          if (msg.kind === 'errorResponse' && isFatal(msg.fields)) cycle.state.upstreamFatal = true;
        } else if (frame.tag === 'S') {
          const msg = decodeBackend(frame);
          if (msg.kind === 'parameterStatus') cycle.state.reported.set(msg.name, msg.value);
        }
        ctx.client.write(frame.raw);
        continue;
      }
      const frame = await cycle.client.next();
      if (frame === undefined) {
        terminate = true;
        atRest = true;
        break;
      }
      if (frame.kind !== 'tagged') throw new ProtocolViolationError('portcullis: unexpected startup packet', { severity: 'FATAL' });
      if (activity !== undefined) activity.idle = false;
      const outcome = await handleFrame(cycle, frame);
      if (outcome === 'closed') {
        reason = ctx.upstream.closed ? 'upstream' : 'client';
        break;
      }
      if (outcome === 'terminate') {
        terminate = true;
        atRest = true;
        break;
      }
      // a draining gateway ends the session here: its statement answered, no transaction left open
      if (activity !== undefined && cycle.state.txStatus === 'I') {
        activity.idle = true;
        activity.wentIdle();
      }
    }
  } catch (err) {
    reason = 'error';
    ctx.events.publish({ type: 'session.failed', session: ctx.id, subject: ctx.principal.subject, message: messageOf(err) });
    // the session stops: report FATAL (a ProxyError's text, or a generic internal error, never a stack)
    if (!ctx.client.closed) sendToClient(cycle, { kind: 'errorResponse', ...toErrorFields(err), severity: 'FATAL' });
  } finally {
    idleUpstream = atRest && ctx.reuseUpstream === true ? restingUpstream(cycle) : undefined;
    if (!ctx.upstream.closed && idleUpstream === undefined) {
      if (terminate) ctx.upstream.write(encodeFrontend({ kind: 'terminate' }));
      ctx.upstream.end();
    }
    ctx.client.end();
  }
  return {
    reason,
    statements: cycle.state.statements,
    rows: cycle.state.rowsReturned,
    ...(idleUpstream !== undefined ? { idleUpstream } : {}),
  };
}

/**
 * restingUpstream is the upstream left open for its owner to reuse when the session ended at rest
 * and the upstream is provably idle: last ReadyForQuery 'I', no extended-protocol work pending a
 * Sync, no FATAL error seen, still open, nothing pushed back. Undefined (close it) otherwise.
 */
function restingUpstream(cycle: Cycle): IdleUpstreamState | undefined {
  const { state, ctx } = cycle;
  if (state.txStatus !== 'I' || state.pipelineOpen || state.upstreamFatal || ctx.upstream.closed) return undefined;
  const unread = cycle.upstream.handOff();
  if (unread === 'pushed-back') return undefined;
  return { unread, reported: state.reported };
}

/** FrameOutcome is what the main loop does after one client message. */
type FrameOutcome = RelayOutcome | 'terminate';

/** handleFrame dispatches one client message received while idle. */
async function handleFrame(cycle: Cycle, frame: TaggedFrame): Promise<FrameOutcome> {
  switch (frame.tag) {
    case 'Q': {
      let msg: QueryMessage;
      try {
        const decoded = decodeFrontend(frame);
        if (decoded.kind !== 'query') throw new ProtocolViolationError('portcullis: invalid Query message');
        msg = decoded;
      } catch (err) {
        if (err instanceof ProxyError && err.severity === 'FATAL') throw err;
        sendError(cycle, err);
        return endRefusedQuery(cycle);
      }
      return runSimpleQuery(cycle, frame, msg);
    }
    case 'X':
      return 'terminate';
    case 'F':
      sendError(cycle, new FunctionCallRefusedError());
      return endRefusedQuery(cycle);
    case 'd':
    case 'c':
    case 'f':
      // COPY messages outside COPY are ignored, as PostgreSQL does (left over from a failed COPY)
      return 'done';
    default:
      if (EXTENDED_TAGS.includes(frame.tag)) return runExtendedBatch(cycle, frame);
      throw new ProtocolViolationError(`portcullis: unexpected message type '${frame.tag}' after startup`, { severity: 'FATAL' });
  }
}
