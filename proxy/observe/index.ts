// Public surface of proxy/observe: subscribers to the gateway's event bus. Each consumer of
// events (the operational log today; recording, decision logs, metrics next) is one file here.
// Re-exports only.

export { createOperationalLog, levelOf, logEntry } from './log.js';
export type { LogEntry, LogLevel, OperationalLogOptions } from './log.js';
