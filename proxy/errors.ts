// The proxy's error model: each part declares its codes in one table (defineErrors: SQLSTATE,
// HTTP status, severity, fixed hint), ProxyError and its subclasses take those values from the
// table by code, and toErrorFields is the one translation to the wire. ToolError is the base of
// command-line errors that never reach a PostgreSQL client (no SQLSTATE, an exit code instead).

/** ProxyErrorSeverity is the PostgreSQL severity the error is reported with. */
export type ProxyErrorSeverity = 'ERROR' | 'FATAL';

/**
 * HttpStatus is the status an error maps to on the admin API: 400 bad input, 401 unauthenticated,
 * 403 denied, 404 unknown, 408 too slow, 409 conflict, 413 too large, 422 invalid config or
 * unprocessable input, 429/503 limits, 500 internal, 502/504 upstream.
 */
export type HttpStatus = 400 | 401 | 403 | 404 | 408 | 409 | 413 | 422 | 429 | 500 | 502 | 503 | 504;

/** ProxyErrorSpec is one row of a part's error table: what a client and the admin API see for a code. */
export type ProxyErrorSpec = {
  /** sqlstate is the SQLSTATE sent to a PostgreSQL client (the default where `variants` lists others). */
  readonly sqlstate: string;
  /** variants lists the other SQLSTATEs a raise site may choose for this code (docs show `a / b`). */
  readonly variants?: readonly string[];
  /** upstream marks a code that passes the upstream's SQLSTATE on (`sqlstate` is the fallback). */
  readonly upstream?: true;
  /** http is the admin API status. */
  readonly http: HttpStatus;
  /** severity is the default severity (a raise site may pass FATAL when the stream is lost). */
  readonly severity: ProxyErrorSeverity;
  /** hint is the fixed hint shown to the client, unless the raise site gives its own. */
  readonly hint?: string;
};

/** ToolErrorSpec is one row of a table of command-line errors: no SQLSTATE, an exit code. */
export type ToolErrorSpec = {
  /** http is the admin API status, should the error ever surface there. */
  readonly http: HttpStatus;
  /** exit is the process exit code the CLI returns for it. */
  readonly exit: number;
};

/** ErrorSpec is what errorSpec returns: a proxy row (with `sqlstate`) or a tool row (with `exit`). */
export type ErrorSpec = ProxyErrorSpec | ToolErrorSpec;

const registry = new Map<string, ErrorSpec>();

function register<T extends Readonly<Record<string, ErrorSpec>>>(table: T): T {
  for (const [code, spec] of Object.entries(table)) {
    const known = registry.get(code);
    if (known !== undefined && JSON.stringify(known) !== JSON.stringify(spec)) {
      throw new TypeError(`error code ${code} is defined twice with different specs`);
    }
    registry.set(code, Object.freeze(spec));
  }
  return Object.freeze(table);
}

/** defineErrors declares a part's table of proxy error codes and registers it for errorSpec. */
export function defineErrors<const T extends Readonly<Record<string, ProxyErrorSpec>>>(table: T): T {
  return register(table);
}

/** defineToolErrors declares a table of command-line error codes and registers it for errorSpec. */
export function defineToolErrors<const T extends Readonly<Record<string, ToolErrorSpec>>>(table: T): T {
  return register(table);
}

/** errorSpec is the one lookup from a code to its table row; undefined for a code no loaded table declares. */
export function errorSpec(code: string): ErrorSpec | undefined {
  return registry.get(code);
}

/** SqlstateOf is the union of the SQLSTATEs a table row allows (its default and its variants). */
export type SqlstateOf<S extends ProxyErrorSpec> = S['sqlstate'] | (S extends { readonly variants: readonly (infer V)[] } ? V : never);

/** ProxyErrorOptions are what a raise site adds to the table's values. */
export type ProxyErrorOptions = {
  /** sqlstate picks one of the row's `variants` (or the upstream's SQLSTATE for an `upstream` row). */
  readonly sqlstate?: string;
  /** severity overrides the row's severity (FATAL when the stream can no longer be read). */
  readonly severity?: ProxyErrorSeverity;
  /** detail is shown to the client as ErrorResponse `D` (e.g. the policy rule id). */
  readonly detail?: string;
  /** hint replaces the row's hint. */
  readonly hint?: string;
  readonly cause?: unknown;
};

function pickSqlstate(code: string, spec: ErrorSpec | undefined, wanted: string | undefined): string {
  if (spec === undefined || !('sqlstate' in spec)) {
    if (wanted === undefined) throw new TypeError(`error code ${code} has no SQLSTATE in any error table`);
    return wanted;
  }
  if (wanted === undefined || wanted === spec.sqlstate || spec.upstream === true) return wanted ?? spec.sqlstate;
  if (spec.variants?.includes(wanted) === true) return wanted;
  throw new TypeError(`SQLSTATE ${wanted} is not in the error table for ${code}`);
}

/**
 * ProxyError is the base class of every error the proxy reports to a client. Subclasses live
 * beside the code that raises them (proxy/auth/errors.ts, proxy/sql/errors.ts, …) with a table
 * whose row for the `code` gives the SQLSTATE, HTTP status, severity and hint.
 */
