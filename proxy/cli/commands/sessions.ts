// `portcullis sessions list|show`: the admin API's recorded sessions from a terminal. Talks HTTP
// with the global fetch to --admin-url (or PORTCULLIS_ADMIN_URL, else the running demo's) with the
// bearer token of --token (or PORTCULLIS_TOKEN), like `approvals`. `list` prints a table of
// sessions (newest first); `show` prints one session and its timeline: each statement, its
// decision and reasons, the rows the agent saw and how it ended. --json prints the API's JSON.

import { CURSOR_PATTERN, SESSION_ID_PATTERN, parseSince } from '../../admin/index.js';
import { DECISION_KINDS, SESSIONS_LIMIT } from '../../sessions/index.js';
import type { DecisionKind, SessionDetail, SessionPage, StatementPage, TimelineEntry } from '../../sessions/index.js';
import { options, parseFlags, usageError } from '../command.js';
import type { CliCommand } from '../command.js';
import { EXIT } from '../io.js';
import {
  ADMIN_DEFAULT_URL,
  adminTarget,
  checkAdminCommand,
  oneLine,
  reportApiError,
  table,
  truncate,
  unreachableReason,
} from './approvals.js';

/** SESSIONS_REQUEST_TIMEOUT_MS bounds one request to the admin API. */
const SESSIONS_REQUEST_TIMEOUT_MS = 30_000;

/** SHOW_MAX_STATEMENTS bounds the timeline `show` fetches (pages of 500). */
const SHOW_MAX_STATEMENTS = 10_000;

/** SessionsFilters are the filters of `sessions list`. */
export type SessionsFilters = {
  readonly sub?: string;
  readonly iss?: string;
  readonly since?: string;
  readonly decision?: DecisionKind;
  readonly database?: string;
  readonly limit?: number;
  readonly cursor?: string;
};

/** SessionsAction is one subcommand with its operands. */
export type SessionsAction =
  | ({ readonly kind: 'list' } & SessionsFilters)
  | { readonly kind: 'show'; readonly id: string; readonly decision?: DecisionKind }
  | { readonly kind: 'kill'; readonly id: string; readonly reason: string };

/** SessionsOptions are a parsed `sessions` invocation (the URL and token fall back to the environment when run). */
export type SessionsOptions = {
  readonly action: SessionsAction;
  readonly adminUrl?: string;
  readonly token?: string;
  readonly json: boolean;
};

/** SESSIONS_USAGE is the help text of `portcullis sessions`. */
export const SESSIONS_USAGE = `Usage: portcullis sessions list [--sub <sub>] [--iss <iss>] [--since <time|24h>] [--decision <kind>]
                               [--database <db>] [--limit <n>] [--cursor <c>]
       portcullis sessions show <id> [--decision <kind>]
       portcullis sessions kill <id> --reason <text>

Lists recorded sessions (newest first) or shows one with its timeline: every statement, its
decision and reasons, the rows the agent saw, and how it ended. Reading them needs a token the
audit policy allows (role audit:read by default). kill ends a live session on whichever gateway
runs it (its client gets FATAL 57P01 naming you and the reason; role audit:admin by default).

Options:
  --sub <sub>          only sessions of this token subject
  --iss <iss>          only sessions of this token issuer
  --since <time>       only sessions started since an RFC 3339 time or a duration back from now (30m, 24h, 7d, 2w)
  --decision <kind>    list: sessions with at least one statement so decided; show: only those statements
                       (${DECISION_KINDS.join(', ')})
  --reason <text>      kill: why the session is ended (required; the client reads it)
  --database <db>      only sessions on this database
  --limit <n>          list at most n sessions, 1 to ${SESSIONS_LIMIT.max} (default ${SESSIONS_LIMIT.default})
  --cursor <c>         the next page (printed under a full page)
  --admin-url <url>    the admin API (default $PORTCULLIS_ADMIN_URL, else the running demo's, else ${ADMIN_DEFAULT_URL})
  --token <jwt>        your bearer token (default $PORTCULLIS_TOKEN)
  --json               print the API's JSON instead of text
  -h, --help           show this text`;

