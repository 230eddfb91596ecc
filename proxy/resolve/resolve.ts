// Catalog-backed resolution of one statement's names, between analysis and the policy: which
// unqualified relations are PostgreSQL's own (pg_catalog is searched first), what each view reads
// (its definition, followed recursively, so lineage and functions come through it), and what each
// called function is (volatility, SECURITY DEFINER, EXECUTE granted to PUBLIC, built in). The
// catalog answers from its cache synchronously; only names not yet known make a statement wait.

import { analyzeBounded } from '../sql/index.js';
import type { AnalyzeResult, CatalogSnapshot, ColumnName, StatementFacts, ViewDefinition } from '../sql/index.js';
import type { CatalogFacts, Known, RoutineFacts, Volatility } from '../catalog/index.js';
import { CatalogTooDeepError, CatalogUnavailableError, type ResolveError } from './errors.js';

/** StatementRoutine is one function a statement calls, with what the catalog says about it (`known` false: no such function). */
export type StatementRoutine = {
  readonly schema: string;
  readonly name: string;
  readonly known: boolean;
  readonly volatility: Volatility | 'unknown';
  readonly securityDefiner: boolean;
  readonly publicExecute: boolean;
  readonly builtin: boolean;
  readonly kinds: readonly string[];
};

/** ViewColumn is one column of a view the statement reads, with the lineage of its values. */
export type ViewColumn = {
  readonly view: string;
  readonly column: string;
  /** source is set when the column is exactly one column of a table (through any views). */
  readonly source?: ColumnName;
  readonly derived: readonly ColumnName[];
};

/** Resolved is a statement with its names resolved, or why it is refused. */
export type Resolved =
  | {
      readonly ok: true;
      /** facts are the statement's facts, analysed again with the catalog when it reads views or system relations. */
      readonly facts: StatementFacts;
      readonly routines: readonly StatementRoutine[];
      readonly viewColumns: readonly ViewColumn[];
    }
  | { readonly ok: false; readonly error: ResolveError | AnalysisFailure };

/**
 * remembered keeps resolutions for the catalog generation they were made in: a shared (frozen)
 * facts object's, and, by its frozen `tables` object, a shape's (statements that differ only in
 * literals share it, and with it their calls and operators) when the statement was not analysed
 * again (the resolution then depends on nothing of the statement's own text).
 */
const remembered = new WeakMap<
  object,
  { readonly catalog: CatalogFacts; readonly generation: number; readonly schema: string; readonly resolved: Resolved }
>();

/** MAX_RELATIONS bounds the relations looked at through views for one statement. */
export const MAX_RELATIONS = 256;
/** MAX_ROUNDS bounds how often resolution waits on the catalog for one statement. */
const MAX_ROUNDS = 12;

const WAIT = Symbol('wait');
type Wait = typeof WAIT;
type Failure = { readonly failed: ResolveError | AnalysisFailure };
/** AnalysisFailure is why analysing a text failed (proxy/sql's errors, e.g. too complex: 54001). */
type AnalysisFailure = Extract<AnalyzeResult, { ok: false }>['error'];

/**
 * resolveStatement resolves a statement's names. It answers synchronously when the catalog has
 * every answer cached (the common case: a statement of names seen before) and otherwise waits on
 * the lookups it needs, then tries again. Any lookup that fails refuses the statement.
 */
