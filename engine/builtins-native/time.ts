// Native builtin family "time": Go-layout formatting and parsing, date arithmetic (issue 5).
// Implemented in engine/runtime/as/builtins/time/ and exported as nativeExportName(name).

/** TIME_BUILTINS maps builtin name to arity. */
export const TIME_BUILTINS = {
  'time.add_date': { arity: 4 },
  'time.diff': { arity: 2 },
  'time.format': { arity: 1 },
  'time.parse_ns': { arity: 2 },
} as const satisfies Record<string, { readonly arity: number }>;
