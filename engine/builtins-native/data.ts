// Native builtin family "data": numbers, bits, casts, objects, arrays, time, net, units, semver,
// uuid, crypto hashes (issue 5). Each entry is implemented in engine/runtime/as/builtins/data/
// and exported as nativeExportName(name).

/** DATA_BUILTINS maps builtin name to arity. */
export const DATA_BUILTINS = {} as const satisfies Record<string, { readonly arity: number }>;
