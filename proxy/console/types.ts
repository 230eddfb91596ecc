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

/** APPROVAL_CHANGE_KINDS are what happened to an approval request, as `approval` events say. */
export const APPROVAL_CHANGE_KINDS = ['created', 'approved', 'denied', 'expired', 'cancelled', 'updated'] as const;

/** ApprovalChangeKind is one of APPROVAL_CHANGE_KINDS. */
export type ApprovalChangeKind = (typeof APPROVAL_CHANGE_KINDS)[number];

/** ApprovalChange is one `approval` event: a request appeared or changed on some gateway sharing the state store. */
export type ApprovalChange = { readonly id: string; readonly status: string; readonly kind: ApprovalChangeKind };

/** OverviewFigures are the metrics registry's figures at one moment: live sessions, statements so far by decision, pending approvals. */
export type OverviewFigures = {
  readonly sessions: number;
  /** statements are the counters of portcullis_statements_total by `decision` label. */
  readonly statements: Readonly<Record<string, number>>;
  readonly pendingApprovals: number;
};

/** OVERVIEW_DECISIONS are the decisions the overview gives a rate for. */
export const OVERVIEW_DECISIONS = ['allow', 'deny', 'hold', 'mask'] as const;

/** Overview is one `overview` event. */
export type Overview = {
  readonly sessions: number;
  readonly statements_per_second: Readonly<Record<(typeof OVERVIEW_DECISIONS)[number], number>>;
  readonly pending_approvals: number;
  /** at is when the figures were read (RFC 3339). */
  readonly at: string;
};

/** ApprovalFeed subscribes to approval changes (one LISTEN); `onLost` runs when changes may have been missed (a reconnect). */
export type ApprovalFeed = (onChange: (change: ApprovalChange) => void, onLost: () => void) => Promise<{ close(): void }>;

/** EventHubOptions configure createEventHub. */
export type EventHubOptions = {
  /** overview reads the figures (absent: zeros). */
  readonly overview?: () => OverviewFigures | Promise<OverviewFigures>;
  /** approvals is the feed of approval changes (absent: no `approval` events, e.g. without a state store). */
  readonly approvals?: ApprovalFeed;
  /** maxStreams bounds the open streams (default 32). */
  readonly maxStreams?: number;
  /** maxPerCaller bounds the streams one caller (issuer and subject) may hold open (default 4). */
  readonly maxPerCaller?: number;
  /** heartbeatMs is the interval of `: ping` comments (default 15 s). */
  readonly heartbeatMs?: number;
  /** overviewMs is the interval of `overview` events (default 1 s). */
  readonly overviewMs?: number;
  readonly log?: (event: { readonly kind: string; readonly [field: string]: unknown }) => void;
};
