// The statement gate: the one place where a policy decision becomes an action, for both the
// simple and the extended protocol. enforce() builds the policy input, asks the policy, and
// answers with what to carry out: refuse (a deny, or masks the session cannot apply), run with
// masks (and a COPY rewrite plan), or, for a hold, wait on the approval port and then run or
// refuse. Every decision is counted and published as `statement.decided`.

import { PolicyDeniedError, PolicyEvaluationError, RULE_IDS, buildPolicyInput } from '../decision/index.js';
import type { Decision, Mask, PolicyInput } from '../decision/index.js';
import {
  MAX_PREPARED_STATEMENTS,
  TooManyPreparedError,
  UnknownStatementError,
  UnsupportedRequestError,
  checkOutputMasks,
} from '../actions/index.js';
import type { CatalogFacts, CatalogResolver } from '../catalog/index.js';
import { resolveStatement } from '../resolve/index.js';
import type { Resolved, StatementRoutine } from '../resolve/index.js';
import { masksThroughViews } from './view-masks.js';
import { NO_EVENTS } from '../events.js';
import type { EventSink } from '../events.js';
import { NO_APPROVALS } from './approvals.js';
import { planCopyOut } from './copy-plan.js';
import { checkBinaryResults } from './result-checks.js';
import type { ApprovalPort, Decide, HeldBatch, StatementRequest, UnanalysedRequest, Verdict } from './types.js';
import { approvalRecord, changesNothing, statementRecord, unanalysedRecord } from './records.js';
import type { HoldResult, HoldTicket } from '../approvals/index.js';
import { ProxyError, messageOf } from '../errors.js';
import { RecordingUnavailableError } from '../recording/index.js';
import type { Recorder } from '../recording/index.js';

/** GateDeps are the gate's collaborators; one gate serves every session of a gateway. */
export type GateDeps = {
  /** decide evaluates the policy loaded right now (hot reload swaps it underneath). */
  readonly decide: Decide;
  /** catalog lists a table's columns for COPY masking. */
  readonly catalog: CatalogResolver;
  /** names resolves a statement's relations, views and functions before the policy sees it (default: nothing resolved, every function unknown). */
  readonly names?: CatalogFacts;
  /** approvals holds statements the policy wants approved (default: every hold is refused). */
  readonly approvals?: ApprovalPort;
  /** events receives `statement.decided` and `policy.error` (default: dropped). */
  readonly events?: EventSink;
  /** now is the clock in ms since the epoch (policy input `time`). */
  readonly now?: () => number;
  /** maskHashKey makes `hash` masks an HMAC (config `masking.hash_key_*`). */
  readonly maskHashKey?: string;
  /** revision names the policy deciding right now (recorded on approval requests; a change while a statement waits means it is decided again). */
  readonly revision?: () => string;
  /** recorder receives every decided statement before it may run (write-ahead); a failure to record refuses it. */
  readonly recorder?: Recorder;
};

/** Gate decides statements and says how to carry the decision out. */
export type Gate = {
  /** enforce decides one statement; it never rejects (a broken policy is a refusal). */
  enforce(request: StatementRequest): Promise<Verdict>;
  /** awaitApproval holds a string or batch with `hold` verdicts until it is approved, denied, expires or is withdrawn; never rejects. */
  awaitApproval(batch: HeldBatch): Promise<HoldResult>;
  /** revision is the policy revision deciding right now. */
  revision(): string;
  /**
   * refuseUnanalysed puts on record a statement refused before it could be analysed (a syntax
   * error, a statement too large): it counts as one of the session's statements. Never rejects.
   */
  refuseUnanalysed(request: UnanalysedRequest, error: ProxyError): Promise<void>;
};

const POLICY_ERROR_REASON = 'policy error: the decision could not be evaluated';

/** POLICY_ERROR_DENY is the decision when the policy could not be asked at all (fail closed). */
const POLICY_ERROR_DENY: Decision = Object.freeze({
  kind: 'deny',
  reason: POLICY_ERROR_REASON,
  rule: RULE_IDS.policyError,
  origin: 'error',
  reasons: [{ reason: POLICY_ERROR_REASON, rule: RULE_IDS.policyError }],
});

