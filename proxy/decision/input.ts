// buildPolicyInput: the session's view of one statement (verified claims, connection, SQL facts,
// Bind values, session counters, clock) → the policy's `input` document in snake_case JSON.
// Pure: the caller passes the clock reading, so tests and the policy see the same time.

import type {
  ConnectionPolicyInput,
  PolicyColumnRef,
  PolicyColumnUse,
  PolicyInput,
  PolicyOutputColumn,
  PolicyRoutine,
  PolicyStatement,
} from './types.js';
import { jsonText, sealInput, sharedCopier } from './input-json.js';

/**
 * StatementFactsLike is the subset of proxy/sql's StatementFacts the input is built from
 * (structural, so the two folders stay decoupled; proxy/sql's type satisfies it).
 */
export type StatementFactsLike = {
  readonly kind: string;
  readonly command: string;
  readonly text: string;
  readonly tables: { readonly read: readonly string[]; readonly written: readonly string[] };
  readonly columns: {
    readonly read: readonly PolicyColumnRef[];
    readonly written: readonly PolicyColumnRef[];
    readonly uses: readonly PolicyColumnUse[];
  };
  readonly functions: readonly string[];
  readonly flags: Readonly<Record<string, boolean>>;
  readonly parameters: number;
  readonly fingerprint: string;
  readonly output?: {
    readonly columns: readonly {
      readonly position: number;
      readonly name: string;
      readonly source?: PolicyColumnRef;
      readonly star?: { readonly table?: string };
      readonly derived: readonly PolicyColumnRef[];
    }[];
    readonly wholeRow: boolean;
  } | null;
};

/** RoutineLike is proxy/resolve's StatementRoutine (structural). */
export type RoutineLike = {
  readonly schema: string;
  readonly name: string;
  readonly known: boolean;
  readonly volatility: string;
  readonly securityDefiner: boolean;
  readonly publicExecute: boolean;
  readonly builtin: boolean;
  readonly kinds: readonly string[];
};

/** PolicyInputParts is everything the session knows when a statement arrives. */
export type PolicyInputParts = {
  /** claims are the verified JWT claims (proxy/auth Principal.claims). */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly connection: {
    readonly database: string;
    readonly user: string;
    readonly applicationName?: string;
    readonly clientAddress: string;
    readonly tls: boolean;
  };
  readonly statement: StatementFactsLike;
  /** routines are what the catalog says about the statement's functions (default: none known). */
  readonly routines?: readonly RoutineLike[];
  /** params are the Bind values as text (null for SQL NULL or binary format); omit under the simple protocol. */
  readonly params?: readonly (string | null)[] | null;
  readonly session: {
    /** statements is the number of statements received on this connection before this one (decided, or refused before the policy). */
    readonly statements: number;
    readonly rowsReturned: number;
    readonly inTransaction: boolean;
    /** startedAtMs is when the session was authenticated (ms since the epoch). */
    readonly startedAtMs: number;
  };
  /** nowMs is the clock reading for this statement (ms since the epoch). */
  readonly nowMs: number;
};

/**
 * buildPolicyInput assembles the policy input; it copies everything, so the result is plain JSON.
 * Parts that come from deeply frozen sources (facts proxy/sql memoised, verified claims) cannot
 * change, so their copies are made once and shared, deeply frozen, by every input (input-json.ts).
 */
export function buildPolicyInput(parts: PolicyInputParts): PolicyInput {
  const { connection: c, session: s } = parts;
  const nowMs = Math.floor(parts.nowMs);
  return sealWhenFrozen({
    identity: copyClaims(parts.claims),
    connection: copyConnection(c),
    statement: buildStatement(parts.statement, parts.routines ?? NO_ROUTINES, parts.params ?? null),
    session: {
      statements: s.statements,
      rows_returned: s.rowsReturned,
      in_transaction: s.inTransaction,
      age_seconds: Math.max(0, Math.floor((nowMs - s.startedAtMs) / 1000)),
    },
    time: { now_ns: nowMs * 1_000_000, rfc3339: new Date(nowMs).toISOString() },
  });
}

/**
 * sealWhenFrozen freezes the parts of an input made for it alone; when the parts it shares are
 * deeply frozen copies too (sharedCopier's, from frozen sources), the whole input can never change,
 * and sealInput lets its JSON text be written once however often it is asked for.
 */
function sealWhenFrozen(input: PolicyInput): PolicyInput {
  const st = input.statement;
  for (const r of st.routines) Object.freeze(Object.freeze(r).kinds);
  Object.freeze(st.routines);
  if (st.params !== null) Object.freeze(st.params);
  Object.freeze(input.connection); // a shared copy already is; a fresh one (flat) is now
  Object.freeze(input.session);
  Object.freeze(input.time);
  Object.freeze(st);
  Object.freeze(input);
  const shared = [input.identity, input.connection, st.tables, st.columns, st.functions, st.flags, st.output];
  if (shared.every((x) => x === null || Object.isFrozen(x))) sealInput(input, sealedInputJson);
  return input;
}

