// Recorded sessions, newest first, filtered by identity, issuer, time, database and a decision
// kind the session holds (GET /v1/sessions's query parameters, kept in the hash so a filtered
// list can be linked). More pages load through the answer's next_cursor.

import { api, query } from './api.js';
import { errorBox, h, loading, replace, time } from './dom.js';

const DECISIONS = ['', 'allow', 'deny', 'hold', 'refuse'];
const FILTERS = ['sub', 'iss', 'since', 'database', 'decision'];

export function render(ctx) {
  const q = Object.fromEntries(FILTERS.map((k) => [k, typeof ctx.query[k] === 'string' ? ctx.query[k] : '']));
  const input = (name, label, attrs = {}) => [
    h('label', { for: `filter-${name}` }, label),
    h('input', { id: `filter-${name}`, name, value: q[name], autocomplete: 'off', ...attrs }),
  ];
  const decision = h(
    'select',
    { id: 'filter-decision', name: 'decision' },
    DECISIONS.map((d) => h('option', { value: d, selected: d === q.decision }, d === '' ? 'any' : d)),
  );
  const form = h(
    'form',
    {
      className: 'filters',
      id: 'session-filters',
      onsubmit: (e) => {
        e.preventDefault();
        const data = new FormData(form);
        const next = {};
        for (const k of FILTERS) next[k] = String(data.get(k) ?? '').trim();
        ctx.navigate(`#/sessions${query(next)}`);
      },
    },
    h('div', { className: 'field' }, input('sub', 'Identity (sub)')),
    h('div', { className: 'field' }, input('iss', 'Issuer')),
    h('div', { className: 'field' }, input('since', 'Since (24h, 7d or a time)', { placeholder: '24h' })),
    h('div', { className: 'field' }, input('database', 'Database')),
    h('div', { className: 'field' }, h('label', { for: 'filter-decision' }, 'Has decision'), decision),
    h('div', { className: 'field buttons' }, h('button', { type: 'submit', className: 'primary' }, 'Filter')),
  );
  const rows = h('tbody', {});
  const table = h(
    'table',
    { className: 'sessions', id: 'sessions' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Session', 'Identity', 'Database', 'Started', 'Ended', 'Statements', 'Denied', 'Held'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    rows,
  );
  const status = h('div', { className: 'list-status' }, loading());
  const more = h('button', { type: 'button', id: 'more', hidden: true }, 'More');
  replace(ctx.main, h('h1', { tabIndex: -1 }, 'Sessions'), form, h('div', { className: 'table-wrap' }, table), status, more);

  let stopped = false;
  let cursor;
  const load = async () => {
    more.disabled = true;
    try {
      const page = await api(`/v1/sessions${query({ ...q, limit: 50, cursor })}`);
      if (stopped) return;
      for (const s of page.sessions ?? []) rows.append(row(s));
      cursor = page.next_cursor;
      more.hidden = cursor === undefined;
      replace(status, rows.children.length === 0 ? h('p', { className: 'muted empty' }, 'No recorded session matches.') : null);
    } catch (e) {
      if (!stopped) replace(status, errorBox(e));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', load);
  load();
  return () => {
    stopped = true;
  };
}

function row(s) {
  const cell = (label, ...content) => h('td', { 'data-label': label }, ...content);
  return h(
    'tr',
    { 'data-id': s.id },
    cell('Session', h('a', { href: `#/sessions/${encodeURIComponent(s.id)}`, className: 'session-link' }, s.id)),
    cell('Identity', h('span', {}, h('strong', {}, s.identity?.sub ?? ''), h('span', { className: 'muted block' }, s.identity?.iss ?? ''))),
    cell('Database', s.database),
    cell('Started', time(s.started_at)),
    cell('Ended', s.ended_at === null ? h('span', { className: 'badge badge-live' }, 'live') : time(s.ended_at)),
    cell('Statements', String(s.statements)),
    cell('Denied', String(s.denied)),
    cell('Held', String(s.held)),
  );
}
