// Native builtins of the "data" family (see engine/builtins-native/data.ts): exactly the bi_*
// exports of that registry's entries.

export { bi_round, bi_ceil, bi_floor, bi_numbers_range, bi_numbers_range_step } from "./numbers";
export { bi_bits_and, bi_bits_or, bi_bits_xor, bi_bits_negate, bi_bits_lsh, bi_bits_rsh } from "./bits";
export {
  bi_object_remove, bi_object_filter, bi_object_union, bi_object_union_n, bi_object_subset,
  bi_array_reverse, bi_array_flatten,
} from "./objects";
export { bi_units_parse, bi_units_parse_bytes } from "./units";
export { bi_semver_compare, bi_semver_is_valid } from "./semver";
export {
  bi_net_cidr_contains, bi_net_cidr_overlap, bi_net_cidr_contains_matches, bi_net_cidr_intersects,
  bi_net_cidr_is_valid, bi_net_cidr_expand,
} from "./net";
export { bi_net_cidr_merge } from "./cidr-merge";
export {
  bi_crypto_md5, bi_crypto_sha1, bi_crypto_sha256, bi_crypto_hmac_md5, bi_crypto_hmac_sha1,
  bi_crypto_hmac_sha256, bi_crypto_hmac_equal,
} from "./crypto";
export { bi_crypto_hmac_sha512 } from "./sha512";
export { bi_uuid_parse } from "./uuid";
export { bi_json_remove, bi_json_filter } from "./json-paths";
export { bi_io_jwt_decode } from "./jwt";
export { bi_json_patch } from "./json-patch";
export { bi_json_marshal_with_options } from "./json-marshal";
export { bi_graph_reachable, bi_graph_reachable_paths } from "./graphs";