const ID = new RegExp(SESSION_ID_PATTERN);
const CURSOR = new RegExp(CURSOR_PATTERN);
const SUBCOMMANDS = ['list', 'show', 'kill'] as const;
const LIST_ONLY = ['sub', 'iss', 'since', 'database', 'limit', 'cursor'] as const;

/** sessionsCommand is `portcullis sessions`. */
export const sessionsCommand: CliCommand<SessionsOptions> = {
  name: 'sessions',
  summary: `sessions list|show|kill [<id>] [--sub <sub>] [--since 24h] [--decision deny] [--reason <text>] [--json]
List recorded sessions, show one's timeline of statements, or end a live one (through the admin API).`,
  usage: SESSIONS_USAGE,
  parse: (argv) =>
    parseFlags(
      argv,
      {
        sub: { type: 'string' },
        iss: { type: 'string' },
        since: { type: 'string' },
        decision: { type: 'string' },
        database: { type: 'string' },
        reason: { type: 'string' },
        limit: { type: 'string' },
        cursor: { type: 'string' },
        'admin-url': { type: 'string' },
        token: { type: 'string' },
        json: { type: 'boolean' },
      },
      true,
      ({ values: v, positionals }) => {
        const checked = checkAdminCommand('sessions', SUBCOMMANDS, positionals, v);
        if ('kind' in checked) return checked;
        const { sub, operands } = checked;
        if (v.decision !== undefined && !(DECISION_KINDS as readonly string[]).includes(v.decision)) {
          return usageError(`sessions ${sub}: --decision must be one of ${DECISION_KINDS.join(', ')}`);
        }
        const decision = v.decision as DecisionKind | undefined;
        let action: SessionsAction;
        if (sub === 'list') {
          if (operands.length > 0) return usageError(`sessions list: unexpected argument "${operands[0]}"`);
          for (const key of ['sub', 'iss', 'database'] as const) {
            if (v[key] === '') return usageError(`sessions list: --${key} must not be empty`);
          }
          if (v.since !== undefined && parseSince(v.since, Date.now()) === undefined) {
            return usageError(`sessions list: --since ${JSON.stringify(v.since)} is not an RFC 3339 time or a duration such as 24h`);
          }
          let limit: number | undefined;
          if (v.limit !== undefined) {
            limit = /^[0-9]{1,3}$/.test(v.limit) ? Number(v.limit) : Number.NaN;
            if (!(limit >= SESSIONS_LIMIT.min && limit <= SESSIONS_LIMIT.max)) {
              return usageError(`sessions list: --limit ${JSON.stringify(v.limit)} is not a number from 1 to ${SESSIONS_LIMIT.max}`);
            }
          }
          if (v.cursor !== undefined && !CURSOR.test(v.cursor)) return usageError('sessions list: --cursor is not a cursor');
          action = {
            kind: 'list',
            ...(v.sub !== undefined ? { sub: v.sub } : {}),
            ...(v.iss !== undefined ? { iss: v.iss } : {}),
            ...(v.since !== undefined ? { since: v.since } : {}),
            ...(decision !== undefined ? { decision } : {}),
            ...(v.database !== undefined ? { database: v.database } : {}),
            ...(limit !== undefined ? { limit } : {}),
            ...(v.cursor !== undefined ? { cursor: v.cursor } : {}),
          };
        } else if (sub === 'kill') {
          const given = LIST_ONLY.filter((k) => v[k] !== undefined);
          if (given.length > 0) return usageError(`sessions kill: --${given[0]} is an option of list`);
          const [id, extra] = operands;
          if (id === undefined) return usageError('sessions kill: the session id is required');
          if (extra !== undefined) return usageError(`sessions kill: unexpected argument "${extra}"`);
          if (!ID.test(id)) return usageError(`sessions kill: ${JSON.stringify(id)} is not a session id`);
          if (v.reason === undefined || v.reason.trim() === '') return usageError('sessions kill: --reason <text> is required');
          action = { kind: 'kill', id, reason: v.reason };
        } else {
          const given = LIST_ONLY.filter((k) => v[k] !== undefined);
          if (given.length > 0) return usageError(`sessions show: --${given[0]} is an option of list`);
          if (v.reason !== undefined) return usageError('sessions show: --reason is an option of kill');
          const [id, extra] = operands;
          if (id === undefined) return usageError('sessions show: the session id is required');
          if (extra !== undefined) return usageError(`sessions show: unexpected argument "${extra}"`);
          if (!ID.test(id)) return usageError(`sessions show: ${JSON.stringify(id)} is not a session id`);
          action = { kind: 'show', id, ...(decision !== undefined ? { decision } : {}) };
        }
        return options({
          action,
          json: v.json === true,
          ...(v['admin-url'] !== undefined ? { adminUrl: v['admin-url'] } : {}),
          ...(v.token !== undefined ? { token: v.token } : {}),
        });
      },
    ),
  async run(cmd, io, ctx) {
    const target = await adminTarget('sessions', cmd, io, ctx.env);
    if (typeof target === 'number') return target;
    const { adminUrl, token } = target;
    const get = (path: string, query: Readonly<Record<string, string | number | undefined>> = {}) => getJson(adminUrl, token, path, query);
    const action = cmd.action;
    if (action.kind === 'list') {
      const { kind: _kind, ...filters } = action;
      const answer = await get('v1/sessions', filters);
      if (answer.kind === 'unreachable') return unreachable(io, adminUrl, answer.why);
      if (answer.status !== 200) return reportApiError(io, answer.status, answer.body);
      io.stdout(cmd.json ? `${JSON.stringify(answer.body, null, 2)}\n` : formatSessions(answer.body as SessionPage));
      return EXIT.ok;
    }
    if (action.kind === 'kill') {
      const answer = await postJson(adminUrl, token, `v1/sessions/${encodeURIComponent(action.id)}/terminate`, { reason: action.reason });
      if (answer.kind === 'unreachable') return unreachable(io, adminUrl, answer.why);
      if (answer.status !== 202) return reportApiError(io, answer.status, answer.body);
      io.stdout(cmd.json ? `${JSON.stringify(answer.body, null, 2)}\n` : `session ${action.id} is being ended\n`);
      return EXIT.ok;
    }
    const path = `v1/sessions/${encodeURIComponent(action.id)}`;
    const detail = await get(path);
    if (detail.kind === 'unreachable') return unreachable(io, adminUrl, detail.why);
    if (detail.status !== 200) return reportApiError(io, detail.status, detail.body);
    const statements: TimelineEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await get(`${path}/statements`, { decision: action.decision, limit: SESSIONS_LIMIT.max, cursor });
      if (page.kind === 'unreachable') return unreachable(io, adminUrl, page.why);
      if (page.status !== 200) return reportApiError(io, page.status, page.body);
      const body = page.body as StatementPage;
      statements.push(...body.statements);
      cursor = body.next_cursor;
    } while (cursor !== undefined && statements.length < SHOW_MAX_STATEMENTS);
    const session = detail.body as SessionDetail;
    io.stdout(cmd.json ? `${JSON.stringify({ session, statements }, null, 2)}\n` : formatTimeline(session, statements));
    return EXIT.ok;
  },
};

