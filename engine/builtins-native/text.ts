// Native builtin family "text": strings, regex, glob, encodings, JSON (issue 5). Each entry is
// implemented in engine/runtime/as/builtins/text/ and exported as nativeExportName(name).

/** TEXT_BUILTINS maps builtin name to arity. */
export const TEXT_BUILTINS = {
  // strings
  indexof: { arity: 2 },
  indexof_n: { arity: 2 },
  substring: { arity: 3 },
  trim_left: { arity: 2 },
  trim_right: { arity: 2 },
  trim_prefix: { arity: 2 },
  trim_suffix: { arity: 2 },
  trim_space: { arity: 1 },
  'strings.replace_n': { arity: 2 },
  'strings.reverse': { arity: 1 },
  'strings.any_prefix_match': { arity: 2 },
  'strings.any_suffix_match': { arity: 2 },
  'strings.count': { arity: 2 },
  'strings.split_n': { arity: 3 },
  // encodings
  'base64.encode': { arity: 1 },
  'base64.decode': { arity: 1 },
  'base64.is_valid': { arity: 1 },
  'base64url.encode': { arity: 1 },
  'base64url.encode_no_pad': { arity: 1 },
  'base64url.decode': { arity: 1 },
  'hex.encode': { arity: 1 },
  'hex.decode': { arity: 1 },
  'urlquery.encode': { arity: 1 },
  'urlquery.decode': { arity: 1 },
  'urlquery.encode_object': { arity: 1 },
  'urlquery.decode_object': { arity: 1 },
  // JSON
  'json.marshal': { arity: 1 },
  'json.unmarshal': { arity: 1 },
  'json.is_valid': { arity: 1 },
  // patterns
  'regex.is_valid': { arity: 1 },
  'regex.find_n': { arity: 3 },
  'regex.split': { arity: 2 },
  'regex.replace': { arity: 3 },
  'regex.find_all_string_submatch_n': { arity: 3 },
  'regex.template_match': { arity: 4 },
  'glob.quote_meta': { arity: 1 },
} as const satisfies Record<string, { readonly arity: number }>;
