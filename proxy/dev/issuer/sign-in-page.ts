// The dev issuer's HTML: the sign-in page (one button per identity, a form POSTed back to
// /authorize with the request's parameters) and the error page for requests that cannot be sent
// back to their client. Self-contained: no external assets, every value HTML-escaped.

import type { ServerResponse } from 'node:http';
import type { DevIdentity } from './types.js';

/** SignInPage is what the sign-in page shows and carries. */
export type SignInPage = {
  readonly status: number;
  readonly clientId: string;
  /** redirectOrigin is where the form's answer redirects (allowed by the page's form-action). */
  readonly redirectOrigin: string;
  /** carried are the authorization request's parameters, sent back as hidden fields. */
  readonly carried: Readonly<Record<string, string>>;
  readonly identities: Readonly<Record<string, DevIdentity>>;
  readonly notice?: string;
};

const STYLE = `body{font:16px/1.4 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d2330}
h1{font-size:1.4rem}.who{display:block;width:100%;text-align:left;margin:.5rem 0;padding:.75rem 1rem;font:inherit;
border:1px solid #9aa3b5;border-radius:.4rem;background:#f5f7fb;cursor:pointer}.who:hover,.who:focus{background:#e3e9f6}
.claims{display:block;color:#4a5468;font-size:.85rem}.notice{padding:.5rem 1rem;background:#fff3cd;border-radius:.4rem}
.error{padding:.75rem 1rem;background:#fde2e1;border-radius:.4rem}`;

/** escapeHtml makes text safe inside HTML text and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function send(res: ServerResponse, status: number, title: string, body: string, formAction: string): void {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>
`;
  res
    .writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(html),
      'cache-control': 'no-store',
      // the form posts here and is redirected to the client: both are allowed form targets
      'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    })
    .end(html);
}

/** signInPage answers with the page listing the identities, each a submit button of one form. */
export function signInPage(res: ServerResponse, page: SignInPage): void {
  const hidden = Object.entries(page.carried)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n');
  const names = Object.keys(page.identities);
  const buttons = names
    .map((name) => {
      const identity = page.identities[name] as DevIdentity;
      const claims = JSON.stringify(identity.claims ?? {});
      return `<button class="who" type="submit" name="identity" value="${escapeHtml(name)}">Sign in as <strong>${escapeHtml(name)}</strong>
<span class="claims">sub ${escapeHtml(identity.sub)}, claims ${escapeHtml(claims)}</span></button>`;
    })
    .join('\n');
  const body = `<h1>Portcullis dev issuer</h1>
<p>${escapeHtml(page.clientId)} asks who you are. This local issuer signs whoever you choose: it is for the demo and tests only.</p>
${page.notice !== undefined ? `<p class="notice">${escapeHtml(page.notice)}</p>` : ''}
${names.length === 0 ? '<p class="error">No identities are configured for this issuer.</p>' : ''}
<form method="post" action="/authorize">
${hidden}
${buttons}
</form>`;
  send(res, page.status, 'Sign in: Portcullis dev issuer', body, `'self' ${page.redirectOrigin}`);
}

/** errorPage answers with a plain error page (the request cannot safely be sent back to its client). */
export function errorPage(res: ServerResponse, status: number, message: string): void {
  send(
    res,
    status,
    'Sign-in error: Portcullis dev issuer',
    `<h1>Sign-in error</h1>\n<p class="error">${escapeHtml(message)}</p>\n<p>Go back to the application and start the sign-in again.</p>`,
    "'none'",
  );
}
