// Section `tls` of opa.config.yaml (the certificate served after an SSLRequest) and the top-level
// `allow_plaintext_password` that governs tokens sent without it. Types, defaults and validators;
// the PEM files themselves are read by proxy/cli, never here.

import type { Section } from './section.js';

/** TlsConfig names the PEM certificate and key files served after an SSLRequest. */
export type TlsConfig = { readonly certFile: string; readonly keyFile: string };

/** PLAINTEXT_PASSWORD_DEFAULT is `allow_plaintext_password`'s default: tokens need TLS except from loopback. */
export const PLAINTEXT_PASSWORD_DEFAULT = false;

/** validateTls reads the optional `tls` section (both files required when present). */
export function validateTls(root: Section): TlsConfig | undefined {
  const tls = root.section('tls', false);
  if (tls === undefined) return undefined;
  tls.only(['cert', 'key']);
  const certFile = tls.string('cert', true);
  const keyFile = tls.string('key', true);
  return certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : undefined;
}

/** validateAllowPlaintextPassword reads the top-level `allow_plaintext_password` flag. */
export function validateAllowPlaintextPassword(root: Section): boolean {
  return root.boolean('allow_plaintext_password') ?? PLAINTEXT_PASSWORD_DEFAULT;
}