export function resolveStatement(facts: StatementFacts, catalog: CatalogFacts, defaultSchema = 'public'): Resolved | Promise<Resolved> {
  if (facts.tables.read.length === 0 && facts.tables.written.length === 0 && facts.calls.length === 0 && facts.operators.length === 0) {
    return { ok: true, facts, routines: [], viewColumns: [] };
  }
  // a statement of a shape seen before (its facts object is shared) resolves as it did, while the
  // catalog has dropped nothing since: the common path costs one lookup
  const generation = catalog.generation();
  const current = (k: object | undefined) => {
    const known = k === undefined ? undefined : remembered.get(k);
    return known !== undefined && known.catalog === catalog && known.generation === generation && known.schema === defaultSchema
      ? known.resolved
      : undefined;
  };
  const byFacts = current(facts);
  if (byFacts !== undefined) return byFacts;
  const shape = Object.isFrozen(facts.tables) ? facts.tables : undefined;
  const byShape = current(shape);
  if (byShape?.ok === true) return { ok: true, facts, routines: byShape.routines, viewColumns: byShape.viewColumns };
  const remember = (resolved: Resolved): Resolved => {
    if (resolved.ok && catalog.generation() === generation) {
      const entry = { catalog, generation, schema: defaultSchema, resolved };
      if (Object.isFrozen(facts)) remembered.set(facts, entry);
      if (shape !== undefined && resolved.facts === facts) remembered.set(shape, entry);
    }
    return resolved;
  };
  // analyses of the statement (and view definitions) with the catalog, kept across rounds: a long
  // text is analysed on a worker (never on the sessions' thread) and waited for like a lookup
  const analyses = new Map<string, AnalyzeResult | Promise<AnalyzeResult>>();
  const first = attempt(facts, catalog, defaultSchema, analyses);
  if (!(first instanceof Round)) return remember(first);
  return (async () => {
    let round: Round | Resolved = first;
    for (let i = 0; i < MAX_ROUNDS && round instanceof Round; i++) {
      const answers = await Promise.all(round.pending);
      if (answers.some((a) => a === undefined)) return { ok: false, error: new CatalogUnavailableError(round.what) };
      round = attempt(facts, catalog, defaultSchema, analyses);
    }
    return round instanceof Round ? { ok: false, error: new CatalogUnavailableError(round.what) } : remember(round);
  })();
}

/** Round is an attempt that met lookups still in flight. */
class Round {
  readonly pending: readonly Promise<unknown>[];
  readonly what: string;

  constructor(pending: readonly Promise<unknown>[], what: string) {
    this.pending = pending;
    this.what = what;
  }
}

/** attempt resolves with what the catalog knows now: the result, or the lookups to wait for. */
function attempt(
  facts: StatementFacts,
  catalog: CatalogFacts,
  defaultSchema: string,
  analyses: Map<string, AnalyzeResult | Promise<AnalyzeResult>>,
): Resolved | Round {
  const pending: Promise<unknown>[] = [];
  /** reanalyze analyses a text with a catalog snapshot: its facts, WAIT while a worker analyses it, or a failure. */
  const reanalyze = (sql: string, snapshot: CatalogSnapshot): StatementFacts | Wait | Failure => {
    const key = `${[...snapshot.views.keys()].join('\u0001')}\u0000${snapshot.systemRelations.size}\u0000${sql}`;
    let r = analyses.get(key);
    if (r === undefined) {
      r = analyzeBounded(sql, { catalog: snapshot, maxBytes: Number.MAX_SAFE_INTEGER });
      analyses.set(key, r);
      if (r instanceof Promise) {
        const settled = r;
        void settled.then((done) => analyses.set(key, done));
      }
    }
    if (r instanceof Promise) {
      pending.push(r);
      waitingFor = 'the statement';
      return WAIT;
    }
    if (!r.ok) return { failed: r.error };
    return r.statements.length === 1 ? (r.statements[0] as StatementFacts) : { failed: new CatalogUnavailableError('the statement') };
  };
  let waitingFor = 'the statement';
  const get = <T>(k: Known<T>, what: string): T | Wait | Failure => {
    if (k instanceof Promise) {
      pending.push(k);
      waitingFor = what;
      return WAIT;
    }
    return k === undefined ? { failed: new CatalogUnavailableError(what) } : k;
  };

  const touched = [...facts.tables.read, ...facts.tables.written];
  let system: ReadonlySet<string> = new Set();
  if (touched.length > 0) {
    const sys = get(catalog.systemRelations(), 'the system relations');
    if (sys === WAIT) return new Round(pending, waitingFor);
    if (isFailure(sys)) return { ok: false, error: sys.failed };
    system = sys;
  }
  const prefix = defaultSchema === '' ? '' : `${defaultSchema}.`;
  const needsSystem = touched.some((t) => t.startsWith(prefix) && system.has(t.slice(prefix.length)));
  const bare: CatalogSnapshot = { systemRelations: system, views: new Map() };

  // the relations the statement touches, and through views the relations they read
  const views = new Map<string, ViewDefinition>();
  const withSystem = needsSystem ? reanalyze(facts.text, bare) : facts;
  if (withSystem === WAIT) return new Round(pending, waitingFor);
  if (isFailure(withSystem)) return { ok: false, error: withSystem.failed };
  let current: StatementFacts = withSystem;
  const queue = [...current.tables.read, ...current.tables.written];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const table = queue.shift() as string;
    if (seen.has(table)) continue;
    seen.add(table);
    if (seen.size > MAX_RELATIONS) return { ok: false, error: new CatalogTooDeepError(MAX_RELATIONS) };
    const rel = get(catalog.relation(table), `relation ${table}`);
    if (rel === WAIT) continue;
    if (isFailure(rel)) return { ok: false, error: rel.failed };
    if (rel === null || rel.definition === undefined) continue;
    const view: ViewDefinition = { columns: rel.columns, sql: rel.definition };
    views.set(table, view);
    const inner = reanalyze(view.sql, bare);
    if (inner !== WAIT && !isFailure(inner)) queue.push(...inner.tables.read);
  }
  if (pending.length > 0) return new Round(pending, waitingFor);

  if (views.size > 0) {
    const through = reanalyze(facts.text, { systemRelations: system, views });
    if (through === WAIT) return new Round(pending, waitingFor);
    if (isFailure(through)) return { ok: false, error: through.failed };
    current = through;
  }
  const snapshot: CatalogSnapshot = { systemRelations: system, views };

  // the functions it calls (its views' calls included, now that views are walked)
  const routines: StatementRoutine[] = [];
  for (const call of current.calls) {
    const found = get(catalog.routines(call.schema, call.name), `function ${call.schema === '' ? '' : `${call.schema}.`}${call.name}`);
    if (found === WAIT) continue;
    if (isFailure(found)) return { ok: false, error: found.failed };
    if (found.length === 0) routines.push(unknownRoutine(call.schema, call.name));
    else routines.push(...found.map(knownRoutine));
  }
  // and the functions behind user-defined operators (the server's own run built-in functions)
  for (const op of current.operators) {
    const found = get(catalog.operatorRoutines(op.schema, op.name), `operator ${op.name}`);
    if (found === WAIT) continue;
    if (isFailure(found)) return { ok: false, error: found.failed };
    for (const r of found) if (!routines.some((x) => x.schema === r.schema && x.name === r.name)) routines.push(knownRoutine(r));
  }
  if (pending.length > 0) return new Round(pending, waitingFor);

  const unique = new Map(routines.map((r) => [`${r.schema}\u0000${r.name}`, r]));
  const columns = viewColumns(views, snapshot, reanalyze);
  if (columns === WAIT) return new Round(pending, waitingFor);
  return { ok: true, facts: current, routines: [...unique.values()], viewColumns: columns };
}

