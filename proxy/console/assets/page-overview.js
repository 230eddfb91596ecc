// The overview: live counts from the stream's `overview` event (sent every second, from the same
// counters as /metrics): live sessions, statements per second by decision, pending holds, and
// the last minute of statements per second as bars (heights are CSS classes: the CSP allows no
// inline style).

import { h, replace, time } from './dom.js';
import { latestOverview, subscribe } from './live.js';

const DECISIONS = ['allow', 'deny', 'hold', 'mask'];
const history = [];

export function render(ctx) {
  const figure = (id, label) =>
    h('div', { className: 'figure' }, h('span', { className: 'figure-value', id }, '–'), h('span', { className: 'figure-label' }, label));
  const rates = h(
    'dl',
    { className: 'rates', id: 'rates' },
    DECISIONS.map((d) => [h('dt', {}, d), h('dd', { id: `rate-${d}` }, '–')]),
  );
  const bars = h('div', { className: 'bars', id: 'bars', 'aria-hidden': 'true' });
  const at = h('p', { className: 'muted', id: 'overview-at' }, 'Waiting for the first figures…');
  replace(
    ctx.main,
    h('h1', { tabIndex: -1 }, 'Overview'),
    h(
      'div',
      { className: 'figures' },
      figure('count-sessions', 'live sessions'),
      figure('count-rate', 'statements per second'),
      h(
        'a',
        { className: 'figure figure-link', href: '#/approvals' },
        h('span', { className: 'figure-value', id: 'count-pending' }, '–'),
        h('span', { className: 'figure-label' }, 'pending approvals'),
      ),
    ),
    h('section', { className: 'card' }, h('h2', {}, 'Statements per second by decision'), rates, bars),
    at,
  );
  const show = (o) => {
    const per = o.statements_per_second ?? {};
    const total = DECISIONS.reduce((n, d) => n + (Number(per[d]) || 0), 0);
    setText('count-sessions', String(o.sessions ?? 0));
    setText('count-rate', fmt(total));
    setText('count-pending', String(o.pending_approvals ?? 0));
    for (const d of DECISIONS) setText(`rate-${d}`, fmt(Number(per[d]) || 0));
    replace(at, 'Updated ', time(o.at));
    drawBars(bars);
  };
  const last = latestOverview();
  if (last !== undefined) show(last);
  const unsubscribe = subscribe('overview', (o) => {
    history.push(DECISIONS.reduce((n, d) => n + (Number(o.statements_per_second?.[d]) || 0), 0));
    if (history.length > 60) history.shift();
    show(o);
  });
  return unsubscribe;
}

function setText(id, text) {
  const el = document.getElementById(id);
  if (el !== null) el.textContent = text;
}

function fmt(n) {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function drawBars(bars) {
  const max = Math.max(1, ...history);
  replace(
    bars,
    history.map((v) => h('span', { className: `bar h${Math.round((v / max) * 10)}`, title: fmt(v) })),
  );
}
