// `portcullis approvals list|show|approve|deny`: the admin API's approvals routes from a terminal.
// Talks HTTP with the global fetch to --admin-url (or PORTCULLIS_ADMIN_URL) with the bearer token
// of --token (or PORTCULLIS_TOKEN), and prints a table, a detailed view, or with --json the API's
// own JSON. An API error prints its code and message (exit 1); an unreachable API says so.

import { ADMIN_DEFAULT_PORT, APPROVAL_ID_PATTERN, REASON_MAX_LENGTH } from '../../admin/index.js';
import type { AdminErrorBody } from '../../admin/index.js';
import { APPROVAL_STATUSES } from '../../approvals/index.js';
import type { ApprovalRequestView, ApprovalStatus } from '../../approvals/index.js';
import { options, parseFlags, usageError } from '../command.js';
import type { CliCommand } from '../command.js';
import { EXIT } from '../io.js';
import type { CliIo } from '../io.js';

/** runningDemoAdminUrl is the admin API of the demo running on this machine (`npm start`), if any. */
export async function runningDemoAdminUrl(): Promise<string | undefined> {
  const { demoAdminUrl } = await import('../../dev/index.js');
  return demoAdminUrl();
}

/**
 * adminTarget is the admin API a command talks to and the bearer token it sends: --admin-url, else
 * $PORTCULLIS_ADMIN_URL, else the running demo's, else the default; --token, else
 * $PORTCULLIS_TOKEN. A bad URL or no token is reported (exit 2).
 */
export async function adminTarget(
  command: string,
  cmd: { readonly adminUrl?: string; readonly token?: string },
  io: CliIo,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ readonly adminUrl: string; readonly token: string } | number> {
  const adminUrl = cmd.adminUrl ?? nonEmpty(env['PORTCULLIS_ADMIN_URL']) ?? (await runningDemoAdminUrl()) ?? ADMIN_DEFAULT_URL;
  if (!isHttpUrl(adminUrl)) {
    io.stderr(`portcullis: ${command}: PORTCULLIS_ADMIN_URL ${JSON.stringify(adminUrl)} is not an http(s) URL\n`);
    return EXIT.usage;
  }
  const token = cmd.token ?? nonEmpty(env['PORTCULLIS_TOKEN']);
  if (token === undefined) {
    io.stderr(`portcullis: ${command}: no token: pass --token <jwt> or set PORTCULLIS_TOKEN\n`);
    return EXIT.usage;
  }
  return { adminUrl, token };
}

/** ADMIN_DEFAULT_URL is the admin API the command talks to without --admin-url or PORTCULLIS_ADMIN_URL. */
export const ADMIN_DEFAULT_URL = `http://127.0.0.1:${ADMIN_DEFAULT_PORT}`;

/** APPROVALS_REQUEST_TIMEOUT_MS bounds one request to the admin API. */
const APPROVALS_REQUEST_TIMEOUT_MS = 30_000;

/** ApprovalsAction is one subcommand with its operands. */
export type ApprovalsAction =
  | { readonly kind: 'list'; readonly status?: ApprovalStatus; readonly limit?: number }
  | { readonly kind: 'show'; readonly id: string }
  | { readonly kind: 'approve' | 'deny'; readonly id: string; readonly reason: string };

/** ApprovalsOptions are a parsed `approvals` invocation (the URL and token fall back to the environment when run). */
export type ApprovalsOptions = {
  readonly action: ApprovalsAction;
  readonly adminUrl?: string;
  readonly token?: string;
  readonly json: boolean;
};

