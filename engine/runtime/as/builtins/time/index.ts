// Native builtins of the "time" family (see engine/builtins-native/time.ts): exactly the bi_*
// exports of that registry's entries.

export { bi_time_add_date, bi_time_diff } from "./calendar";
export { bi_time_date, bi_time_clock, bi_time_weekday } from "./fields";
export { bi_time_format, bi_time_parse_ns } from "./layout";
export { bi_time_parse_rfc3339_ns, bi_time_parse_duration_ns } from "./parse";
