// The facts proxy/sql extracts from one SQL statement: plain, readonly, JSON-serialisable data
// that the policy reads as `input.statement` and the session uses to bind result columns for
// masking. Produced by analyze() (analyze.ts); nothing here depends on libpg-query's tree shape.

import type { SqlError } from './errors.js';

/**
 * STATEMENT_KINDS is the closed list of statement families, named after PostgreSQL's command
 * families in lower case. Anything not listed is `other` (its `command` tag still says what it
 * is, e.g. `CREATE INDEX`, `COMMENT`).
 *
 * - select: SELECT, VALUES, TABLE t, SELECT … INTO (flag `into`)
 * - insert, update, delete, merge: DML (EXPLAIN / PREPARE of DML is explain / prepare; the flags
 *   and tables of the wrapped statement are still reported)
 * - copy: COPY in either direction (flags say which)
 * - create_table: CREATE TABLE, CREATE TABLE AS, CREATE MATERIALIZED VIEW … AS
 * - alter_table: ALTER TABLE / INDEX / VIEW / SEQUENCE … (AlterTableStmt)
 * - drop: any DROP …
 * - truncate, grant (GRANT privileges or role), revoke
 * - create_function: CREATE [OR REPLACE] FUNCTION / PROCEDURE
 * - do: DO blocks; call: CALL procedure
 * - set, reset, show: configuration parameters (SET ROLE / SESSION AUTHORIZATION have their own kinds)
 * - set_role: SET [LOCAL|SESSION] ROLE …, RESET ROLE
 * - set_session_authorization: SET SESSION AUTHORIZATION …, RESET SESSION AUTHORIZATION
 * - begin (BEGIN / START TRANSACTION), commit (COMMIT, END, COMMIT PREPARED, PREPARE TRANSACTION),
 *   rollback (ROLLBACK, ABORT, ROLLBACK TO SAVEPOINT, ROLLBACK PREPARED), savepoint (SAVEPOINT, RELEASE)
 * - prepare, execute, deallocate: SQL-level prepared statements
 * - declare (DECLARE … CURSOR FOR query: the query's tables, columns, flags and lineage are the
 *   statement's), fetch (FETCH rows of a cursor; masks bind through RowDescription), move, close
 *   (CLOSE a cursor, CLOSE ALL)
 * - explain, listen (LISTEN, UNLISTEN), notify, vacuum, analyze, lock
 * - other: everything else (CREATE INDEX, CREATE VIEW, COMMENT, …; `ddl` is still flagged)
 */
export const STATEMENT_KINDS = [
  'select',
  'insert',
  'update',
  'delete',
  'merge',
  'copy',
  'create_table',
  'alter_table',
  'drop',
  'truncate',
  'grant',
  'revoke',
  'create_function',
  'do',
  'call',
  'set',
  'reset',
  'show',
  'set_role',
  'set_session_authorization',
  'begin',
  'commit',
  'rollback',
  'savepoint',
  'prepare',
  'execute',
  'deallocate',
  'declare',
  'fetch',
  'move',
  'close',
  'explain',
  'listen',
  'notify',
  'vacuum',
  'analyze',
  'lock',
  'other',
] as const;

/** StatementKind is one entry of STATEMENT_KINDS. */
export type StatementKind = (typeof STATEMENT_KINDS)[number];

/**
 * ColumnName names a column as `schema.table` + column. `table` is '' when several tables could
 * hold the column (an unqualified name in a join); `column` is '' when a table's columns were
 * renamed by an alias list (`FROM t AS x(a, b)`) so only the table is known.
 */
export type ColumnName = {
  readonly table: string;
  readonly column: string;
};

/**
 * COLUMN_USES is the closed list of the ways a statement uses a column's value, computed on
 * lineage (a use through a CTE, subquery or alias names the source column):
 *
 * - output: a plain result column of a query level (`SELECT email`, `email AS e`, RETURNING): the
 *   value itself, which the gateway binds and masks where it reaches the client
 * - expression: inside a function call (aggregates and window functions included), a cast, CASE,
 *   COALESCE, ROW, an array, a subscript or any other value-building construct, or a result
 *   column that is not a plain column (an operator, a scalar subquery), whether or not the value
 *   reaches the client; also arguments of functions in FROM and of other statements' expressions
 * - filter: WHERE, HAVING, an aggregate's FILTER, LIMIT / OFFSET, a subquery tested in a
 *   predicate (IN, EXISTS, comparisons and pattern matches are operators: they keep this use)
 * - join: JOIN … ON, USING, NATURAL (column '' for every column of each side's tables)
 * - order: ORDER BY (by name, output alias or position), a window's or an aggregate's ORDER BY
 * - group: GROUP BY, DISTINCT, DISTINCT ON, PARTITION BY, and the duplicate elimination of
 *   UNION / INTERSECT / EXCEPT (not UNION ALL)
 * - store: the value is written somewhere: INSERT … SELECT / VALUES, UPDATE … SET, MERGE,
 *   ON CONFLICT DO UPDATE, CREATE TABLE AS, SELECT INTO, CREATE VIEW, COPY (query) TO a file or program
 */