/**
 * sealedInputJson writes JSON.stringify(input) for an input buildPolicyInput made: its members in
 * the order written above, the shared parts from their remembered texts (input-json.ts). A test
 * compares the two over PostgreSQL's regression statements.
 */
function sealedInputJson(input: PolicyInput): string {
  const st = input.statement;
  const s = input.session;
  return (
    `{"identity":${jsonText(input.identity)},"connection":${jsonText(input.connection)}` +
    `,"statement":{"kind":${JSON.stringify(st.kind)},"command":${JSON.stringify(st.command)},"text":${JSON.stringify(st.text)}` +
    `,"tables":${jsonText(st.tables)},"columns":${jsonText(st.columns)},"functions":${jsonText(st.functions)}` +
    `,"routines":${st.routines.length === 0 ? '[]' : JSON.stringify(st.routines)},"flags":${jsonText(st.flags)}` +
    `,"parameters":${num(st.parameters)},"fingerprint":${JSON.stringify(st.fingerprint)}` +
    `,"output":${st.output === null ? 'null' : jsonText(st.output)},"params":${st.params === null ? 'null' : JSON.stringify(st.params)}}` +
    `,"session":{"statements":${num(s.statements)},"rows_returned":${num(s.rows_returned)},"in_transaction":${s.in_transaction}` +
    `,"age_seconds":${num(s.age_seconds)}},"time":{"now_ns":${num(input.time.now_ns)},"rfc3339":${JSON.stringify(input.time.rfc3339)}}}`
  );
}

/** num is a number's JSON text. */
function num(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/** ConnectionInputParts is what the session knows at login, before any statement. */
export type ConnectionInputParts = Pick<PolicyInputParts, 'claims' | 'connection' | 'nowMs'>;

/** buildConnectionInput assembles the login entrypoint's input (identity, connection, time); plain JSON. */
export function buildConnectionInput(parts: ConnectionInputParts): ConnectionPolicyInput {
  const c = parts.connection;
  const nowMs = Math.floor(parts.nowMs);
  return {
    identity: copyClaims(parts.claims),
    connection: {
      database: c.database,
      user: c.user,
      application_name: c.applicationName ?? '',
      client_address: c.clientAddress,
      tls: c.tls,
    },
    time: { now_ns: nowMs * 1_000_000, rfc3339: new Date(nowMs).toISOString() },
  };
}

/** buildStatement maps proxy/sql's facts to the snake_case `input.statement`. */
function buildStatement(
  f: StatementFactsLike,
  routines: readonly RoutineLike[],
  params: readonly (string | null)[] | null,
): PolicyStatement {
  return {
    kind: f.kind,
    command: f.command,
    text: f.text,
    tables: copyTables(f.tables),
    columns: copyColumns(f.columns),
    functions: copyFunctions(f.functions),
    routines: routines.length === 0 ? [] : routines.map(routine),
    flags: copyFlags(f.flags),
    parameters: f.parameters,
    fingerprint: f.fingerprint,
    output: f.output === undefined || f.output === null ? null : copyOutput(f.output),
    params: params === null ? null : [...params],
  };
}

const copyClaims = sharedCopier((c: PolicyInputParts['claims']) => ({ ...c }));
const copyConnection = sharedCopier((c: PolicyInputParts['connection']) => ({
  database: c.database,
  user: c.user,
  application_name: c.applicationName ?? '',
  client_address: c.clientAddress,
  tls: c.tls,
}));
const copyTables = sharedCopier((t: StatementFactsLike['tables']) => ({ read: [...t.read], written: [...t.written] }));
const copyColumns = sharedCopier((c: StatementFactsLike['columns']) => ({
  read: c.read.map(columnRef),
  written: c.written.map(columnRef),
  uses: c.uses.map((u) => ({ table: u.table, column: u.column, use: u.use })),
}));
const copyFunctions = sharedCopier((f: StatementFactsLike['functions']) => [...f]);
const copyFlags = sharedCopier((f: StatementFactsLike['flags']) => ({ ...f }));
const copyOutput = sharedCopier((o: NonNullable<StatementFactsLike['output']>) => ({
  columns: o.columns.map(outputColumn),
  whole_row: o.wholeRow,
}));

const NO_ROUTINES: readonly RoutineLike[] = [];

function routine(r: RoutineLike): PolicyRoutine {
  return {
    schema: r.schema,
    name: r.name,
    known: r.known,
    volatility: r.volatility,
    security_definer: r.securityDefiner,
    public_execute: r.publicExecute,
    builtin: r.builtin,
    kinds: [...r.kinds],
  };
}

function columnRef(r: PolicyColumnRef): PolicyColumnRef {
  return { table: r.table, column: r.column };
}

function outputColumn(c: NonNullable<StatementFactsLike['output']>['columns'][number]): PolicyOutputColumn {
  return {
    position: c.position,
    name: c.name,
    ...(c.source !== undefined ? { source: columnRef(c.source) } : {}),
    ...(c.star !== undefined ? { star: c.star.table !== undefined ? { table: c.star.table } : {} } : {}),
    derived: c.derived.map(columnRef),
  };
}
