// The approvals queue: pending requests (or those of another status), refetched whenever an
// `approval` event arrives on the live stream, with ages and countdowns ticking every second.

import { api, query } from './api.js';
import { badge, errorBox, h, loading, replace } from './dom.js';
import { createClock, history, policyReasons, requester, statements, timing } from './approval-view.js';
import { pollWhileDown, subscribe } from './live.js';

const STATUSES = ['pending', 'approved', 'denied', 'expired', 'withdrawn', 'all'];

export function render(ctx) {
  const status = STATUSES.includes(ctx.query.status) ? ctx.query.status : 'pending';
  const clock = createClock();
  const list = h('div', { className: 'queue', id: 'queue', 'aria-live': 'polite' }, loading());
  const select = h(
    'select',
    {
      id: 'status-filter',
      name: 'status',
      onchange: () => ctx.navigate(select.value === 'pending' ? '#/approvals' : `#/approvals?status=${select.value}`),
    },
    STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)),
  );
  replace(
    ctx.main,
    h('h1', { tabIndex: -1 }, status === 'pending' ? 'Pending approvals' : 'Approvals'),
    h('div', { className: 'toolbar' }, h('label', { for: 'status-filter' }, 'Status'), select),
    list,
  );

  let stopped = false;
  let inflight = false;
  let again = false;
  const refresh = async () => {
    if (inflight) {
      again = true;
      return;
    }
    inflight = true;
    try {
      const page = await api(`/v1/approvals${query({ status: status === 'all' ? undefined : status, limit: 200 })}`);
      if (stopped) return;
      clock.clear();
      const items = page.approvals ?? [];
      replace(
        list,
        items.length === 0
          ? h(
              'p',
              { className: 'empty muted', id: 'queue-empty' },
              status === 'pending' ? 'Nothing is waiting for approval.' : `No ${status} requests.`,
            )
          : items.map((r) => card(r, clock)),
      );
    } catch (e) {
      if (!stopped) replace(list, errorBox(e));
    } finally {
      inflight = false;
      if (again && !stopped) {
        again = false;
        refresh();
      }
    }
  };
  refresh();
  const unsubscribe = [subscribe('approval', refresh), subscribe('state', (s) => s === 'open' && refresh()), pollWhileDown(refresh)];
  return () => {
    stopped = true;
    clock.stop();
    for (const u of unsubscribe) u();
  };
}

function card(r, clock) {
  return h(
    'article',
    { className: `card approval status-${r.status}`, 'data-id': r.id },
    h(
      'header',
      { className: 'card-head' },
      h('a', { href: `#/approvals/${encodeURIComponent(r.id)}`, className: 'approval-link' }, `Request ${r.id}`),
      ' ',
      badge(r.status),
    ),
    h('p', {}, 'Requested by ', requester(r), ' on ', h('strong', {}, r.database)),
    statements(r, { first: true }),
    h('div', { className: 'policy-reasons' }, h('h3', {}, 'Policy reasons'), policyReasons(r)),
    timing(r, clock),
    r.status === 'pending' ? null : h('details', {}, h('summary', {}, 'History'), history(r)),
  );
}