export const COLUMN_USES = ['output', 'expression', 'filter', 'join', 'order', 'group', 'store'] as const;

/** ColumnUseKind is one entry of COLUMN_USES. */
export type ColumnUseKind = (typeof COLUMN_USES)[number];

/**
 * ColumnUse is one use of one column. As in ColumnName, `table` is '' when several tables could
 * hold the column and `column` is '' when only the table is known (an alias list, a `*` an
 * ORDER BY position points into, NATURAL JOIN); both are '' for a whole-row reference (`t`,
 * `t.*` used as a value), which may carry any column.
 */
export type ColumnUse = ColumnName & { readonly use: ColumnUseKind };

/**
 * StatementFlags are the booleans a policy most often tests. Each is true when the statement
 * (including its subqueries, CTEs and, for EXPLAIN / PREPARE / CREATE TABLE AS, the wrapped
 * statement) has the property.
 */
export type StatementFlags = {
  /** ddl: a schema-changing statement (CREATE/ALTER/DROP/TRUNCATE/COMMENT/GRANT/REVOKE, …). */
  readonly ddl: boolean;
  /** destructive: DROP … or TRUNCATE. */
  readonly destructive: boolean;
  /** delete_without_where: a DELETE (anywhere in the statement, CTEs included) without WHERE. */
  readonly delete_without_where: boolean;
  /** update_without_where: an UPDATE (anywhere in the statement) with no WHERE. */
  readonly update_without_where: boolean;
  /** copy_program: COPY … FROM/TO PROGRAM (runs a shell command on the database server). */
  readonly copy_program: boolean;
  /** copy_server_file: COPY … FROM/TO a file on the database server ('/path'): the server's file system, not the client's data. */
  readonly copy_server_file: boolean;
  /** copy_from_stdin: COPY … FROM STDIN (client sends data). */
  readonly copy_from_stdin: boolean;
  /** copy_to_stdout: COPY … TO STDOUT (server sends data to the client). */
  readonly copy_to_stdout: boolean;
  /** dynamic_sql: SQL the analysis cannot see: DO blocks, PL/pgSQL EXECUTE, or functions that run SQL text (dblink*, query_to_xml*, …). */
  readonly dynamic_sql: boolean;
  /**
   * set_role: SET [SESSION|LOCAL] ROLE / RESET ROLE, set_config('role', …) (or set_config with a
   * setting name that is not a constant), or DISCARD ALL (which ends the session's SET ROLE).
   * RESET ALL does not change the role (PostgreSQL's RESET ALL skips it) and is not flagged.
   */
  readonly set_role: boolean;
  /**
   * session_authorization: SET / RESET SESSION AUTHORIZATION, set_config('session_authorization', …)
   * (or a non-constant setting name), or DISCARD ALL (which runs SET SESSION AUTHORIZATION DEFAULT).
   */
  readonly session_authorization: boolean;
  /** data_modifying_cte: a WITH clause holds INSERT/UPDATE/DELETE/MERGE. */
  readonly data_modifying_cte: boolean;
  /** select_star: `*` or `t.*` appears in a target list (including RETURNING). */
  readonly select_star: boolean;
  /** has_where: the top-level SELECT/UPDATE/DELETE has a WHERE clause. */
  readonly has_where: boolean;
  /** for_update: a locking clause (FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE). */
  readonly for_update: boolean;
  /** cascade: DROP, TRUNCATE or ALTER … DROP with CASCADE, which reaches objects (or, for TRUNCATE, tables) the statement does not name. */
  readonly cascade: boolean;
  /** into: SELECT … INTO new_table (creates a table). */
  readonly into: boolean;
};

/** OutputColumn describes one result column of a statement that returns rows, for masking. */
export type OutputColumn = {
  /** position is the 1-based position in the target list as written; columns a `*` expands to share its position. */
  readonly position: number;
  /** name is the column name PostgreSQL reports (alias, column name, function name or `?column?`); '*' for a star. */
  readonly name: string;
  /** source is set when the value is a plain column reference, possibly aliased. */
  readonly source?: ColumnName;
  /** star is set for `*` / `t.*` over a table (one entry per table): bind it through RowDescription; `table` is absent for a function's columns. */
  readonly star?: { readonly table?: string };
  /** derived lists columns used inside an expression, function, cast, subquery or aggregate of this column. */
  readonly derived: readonly ColumnName[];
};

