// Native builtin family "time": parsing (RFC 3339, Go durations, Go layouts), calendar fields,
// formatting and date arithmetic (issue 5). `zones: true` marks the builtins that take a time zone:
// a module calling one carries the tzdata blob (engine/runtime/tzdata.bin). time.now_ns is
// host-supplied (the ABI has no clock import). Implemented in engine/runtime/as/builtins/time/ and
// exported as nativeExportName(name).

/** TIME_BUILTINS maps builtin name to arity (and whether it reads the zone database). */
export const TIME_BUILTINS = {
  'time.parse_rfc3339_ns': { arity: 1 },
  'time.parse_duration_ns': { arity: 1 },
  'time.parse_ns': { arity: 2 },
  'time.date': { arity: 1, zones: true },
  'time.clock': { arity: 1, zones: true },
  'time.weekday': { arity: 1, zones: true },
  'time.diff': { arity: 2, zones: true },
  'time.format': { arity: 1, zones: true },
  'time.add_date': { arity: 4, zones: true },
} as const satisfies Record<string, { readonly arity: number; readonly zones?: boolean }>;