function unreachable(io: { stderr(text: string): void }, url: string, why: string): number {
  io.stderr(`portcullis: cannot reach the admin API at ${url} (${why})\n`);
  return EXIT.failure;
}

type Answer =
  | { readonly kind: 'answer'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'unreachable'; readonly why: string };

/** getJson GETs a path of the admin API with a query and reads the JSON answer (body undefined when it is not JSON). */
async function getJson(
  base: string,
  token: string,
  path: string,
  query: Readonly<Record<string, string | number | undefined>>,
): Promise<Answer> {
  const url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(SESSIONS_REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    return { kind: 'unreachable', why: unreachableReason(e) };
  }
  const text = await res.text().catch(() => '');
  try {
    return { kind: 'answer', status: res.status, body: JSON.parse(text) };
  } catch {
    return { kind: 'answer', status: res.status, body: undefined };
  }
}

/** postJson POSTs a JSON body to the admin API. */
async function postJson(base: string, token: string, path: string, body: unknown): Promise<Answer> {
  const url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(SESSIONS_REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    return { kind: 'unreachable', why: unreachableReason(e) };
  }
  const text = await res.text().catch(() => '');
  try {
    return { kind: 'answer', status: res.status, body: JSON.parse(text) };
  } catch {
    return { kind: 'answer', status: res.status, body: undefined };
  }
}

