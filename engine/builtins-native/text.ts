// Native builtin family "text": strings, regex, glob, encodings, JSON (issue 5). Each entry is
// implemented in engine/runtime/as/builtins/text/ and exported as nativeExportName(name).

/** TEXT_BUILTINS maps builtin name to arity. */
export const TEXT_BUILTINS = {} as const satisfies Record<string, { readonly arity: number }>;
