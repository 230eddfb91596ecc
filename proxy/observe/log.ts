// The operational log: a subscriber that writes the gateway's events as structured JSON lines
// (pino) at the configured level — logins, refusals, denials, upstream failures with their
// cause, policy errors. Each event's fields are picked one by one, so no token, password, Bind
// value or statement text reaches the log (statements appear by command, kind, tables and
// fingerprint).

import { pino } from 'pino';
import type { Level, Logger } from 'pino';
import type { GatewayEvent, Subscriber } from '../events.js';
import type { StatementFacts } from '../sql/index.js';

/** LogLevel is a configured `log.level`. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** OperationalLogOptions configures createOperationalLog. */
export type OperationalLogOptions = {
  /** level is the configured level, or a getter read at each event (SIGHUP re-reads `log.level`). */
  readonly level: LogLevel | (() => LogLevel);
  /** write receives one JSON line at a time (the CLI binds it to stderr). */
  readonly write: (line: string) => void;
};

/** LogEntry is one line to write: its message and fields. */
export type LogEntry = { readonly msg: string; readonly fields: Readonly<Record<string, unknown>> };

/** createOperationalLog returns the subscriber that logs events at or above `level`. */
export function createOperationalLog(options: OperationalLogOptions): Subscriber {
  const given = options.level;
  const logger: Logger = pino(
    { level: typeof given === 'function' ? given() : given, base: null, timestamp: pino.stdTimeFunctions.isoTime },
    { write: (line: string) => options.write(line) },
  );
  return (event) => {
    if (typeof given === 'function') {
      const want = given();
      if (logger.level !== want) logger.level = want;
    }
    const level = levelOf(event);
    if (!logger.isLevelEnabled(level)) return;
    const entry = logEntry(event);
    logger[level]({ event: event.type, ...entry.fields }, entry.msg);
  };
}

/** levelOf is an event's log level: failures are errors, refusals warnings, decisions that stop a statement info, the rest debug. */
export function levelOf(event: GatewayEvent): Level {
  switch (event.type) {
    case 'keys.failed':
      return event.cachedKeyCount > 0 ? 'warn' : 'error';
    case 'gateway.error':
    case 'session.failed':
    case 'policy.error':
    case 'upstream.failed':
    case 'sql.unavailable':
    case 'introspection.failed':
    case 'state.failed':
    case 'approval.failed':
    case 'admin.failed':
    case 'control.failed':
    case 'recording.problem':
      return 'error';
    case 'recording.shipped':
      return 'debug';
    case 'webhook.delivery':
      return event.outcome === 'delivered' ? 'debug' : 'warn';
    case 'decision_log.problem':
      return event.kind === 'decision_log.upload_recovered' ? 'info' : 'warn';
    case 'admin.log':
      return /error|unavailable|failed/.test(event.kind)
        ? 'error'
        : event.kind === 'admin.auth-refused'
          ? 'warn'
          : event.kind === 'admin.approval-act'
            ? 'info'
            : 'debug';
    case 'connection.refused':
    case 'login.refused':
    case 'cancel.failed':
    case 'catalog.failed':
      return 'warn';
    case 'policy.loaded':
      return event.connectionEntrypoint === null ? 'warn' : 'info';
    case 'policy.activated':
      return 'info';
    case 'policy.source':
      return event.level;
    case 'policy.reload_failed':
      return 'error';
    case 'statement.withheld':
    case 'gateway.listening':
    case 'keys.loaded':
    case 'state.ready':
    case 'approval.changed':
    case 'admin.listening':
    case 'session.opened':
    case 'session.closed':
    case 'cancel.requested':
      return 'info';
    case 'statement.decided':
      return event.decision.kind === 'allow' ? 'debug' : 'info';
    case 'statement.refused':
      // a policy denial was logged as its decision already
      return event.rule !== undefined ? 'debug' : 'info';
    case 'statement.finished':
    case 'connection.accepted':
    case 'policy.print':
    case 'keys.throttled':
      return 'debug';
    default:
      return assertNever(event);
  }
}

