// One approval request: everything about it, live (an `approval` event for it refetches), and
// for a pending one the approve/deny form. What the signed-in person may do is the approval
// policy's answer (GET /v1/approvals/<id>/permissions): an action it refuses shows the reasons
// instead of its button. A reason is required, so both buttons stay disabled until one is typed.

import { api } from './api.js';
import { badge, dl, errorBox, h, loading, reasonList, replace, time } from './dom.js';
import { createClock, history, policyReasons, requester, statements, timing } from './approval-view.js';
import { pollWhileDown, subscribe } from './live.js';

export function render(ctx) {
  const id = ctx.params.id;
  const clock = createClock();
  const path = `/v1/approvals/${encodeURIComponent(id)}`;
  const head = h('div', { className: 'request-head' }, loading());
  const actions = h('section', { className: 'actions', id: 'actions', 'aria-labelledby': 'actions-title' });
  const result = h('div', { className: 'result', id: 'action-result', role: 'status' });
  const body = h('div', { className: 'request-body' });
  replace(
    ctx.main,
    h('p', { className: 'crumbs' }, h('a', { href: '#/approvals' }, 'Approvals')),
    h('h1', { tabIndex: -1 }, 'Request ', h('code', {}, id)),
    head,
    actions,
    result,
    body,
  );

  let stopped = false;
  let shown = ''; // what the actions section shows: re-rendered only when it changes, so a typed reason survives refetches
  const refresh = async () => {
    try {
      const r = await api(path);
      const perms = r.status === 'pending' ? await permissions(path) : undefined;
      if (stopped) return;
      clock.clear();
      replace(
        head,
        h('p', {}, badge(r.status), ' ', r.mode === 'hold' ? 'held statement' : r.mode),
        timing(r, clock),
        dl([
          ['Requester', requester(r)],
          ['Database', r.database],
          ['Session', h('a', { href: `#/sessions/${encodeURIComponent(r.session)}` }, r.session)],
          ['Approvals needed', String(r.min_approvals)],
          ['Policy revision', h('code', {}, r.policy_revision)],
          ['Created', time(r.created_at)],
          ['Expires', time(r.expires_at)],
          ['Resolved', r.resolved_at === null ? undefined : time(r.resolved_at)],
          ['Executed', r.executed_at === null ? undefined : time(r.executed_at)],
        ]),
      );
      replace(
        body,
        h('section', {}, h('h2', {}, 'Statements'), statements(r)),
        h('section', {}, h('h2', {}, 'Policy reasons'), policyReasons(r)),
        h('section', { id: 'history' }, h('h2', {}, 'History'), history(r)),
      );
      const key = JSON.stringify([r.status, perms]);
      if (key !== shown) {
        shown = key;
        renderActions(r, perms);
      }
    } catch (e) {
      if (!stopped) replace(head, errorBox(e));
    }
  };

  const renderActions = (r, perms) => {
    if (r.status !== 'pending') {
      replace(actions);
      return;
    }
    const title = h('h2', { id: 'actions-title' }, 'Decide');
    const may = (action) => perms === undefined || perms[action]?.allowed === true;
    if (!may('approve') && !may('deny')) {
      replace(
        actions,
        title,
        h(
          'div',
          { className: 'not-allowed', id: 'not-allowed' },
          h('p', {}, 'You may not decide this request:'),
          reasonList(refusals(perms)),
        ),
      );
      return;
    }
    const reason = h('textarea', { id: 'reason', name: 'reason', rows: 3, required: true, maxLength: 2000 });
    const approve = h('button', { type: 'button', id: 'approve', className: 'primary', disabled: true }, 'Approve');
    const deny = h('button', { type: 'button', id: 'deny', className: 'danger', disabled: true }, 'Deny');
    const buttons = [];
    if (may('approve')) buttons.push(approve);
    if (may('deny')) buttons.push(deny);
    reason.addEventListener('input', () => {
      for (const b of buttons) b.disabled = reason.value.trim() === '';
    });
    const act = async (action) => {
      for (const b of buttons) b.disabled = true;
      try {
        const after = await api(`${path}/${action}`, { method: 'POST', body: { reason: reason.value.trim() } });
        replace(
          result,
          h(
            'p',
            { className: 'ok' },
            action === 'approve'
              ? `Your approval is recorded: the request is ${after.status}.`
              : 'Denied: the agent is told who denied it and why.',
          ),
        );
        reason.value = '';
      } catch (e) {
        replace(result, errorBox(e));
        for (const b of buttons) b.disabled = reason.value.trim() === '';
      }
      refresh();
    };
    approve.addEventListener('click', () => act('approve'));
    deny.addEventListener('click', () => act('deny'));
    const refused = ['approve', 'deny'].filter((a) => !may(a));
    replace(
      actions,
      title,
      h(
        'form',
        { className: 'decide', onsubmit: (e) => e.preventDefault() },
        h('label', { for: 'reason' }, 'Reason (required, recorded with your decision)'),
        reason,
        h('div', { className: 'buttons' }, buttons),
        refused.length > 0
          ? h(
              'div',
              { className: 'not-allowed', id: 'not-allowed' },
              h('p', {}, `You may not ${refused.join(' or ')}:`),
              reasonList(refusals(perms, refused)),
            )
          : null,
      ),
    );
  };

  refresh();
  const unsubscribe = [
    subscribe('approval', (e) => {
      if (e?.id === id) refresh();
    }),
    subscribe('state', (s) => s === 'open' && refresh()),
  ];
  const poll = pollWhileDown(refresh);
  return () => {
    stopped = true;
    poll();
    clock.stop();
    for (const u of unsubscribe) u();
  };
}

/** permissions asks what the approval policy says to this person now; undefined when the gateway cannot say (the buttons show and the POST answers). */
async function permissions(path) {
  try {
    return await api(`${path}/permissions`);
  } catch (e) {
    if (e?.status === 401) throw e;
    return undefined;
  }
}

/** refusals gathers the reasons of the refused actions, without repeats. */
function refusals(perms, actions = ['approve', 'deny']) {
  const seen = new Map();
  for (const a of actions) for (const r of perms?.[a]?.reasons ?? []) seen.set(`${r.reason}\u0000${r.rule ?? ''}`, r);
  return seen.size > 0 ? [...seen.values()] : [{ reason: 'the approval policy refused without a reason' }];
}
