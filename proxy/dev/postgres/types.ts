// Types of the throwaway PostgreSQL launcher: what startPostgres takes and the handle it returns.

/** PostgresAuthMethod is how a role authenticates over TCP from 127.0.0.1 (pg_hba method). */
export type PostgresAuthMethod = 'scram-sha-256' | 'md5' | 'password';

/** PostgresUser is a login role created at start, with the pg_hba method its TCP connections must use. */
export type PostgresUser = {
  readonly name: string;
  readonly password: string;
  /** auth defaults to scram-sha-256. */
  readonly auth?: PostgresAuthMethod;
  /** superuser makes the role a superuser (default false; users get ALL on the schema's tables). */
  readonly superuser?: boolean;
};

/** StartPostgresOptions configures one throwaway cluster. */
export type StartPostgresOptions = {
  /** port to listen on at 127.0.0.1; 0 or absent picks a free one. */
  readonly port?: number;
  /** schemaSql runs as the superuser in the database once the cluster is up. */
  readonly schemaSql?: string;
  /** users are created after the schema and granted ALL on every table and sequence in `public`. */
  readonly users?: readonly PostgresUser[];
  /**
   * databaseRoles creates the shipped policy's database roles (portcullis_reader, _writer, _admin;
   * proxy/dev/postgres/roles.ts) after the users, with every user a member that may SET ROLE to them.
   */
  readonly databaseRoles?: boolean;
  /** database is created and used (default `portcullis`). */
  readonly database?: string;
  /**
   * ownDatabases are further databases created after the users, empty, each owned by the first of
   * `users` (the demo's `portcullis_state`: the gateway's shared state, kept out of `database`).
   */
  readonly ownDatabases?: readonly string[];
  /** log receives progress lines and the server's output on failure (default: silent). */
  readonly log?: (line: string) => void;
  /** binDir overrides the discovered PostgreSQL bin directory (initdb, pg_ctl, postgres). */
  readonly binDir?: string;
};

/** PostgresHandle is a running cluster; stop() shuts it down fast and removes its files. */
export type PostgresHandle = {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** superuser is the bootstrap superuser's name and password (SCRAM over TCP). */
  readonly superuser: { readonly name: string; readonly password: string };
  /** dataDir is the temporary directory holding the cluster (removed by stop()). */
  readonly dataDir: string;
  /** binDir is the PostgreSQL bin directory in use. */
  readonly binDir: string;
  /** connectionString returns a postgresql:// URL for a user (default the superuser) at 127.0.0.1. */
  readonly connectionString: (user?: string) => string;
  /** stop shuts the server down (fast mode) and removes the temporary directory; idempotent. */
  readonly stop: () => Promise<void>;
};
