// Secrets in opa.config.yaml: given inline or named by an environment variable. The config only
// records which; proxy/cli resolves `password_env` against the environment it was given.

/** SecretSource is a secret given inline or named by an environment variable (resolved by the CLI). */
export type SecretSource = { readonly kind: 'inline'; readonly value: string } | { readonly kind: 'env'; readonly name: string };

/** resolveSecret returns a SecretSource's value, reading `env` for `password_env` (undefined when the variable is unset). */
export function resolveSecret(source: SecretSource, env: Readonly<Record<string, string | undefined>>): string | undefined {
  return source.kind === 'inline' ? source.value : env[source.name];
}
