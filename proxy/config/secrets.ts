// Secrets in opa.config.yaml: given inline, named by an environment variable, or kept in a file.
// The config only records which; proxy/cli resolves `password_env` against the environment it was
// given and reads `password_file` for every new upstream login (so a rotated password is used
// without a restart).

/** SecretSource is a secret given inline, named by an environment variable, or read from a file (resolved by the CLI). */
export type SecretSource =
  | { readonly kind: 'inline'; readonly value: string }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'file'; readonly path: string };

/** resolveSecret returns an inline or `password_env` secret's value (undefined when the variable is unset, or for a file: read it when needed). */
export function resolveSecret(source: SecretSource, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (source.kind === 'inline') return source.value;
  if (source.kind === 'env') return env[source.name];
  return undefined;
}

/** secretFromFile is a file's content without its final line break (files written by editors and `echo` end with one). */
export function secretFromFile(text: string): string {
  return text.replace(/\r?\n$/, '');
}
