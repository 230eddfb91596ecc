// Public surface of proxy/decisionlog: every statement decision as an OPA-format decision-log
// event, masked (Bind values erased by default) and shipped to sinks (console, rotating file, an
// OPA-protocol HTTP collector). Subscribe `createDecisionLogger(...).subscriber` to the event bus;
// build the sinks with `sinksFromConfig` and pass the section's `mask` and `eraseParams` to the
// logger. docs/decision-logs.md is the prose. Re-exports only.

export { createDecisionLogger } from './logger.js';
export type { DecisionLogger, DecisionLoggerOptions } from './logger.js';
export { decisionResult, rfc3339Nano } from './event.js';
export { applyMasks, effectiveRules, parsePointer, ERASE_PARAMS, PARAMS_POINTER } from './mask.js';
export type { MaskOutcome } from './mask.js';
export { createConsoleSink } from './console-sink.js';
export type { ConsoleSinkOptions, ConsoleTarget } from './console-sink.js';
export { createFileSink, FILE_SINK_DEFAULTS } from './file-sink.js';
export type { AppendHandle, FileSinkOptions, LogFiles } from './file-sink.js';
export { createHttpSink, HTTP_SINK_DEFAULTS } from './http-sink.js';
export type { HttpSinkOptions } from './http-sink.js';
export { sinksFromConfig } from './from-config.js';
export type { DecisionLogsConfigLike, HeaderSource, SinksFromConfigOptions } from './from-config.js';
export type { OpLog } from './report.js';
export type {
  DecisionLogEvent,
  DecisionLogOpEvent,
  DecisionLogStats,
  DecisionResult,
  JsonValue,
  MaskRule,
  Sink,
  SinkStats,
} from './types.js';
