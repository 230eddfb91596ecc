// The policy deciding right now (GET /v1/policy): its revision, where it came from, when it began
// deciding, the last reload and its errors, the decision memo, and any further figures the
// gateway reports (shown as they come, so a newer gateway's fields are not hidden).

import { api } from './api.js';
import { badge, dl, duration, errorBox, h, loading, replace, time } from './dom.js';
import { sqlBlock } from './sql.js';

const KNOWN = new Set([
  'revision',
  'origin',
  'activated_at',
  'last_reload_at',
  'last_error',
  'reloads',
  'reload_failures',
  'decision_memo',
  'last_reload_impact',
]);

export async function render(ctx) {
  const box = h('div', { id: 'policy' }, loading());
  replace(ctx.main, h('h1', { tabIndex: -1 }, 'Policy'), box);
  let p;
  let status;
  try {
    // staleness, verification and the plugin states live in the status document; without the
    // right to read it the page still shows the policy
    [p, status] = await Promise.all([api('/v1/policy'), api('/v1/status').catch((e) => (e?.status === 401 ? Promise.reject(e) : e))]);
  } catch (e) {
    replace(box, errorBox(e));
    return;
  }
  const now = Date.now();
  const errors = Array.isArray(p.last_error) ? p.last_error : [];
  const memo = p.decision_memo ?? {};
  const extra = Object.entries(p).filter(([k]) => !KNOWN.has(k));
  replace(
    box,
    h(
      'section',
      { className: 'card' },
      h('h2', {}, 'Active revision'),
      dl([
        ['Revision', h('code', { id: 'policy-revision' }, p.revision)],
        ['Source', p.origin],
        ['Activated', p.activated_at ? [time(p.activated_at), ` (${duration(now - Date.parse(p.activated_at))} ago)`] : null],
        ['Last reload', p.last_reload_at === null ? 'never' : time(p.last_reload_at)],
        ['Reloads', String(p.reloads ?? 0)],
        ['Failed reloads', String(p.reload_failures ?? 0)],
      ]),
    ),
    freshness(status),
    h(
      'section',
      { className: `card ${errors.length > 0 ? 'warn' : ''}`, id: 'reload-errors' },
      h('h2', {}, 'Reload errors'),
      errors.length > 0
        ? [
            h('p', {}, `The last reload failed; revision ${p.revision} goes on deciding.`),
            h(
              'ul',
              { className: 'reasons' },
              errors.map((e) => h('li', {}, h('code', {}, e))),
            ),
          ]
        : h('p', { className: 'muted' }, 'None: the last reload succeeded (or none was tried).'),
    ),
    impact(p.last_reload_impact),
    h(
      'section',
      { className: 'card' },
      h('h2', {}, 'Decision memo'),
      dl([
        ['Enabled', memo.enabled ? 'yes' : 'no'],
        ['Why off', memo.reason],
        ['Paths', (memo.paths ?? []).length > 0 ? memo.paths.join(', ') : '—'],
        ['Hits', memo.hits === undefined ? undefined : String(memo.hits)],
        ['Misses', memo.misses === undefined ? undefined : String(memo.misses)],
      ]),
    ),
    extra.length > 0
      ? h(
          'section',
          { className: 'card', id: 'policy-extra' },
          h('h2', {}, 'More'),
          extra.map(([k, v]) => h('div', { className: 'extra' }, h('h3', {}, k), value(v))),
        )
      : null,
  );
}

/** freshness shows whether the policy is stale or unverified and the plugins' states (GET /v1/status), or why it cannot. */
function freshness(status) {
  const title = h('h2', {}, 'Freshness');
  if (status instanceof Error)
    return h(
      'section',
      { className: 'card', id: 'policy-status' },
      title,
      h('p', { className: 'muted' }, `Status unavailable: ${status.message}`),
    );
  const ps = status?.portcullis?.policy ?? {};
  const plugins = Object.entries(status?.plugins ?? {});
  return h(
    'section',
    { className: `card ${ps.stale ? 'warn' : ''}`, id: 'policy-status' },
    title,
    dl([
      ['Stale', ps.stale === undefined ? undefined : ps.stale ? `yes, for ${duration((ps.stale_seconds ?? 0) * 1000)}` : 'no'],
      ['Verified', ps.verified === undefined ? undefined : ps.verified ? 'yes' : 'no'],
      ...plugins.map(([name, p]) => [`Plugin ${name}`, `${p?.state ?? '?'}${p?.message ? `: ${p.message}` : ''}`]),
    ]),
  );
}

/**
 * impact shows what the last reload changed: the newest recorded statements re-decided with the
 * policy it activated, grouped by from, to and rule, each group with its newest examples (linked
 * to the statement in its session).
 */
function impact(i) {
  const title = h('h2', {}, 'Decisions changed by the last reload');
  const box = (...children) => h('section', { className: 'card', id: 'reload-impact' }, title, ...children);
  if (i === null || i === undefined)
    return box(h('p', { className: 'muted' }, 'No reload has activated a policy yet (or this gateway keeps no recording to compare).'));
  const head = h('p', {}, h('code', {}, i.previous), ' → ', h('code', {}, i.revision), ' at ', time(i.at), ' ', badge(i.state));
  if (i.state === 'running') return box(head, h('p', { className: 'muted' }, 'The comparison is running.'));
  if (i.state === 'failed') return box(head, h('p', { className: 'error-text' }, i.message ?? 'the comparison failed'));
  const groups = i.groups ?? [];
  return box(
    head,
    h(
      'p',
      { id: 'impact-counts' },
      `${i.changed ?? 0} of ${i.compared ?? 0} compared statements would be decided differently (${i.examined ?? 0} examined).`,
    ),
    groups.map((g) =>
      h(
        'div',
        { className: 'impact-group' },
        h(
          'h3',
          {},
          badge(g.from),
          ' → ',
          badge(g.to),
          ' ',
          h('span', { className: 'rule' }, g.rule),
          ` ${g.count} statement${g.count === 1 ? '' : 's'}`,
        ),
        h(
          'ul',
          { className: 'impact-examples' },
          (g.examples ?? []).map((e) =>
            h(
              'li',
              {},
              h(
                'a',
                { href: `#/sessions/${encodeURIComponent(e.session)}/statements/${e.statement}`, className: 'impact-link' },
                `statement ${e.statement} of session ${e.session}`,
              ),
              ' ',
              time(e.at),
              sqlBlock(e.text),
              dl(
                [
                  ['Recorded', decision(e.recorded)],
                  ['Now', decision(e.candidate)],
                ],
                'facts inline',
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

function decision(d) {
  const extra = [...(d?.rules ?? []), ...(d?.masks ?? []).map((m) => `mask ${m}`)];
  return h('span', {}, badge(d?.kind ?? 'other'), extra.length > 0 ? ` ${extra.join(', ')}` : '');
}

/** value shows a further field: scalars as text, lists and objects as indented JSON. */
function value(v) {
  if (v === null || typeof v !== 'object') return h('p', {}, v === null ? '—' : String(v));
  return h('pre', { className: 'json' }, JSON.stringify(v, null, 2));
}
