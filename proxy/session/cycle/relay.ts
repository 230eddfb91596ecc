// Relaying the upstream's answers to what was forwarded: a queue of expected responses (one
// entry per forwarded simple query or extended-protocol message) tells which statement or portal
// each RowDescription, DataRow and CopyData belongs to, so masks apply to the right result set
// and prepared statements / portals are remembered only once the upstream accepted them.

import { BACKEND_TAGS, checkDataRow, decodeBackend, encodeBackend, encodeFrontend } from '../../wire/index.js';
import type { BackendMessage, NoticeFields, PartFrame, SkippedFrame, TaggedFrame } from '../../wire/index.js';
import { CopyOutRewriter, MaskedBinaryError, MaskUnboundError, NO_MASKS, RowTooLargeError, maskDataRow } from '../../actions/index.js';
import type { ResultMaskPlan } from '../../actions/index.js';
import type { StatementFacts } from '../../sql/index.js';
import { isFatal, sendError, sendUpstreamClosed } from './replies.js';
import type { Cycle } from './state.js';
import { RelayDesyncError } from '../errors.js';
import { durableOf } from './expectations.js';
import type { Expectation, RelayOutcome } from './expectations.js';
import type { ProxyError } from '../../errors.js';
import { RecordingWithheldError } from '../../recording/index.js';
import { bindResultColumns } from './result-binding.js';
import { ResultTap } from './result-tap.js';
import { pumpCopyIn } from './copy-in.js';
import { ABORT_SQL } from './abort.js';
import { touchesMasks, withheldFields } from './withhold.js';

const DDL_TAG = /^(CREATE|ALTER|DROP)\b/;

/**
 * relayResponses reads the upstream until every expectation in the queue is answered, writing
 * to the client what it may see: rows with masks applied, or, when rows cannot be masked after
 * all (a masked binary value, an unbound column), one ErrorResponse and nothing more until
 * ReadyForQuery. The queue is consumed.
 */
export function relayResponses(cycle: Cycle, queue: Expectation[]): Promise<RelayOutcome> {
  return new Relay(cycle, queue).run();
}

/** Relay is the state of one relayResponses call (a class: its helpers are not re-created per call). */
class Relay {
  readonly #cycle: Cycle;
  readonly #queue: Expectation[];
  #plan: ResultMaskPlan = NO_MASKS;
  #copyOut: CopyOutRewriter | undefined;
  #refused = false;
  /** #streaming is the large DataRow being streamed: forwarded as it arrives, held for masking, or dropped after a refusal. */
  #streaming:
    | { readonly mode: 'forward' | 'drop' }
    | { readonly mode: 'hold'; readonly parts: Buffer[]; readonly plan: ResultMaskPlan }
    | undefined;

  /** #tap is what the agent has seen of the statement whose answers are arriving (only while recording). */
  #tap: ResultTap | undefined;
  /** #since is when the statement whose answers are arriving began (forwarded, or the previous one ended). */
  #since = Date.now();

  constructor(cycle: Cycle, queue: Expectation[]) {
    this.#cycle = cycle;
    this.#queue = queue;
  }

  /** #seen adds bytes sent to the agent to the current statement's result digest (when recording). */
  #seen(bytes: Uint8Array, row: boolean): void {
    const { ctx } = this.#cycle;
    if (ctx.recorder === undefined || this.#refused) return;
    this.#tap ??= new ResultTap([], ctx.recordRowsBytes);
    this.#tap.seen(bytes, row);
  }

  #forward(frame: TaggedFrame): void {
    if (!this.#refused) this.#cycle.ctx.client.write(frame.raw);
  }

  #refuse(err: ProxyError): void {
    if (!this.#refused) sendError(this.#cycle, err);
    this.#refused = true;
    this.#copyOut = undefined;
  }

