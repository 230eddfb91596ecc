// The console's entry: reads config.json, finishes an OIDC sign-in when the page carries its
// answer, checks the token with /v1/whoami, and routes the hash (#/approvals/<id>, …) to a page
// module. A page's render(ctx) fills the main element and answers a cleanup function (timers,
// subscriptions) run when the route changes. A 401 anywhere returns to sign-in with the reason.

import { api, ApiError, setToken, token, whenUnauthorized } from './api.js';
import { errorBox, h, replace } from './dom.js';
import { liveState, startLive, stopLive, subscribe } from './live.js';
import * as approvals from './page-approvals.js';
import * as approval from './page-approval.js';
import * as overview from './page-overview.js';
import * as policy from './page-policy.js';
import * as session from './page-session.js';
import * as sessions from './page-sessions.js';
import * as signin from './page-signin.js';
import { rolesOf } from './roles.js';

const RETURN_KEY = 'portcullis.return';
const main = document.getElementById('main');
const who = document.getElementById('who');
const nav = document.getElementById('nav');
const navToggle = document.getElementById('nav-toggle');
const live = document.getElementById('live');

const app = { config: { version: '', oidc: null }, me: undefined, cleanup: undefined, notice: undefined, oidc: undefined };

/** parseHash reads `#/a/b?x=1` as segments ['a','b'] and query {x:'1'}. */
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, q = ''] = raw.split('?');
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { segments, query: Object.fromEntries(new URLSearchParams(q)) };
}

/** pick maps segments to a page and its parameters; undefined for an unknown route. */
function pick(segments) {
  const [a, b, c, d] = segments;
  if (a === undefined) return { page: overview, nav: 'overview', params: {} };
  if (a === 'signin' && b === undefined) return { page: signin, nav: 'signin', params: {} };
  if (a === 'approvals' && b === undefined) return { page: approvals, nav: 'approvals', params: {} };
  if (a === 'approvals' && c === undefined) return { page: approval, nav: 'approvals', params: { id: b } };
  if (a === 'sessions' && b === undefined) return { page: sessions, nav: 'sessions', params: {} };
  if (a === 'sessions' && c === undefined) return { page: session, nav: 'sessions', params: { id: b } };
  if (a === 'sessions' && c === 'statements' && d !== undefined && segments.length === 4 && /^[0-9]+$/.test(d)) {
    return { page: session, nav: 'sessions', params: { id: b, statement: Number(d) } };
  }
  if (a === 'policy' && b === undefined) return { page: policy, nav: 'policy', params: {} };
  return undefined;
}

/** navigate sets the hash (the hashchange listener renders). */
function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** toSignIn forgets the token and shows sign-in with why, remembering where the person was. */
function toSignIn(reason) {
  const current = location.hash;
  if (current !== '' && !current.startsWith('#/signin')) sessionStorage.setItem(RETURN_KEY, current);
  setToken(null);
  app.me = undefined;
  stopLive();
  app.notice = reason;
  renderWho();
  navigate('#/signin');
}

/** signedIn keeps a checked token and whoami answer and returns to where the person was going. */
function signedIn(bearer, me) {
  setToken(bearer);
  app.me = me;
  app.notice = undefined;
  renderWho();
  startLive();
  const back = sessionStorage.getItem(RETURN_KEY) ?? location.hash;
  sessionStorage.removeItem(RETURN_KEY);
  navigate(back.startsWith('#/') && !back.startsWith('#/signin') ? back : '#/');
}

function signOut() {
  setToken(null);
  app.me = undefined;
  app.notice = 'Signed out.';
  stopLive();
  renderWho();
  navigate('#/signin');
}

function renderWho() {
  if (app.me === undefined) {
    replace(who);
    return;
  }
  const roles = rolesOf(app.me.claims);
  replace(
    who,
    h(
      'span',
      { className: 'who-name', title: `issuer: ${app.me.iss}` },
      h('span', { className: 'sr-only' }, 'Signed in as '),
      h('strong', { id: 'who-sub' }, app.me.sub),
    ),
    h('span', { className: 'who-roles', id: 'who-roles' }, roles.length > 0 ? roles.join(', ') : 'no roles'),
    h('button', { type: 'button', className: 'link-button', id: 'sign-out', onclick: signOut }, 'Sign out'),
  );
}