/** APPROVALS_USAGE is the help text of `portcullis approvals`. */
export const APPROVALS_USAGE = `Usage: portcullis approvals list [--status <status>] [--limit <n>]
       portcullis approvals show <id>
       portcullis approvals approve <id> --reason <text>
       portcullis approvals deny <id> --reason <text>

Lists, shows, approves or denies statements held for a human, through the gateway's admin API.

Options:
  --status <status>    list only requests in this state: ${APPROVAL_STATUSES.join(', ')}
  --limit <n>          list at most n requests, 1 to 500 (default 100)
  --reason <text>      why you approve or deny (required; recorded in the request's history)
  --admin-url <url>    the admin API (default $PORTCULLIS_ADMIN_URL, else the running demo's, else ${ADMIN_DEFAULT_URL})
  --token <jwt>        your bearer token (default $PORTCULLIS_TOKEN)
  --json               print the API's JSON instead of text
  -h, --help           show this text`;

const ID = new RegExp(APPROVAL_ID_PATTERN);
const SUBCOMMANDS = ['list', 'show', 'approve', 'deny'] as const;

/** approvalsCommand is `portcullis approvals`. */
export const approvalsCommand: CliCommand<ApprovalsOptions> = {
  name: 'approvals',
  summary: `approvals list|show|approve|deny [<id>] [--reason <text>] [--json]
List, show, approve or deny statements held for a human (through the admin API).`,
  usage: APPROVALS_USAGE,
  parse: (argv) =>
    parseFlags(
      argv,
      {
        status: { type: 'string' },
        limit: { type: 'string' },
        reason: { type: 'string' },
        'admin-url': { type: 'string' },
        token: { type: 'string' },
        json: { type: 'boolean' },
      },
      true,
      ({ values: v, positionals }) => {
        const checked = checkAdminCommand('approvals', SUBCOMMANDS, positionals, v);
        if ('kind' in checked) return checked;
        const { sub: kind, operands } = checked;
        if (kind !== 'list' && (v.status !== undefined || v.limit !== undefined)) {
          return usageError(`approvals ${kind}: --status and --limit are options of list`);
        }
        if ((kind === 'list' || kind === 'show') && v.reason !== undefined) {
          return usageError(`approvals ${kind}: --reason is an option of approve and deny`);
        }
        let action: ApprovalsAction;
        if (kind === 'list') {
          if (operands.length > 0) return usageError(`approvals list: unexpected argument "${operands[0]}"`);
          if (v.status !== undefined && !(APPROVAL_STATUSES as readonly string[]).includes(v.status)) {
            return usageError(`approvals list: --status must be one of ${APPROVAL_STATUSES.join(', ')}`);
          }
          let limit: number | undefined;
          if (v.limit !== undefined) {
            limit = /^[0-9]{1,3}$/.test(v.limit) ? Number(v.limit) : Number.NaN;
            if (!(limit >= 1 && limit <= 500))
              return usageError(`approvals list: --limit ${JSON.stringify(v.limit)} is not a number from 1 to 500`);
          }
          action = {
            kind,
            ...(v.status !== undefined ? { status: v.status as ApprovalStatus } : {}),
            ...(limit !== undefined ? { limit } : {}),
          };
        } else {
          const [id, extra] = operands;
          if (id === undefined) return usageError(`approvals ${kind}: the request id is required`);
          if (extra !== undefined) return usageError(`approvals ${kind}: unexpected argument "${extra}"`);
          if (!ID.test(id)) return usageError(`approvals ${kind}: ${JSON.stringify(id)} is not a request id`);
          if (kind === 'show') action = { kind, id };
          else {
            if (v.reason === undefined || v.reason.trim() === '') return usageError(`approvals ${kind}: --reason <text> is required`);
            if (v.reason.length > REASON_MAX_LENGTH)
              return usageError(`approvals ${kind}: --reason is longer than ${REASON_MAX_LENGTH} characters`);
            action = { kind, id, reason: v.reason };
          }
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
    const target = await adminTarget('approvals', cmd, io, ctx.env);
    if (typeof target === 'number') return target;
    const { adminUrl, token } = target;
    const answer = await callApi(adminUrl, token, cmd.action);
    if (answer.kind === 'unreachable') {
      io.stderr(`portcullis: cannot reach the admin API at ${adminUrl} (${answer.why})\n`);
      return EXIT.failure;
    }
    if (answer.status < 200 || answer.status > 299) return reportApiError(io, answer.status, answer.body);
    if (cmd.json) {
      io.stdout(`${JSON.stringify(answer.body, null, 2)}\n`);
      return EXIT.ok;
    }
    const now = Date.now();
    switch (cmd.action.kind) {
      case 'list':
        io.stdout(formatList((answer.body as { approvals: ApprovalRequestView[] }).approvals, now));
        return EXIT.ok;
      case 'show':
        io.stdout(formatShow(answer.body as ApprovalRequestView, now));
        return EXIT.ok;
      case 'approve':
      case 'deny': {
        const view = answer.body as ApprovalRequestView;
        const verb = cmd.action.kind === 'approve' ? 'approval recorded' : 'denied';
        io.stdout(`${view.id}: ${verb}; status ${view.status}\n`);
        return EXIT.ok;
      }
    }
  },
};

type Answer =
  | { readonly kind: 'answer'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'unreachable'; readonly why: string };

/** callApi sends the action's request and reads the JSON answer (body undefined when it is not JSON). */
async function callApi(base: string, token: string, action: ApprovalsAction): Promise<Answer> {
  const root = base.endsWith('/') ? base : `${base}/`;
  let path: string;
  let body: string | undefined;
  switch (action.kind) {
    case 'list': {
      const q = new URLSearchParams();
      if (action.status !== undefined) q.set('status', action.status);
      if (action.limit !== undefined) q.set('limit', String(action.limit));
      path = `v1/approvals${q.size > 0 ? `?${q}` : ''}`;
      break;
    }
    case 'show':
      path = `v1/approvals/${encodeURIComponent(action.id)}`;
      break;
    case 'approve':
    case 'deny':
      path = `v1/approvals/${encodeURIComponent(action.id)}/${action.kind}`;
      body = JSON.stringify({ reason: action.reason });
      break;
  }
  let res: Response;
  try {
    res = await fetch(new URL(path, root), {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(APPROVALS_REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    return { kind: 'unreachable', why: unreachableReason(e) };
  }
  const text = await res.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { kind: 'answer', status: res.status, body: parsed };
}

/** unreachableReason names why fetch failed in a few words (the cause's errno code when there is one). */
export function unreachableReason(e: unknown): string {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return 'no answer in 30s';
  const cause = (e as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case undefined:
      return 'request failed';
    default:
      return code.startsWith('ERR_TLS') || code.includes('CERT') ? `TLS: ${code}` : code;
  }
}

/** reportApiError prints the API's error code and message (and the policy's reasons) on stderr. */
export function reportApiError(io: CliIo, status: number, body: unknown): number {
  const error = (body as Partial<AdminErrorBody> | undefined)?.error;
  if (error === undefined || typeof error.code !== 'string' || typeof error.message !== 'string') {
    io.stderr(`portcullis: the admin API answered HTTP ${status} without an error body\n`);
    return EXIT.failure;
  }
  io.stderr(`portcullis: ${error.code}: ${error.message}\n`);
  for (const r of error.reasons ?? []) io.stderr(`  - ${r.reason} [${r.rule}]\n`);
  return EXIT.failure;
}

/** formatList renders requests as an aligned table (id, status, age, requester, database, first statement, expiry). */
export function formatList(views: readonly ApprovalRequestView[], now: number): string {
  if (views.length === 0) return 'no approval requests\n';
  const rows = views.map((v) => [
    v.id,
    v.status,
    duration(now - Date.parse(v.created_at)),
    v.requester.sub,
    v.database,
    truncate(oneLine(v.statements[0]?.text ?? ''), 60) + (v.statements.length > 1 ? ` (+${v.statements.length - 1})` : ''),
    v.status === 'pending' ? expiresIn(Date.parse(v.expires_at) - now) : '-',
  ]);
  return table(['ID', 'STATUS', 'AGE', 'REQUESTER', 'DATABASE', 'STATEMENT', 'EXPIRES IN'], rows);
}

/** formatShow renders every field of a request: identity, times, reasons, statements with params, and its history. */
export function formatShow(v: ApprovalRequestView, now: number): string {
  const at = (t: string | null): string => (t === null ? '-' : `${t} (${relative(Date.parse(t) - now)})`);
  const lines = [
    ...fields([
      ['id', v.id],
      ['status', v.status],
      ['mode', v.mode],
      ['requester', `${v.requester.sub} (${v.requester.iss})`],
      ['claims', JSON.stringify(v.requester.claims)],
      ['session', v.session],
      ['database', v.database],
      ['policy revision', v.policy_revision],
      ['min approvals', String(v.min_approvals)],
      ['created', at(v.created_at)],
      ['expires', at(v.expires_at)],
      ['resolved', at(v.resolved_at)],
      ['executed', at(v.executed_at)],
    ]),
    '',
    'reasons:',
    ...(v.reasons.length === 0 ? ['  (none)'] : v.reasons.map((r) => `  - ${r.reason} [${r.rule}]`)),
    '',
    'statements:',
  ];
  v.statements.forEach((s, i) => {
    const tables = [
      s.tables.written.length > 0 ? `writes ${s.tables.written.join(', ')}` : '',
      s.tables.read.length > 0 ? `reads ${s.tables.read.join(', ')}` : '',
    ].filter((t) => t !== '');
    lines.push(`  ${i + 1}. ${s.kind}${tables.length > 0 ? ` (${tables.join('; ')})` : ''}, fingerprint ${s.fingerprint}`);
    for (const l of s.text.split('\n')) lines.push(`     ${l}`);
    if (s.params !== null) {
      lines.push(
        `     params: ${s.params.length === 0 ? '(none)' : s.params.map((p, j) => `$${j + 1}=${p === null ? 'NULL' : JSON.stringify(p)}`).join(' ')}`,
      );
    }
  });
  lines.push('', 'events:');
  for (const e of v.events) {
    const parts = [e.at, e.kind, e.actor ?? '-'];
    if (e.reason !== null) parts.push(JSON.stringify(e.reason));
    if (e.outcome !== undefined && e.outcome !== null) parts.push(JSON.stringify(e.outcome));
    lines.push(`  ${parts.join('  ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function fields(pairs: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 2;
  return pairs.map(([k, value]) => `${`${k}:`.padEnd(width)}${value}`);
}

/** table renders rows under a header as aligned columns (the last column unpadded). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/** oneLine folds whitespace runs to one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** truncate shortens text to max characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** duration renders a span as its largest unit: 45s, 12m, 3h, 2d. */
function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

function expiresIn(ms: number): string {
  return ms <= 0 ? 'expired' : duration(ms);
}

function relative(ms: number): string {
  return ms >= 0 ? `in ${duration(ms)}` : `${duration(-ms)} ago`;
}

/**
 * checkAdminCommand checks what every admin API command shares: a known subcommand first, an
 * http(s) `--admin-url`, a non-empty `--token`. It answers the subcommand and its operands, or
 * the usage error to print.
 */
export function checkAdminCommand<S extends string>(
  command: string,
  subcommands: readonly S[],
  positionals: readonly string[],
  v: { readonly 'admin-url'?: string | undefined; readonly token?: string | undefined },
): { readonly sub: S; readonly operands: readonly string[] } | ReturnType<typeof usageError> {
  const [sub, ...operands] = positionals;
  if (sub === undefined) return usageError(`${command}: a subcommand is required (${subcommands.join(', ')})`);
  if (!(subcommands as readonly string[]).includes(sub)) {
    return usageError(`${command}: unknown subcommand "${sub}" (expected ${subcommands.join(', ')})`);
  }
  if (v['admin-url'] !== undefined && !isHttpUrl(v['admin-url'])) {
    return usageError(`${command}: --admin-url ${JSON.stringify(v['admin-url'])} is not an http(s) URL`);
  }
  if (v.token === '') return usageError(`${command}: --token must not be empty`);
  return { sub: sub as S, operands };
}

/** isHttpUrl tells an http(s) URL. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** nonEmpty is the value unless it is blank. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