  #head(): Expectation {
    const h = this.#queue[0];
    if (h === undefined) throw new RelayDesyncError('upstream sent a response nothing waits for');
    return h;
  }

  #expect<K extends Expectation['kind']>(kinds: readonly K[], what: string): Extract<Expectation, { kind: K }> {
    const h = this.#head();
    if (!(kinds as readonly string[]).includes(h.kind)) throw new RelayDesyncError(`upstream sent ${what} while ${h.kind} was expected`);
    return h as Extract<Expectation, { kind: K }>;
  }

  async run(): Promise<RelayOutcome> {
    const { ctx, state } = this.#cycle;
    const queue = this.#queue;
    // read-only queries went upstream once their records were written; what they answer reaches
    // the client only once those records are on disk (until then it waits in the upstream socket)
    const durable = durableOf(queue);
    if (durable !== undefined) {
      await durable.catch((e: unknown) => this.#refuse(new RecordingWithheldError({ cause: e })));
    }
    while (queue.length > 0) {
      const frame = await this.#cycle.upstream.next();
      if (frame === undefined) {
        sendUpstreamClosed(this.#cycle);
        return 'closed';
      }
      if (frame.kind === 'skipped') {
        this.#skipped(frame);
        continue;
      }
      if (frame.kind === 'part') {
        this.#part(frame);
        continue;
      }
      if (frame.kind !== 'tagged') throw new RelayDesyncError('upstream sent an untagged packet');
      if (frame.code === BACKEND_TAGS.dataRow) {
        this.#dataRow(frame);
        continue;
      }
      const msg: BackendMessage = decodeBackend(frame);
      switch (msg.kind) {
        case 'parseComplete': {
          const h = this.#expect(['parse'], 'ParseComplete');
          state.prepared.set(h.statement.name, h.statement);
          queue.shift();
          this.#forward(frame);
          break;
        }
        case 'bindComplete': {
          const h = this.#expect(['bind'], 'BindComplete');
          state.portals.set(h.portal.name, h.portal);
          queue.shift();
          this.#forward(frame);
          break;
        }
        case 'closeComplete': {
          const h = this.#expect(['close'], 'CloseComplete');
          if (h.target === 'S') state.prepared.delete(h.name);
          else state.portals.delete(h.name);
          queue.shift();
          this.#forward(frame);
          break;
        }
        case 'parameterDescription':
          this.#expect(['describeStatement'], 'ParameterDescription');
          this.#forward(frame);
          break;
        case 'rowDescription': {
          const h = this.#expect(['query', 'describeStatement', 'describePortal'], 'RowDescription');
          if (h.kind === 'query') {
            const r = await bindResultColumns(msg.fields, h.masks, ctx.catalog, h.statements[h.index]?.facts.output, ctx.maskHashKey);
            if (r.ok) this.#plan = r.plan;
            else this.#refuse(r.error);
            this.#forward(frame);
            this.#described(msg.fields, frame.raw);
          } else if (h.kind === 'describeStatement') {
            queue.shift();
            this.#forward(frame);
          } else {
            const r = await bindResultColumns(msg.fields, h.portal.masks, ctx.catalog, h.portal.facts?.output, ctx.maskHashKey);
            if (r.ok) h.portal.plan = r.plan;
            else this.#refuse(r.error);
            queue.shift();
            if (!h.synthetic) this.#forward(frame);
            this.#described(msg.fields, frame.raw);
          }
          break;
        }
        case 'noData': {
          const h = this.#expect(['describeStatement', 'describePortal'], 'NoData');
          if (h.kind === 'describePortal') h.portal.plan = NO_MASKS;
          queue.shift();
          if (h.kind === 'describeStatement' || !h.synthetic) this.#forward(frame);
          break;
        }
        case 'dataRow':
          // cut off above (frame.code); a DataRow is never decoded here
          break;
        case 'commandComplete':
        case 'emptyQueryResponse':
        case 'portalSuspended': {
          const h = this.#expect(['query', 'execute'], msg.kind);
          if (msg.kind !== 'portalSuspended') this.#finished(h, msg.kind === 'commandComplete' ? { tag: msg.tag } : {});
          if (h.kind === 'query') h.index++;
          else queue.shift();
          if (msg.kind === 'commandComplete' && DDL_TAG.test(msg.tag)) ctx.catalog.invalidate();
          this.#plan = NO_MASKS;
          this.#copyOut = undefined;
          this.#forward(frame);
          break;
        }
        case 'errorResponse': {
          const h = this.#head();
          if (h.kind === 'abort') {
            // the error the gateway asked for: the client already has the gateway's own
            queue.shift();
            break;
          }
          const sqlstate = msg.fields['C'];
          const masked = this.#maskedStatement(h);
          // the upstream ends the session: the client hears why, even after a refusal of ours
          const fatal = isFatal(msg.fields);
          if (fatal) this.#refused = false;
          if (h.kind === 'query' || h.kind === 'execute')
            this.#finished(h, sqlstate !== undefined ? { sqlstate, message: msg.fields['M'] ?? '' } : {});
          if (h.kind !== 'query') {
            // the upstream skips every message up to the next Sync: their answers never come
            while (queue.length > 0 && (queue[0] as Expectation).kind !== 'sync') queue.shift();
          }
          this.#plan = NO_MASKS;
          this.#copyOut = undefined;
          if (masked !== undefined) this.#withhold(msg.fields, 'error', masked);
          else this.#forward(frame);
          if (fatal) state.upstreamFatal = true;
          break;
        }
        case 'noticeResponse': {
          const masked = this.#maskedStatement(queue[0]);
          if (masked !== undefined) this.#withhold(msg.fields, 'notice', masked);
          else this.#forward(frame);
          break;
        }
        case 'readyForQuery': {
          // an abort skipped by an upstream already skipping to Sync gets no error of its own
          while (queue[0]?.kind === 'abort') queue.shift();
          this.#expect(['query', 'sync'], 'ReadyForQuery');
          queue.shift();
          state.txStatus = msg.status;
          if (msg.status === 'I') state.portals.clear();
          if (this.#refused) {
            this.#refused = false;
            if (msg.status === 'T' && queue.length === 0) {
              // the refused statement ran upstream inside the client's block: abort the block, as a
              // failed statement would (abort.ts); the upstream's answer to that ends this request
              ctx.upstream.write(encodeFrontend({ kind: 'query', sql: ABORT_SQL }));
              queue.push({ kind: 'abort' }, { kind: 'sync' });
              break;
            }
          }
          this.#forward(frame);
          break;
        }
        case 'copyOutResponse': {
          const h = this.#expect(['query', 'execute'], 'CopyOutResponse');
          const copyPlan = h.kind === 'query' ? h.statements[h.index]?.copy : h.portal.copy;
          const masked = copyPlan !== undefined && copyPlan.columns.length > 0;
          if (masked && msg.format === 1)
            this.#refuse(new MaskedBinaryError(`${copyPlan.columns[0]?.column.table}.${copyPlan.columns[0]?.column.column}`));
          this.#copyOut = masked && !this.#refused ? new CopyOutRewriter(copyPlan) : undefined;
          this.#forward(frame);
          break;
        }
        case 'copyData': {
          if (this.#refused) break;
          const copyOut = this.#copyOut;
          if (copyOut === undefined) {
            state.rowsReturned++;
            this.#forward(frame);
            break;
          }
          const chunk = copyOut.push(msg.data);
          state.rowsReturned += chunk.rows;
          if (chunk.data.length > 0) ctx.client.write(encodeBackend({ kind: 'copyData', data: chunk.data }));
          break;
        }
        case 'copyDone': {
          const copyOut = this.#copyOut;
          if (copyOut !== undefined && !this.#refused) {
            const chunk = copyOut.end();
            state.rowsReturned += chunk.rows;
            if (chunk.data.length > 0) ctx.client.write(encodeBackend({ kind: 'copyData', data: chunk.data }));
          }
          this.#copyOut = undefined;
          this.#forward(frame);
          break;
        }
        case 'copyInResponse': {
          this.#expect(['query', 'execute'], 'CopyInResponse');
          if (this.#refused) {
            // the client was already told this request failed: it will send no COPY data
            ctx.upstream.write(encodeFrontend({ kind: 'copyFail', message: 'portcullis: request refused' }));
            break;
          }
          this.#forward(frame);
          if (!(await pumpCopyIn(this.#cycle))) return 'closed';
          break;
        }
        default:
          // ParameterStatus, NotificationResponse, CopyBothResponse, unknown: as sent
          if (msg.kind === 'parameterStatus') state.reported.set(msg.name, msg.value);
          this.#forward(frame);
          break;
      }
    }
    return 'done';
  }

  /** #maskedStatement is the statement whose answers are arriving when it touches a masked table (its upstream texts are withheld). */
  #maskedStatement(h: Expectation | undefined): StatementFacts | undefined {
    if (h === undefined || (h.kind !== 'query' && h.kind !== 'execute')) return undefined;
    const plan = h.kind === 'query' ? h.statements[h.index] : h.portal;
    return plan?.facts !== undefined && touchesMasks(plan.facts, plan.masks) ? plan.facts : undefined;
  }

  /** #withhold sends the client an upstream error or notice without its text, and the operator the original. */
  #withhold(fields: NoticeFields, what: 'error' | 'notice', facts: StatementFacts): void {
    const { ctx } = this.#cycle;
    ctx.events.publish({
      type: 'statement.withheld',
      session: ctx.id,
      subject: ctx.principal.subject,
      statement: facts,
      sqlstate: fields['C'] ?? '',
      message: fields['M'] ?? '',
    });
    if (this.#refused) return;
    const out = withheldFields(fields, what);
    ctx.client.write(encodeBackend(what === 'error' ? { kind: 'errorResponse', ...out } : { kind: 'noticeResponse', ...out }));
  }

  /** #described notes the result columns the agent sees for the statement whose answers follow. */
  #described(fields: readonly { readonly name: string }[], raw: Uint8Array): void {
    const { ctx } = this.#cycle;
    if (ctx.recorder === undefined) return;
    this.#tap = new ResultTap(
      fields.map((f) => f.name),
      ctx.recordRowsBytes,
    );
    this.#tap.seen(raw, false);
  }

  /** #finished publishes how the statement whose answers are arriving ended (its tag, or the upstream's SQLSTATE). */
  #finished(
    h: Extract<Expectation, { kind: 'query' | 'execute' }>,
    outcome: { readonly tag?: string; readonly sqlstate?: string; readonly message?: string },
  ): void {
    const plan = h.kind === 'query' ? h.statements[h.index] : h.portal;
    if (plan?.facts === undefined) return;
    const { ctx } = this.#cycle;
    this.#cycle.state.outcomes?.push({
      ...(outcome.tag !== undefined ? { tag: outcome.tag } : {}),
      ...(outcome.sqlstate !== undefined ? { sqlstate: outcome.sqlstate } : {}),
    });
    const tap = this.#tap;
    this.#tap = undefined;
    const since = this.#since;
    this.#since = Date.now();
    if (ctx.recorder !== undefined && plan.statement !== undefined) {
      ctx.recorder.outcome({
        kind: 'statement.outcome',
        session: ctx.id,
        statement: plan.statement,
        tag: outcome.tag ?? null,
        sqlstate: outcome.sqlstate ?? null,
        message: outcome.message ?? null,
        duration_ms: this.#since - since,
        ...(tap ?? new ResultTap([], ctx.recordRowsBytes)).outcome(),
      });
    }
    ctx.events.publish({
      type: 'statement.finished',
      session: ctx.id,
      subject: ctx.principal.subject,
      statement: plan.facts,
      masks: plan.masks,
      ...(outcome.tag !== undefined ? { tag: outcome.tag } : {}),
      ...(outcome.sqlstate !== undefined ? { sqlstate: outcome.sqlstate } : {}),
      durationMs: this.#since - since,
    });
  }

  /**
   * #skipped handles a row over limits.max_row_bytes, which the upstream channel skipped unread:
   * the statement fails with RowTooLargeError and nothing more of its answer reaches the client
   * until ReadyForQuery (the upstream finishes the statement; its remaining rows are dropped), so
   * the session stays usable.
   */
  #skipped(frame: SkippedFrame): void {
    if (frame.code === BACKEND_TAGS.dataRow) this.#expect(['query', 'execute'], 'DataRow');
    else if (frame.code !== BACKEND_TAGS.copyData || this.#queue[0] === undefined)
      throw new RelayDesyncError(`upstream sent an oversize message of type '${frame.tag}'`);
    this.#refuse(new RowTooLargeError(frame.declared, frame.limit));
  }

  /** #rowPlan counts a DataRow and says how its result set is masked (undefined: the statement was refused). */
  #rowPlan(): ResultMaskPlan | undefined {
    const h = this.#expect(['query', 'execute'], 'DataRow');
    this.#cycle.state.rowsReturned++;
    let rowPlan = this.#plan;
    if (h.kind === 'execute') {
      if (h.portal.plan === undefined && h.portal.masks.length > 0) {
        this.#refuse(new MaskUnboundError(`portal "${h.portal.name}" returned rows before its columns were described`));
      }
      rowPlan = h.portal.plan ?? NO_MASKS;
    }
    return this.#refused ? undefined : rowPlan;
  }

  /**
   * #part relays a DataRow too large to hold (the upstream channel streams rows above
   * limits.max_queued_bytes): as its bytes arrive when no column of its result set is masked, so
   * the gateway holds at most a socket read of it; whole, then masked, when one is (masking needs
   * the values; the row is then bounded by limits.max_row_bytes); dropped after a refusal.
   */
  #part(frame: PartFrame): void {
    if (frame.first) {
      if (frame.code !== BACKEND_TAGS.dataRow || this.#streaming !== undefined)
        throw new RelayDesyncError('upstream sent a partial message out of place');
      const plan = this.#rowPlan();
      this.#streaming =
        plan === undefined ? { mode: 'drop' } : plan.columns.length === 0 ? { mode: 'forward' } : { mode: 'hold', parts: [], plan };
    }
    const s = this.#streaming;
    if (s === undefined) throw new RelayDesyncError('upstream sent the rest of a message that did not begin');
    if (s.mode === 'forward' && !this.#refused) {
      this.#cycle.ctx.client.write(frame.bytes);
      this.#seen(frame.bytes, frame.last);
    } else if (s.mode === 'hold') s.parts.push(frame.bytes);
    if (!frame.last) return;
    this.#streaming = undefined;
    if (s.mode !== 'hold') return;
    const raw = Buffer.concat(s.parts);
    const whole: TaggedFrame = { kind: 'tagged', code: frame.code, tag: frame.tag, raw, payload: raw.subarray(5) };
    checkDataRow(whole);
    this.#masked(whole, s.plan);
  }

  /** #dataRow relays one DataRow: unchanged (validated, not decoded) unless its result set has masked columns. */
  #dataRow(frame: TaggedFrame): void {
    checkDataRow(frame);
    const rowPlan = this.#rowPlan();
    if (rowPlan === undefined) return;
    if (rowPlan.columns.length === 0) {
      this.#forward(frame);
      this.#seen(frame.raw, true);
      return;
    }
    this.#masked(frame, rowPlan);
  }

  /** #masked sends one DataRow with its masked values rewritten (in place when it can be), or refuses the statement when a value cannot be masked. */
  #masked(frame: TaggedFrame, rowPlan: ResultMaskPlan): void {
    // a frame masked in place is this session's alone: only its masked bytes are ever sent or recorded
    const r = maskDataRow(frame.raw, rowPlan);
    if (!r.ok) return this.#refuse(r.error);
    if (r.bytes === frame.raw) this.#forward(frame);
    else this.#cycle.ctx.client.write(r.bytes);
    this.#seen(r.bytes, true);
  }
}