function renderLive(state) {
  live.textContent = state === 'open' ? 'Live' : state === 'closed' ? 'Reconnecting…' : '';
  live.className = `live ${state === 'open' ? 'live-on' : 'muted'}`;
}

/** route renders the page the hash names. */
async function route() {
  app.cleanup?.();
  app.cleanup = undefined;
  setNavOpen(false);
  const { segments, query } = parseHash();
  const target = pick(segments);
  if (target === undefined) {
    setCurrent(undefined);
    replace(main, h('h1', { tabIndex: -1 }, 'Not found'), h('p', {}, 'The console has no such page. ', h('a', { href: '#/' }, 'Overview')));
    return;
  }
  if (target.page !== signin && token() === null) {
    toSignIn(app.notice);
    return;
  }
  setCurrent(target.nav);
  const ctx = {
    main,
    params: target.params,
    query,
    me: app.me,
    config: app.config,
    oidc: app.oidc,
    notice: app.notice,
    navigate,
    signedIn,
  };
  replace(main);
  try {
    const cleanup = await target.page.render(ctx);
    app.cleanup = typeof cleanup === 'function' ? cleanup : undefined;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    replace(main, h('h1', { tabIndex: -1 }, 'Something went wrong'), errorBox(e));
  }
}

function setCurrent(name) {
  for (const a of nav.querySelectorAll('a[data-route]')) {
    if (a.dataset.route === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function setNavOpen(open) {
  navToggle.setAttribute('aria-expanded', String(open));
  nav.classList.toggle('open', open);
}

async function loadConfig() {
  try {
    const res = await fetch('/console/config.json', { cache: 'no-store' });
    if (res.ok) app.config = { ...app.config, ...(await res.json()) };
  } catch {
    // a console without config.json still works with pasted tokens
  }
}

/** loadOidc imports the OIDC module only when the gateway configured an issuer (so no page asks for a file it does not need). */
async function loadOidc() {
  if (app.config.oidc === null || app.config.oidc === undefined) return undefined;
  try {
    return await import('./oidc.js');
  } catch {
    return undefined;
  }
}

async function boot() {
  whenUnauthorized((e) => toSignIn(`Signed out: ${e.message}`));
  subscribe('state', renderLive);
  navToggle.addEventListener('click', () => setNavOpen(navToggle.getAttribute('aria-expanded') !== 'true'));
  document.querySelector('.skip')?.addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });
  await loadConfig();
  app.oidc = await loadOidc();
  let fromIssuer = false;
  if (app.oidc !== undefined) {
    try {
      const issued = await app.oidc.completeSignIn(app.config.oidc);
      if (typeof issued === 'string' && issued !== '') {
        setToken(issued);
        fromIssuer = true;
      }
    } catch (e) {
      app.notice = `Sign-in with the identity provider failed: ${e?.message ?? e}`;
      setToken(null);
    }
  }
  // `/?login_hint=<name>` (the link `npm start` prints) goes straight to the provider's sign-in for that identity
  if (app.oidc !== undefined && token() === null && !fromIssuer && new URL(location.href).searchParams.has('login_hint')) {
    try {
      await app.oidc.startSignIn(app.config.oidc);
      return;
    } catch (e) {
      app.notice = `Sign-in with the identity provider failed: ${e?.message ?? e}`;
    }
  }
  window.addEventListener('hashchange', route);
  const bearer = token();
  if (bearer !== null) {
    try {
      const me = await api('/v1/whoami', { bearer });
      app.me = me;
      renderWho();
      startLive();
      renderLive(liveState());
      if (fromIssuer || location.hash.startsWith('#/signin')) {
        signedIn(bearer, me);
        return;
      }
    } catch (e) {
      // a 401 has already returned to sign-in (whenUnauthorized)
      if (!(e instanceof ApiError && e.status === 401)) toSignIn(e.message);
      return;
    }
  }
  route();
}

boot();