/** logEntry picks an event's message and the fields the operator's log may hold. */
export function logEntry(event: GatewayEvent): LogEntry {
  const at = (msg: string, fields: Readonly<Record<string, unknown>>): LogEntry => ({ msg, fields });
  switch (event.type) {
    case 'gateway.listening':
      return at('gateway listening', { host: event.host, port: event.port, tls: event.tls });
    case 'gateway.error':
      return at('gateway error', { error: event.message });
    case 'connection.accepted':
      return at('connection accepted', { clientAddress: event.clientAddress });
    case 'connection.refused':
      return at('connection refused', { reason: event.reason, clientAddress: event.clientAddress });
    case 'login.refused':
      return at('login refused', {
        session: event.session,
        clientAddress: event.clientAddress,
        code: event.code,
        sqlstate: event.sqlstate,
        reason: event.message,
      });
    case 'session.opened':
      return at('session opened', {
        session: event.session,
        subject: event.subject,
        issuer: event.issuer,
        clientAddress: event.clientAddress,
        tls: event.tls,
        database: event.database,
        user: event.user,
        applicationName: event.applicationName,
        ...(event.role !== undefined ? { role: event.role } : {}),
      });
    case 'session.closed':
      return at('session closed', {
        session: event.session,
        subject: event.subject,
        reason: event.reason,
        durationMs: event.durationMs,
        statements: event.statements,
      });
    case 'session.failed':
      return at('session failed', { session: event.session, subject: event.subject, error: event.message });
    case 'cancel.requested':
      return at('cancel request', { matched: event.matched, ...(event.session !== undefined ? { session: event.session } : {}) });
    case 'cancel.failed':
      return at('cancel forwarding failed', { session: event.session, error: event.message });
    case 'statement.decided': {
      const d = event.decision;
      const base = { session: event.session, subject: event.subject, statement: statementFields(event.statement), decision: d.kind };
      if (d.kind === 'allow') return at('statement allowed', { ...base, masks: d.masks.length });
      if (d.kind === 'hold') return at('statement held for approval', { ...base, rule: d.rule, reason: d.reason });
      return at('statement denied', { ...base, rule: d.rule, reason: d.reason, origin: d.origin });
    }
    case 'statement.refused':
      return at('statement refused', {
        session: event.session,
        subject: event.subject,
        ...(event.code !== undefined ? { code: event.code } : {}),
        sqlstate: event.sqlstate,
        reason: event.message,
        ...(event.rule !== undefined ? { rule: event.rule } : {}),
      });
    case 'statement.finished':
      return at('statement finished', {
        session: event.session,
        statement: statementFields(event.statement),
        ...(event.tag !== undefined ? { tag: event.tag } : {}),
        ...(event.sqlstate !== undefined ? { sqlstate: event.sqlstate } : {}),
        masks: event.masks.length,
      });
    case 'policy.loaded':
      return event.connectionEntrypoint !== null
        ? at("policy loaded; the login entrypoint decides each session's database role", {
            entrypoint: event.entrypoint,
            connectionEntrypoint: event.connectionEntrypoint,
          })
        : at('policy loaded without a login entrypoint: sessions run as the upstream login role (no SET ROLE)', {
            entrypoint: event.entrypoint,
            missingConnectionEntrypoint: event.missingConnectionEntrypoint ?? null,
          });
    case 'policy.activated':
      return at('policy activated', {
        revision: event.revision,
        previous: event.previous,
        origin: event.origin,
        trigger: event.trigger,
        ms: event.ms,
      });
    case 'policy.source':
      return at(event.message, { ...(event.fields ?? {}) });
    case 'policy.reload_failed':
      return at('policy reload failed; the active policy goes on deciding', {
        revision: event.revision,
        trigger: event.trigger,
        reasons: event.reasons,
      });
    case 'policy.error':
      return at('policy error', { ...(event.session !== undefined ? { session: event.session } : {}), error: event.message });
    case 'upstream.failed':
      return at('upstream failed', {
        ...(event.session !== undefined ? { session: event.session } : {}),
        purpose: event.purpose,
        code: event.code,
        error: event.message,
      });
    case 'catalog.failed':
      return at('catalog lookup failed', { key: event.key, error: event.message });
    case 'policy.print':
      return at('policy print', { line: event.line });
    case 'statement.withheld':
      return at('upstream message withheld from the client', {
        session: event.session,
        subject: event.subject,
        statement: statementFields(event.statement),
        sqlstate: event.sqlstate,
        upstreamMessage: event.message,
      });
    case 'keys.loaded':
      return at('verification keys loaded', { source: event.source, keyCount: event.keyCount });
    case 'keys.failed':
      return at('verification keys unavailable', { source: event.source, error: event.reason, cachedKeyCount: event.cachedKeyCount });
    case 'keys.throttled':
      return at('key refresh throttled', { kid: event.kid, nextRefreshAt: event.nextRefreshAt });
    case 'introspection.failed':
      return at('token introspection failed', { error: event.reason });
    case 'sql.unavailable':
      return at('SQL parser unavailable', { error: event.message });
    case 'state.ready':
      return at('state store ready', { version: event.version, applied: event.applied });
    case 'state.failed':
      return at('state store unavailable', { code: event.code, error: event.message });
    case 'approval.changed':
      return at(`approval request ${event.step}`, {
        id: event.id,
        step: event.step,
        ...(event.session !== undefined ? { session: event.session } : {}),
        ...(event.actor !== undefined ? { actor: event.actor } : {}),
      });
    case 'approval.failed':
      return at('approval failed', {
        ...(event.id !== undefined ? { id: event.id } : {}),
        ...(event.session !== undefined ? { session: event.session } : {}),
        error: event.message,
      });
    case 'webhook.delivery':
      return at(`webhook ${event.outcome.replace('_', ' ')}`, {
        url: event.url,
        attempt: event.attempt,
        ...(event.status !== undefined ? { status: event.status } : {}),
        ...(event.message !== undefined ? { error: event.message } : {}),
      });
    case 'admin.listening':
      return at('admin API listening', { url: event.url });
    case 'admin.failed':
      return at('admin API failure', { error: event.message });
    case 'control.failed':
      return at('live control failure', { error: event.message });
    case 'recording.problem':
      return at('recording problem', { error: event.message });
    case 'recording.shipped':
      return at('recording shipped', { journal: event.journal, records: event.records, through: event.through });
    case 'decision_log.problem':
      return at(event.kind.replace('decision_log.', 'decision log ').replaceAll('_', ' '), event.fields);
    case 'admin.log':
      return at(event.kind.replace(/^admin\./, 'admin API ').replaceAll('-', ' '), event.fields);
    default:
      return assertNever(event);
  }
}

/** statementFields names a statement without its text (literal values may be secrets). */
function statementFields(facts: StatementFacts): Readonly<Record<string, unknown>> {
  return {
    command: facts.command,
    kind: facts.kind,
    tables: [...facts.tables.read, ...facts.tables.written],
    fingerprint: facts.fingerprint,
  };
}

function assertNever(x: never): never {
  throw new TypeError(`unexpected event ${JSON.stringify(x)}`);
}
