// Pieces of an approval request shared by the queue and the request's page: requester,
// statements (SQL highlighted) with their parameters, the policy's reasons, age and expiry
// (updated every second by a Clock), and the audit trail.

import { badge, dl, duration, h, reasonList, time } from './dom.js';
import { sqlBlock } from './sql.js';

/** Clock updates registered text nodes every second (age and countdowns) until stopped. */
export function createClock() {
  const updates = new Set();
  const timer = setInterval(() => {
    for (const u of updates) u();
  }, 1000);
  return {
    /** track calls fn now and every second; fn(now) answers the text. */
    text(fn, className) {
      const el = h('span', { className });
      const u = () => {
        el.textContent = fn(Date.now());
      };
      u();
      updates.add(u);
      return el;
    },
    clear() {
      updates.clear();
    },
    stop() {
      clearInterval(timer);
      updates.clear();
    },
  };
}

/** age is how long ago a time was. */
export function age(iso, now) {
  return `${duration(now - Date.parse(iso))} ago`;
}

/** countdown is how long until a pending request expires. */
export function countdown(iso, now) {
  const left = Date.parse(iso) - now;
  return left > 0 ? `expires in ${duration(left)}` : 'expired';
}

/** requester shows the requesting identity (sub, and the issuer). */
export function requester(r) {
  return h(
    'span',
    { className: 'requester' },
    h('strong', {}, r.requester?.sub ?? '?'),
    h('span', { className: 'muted' }, ` (${r.requester?.iss ?? ''})`),
  );
}

/** statements shows each statement of the request: SQL, parameters and tables. */
export function statements(r, { first = false } = {}) {
  const list = first ? (r.statements ?? []).slice(0, 1) : (r.statements ?? []);
  return h(
    'ol',
    { className: 'statements' },
    list.map((s) =>
      h(
        'li',
        { className: 'statement' },
        sqlBlock(s.text),
        params(s.params),
        first
          ? null
          : dl(
              [
                ['Kind', s.kind],
                ['Reads', tables(s.tables?.read)],
                ['Writes', tables(s.tables?.written)],
              ],
              'facts inline',
            ),
      ),
    ),
    first && (r.statements?.length ?? 0) > 1 ? h('li', { className: 'muted more' }, `and ${r.statements.length - 1} more`) : null,
  );
}

function tables(list) {
  return list === undefined || list.length === 0 ? '—' : list.join(', ');
}

/** params lists a statement's bound parameters ($1, $2, …); nothing when it has none. */
export function params(values) {
  if (!Array.isArray(values) || values.length === 0) return null;
  return h(
    'dl',
    { className: 'params' },
    values.map((v, i) => [h('dt', {}, `$${i + 1}`), h('dd', { className: v === null ? 'muted' : '' }, v === null ? 'NULL' : String(v))]),
  );
}

/** policyReasons lists why the policy held the statement. */
export function policyReasons(r) {
  return (r.reasons?.length ?? 0) > 0 ? reasonList(r.reasons) : h('p', { className: 'muted' }, 'no reasons given');
}

/** timing shows the request's age and expiry countdown (pending) or when it was resolved. */
export function timing(r, clock) {
  if (r.status === 'pending') {
    return h(
      'p',
      { className: 'timing' },
      'held ',
      clock.text((now) => age(r.created_at, now), 'age'),
      ' · ',
      clock.text((now) => countdown(r.expires_at, now), 'countdown'),
    );
  }
  return h('p', { className: 'timing' }, 'created ', time(r.created_at), ' · resolved ', time(r.resolved_at));
}

/** history is the audit trail: each event's kind, actor, reason and time (and outcome). */
export function history(r) {
  return h(
    'ol',
    { className: 'history' },
    (r.events ?? []).map((e) =>
      h(
        'li',
        { className: 'event' },
        badge(e.kind),
        ' ',
        time(e.at),
        e.actor !== null && e.actor !== undefined ? h('span', {}, ' by ', h('strong', {}, e.actor)) : null,
        e.reason !== null && e.reason !== undefined ? h('q', { className: 'reason' }, e.reason) : null,
        e.outcome !== null && e.outcome !== undefined ? h('code', { className: 'outcome' }, JSON.stringify(e.outcome)) : null,
      ),
    ),
  );
}
