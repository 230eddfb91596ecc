// Native builtins of the "text" family (see engine/builtins-native/text.ts): every registry entry
// re-exported under its nativeExportName, and nothing else.

export {
  bi_indexof, bi_indexof_n, bi_substring, bi_trim_left, bi_trim_right, bi_trim_prefix,
  bi_trim_suffix, bi_trim_space, bi_strings_replace_n, bi_strings_reverse,
  bi_strings_any_prefix_match, bi_strings_any_suffix_match, bi_strings_count, bi_strings_split_n,
} from "./strings-ext";
export {
  bi_base64_encode, bi_base64_decode, bi_base64_is_valid, bi_base64url_encode,
  bi_base64url_encode_no_pad, bi_base64url_decode, bi_hex_encode, bi_hex_decode,
  bi_urlquery_encode, bi_urlquery_decode, bi_urlquery_encode_object, bi_urlquery_decode_object,
} from "./encoding";
export { bi_json_marshal, bi_json_unmarshal, bi_json_is_valid } from "./json";
export { bi_regex_is_valid, bi_glob_quote_meta } from "./patterns";
export { bi_regex_find_n, bi_regex_split, bi_regex_replace, bi_regex_find_all_string_submatch_n, bi_regex_template_match } from "./regex";