/** formatSessions renders a page of sessions as an aligned table, and how to get the next page. */
export function formatSessions(page: SessionPage): string {
  if (page.sessions.length === 0) return 'no recorded sessions\n';
  const rows = page.sessions.map((s) => [
    s.id,
    s.started_at,
    `${s.identity.sub} (${s.identity.iss})`,
    s.database,
    String(s.statements),
    String(s.denied),
    String(s.held),
    s.ended_at === null ? 'open' : `${s.ended_at} (${s.end_reason ?? '-'})`,
  ]);
  const out = table(['ID', 'STARTED', 'IDENTITY', 'DATABASE', 'STATEMENTS', 'DENIED', 'HELD', 'ENDED'], rows);
  return page.next_cursor === undefined ? out : `${out}more: --cursor ${page.next_cursor}\n`;
}

/** formatTimeline renders a session and its statements: each one's decision and reasons, what ran and what the agent saw. */
export function formatTimeline(s: SessionDetail, statements: readonly TimelineEntry[]): string {
  const c = s.counts;
  const pairs: [string, string][] = [
    ['session', s.id],
    ['identity', `${s.identity.sub} (${s.identity.iss})`],
    ['database', `${s.connection.database} as ${s.connection.user}${s.role !== null ? ` (role ${s.role})` : ''}`],
    [
      'client',
      `${s.connection.client_address}${s.connection.application_name !== '' ? `, ${s.connection.application_name}` : ''}${s.connection.tls ? ', tls' : ''}`,
    ],
    ['gateway', s.gateway],
    ['policy revision', s.policy_revision],
    ['started', s.started_at],
    ['ended', s.ended_at === null ? 'open' : `${s.ended_at} (${s.end_reason ?? '-'}, ${s.duration_ms ?? 0}ms)`],
    ['statements', `${c.statements} (allow ${c.allow}, deny ${c.deny}, hold ${c.hold}, refuse ${c.refuse}); ${c.rows} rows seen`],
  ];
  const width = Math.max(...pairs.map(([k]) => k.length)) + 2;
  const lines = pairs.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`);
  lines.push('', 'timeline:');
  if (statements.length === 0) lines.push('  (no statements)');
  for (const e of statements) {
    const masks = e.decision.masks.length > 0 ? `, masks ${e.decision.masks.join(' ')}` : '';
    lines.push(`  #${e.statement}  ${e.at}  ${e.kind}  ${e.decision.kind.toUpperCase()}${masks}`);
    lines.push(`      ${truncate(oneLine(e.text), 200)}`);
    if (e.params !== null && e.params.length > 0) {
      lines.push(`      params: ${e.params.map((p, j) => `$${j + 1}=${p === null ? 'NULL' : JSON.stringify(p)}`).join(' ')}`);
    }
    e.decision.reasons.forEach((r, i) => {
      lines.push(`      - ${r} [${e.decision.rules[i] ?? '-'}]`);
    });
    const a = e.approval;
    if (a !== null) {
      const how = a.outcome === 'approved' ? 'approved' : `refused ${a.code ?? ''}: ${a.reason ?? ''}`;
      lines.push(`      approval ${a.id ?? '(no request)'}: ${how}`);
    }
    const o = e.outcome;
    if (o === null) lines.push('      -> not run');
    else if (o.sqlstate !== null && o.tag === null) lines.push(`      -> failed ${o.sqlstate}: ${o.message ?? ''} (${o.duration_ms}ms)`);
    else {
      const cols = o.columns.length > 0 ? ` (${o.columns.join(', ')})` : '';
      lines.push(
        `      -> ${o.tag ?? '-'}, ${o.rows} rows seen${cols}, ${o.duration_ms}ms${o.digest !== null ? `, sha256 ${o.digest.slice(0, 16)}` : ''}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