/** OutputFacts is the lineage of the rows a statement returns to the client. */
export type OutputFacts = {
  readonly columns: readonly OutputColumn[];
  /** wholeRow is true when a whole row can reach the client in a form that cannot be bound (row_to_json(t), t as a value, ROW(…)). */
  readonly wholeRow: boolean;
};

/** StatementFacts is everything the policy and the session know about one statement. */
export type StatementFacts = {
  readonly kind: StatementKind;
  /** command is PostgreSQL's command tag, e.g. `SELECT`, `CREATE TABLE`, `DROP TABLE`. */
  readonly command: string;
  /** text is this statement's own SQL (its slice of the query string, trimmed). */
  readonly text: string;
  /** tables read and written, as `schema.table`, sorted and unique. */
  readonly tables: { readonly read: readonly string[]; readonly written: readonly string[] };
  /** columns read and written, where they can be determined, sorted and unique; uses says where each value is used (sorted by table, column, use; unique). */
  readonly columns: {
    readonly read: readonly ColumnName[];
    readonly written: readonly ColumnName[];
    readonly uses: readonly ColumnUse[];
  };
  /** functions called, lower-case, schema-qualified when written so, sorted and unique. */
  readonly functions: readonly string[];
  /** calls are the functions called, as written (for the catalog's facts about them), sorted and unique; views' calls included. */
  readonly calls: readonly RoutineName[];
  /** operators are the operators applied, as written (`=`, `~~` for LIKE, `OPERATOR(s.op)` with its schema), sorted and unique: a user-defined operator runs a function. */
  readonly operators: readonly RoutineName[];
  readonly flags: StatementFlags;
  /** parameters is the highest `$n` used (0 when none). */
  readonly parameters: number;
  /** fingerprint is the hex sha256 of the parse tree without locations: spacing, comments and keyword case do not change it; names and constants do. */
  readonly fingerprint: string;
  /**
   * prepared names SQL-level prepared statements: `PREPARE name AS stmt` gives the wrapped
   * statement's kind and command (its tables, columns, flags and lineage are this statement's),
   * `EXECUTE name` and `DEALLOCATE name` the name (`DEALLOCATE ALL`: '*'). The session decides an
   * EXECUTE by the statement it runs.
   */
  readonly prepared?:
    | { readonly op: 'prepare'; readonly name: string; readonly kind: StatementKind; readonly command: string }
    | { readonly op: 'execute' | 'deallocate'; readonly name: string };
  /** output is the result-column lineage (SELECT, VALUES, RETURNING, COPY … TO STDOUT); absent when no rows reach the client. */
  readonly output?: OutputFacts;
};

/** RoutineName is a called function or procedure as written: `schema` is '' when unqualified; names keep their case (identifiers are already folded by the parser). */
export type RoutineName = { readonly schema: string; readonly name: string };

/** ViewDefinition is a view's (or materialized view's) query and column names, from the catalog. */
export type ViewDefinition = {
  /** columns are the view's column names in attribute order. */
  readonly columns: readonly string[];
  /** sql is the view's query with every name schema-qualified (pg_get_viewdef under an empty search path). */
  readonly sql: string;
};

/**
 * CatalogSnapshot is what the catalog knows that the grammar cannot: which unqualified relation
 * names PostgreSQL finds in pg_catalog first (it is searched before the search path), and the
 * definitions of views, so lineage follows a view into the tables it reads.
 */
export type CatalogSnapshot = {
  /** systemRelations are the relation names in pg_catalog. */
  readonly systemRelations: ReadonlySet<string>;
  /** views maps `schema.name` to its definition. */
  readonly views: ReadonlyMap<string, ViewDefinition>;
};

/** AnalyzeOptions tunes analyze(); every field has a default in ANALYZE_DEFAULTS. */
export type AnalyzeOptions = {
  /** maxBytes caps the query string's UTF-8 size before parsing (default 1 MiB). */
  readonly maxBytes?: number;
  /** searchPath resolves unqualified table names against its first entry (default ['public']). */
  readonly searchPath?: readonly string[];
  /** catalog resolves system relations and expands views (default: none; such analyses are not memoised). */
  readonly catalog?: CatalogSnapshot;
};

/** AnalyzeResult is the outcome of analyze(): the statements' facts, or the reason to refuse. */
export type AnalyzeResult =
  | { readonly ok: true; readonly statements: readonly StatementFacts[] }
  | { readonly ok: false; readonly error: SqlError };
