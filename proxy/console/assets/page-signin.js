// Sign-in: with the identity provider the gateway trusts (OIDC code flow with PKCE, oidc.js),
// or by pasting a token, which is checked with GET /v1/whoami before it is kept.

import { api } from './api.js';
import { errorBox, h, replace } from './dom.js';

export function render(ctx) {
  const out = h('div', { className: 'signin' });
  const message = h('div', { className: 'signin-message' });
  if (ctx.notice) replace(message, h('p', { className: 'notice', role: 'alert', id: 'signin-notice' }, ctx.notice));

  const provider =
    ctx.config.oidc && ctx.oidc
      ? h(
          'section',
          { className: 'card' },
          h('h2', {}, 'Identity provider'),
          h(
            'button',
            {
              type: 'button',
              id: 'signin-oidc',
              className: 'primary',
              onclick: async () => {
                try {
                  await ctx.oidc.startSignIn(ctx.config.oidc);
                } catch (e) {
                  replace(message, errorBox(e));
                }
              },
            },
            `Sign in with ${ctx.config.oidc.issuer}`,
          ),
        )
      : null;

  const field = h('textarea', {
    id: 'token',
    name: 'token',
    rows: 4,
    required: true,
    autocomplete: 'off',
    spellcheck: false,
    className: 'token-input',
  });
  const submit = h('button', { type: 'submit', className: 'primary', id: 'signin-token' }, 'Sign in with token');
  const form = h(
    'form',
    {
      className: 'card',
      onsubmit: async (e) => {
        e.preventDefault();
        const bearer = field.value.trim().replace(/^Bearer\s+/i, '');
        if (bearer === '') return;
        submit.disabled = true;
        try {
          const me = await api('/v1/whoami', { bearer });
          ctx.signedIn(bearer, me);
        } catch (err) {
          replace(message, errorBox(err));
          submit.disabled = false;
        }
      },
    },
    h('h2', {}, 'Token'),
    h('label', { for: 'token' }, 'Bearer token (a JWT from the issuer the gateway trusts)'),
    field,
    h('p', { className: 'muted' }, 'The token stays in this tab (sessionStorage) and is sent only to this gateway.'),
    submit,
  );
  replace(ctx.main, h('h1', { tabIndex: -1 }, 'Sign in'), out);
  out.append(message, provider ?? '', form);
  (provider?.querySelector('button') ?? field).focus();
}