export class ProxyError extends Error {
  readonly code: string;
  readonly sqlstate: string;
  /** http is the admin API status of the code (500 for a code no table declares). */
  readonly http: HttpStatus;
  readonly severity: ProxyErrorSeverity;
  /** detail is shown to the client as ErrorResponse `D` (e.g. the policy rule id). */
  readonly detail: string | undefined;
  /** hint is shown to the client as ErrorResponse `H`. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: ProxyErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    const spec = errorSpec(code);
    const row = spec !== undefined && 'sqlstate' in spec ? spec : undefined;
    this.name = 'ProxyError';
    this.code = code;
    this.sqlstate = pickSqlstate(code, spec, options.sqlstate);
    this.http = spec?.http ?? 500;
    this.severity = options.severity ?? row?.severity ?? 'ERROR';
    this.detail = options.detail;
    this.hint = options.hint ?? row?.hint;
  }
}

/** ErrorFields are the fields of a PostgreSQL ErrorResponse the proxy sends. */
export type ErrorFields = {
  readonly severity: ProxyErrorSeverity;
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
};

/**
 * toErrorFields is the single place where errors become what the client sees. A ProxyError keeps
 * its SQLSTATE and text; anything else is an internal error (XX000) with a generic message, so
 * no stack trace or internal detail ever reaches a client.
 */
export function toErrorFields(err: unknown): ErrorFields {
  if (err instanceof ProxyError) {
    return {
      severity: err.severity,
      code: err.sqlstate,
      message: err.message,
      ...(err.detail !== undefined ? { detail: err.detail } : {}),
      ...(err.hint !== undefined ? { hint: err.hint } : {}),
    };
  }
  return { severity: 'ERROR', code: 'XX000', message: 'portcullis: internal error' };
}

/** ErrorClass is a class made by errorClass: `new` takes the arguments of its message builder. */
export type ErrorClass<E, A extends readonly unknown[]> = new (...args: A) => E;

/**
 * errorClass makes a subclass of `Base` fixed to one table `code`, named `name` (as `err.name`
 * and the class name), whose constructor arguments go to `build` for the message and options.
 * It replaces the one-class-per-code boilerplate; instanceof keeps working.
 */
export function errorClass<C extends string, E extends ProxyError, A extends readonly unknown[]>(
  Base: new (code: C, message: string, options?: ProxyErrorOptions) => E,
  code: C,
  name: string,
  build: (...args: A) => readonly [message: string, options?: ProxyErrorOptions],
): ErrorClass<E & { readonly code: C }, A> {
  const Parent = Base as unknown as new (code: string, message: string, options?: ProxyErrorOptions) => ProxyError;
  const made = class extends Parent {
    constructor(...args: A) {
      const [message, options] = build(...args);
      super(code, message, options);
      this.name = name;
    }
  };
  Object.defineProperty(made, 'name', { value: name });
  return made as unknown as ErrorClass<E & { readonly code: C }, A>;
}

/** TOOL_ERRORS is the table of command-line errors (the demo, its PostgreSQL launcher, config files). */
export const TOOL_ERRORS = defineToolErrors({
  ERR_PROXY_CONFIG_INVALID: { http: 422, exit: 1 },
  ERR_PROXY_POSTGRES_LAUNCH: { http: 503, exit: 1 },
  ERR_PROXY_DEMO_STATE_MISSING: { http: 404, exit: 1 },
});

/** ToolErrorCode is one code of TOOL_ERRORS. */
export type ToolErrorCode = keyof typeof TOOL_ERRORS;

/**
 * TableToolError is an error raised only on the command line or in an operator's log (never sent
 * to a PostgreSQL client, so no SQLSTATE), whose code is a row of a tool-error table: it carries
 * the row's admin API status and CLI exit code. ToolError and a part's own families extend it.
 */
export class TableToolError<C extends string> extends Error {
  readonly code: C;
  /** http is the admin API status of the code. */
  readonly http: HttpStatus;
  /** exit is the process exit code the CLI returns. */
  readonly exit: number;

  constructor(table: Readonly<Record<C, ToolErrorSpec>>, code: C, message: string, options: { readonly cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.http = table[code].http;
    this.exit = table[code].exit;
  }
}

/**
 * ToolError is the base of errors raised only on the command line (never sent to a PostgreSQL
 * client, so no SQLSTATE): the CLI prints the message as one line and exits with `exit`.
 */
export class ToolError extends TableToolError<ToolErrorCode> {
  constructor(code: ToolErrorCode, message: string, options: { readonly cause?: unknown } = {}) {
    super(TOOL_ERRORS, code, message, options);
    this.name = 'ToolError';
  }
}

/**
 * httpStatusOf is the admin API status of any caught value: the `http` its code's table row gave
 * it (proxy, tool, bundle and engine errors all carry one), or 500 for anything else.
 */
export function httpStatusOf(err: unknown): number {
  const http = err instanceof Error ? (err as { readonly http?: unknown }).http : undefined;
  return typeof http === 'number' && http >= 400 && http <= 599 ? http : 500;
}

/** messageOf is the text of a caught value: an Error's message, anything else as a string. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** assertNever marks exhaustive switches: reaching it is a bug in our own code (TypeError). */
export function assertNever(x: never, context = 'unexpected value'): never {
  throw new TypeError(`${context} ${JSON.stringify(x)}`);
}
