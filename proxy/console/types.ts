// Types of the web console's server side: what the admin server passes to the console plugin
// (where the assets are, the OIDC part of config.json) and what config.json says. Plain readonly
// data; no behaviour lives here.

/** ConsoleOidc is the `oidc` part of config.json: where the browser signs in (authorization code with PKCE). */
export type ConsoleOidc = {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly client_id: string;
  readonly scope: string;
  readonly redirect_uri: string;
};

/** ConsoleConfigDocument is GET /console/config.json. */
export type ConsoleConfigDocument = { readonly version: string; readonly oidc: ConsoleOidc | null };

/** ConsolePluginOptions configure consolePlugin. */
export type ConsolePluginOptions = {
  /** assetsDir is the directory served under /console/ (default: proxy/console/assets beside this module). */
  readonly assetsDir?: string;
  /** version is the gateway's version (config.json). */
  readonly version: string;
  /** baseUrl is the admin API's own URL, known once it listens (the OIDC redirect URI is `<baseUrl>/`). */
  readonly baseUrl: () => string;
  /** oidc builds config.json's `oidc` from the base URL; absent or null: pasted tokens only. */
  readonly oidc?: (baseUrl: string) => ConsoleOidc | null;
  /** log receives the plugin's operational events (assets missing or skipped). */
  readonly log?: (event: { readonly kind: string; readonly [field: string]: unknown }) => void;
};
