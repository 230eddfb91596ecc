// Native builtin family "data": numbers, bits, casts, objects, arrays, net, units, semver,
// uuid, crypto hashes, json.remove/filter/patch/marshal_with_options, graph reachability,
// io.jwt.decode (issue 5).
// Each entry is implemented in engine/runtime/as/builtins/data/ and exported as
// nativeExportName(name).

/** DATA_BUILTINS maps builtin name to arity. */
export const DATA_BUILTINS = {
  // numbers
  round: { arity: 1 },
  ceil: { arity: 1 },
  floor: { arity: 1 },
  'numbers.range': { arity: 2 },
  'numbers.range_step': { arity: 3 },
  // bits
  'bits.and': { arity: 2 },
  'bits.or': { arity: 2 },
  'bits.xor': { arity: 2 },
  'bits.negate': { arity: 1 },
  'bits.lsh': { arity: 2 },
  'bits.rsh': { arity: 2 },
  // objects, arrays
  'object.remove': { arity: 2 },
  'object.filter': { arity: 2 },
  'object.union': { arity: 2 },
  'object.union_n': { arity: 1 },
  'object.subset': { arity: 2 },
  'array.reverse': { arity: 1 },
  'array.flatten': { arity: 1 },
  // units
  'units.parse': { arity: 1 },
  'units.parse_bytes': { arity: 1 },
  // semver
  'semver.compare': { arity: 2 },
  'semver.is_valid': { arity: 1 },
  // net
  'net.cidr_contains': { arity: 2 },
  'net.cidr_intersects': { arity: 2 },
  'net.cidr_is_valid': { arity: 1 },
  'net.cidr_expand': { arity: 1 },
  'net.cidr_contains_matches': { arity: 2 },
  'net.cidr_merge': { arity: 1 },
  'net.cidr_overlap': { arity: 2 },
  // crypto
  'crypto.md5': { arity: 1 },
  'crypto.sha1': { arity: 1 },
  'crypto.sha256': { arity: 1 },
  'crypto.hmac.md5': { arity: 2 },
  'crypto.hmac.sha1': { arity: 2 },
  'crypto.hmac.sha256': { arity: 2 },
  'crypto.hmac.sha512': { arity: 2 },
  'crypto.hmac.equal': { arity: 2 },
  // uuid
  'uuid.parse': { arity: 1 },
  // json paths
  'json.remove': { arity: 2 },
  'json.filter': { arity: 2 },
  'json.patch': { arity: 2 },
  'json.marshal_with_options': { arity: 2 },
  // graphs
  'graph.reachable': { arity: 2 },
  'graph.reachable_paths': { arity: 2 },
  // tokens (decoding only, no verification)
  'io.jwt.decode': { arity: 1 },
} as const satisfies Record<string, { readonly arity: number }>;
