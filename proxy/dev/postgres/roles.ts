// The database roles the shipped policy maps identities to (policies/data.json,
// `portcullis.db_roles`), as SQL with real GRANTs: the gateway runs `SET SESSION ROLE` to one of
// them at login, so PostgreSQL itself enforces what the policy says, even where an analysis is
// wrong. Idempotent: it can run again on a cluster that has the roles (re-granting is a no-op).
// The demo and the test clusters both take it from here (startPostgres `databaseRoles`).

/** DATABASE_ROLES are the roles the shipped policy names: read-only, read-write, and schema owner-level. */
export const DATABASE_ROLES = {
  reader: 'portcullis_reader',
  writer: 'portcullis_writer',
  admin: 'portcullis_admin',
} as const;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * databaseRolesSql creates (when absent) the NOLOGIN roles of DATABASE_ROLES in `database` with
 * their grants on schema `public`, and makes each of `members` (the gateway's login roles) a member
 * that may SET ROLE to them but does not inherit their privileges (PostgreSQL 16+ `WITH INHERIT
 * FALSE, SET TRUE`):
 *  - portcullis_reader: CONNECT, USAGE on the schema, SELECT on its tables;
 *  - portcullis_writer: the reader's, plus INSERT/UPDATE/DELETE on the tables and USAGE/SELECT/UPDATE on the sequences;
 *  - portcullis_admin: CREATE on the schema, ALL on its tables and sequences.
 * Tables and sequences portcullis_admin creates later get the same grants (default privileges).
 */
export function databaseRolesSql(database: string, members: readonly string[]): string {
  for (const name of [database, ...members]) {
    if (!IDENTIFIER.test(name)) throw new TypeError(`databaseRolesSql: ${JSON.stringify(name)} must be a lower-case identifier`);
  }
  const { reader, writer, admin } = DATABASE_ROLES;
  const all = `${reader}, ${writer}, ${admin}`;
  const create = [reader, writer, admin]
    .map((r) => `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${r}') THEN CREATE ROLE ${r} NOLOGIN; END IF;`)
    .join('\n');
  const lines = [
    `DO $roles$\nBEGIN\n${create}\nEND\n$roles$;`,
    `GRANT CONNECT ON DATABASE ${database} TO ${all};`,
    `GRANT USAGE ON SCHEMA public TO ${all};`,
    `GRANT CREATE ON SCHEMA public TO ${admin};`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${reader};`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${writer};`,
    `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${writer};`,
    `GRANT ALL ON ALL TABLES IN SCHEMA public TO ${admin};`,
    `GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${admin};`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${admin} IN SCHEMA public GRANT SELECT ON TABLES TO ${reader};`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${admin} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${writer};`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${admin} IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${writer};`,
    ...members.map((m) => `GRANT ${all} TO ${m} WITH INHERIT FALSE, SET TRUE;`),
  ];
  return `${lines.join('\n')}\n`;
}
