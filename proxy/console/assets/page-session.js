// One recorded session as a timeline (GET /v1/sessions/<id> and its /statements, every page):
// each statement with its decision, rules, reasons, masks, approval, outcome, duration, rows, and
// the result rows the agent saw when the gateway recorded them (`recording.results: capped`).
// `#/sessions/<id>/statements/<n>` scrolls to statement n and highlights it.

import { api, query } from './api.js';
import { badge, dl, duration, errorBox, h, loading, replace, time } from './dom.js';
import { params } from './approval-view.js';
import { sqlBlock } from './sql.js';

/** MAX_PAGES bounds how much of a very long session one view loads (500 statements a page). */
const MAX_PAGES = 20;

export async function render(ctx) {
  const id = ctx.params.id;
  const base = `/v1/sessions/${encodeURIComponent(id)}`;
  const head = h('div', { id: 'session-head' }, loading());
  const timeline = h('ol', { className: 'timeline', id: 'timeline' });
  const tail = h('div', {});
  replace(
    ctx.main,
    h('p', { className: 'crumbs' }, h('a', { href: '#/sessions' }, 'Sessions')),
    h('h1', { tabIndex: -1 }, 'Session ', h('code', {}, id)),
    head,
    h('h2', {}, 'Timeline'),
    timeline,
    tail,
  );
  let detail;
  try {
    detail = await api(base);
  } catch (e) {
    replace(head, errorBox(e));
    return;
  }
  replace(head, summary(detail));
  let cursor;
  let pages = 0;
  try {
    do {
      const page = await api(`${base}/statements${query({ limit: 500, cursor })}`);
      for (const s of page.statements ?? []) timeline.append(entry(id, s));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== undefined && pages < MAX_PAGES);
  } catch (e) {
    replace(tail, errorBox(e));
  }
  if (timeline.children.length === 0) replace(tail, h('p', { className: 'muted' }, 'No statements recorded.'));
  else if (cursor !== undefined) replace(tail, h('p', { className: 'muted' }, `Showing the first ${timeline.children.length} statements.`));
  if (ctx.params.statement !== undefined) {
    const target = document.getElementById(`statement-${ctx.params.statement}`);
    if (target === null)
      replace(tail, h('p', { className: 'notice', role: 'alert' }, `Statement ${ctx.params.statement} is not in this session's record.`));
    else {
      target.classList.add('highlight');
      target.setAttribute('aria-current', 'true');
      target.scrollIntoView({ block: 'center' });
      target.focus({ preventScroll: true });
    }
  }
}

function summary(d) {
  const c = d.counts ?? {};
  return h(
    'section',
    { className: 'card' },
    dl([
      ['Identity', [h('strong', {}, d.identity?.sub ?? ''), h('span', { className: 'muted' }, ` (${d.identity?.iss ?? ''})`)]],
      ['Database', d.connection?.database],
      ['Database user', d.connection?.user],
      ['Database role', d.role],
      ['Application', d.connection?.application_name || '—'],
      ['Client', `${d.connection?.client_address ?? ''}${d.connection?.tls ? ' (TLS)' : ''}`],
      ['Gateway', d.gateway],
      ['Policy revision', h('code', {}, d.policy_revision)],
      ['Started', time(d.started_at)],
      ['Ended', d.ended_at === null ? h('span', { className: 'badge badge-live' }, 'live') : time(d.ended_at)],
      ['End reason', d.end_reason],
      ['Duration', d.duration_ms === null ? null : duration(d.duration_ms)],
      [
        'Statements',
        `${c.statements ?? 0} (allowed ${c.allow ?? 0}, denied ${c.deny ?? 0}, held ${c.hold ?? 0}, refused ${c.refuse ?? 0}); ${c.rows ?? 0} rows`,
      ],
    ]),
  );
}

function entry(sessionId, s) {
  const d = s.decision ?? {};
  const o = s.outcome;
  const link = `#/sessions/${encodeURIComponent(sessionId)}/statements/${s.statement}`;
  return h(
    'li',
    { className: `entry decision-${/^[a-z]+$/.test(d.kind) ? d.kind : 'other'}`, id: `statement-${s.statement}`, tabIndex: -1 },
    h(
      'header',
      { className: 'entry-head' },
      h('a', { href: link, className: 'entry-link', title: 'Link to this statement' }, `#${s.statement}`),
      ' ',
      badge(d.kind ?? 'other'),
      ' ',
      h('span', { className: 'muted' }, s.kind),
      ' ',
      time(s.at),
    ),
    sqlBlock(s.text),
    params(s.params),
    dl([
      ['Rules', list(d.rules)],
      ['Reasons', list(d.reasons)],
      ['Masks', list(d.masks)],
      ['Approval', s.approval === null ? undefined : approval(s.approval)],
      ['Result', o === null ? 'not run' : outcome(o)],
      ['Duration', o === null ? undefined : `${Number(o.duration_ms).toFixed(1)} ms`],
      ['Rows', o === null ? undefined : String(o.rows)],
    ]),
    o !== null && Array.isArray(o.result_rows) ? resultRows(o) : null,
  );
}

function list(items) {
  return Array.isArray(items) && items.length > 0 ? items.join(', ') : '—';
}

function approval(a) {
  return h(
    'span',
    {},
    a.id === null ? 'no request' : h('a', { href: `#/approvals/${encodeURIComponent(a.id)}` }, a.id),
    ' ',
    badge(a.outcome),
    a.code ? h('span', { className: 'muted' }, ` ${a.code}`) : null,
    a.reason ? h('q', { className: 'reason' }, a.reason) : null,
  );
}

function outcome(o) {
  if (o.sqlstate !== null) return h('span', { className: 'error-text' }, `${o.sqlstate}: ${o.message ?? ''}`);
  return h(
    'span',
    {},
    o.tag ?? '',
    o.digest ? h('span', { className: 'muted digest', title: `SHA-256 of the rows sent: ${o.digest}` }, ' (digest)') : null,
  );
}

/** resultRows shows the recorded rows (masked as the agent saw them) under the result's columns. */
function resultRows(o) {
  const columns = Array.isArray(o.columns) ? o.columns : [];
  const width = Math.max(columns.length, ...o.result_rows.map((r) => (Array.isArray(r) ? r.length : 0)));
  const names = Array.from({ length: width }, (_, i) => columns[i] ?? `column ${i + 1}`);
  return h(
    'div',
    { className: 'table-wrap result-rows' },
    h(
      'table',
      {},
      h('caption', {}, 'Rows the agent saw', o.result_truncated ? ' (truncated at the recording cap)' : ''),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          names.map((n) => h('th', { scope: 'col' }, n)),
        ),
      ),
      h(
        'tbody',
        {},
        o.result_rows.map((r) =>
          h(
            'tr',
            {},
            names.map((_, i) => {
              const v = Array.isArray(r) ? r[i] : undefined;
              return h('td', { className: v === null ? 'muted' : '' }, v === null || v === undefined ? 'NULL' : String(v));
            }),
          ),
        ),
      ),
    ),
  );
}
