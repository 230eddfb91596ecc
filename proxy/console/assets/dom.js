// DOM building for the console. Every value the console shows comes from agents, policies or
// tokens and is untrusted, so nodes are built with createElement and text with textContent only:
// no HTML string ever reaches the page (the CSP forbids inline script besides).

/**
 * h builds an element: `attrs` sets properties (`className`, `href`, `type`, …), `on…` functions
 * become listeners, `data-*`/`aria-*`/`for` become attributes; children are nodes or strings (as
 * text), and null/undefined/false children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key.startsWith('data-') || key.startsWith('aria-') || key === 'for' || key === 'role') el.setAttribute(key, String(value));
    else el[key] = value;
  }
  append(el, children);
  return el;
}

/** append adds children (nodes, strings as text, nested arrays) to a parent. */
export function append(parent, children) {
  for (const c of children.flat(Number.POSITIVE_INFINITY)) {
    if (c === undefined || c === null || c === false) continue;
    parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return parent;
}

/** replace empties a parent and adds the children. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** dl builds a description list from [term, value] pairs, skipping undefined values. */
export function dl(pairs, className = 'facts') {
  const list = h('dl', { className });
  for (const [term, value] of pairs) {
    if (value === undefined) continue;
    list.append(h('dt', {}, term), h('dd', {}, value === null ? '—' : value));
  }
  return list;
}

/** duration renders milliseconds as `1h 2m`, `3m 4s` or `5s`. */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const hrs = Math.floor(m / 60);
  if (hrs < 48) return `${hrs}h ${m % 60}m`;
  return `${Math.floor(hrs / 24)}d ${hrs % 24}h`;
}

/** time renders an RFC 3339 time as the browser's local date and time, with the original as title. */
export function time(iso) {
  if (iso === null || iso === undefined) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return h('time', { dateTime: iso, title: iso }, d.toLocaleString());
}

/** badge is a small label whose class names the kind (allow, deny, hold, refuse, pending, …). */
export function badge(kind, text = kind) {
  const safe = /^[a-z_]+$/.test(String(kind)) ? kind : 'other';
  return h('span', { className: `badge badge-${safe}` }, text);
}

/** errorBox shows an error's message and the policy's reasons, when it carries them. */
export function errorBox(error) {
  const reasons = Array.isArray(error?.reasons) ? error.reasons : [];
  return h(
    'div',
    { className: 'error', role: 'alert' },
    h('p', {}, error?.message ?? String(error)),
    reasons.length > 0 ? reasonList(reasons) : null,
  );
}

/** reasonList lists `{reason, rule}` entries (or strings). */
export function reasonList(reasons) {
  return h(
    'ul',
    { className: 'reasons' },
    reasons.map((r) =>
      typeof r === 'string'
        ? h('li', {}, r)
        : h('li', {}, r.reason ?? '', r.rule ? h('span', { className: 'rule' }, ` (${r.rule})`) : null),
    ),
  );
}

/** loading is the placeholder shown while a page fetches. */
export function loading(what = 'Loading…') {
  return h('p', { className: 'muted', role: 'status' }, what);
}