/** createGate binds the gate to its collaborators. */
export function createGate(deps: GateDeps): Gate {
  const approvals = deps.approvals ?? NO_APPROVALS;
  const events = deps.events ?? NO_EVENTS;
  const now = deps.now ?? Date.now;

  /** resolve looks the statement's names up in the catalog (synchronous when they are cached). */
  function resolve(req: StatementRequest): Resolved | Promise<Resolved> {
    if (deps.names !== undefined) return resolveStatement(req.facts, deps.names);
    return { ok: true, facts: req.facts, routines: req.facts.calls.map(unknownRoutine), viewColumns: [] };
  }

  /** inputOf builds the policy input of a statement. */
  function inputOf(req: StatementRequest, routines: readonly StatementRoutine[]): PolicyInput {
    const { session } = req;
    return buildPolicyInput({
      claims: session.principal.claims,
      connection: session.connection,
      statement: req.facts,
      routines,
      params: req.params,
      session: {
        statements: session.counters.statements,
        rowsReturned: session.counters.rowsReturned,
        inTransaction: req.inTransaction,
        startedAtMs: session.startedAt,
      },
      nowMs: now(),
    });
  }

  /** settle validates the policy's answer, counts the statement and publishes the decision. */
  function settle(req: StatementRequest, answer: unknown, failure: string | undefined, input?: PolicyInput, evalNs?: number): Decision {
    const { session } = req;
    let decision = POLICY_ERROR_DENY;
    if (failure === undefined && isDecision(answer)) decision = answer;
    else failure ??= 'decide returned an invalid decision';
    session.counters.statements++;
    events.publish({
      type: 'statement.decided',
      session: session.id,
      subject: session.principal.subject,
      statement: req.facts,
      decision,
      params: req.params,
      inTransaction: req.inTransaction,
      statementId: session.counters.statements,
      ...(input !== undefined ? { input } : {}),
      ...(evalNs !== undefined ? { evalNs } : {}),
    });
    if (decision.kind === 'deny' && decision.origin === 'error') {
      events.publish({ type: 'policy.error', session: session.id, message: failure ?? decision.detail ?? decision.reason });
    }
    return decision;
  }

  /** act carries a decision out: refuse a deny, check what the statement needs, then (for a hold) wait for approval. */
  function act(req: StatementRequest, decision: Decision, resolved: Extract<Resolved, { ok: true }>): Verdict | Promise<Verdict> {
    if (decision.kind === 'deny') return { kind: 'refuse', decision, error: denialError(decision) };
    // what the statement would need is checked before anyone is asked to approve it
    const masks = masksThroughViews(decision.masks, resolved.viewColumns);
    const verdict = carryOut(req, decision, masks, deps.catalog, deps.maskHashKey);
    if (decision.kind === 'allow') return verdict;
    // the protocol path gathers the string's or batch's holds and waits once for all (awaitApproval)
    return Promise.resolve(verdict).then(
      (v): Verdict => (v.kind === 'refuse' ? v : { kind: 'hold', decision, masks: v.masks, copy: v.copy }),
    );
  }

  const revision = deps.revision ?? (() => '');

  /**
   * recordDecided puts a decided statement on record before it may run (write-ahead): synced first,
   * except a query that changes nothing, which goes once written (its answers wait for the sync:
   * Verdict.durable) and a refusal, which runs nothing. A record that cannot be made refuses it.
   */
  async function recordDecided(
    recorder: Recorder,
    req: StatementRequest,
    verdict: Verdict,
    input: PolicyInput | undefined,
    routines: readonly StatementRoutine[],
    decidedBy: string,
  ): Promise<Verdict> {
    const id = req.session.counters.statements;
    const record = statementRecord(req, verdict, input, id, decidedBy);
    const readOnly = verdict.kind === 'refuse' || (verdict.kind === 'run' && changesNothing(req.facts, routines));
    const recorded = await recorder.statement(record.body, { json: record.json, readOnly }).then(
      (r) => r ?? {},
      (e: unknown) => ({ failed: e instanceof ProxyError ? e : new RecordingUnavailableError({ cause: e }) }),
    );
    if (verdict.kind === 'refuse') return verdict;
    if ('failed' in recorded) return { kind: 'refuse', decision: verdict.decision, error: recorded.failed };
    return { ...verdict, statement: id, ...(recorded.durable !== undefined ? { durable: recorded.durable } : {}) };
  }

  /** refuseEarly refuses a statement before the policy is asked (it cannot be resolved or prepared), on record. */
  async function refuseEarly(req: StatementRequest, error: ProxyError): Promise<Verdict> {
    const verdict: Verdict = { kind: 'refuse', decision: undefined, error };
    req.session.counters.statements++;
    return deps.recorder === undefined ? verdict : recordDecided(deps.recorder, req, verdict, undefined, [], revision());
  }

  return {
    // one promise per statement on the common path: a synchronous policy answer and no COPY to plan
    async enforce(given) {
      const prepared = preparedStatement(given);
      if ('refused' in prepared) return refuseEarly(given, prepared.refused);
      const original = prepared;
      let resolved = resolve(original);
      if (resolved instanceof Promise) resolved = await resolved;
      if (!resolved.ok) return refuseEarly(original, resolved.error);
      const req = resolved.facts === original.facts ? original : { ...original, facts: resolved.facts };
      let answer: unknown;
      let input: PolicyInput | undefined;
      let verdict: Verdict;
      // the revision that decides: read right before the (synchronous) input and decision, with no
      // await between, so a reload cannot swap the policy in between
      const decidedBy = revision();
      try {
        input = inputOf(req, resolved.routines);
        const t0 = process.hrtime.bigint();
        answer = deps.decide(input);
        if (answer instanceof Promise) answer = await answer;
        const evalNs = Number(process.hrtime.bigint() - t0);
        verdict = await act(req, settle(req, answer, undefined, input, evalNs), resolved);
      } catch (err) {
        verdict = await act(req, settle(req, undefined, messageOf(err), input), resolved);
      }
      if (deps.recorder !== undefined) verdict = await recordDecided(deps.recorder, req, verdict, input, resolved.routines, decidedBy);
      if (verdict.kind !== 'refuse') rememberPrepared(given);
      return verdict;
    },
    async refuseUnanalysed(request, error) {
      request.session.counters.statements++;
      if (deps.recorder === undefined) return;
      const body = unanalysedRecord(request, request.session.counters.statements, error, revision());
      // nothing runs: the record need only be written
      await deps.recorder.statement(body, { readOnly: true }).catch(() => undefined);
    },
    async awaitApproval(batch) {
      const ticket = holdTicket(batch, revision());
      // the port never rejects by contract; if it does anyway, nothing runs unapproved
      const result = await approvals.hold(ticket).catch(() => NO_APPROVALS.hold(ticket));
      if (deps.recorder === undefined || batch.recorded === undefined || batch.recorded.length === 0) return result;
      // how the hold ended is on record (synced) before an approved batch runs
      const failed = await deps.recorder.approval(approvalRecord(batch, result)).then(
        () => undefined,
        (e: unknown) => (e instanceof ProxyError ? e : new RecordingUnavailableError({ cause: e })),
      );
      if (failed === undefined || result.kind === 'refused') return result;
      result.finished([{ sqlstate: failed.sqlstate }]);
      return { kind: 'refused', id: result.id, error: failed };
    },
    revision,
  };
}

