// Types of the upstream side: how the gateway logs in to PostgreSQL with credentials only it
// holds, and what a logged-in connection offers the session (UpstreamConnection) and the rest.

import type { FrameChannel } from '../net/index.js';

/** UpstreamConnection is the logged-in connection to PostgreSQL that serves one client session. */
export interface UpstreamConnection extends FrameChannel {
  /** backendKey is the upstream's BackendKeyData (used to forward cancel requests). */
  readonly backendKey: { readonly processId: number; readonly secretKey: number };
  /** parameters are the ParameterStatus values the upstream sent at login. */
  readonly parameters: ReadonlyMap<string, string>;
}

/** UpstreamOptions says where and as whom the gateway connects upstream (from GatewayConfig.upstream). */
export type UpstreamOptions = {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** password is the upstream role's password; absent when the upstream trusts the gateway. */
  readonly password?: string;
  /** passwordSource, when set, is read for every login instead of `password` (a rotated `password_file` is used without a restart). */
  readonly passwordSource?: () => Promise<string>;
  readonly database: string;
  /** applicationName is sent as application_name (the client's, so pg_stat_activity shows it). */
  readonly applicationName?: string;
  /** connectTimeoutMs bounds TCP connect plus login until ReadyForQuery. */
  readonly connectTimeoutMs: number;
  /**
   * maxFrameBytes caps one upstream message (limits.max_row_bytes; default 1 GiB + 64 KiB, above
   * PostgreSQL's own limit). A DataRow or CopyData over it is skipped, never held, and reported as
   * a SkippedFrame (the statement fails); any other message over it fails the connection.
   */
  readonly maxFrameBytes?: number;
  /**
   * streamRowsAbove streams DataRows larger than this many bytes as PartFrames instead of holding
   * them whole (a session's upstream; internal queries such as the catalog's leave it unset).
   */
  readonly streamRowsAbove?: number;
  /** maxQueuedBytes bounds the bytes read ahead and the bytes waiting to be sent (limits.max_queued_bytes; default 1 MiB). */
  readonly maxQueuedBytes?: number;
  /** parameters are further startup parameters (e.g. client_encoding, DateStyle). */
  readonly parameters?: Readonly<Record<string, string>>;
};

/** BackendKey is a BackendKeyData pair, the key a CancelRequest presents. */
export type BackendKey = { readonly processId: number; readonly secretKey: number };

/** UpstreamAuthMethod is how the upstream asked the gateway to authenticate. */
export type UpstreamAuthMethod = 'trust' | 'password' | 'md5' | 'scram-sha-256';

/** UpstreamLogin is a logged-in upstream connection plus the method that was used. */
export type UpstreamLogin = UpstreamConnection & {
  /** authMethod is the method the upstream required. */
  readonly authMethod: UpstreamAuthMethod;
  /** destroy closes the socket immediately (end() flushes first). */
  destroy(): void;
  /** onClose registers a listener called once when the socket has closed (at once if it already has). */
  onClose(listener: () => void): void;
};

/** SimpleQueryResult is the text-format outcome of one simple-protocol query string. */
export type SimpleQueryResult = {
  /** rows of the last result set, values as text (null for SQL NULL). */
  readonly rows: readonly (readonly (string | null)[])[];
  /** tag is the last CommandComplete tag. */
  readonly tag: string;
};
