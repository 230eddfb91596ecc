// Native builtins of the "time" family (see engine/builtins-native/time.ts): exactly the bi_*
// exports of that registry's entries.

export { bi_time_add_date, bi_time_diff } from "./calendar";
export { bi_time_format, bi_time_parse_ns } from "./layout";