/** holdTicket is what the approval port records about a held batch: who asks, what would run, why, and on which terms. */
function holdTicket(batch: HeldBatch, policyRevision: string): HoldTicket {
  const { session, holds } = batch;
  const seen = new Set<string>();
  const reasons = holds
    .flatMap((h) => h.reasons)
    .filter((r) => {
      const key = `${r.rule}\u0000${r.reason}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const terms = holds.map((h) => h.approval);
  const ttls = terms.flatMap((t) => (t?.ttlMs !== undefined ? [t.ttlMs] : []));
  const modes = terms.map((t) => t?.mode);
  const mode = modes.includes('refuse_and_grant') ? 'refuse_and_grant' : modes.includes('hold') ? 'hold' : undefined;
  return {
    session: session.id,
    requester: { sub: session.principal.subject, iss: session.principal.issuer, claims: session.principal.claims },
    database: session.connection.database,
    statements: batch.statements.map(({ facts, params }) => ({
      text: facts.text,
      params,
      fingerprint: facts.fingerprint,
      kind: facts.kind,
      tables: { read: facts.tables.read, written: facts.tables.written },
    })),
    reasons,
    ...(ttls.length > 0 ? { ttlMs: Math.min(...ttls) } : {}),
    minApprovals: Math.max(1, ...terms.map((t) => t?.minApprovals ?? 1)),
    ...(mode !== undefined ? { mode } : {}),
    policyRevision,
    signal: batch.signal,
    notice: batch.notice,
  };
}

/**
 * preparedStatement is the request as it is decided: `PREPARE name AS stmt` by the statement it
 * prepares (its kind and command; its tables, columns, flags and lineage are the PREPARE's
 * already), `EXECUTE name` by the statement the session prepared under that name (refused when
 * the gateway saw none: it cannot know what would run), anything else as it is.
 */
function preparedStatement(req: StatementRequest): StatementRequest | { readonly refused: ProxyError } {
  const p = req.facts.prepared;
  if (p === undefined || p.op === 'deallocate') return req;
  if (p.op === 'prepare') {
    const names = req.session.sqlPrepared;
    if (!names.has(p.name) && names.size >= MAX_PREPARED_STATEMENTS) return { refused: new TooManyPreparedError() };
    return { ...req, facts: { ...req.facts, kind: p.kind, command: p.command } };
  }
  const stored = req.session.sqlPrepared.get(p.name);
  if (stored === undefined) return { refused: new UnknownStatementError(p.name) };
  return { ...req, facts: { ...stored, text: req.facts.text, fingerprint: stored.fingerprint } };
}

/** rememberPrepared keeps what an allowed PREPARE prepares, and forgets what DEALLOCATE drops. */
function rememberPrepared(req: StatementRequest): void {
  const p = req.facts.prepared;
  if (p === undefined) return;
  const map = req.session.sqlPrepared;
  if (p.op === 'prepare') map.set(p.name, { ...req.facts, kind: p.kind, command: p.command });
  else if (p.op === 'deallocate') {
    if (p.name === '*') map.clear();
    else map.delete(p.name);
  }
}

/** unknownRoutine describes a call when no catalog is at hand: unknown, so a policy treats it as the least safe. */
function unknownRoutine(call: { readonly schema: string; readonly name: string }): StatementRoutine {
  return {
    schema: call.schema,
    name: call.name,
    known: false,
    volatility: 'unknown',
    securityDefiner: false,
    publicExecute: true,
    builtin: false,
    kinds: [],
  };
}

/** carryOut checks that the result can be masked as asked and plans a COPY rewrite (asynchronous only then); refuses otherwise. */
function carryOut(
  req: StatementRequest,
  decision: Decision,
  masks: readonly Mask[],
  catalog: CatalogResolver,
  hashKey: string | undefined,
): Verdict | Promise<Verdict> {
  const { facts } = req;
  const refuse = (error: ProxyError): Verdict => ({ kind: 'refuse', decision, error });
  const touched = [...facts.tables.read, ...facts.tables.written];
  const masked = checkOutputMasks(facts.output, touched, masks);
  if (masked !== undefined) return refuse(masked);
  if (req.protocol === 'extended') {
    const binary = checkBinaryResults(facts, touched, masks, req.resultFormats);
    if (binary !== undefined) return refuse(binary);
    if (facts.flags.copy_from_stdin) {
      return refuse(
        new UnsupportedRequestError('COPY FROM STDIN through the extended query protocol', 'send COPY … FROM STDIN as a simple query'),
      );
    }
  }
  if (!facts.flags.copy_to_stdout) return { kind: 'run', decision, masks, copy: undefined };
  return planCopyOut(facts, masks, catalog, hashKey).then(
    (copy): Verdict => (copy.ok ? { kind: 'run', decision, masks, copy: copy.plan } : refuse(copy.error)),
  );
}

/** denialError is the error a denied statement's client receives (the policy's reason, `rule: <id>` as detail). */
export function denialError(decision: Extract<Decision, { kind: 'deny' }>): PolicyDeniedError | PolicyEvaluationError {
  return decision.origin === 'error'
    ? new PolicyEvaluationError(decision.reason, decision.rule)
    : new PolicyDeniedError(decision.reason, decision.rule);
}

/** isDecision checks the shape the gate relies on (fail closed on anything else). */
function isDecision(d: unknown): d is Decision {
  if (typeof d !== 'object' || d === null) return false;
  const x = d as { kind?: unknown; masks?: unknown; reason?: unknown; rule?: unknown };
  if (x.kind === 'allow') return Array.isArray(x.masks);
  if (x.kind === 'hold') return Array.isArray(x.masks) && typeof x.reason === 'string' && typeof x.rule === 'string';
  return x.kind === 'deny' && typeof x.reason === 'string' && typeof x.rule === 'string';
}