/** viewColumns gives each view's columns their lineage through the views below it. */
function viewColumns(
  views: ReadonlyMap<string, ViewDefinition>,
  snapshot: CatalogSnapshot,
  reanalyze: (sql: string, snapshot: CatalogSnapshot) => StatementFacts | Wait | Failure,
): ViewColumn[] | Wait {
  const out: ViewColumn[] = [];
  let waiting = false;
  for (const [view, def] of views) {
    const facts = reanalyze(def.sql, snapshot);
    if (facts === WAIT) {
      waiting = true;
      continue;
    }
    const cols = isFailure(facts) ? undefined : facts.output?.columns;
    // pg_get_viewdef spells every column out, so positions match attributes; anything else binds nothing
    if (cols === undefined || cols.length !== def.columns.length || cols.some((c) => c.star !== undefined)) continue;
    cols.forEach((c, i) => {
      out.push({ view, column: def.columns[i] ?? c.name, ...(c.source !== undefined ? { source: c.source } : {}), derived: c.derived });
    });
  }
  return waiting ? WAIT : out;
}

function isFailure(x: unknown): x is Failure {
  return typeof x === 'object' && x !== null && 'failed' in x;
}

function knownRoutine(r: RoutineFacts): StatementRoutine {
  return {
    schema: r.schema,
    name: r.name,
    known: true,
    volatility: r.volatility,
    securityDefiner: r.securityDefiner,
    publicExecute: r.publicExecute,
    builtin: r.builtin,
    kinds: r.kinds,
  };
}

function unknownRoutine(schema: string, name: string): StatementRoutine {
  return { schema, name, known: false, volatility: 'unknown', securityDefiner: false, publicExecute: true, builtin: false, kinds: [] };
}
