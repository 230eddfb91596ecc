// Every part's error table in one registry, for the tests that hold them against each other and
// against docs/errors.md. Each table comes in through its part's index.ts, so a code added to a
// table is checked without editing a list here (a new part's table is one line below).

import { BUNDLE_ERRORS } from '../../bundles/index.js';
import { ENGINE_ERRORS } from '../../engine/diagnostics/index.js';
import { ACTION_ERRORS } from '../../proxy/actions/index.js';
import { APPROVAL_ERRORS } from '../../proxy/approvals/index.js';
import { BUNDLE_SERVICE_ERRORS } from '../../proxy/bundle-service/index.js';
import { CONTROL_ERRORS } from '../../proxy/control/index.js';
import { AUTH_ERRORS } from '../../proxy/auth/index.js';
import { DECISION_ERRORS } from '../../proxy/decision/index.js';
import { TOOL_ERRORS } from '../../proxy/errors.js';
import { RESOLVE_ERRORS } from '../../proxy/resolve/index.js';
import { SESSION_ERRORS } from '../../proxy/session/index.js';
import { RECORDING_ERRORS } from '../../proxy/recording/index.js';
import { SQL_ERRORS } from '../../proxy/sql/index.js';
import { STATE_ERRORS } from '../../proxy/state/index.js';
import { UPSTREAM_ERRORS } from '../../proxy/upstream/index.js';
import { WIRE_ERRORS } from '../../proxy/wire/index.js';

/** AnyErrorSpec is the union of the row shapes of every part's table (proxy, tool, bundle, engine). */
export type AnyErrorSpec = {
  readonly http: number;
  readonly sqlstate?: string;
  readonly variants?: readonly string[];
  readonly upstream?: true;
  readonly severity?: 'ERROR' | 'FATAL';
  readonly hint?: string;
  readonly exit?: number;
};

/** ERROR_TABLES maps a part's name to its error table. */
export const ERROR_TABLES: Readonly<Record<string, Readonly<Record<string, AnyErrorSpec>>>> = {
  engine: ENGINE_ERRORS,
  bundles: BUNDLE_ERRORS,
  auth: AUTH_ERRORS,
  wire: WIRE_ERRORS,
  sql: SQL_ERRORS,
  decision: DECISION_ERRORS,
  actions: ACTION_ERRORS,
  resolve: RESOLVE_ERRORS,
  session: SESSION_ERRORS,
  upstream: UPSTREAM_ERRORS,
  state: STATE_ERRORS,
  approvals: APPROVAL_ERRORS,
  control: CONTROL_ERRORS,
  recording: RECORDING_ERRORS,
  'bundle-service': BUNDLE_SERVICE_ERRORS,
  tool: TOOL_ERRORS,
};

/** ErrorEntry is one code of one table. */
export type ErrorEntry = { readonly part: string; readonly code: string; readonly spec: AnyErrorSpec };

/** ERROR_ENTRIES lists every code of every table, in table order. */
export const ERROR_ENTRIES: readonly ErrorEntry[] = Object.entries(ERROR_TABLES).flatMap(([part, table]) =>
  Object.entries(table).map(([code, spec]) => ({ part, code, spec })),
);

/** sqlstateCell is how docs/errors.md shows a row's SQLSTATE: `a / b` for variants, `(upstream's)` for a passed-on one, `—` for none. */
export function sqlstateCell(spec: AnyErrorSpec): string {
  if (spec.sqlstate === undefined) return '—';
  if (spec.upstream === true) return "(upstream's)";
  return [spec.sqlstate, ...(spec.variants ?? [])].join(' / ');
}

/** allowedSqlstates lists the SQLSTATEs an error of the row may carry (undefined: any, passed on from the upstream). */
export function allowedSqlstates(spec: AnyErrorSpec): readonly string[] | undefined {
  if (spec.upstream === true) return undefined;
  return spec.sqlstate === undefined ? [] : [spec.sqlstate, ...(spec.variants ?? [])];
}
