// Section `log` of opa.config.yaml: how much the gateway logs (the operational log in
// proxy/observe honours the level). Its type, defaults and validator; composed by gateway-config.ts.

import { deepFreeze } from './section.js';
import type { Section } from './section.js';

/** LogLevel is how much the gateway logs. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** LogConfig is the `log` section. */
export type LogConfig = { readonly level: LogLevel };

/** LOG_LEVELS lists the levels `log.level` accepts, most verbose first. */
export const LOG_LEVELS: readonly LogLevel[] = Object.freeze(['debug', 'info', 'warn', 'error'] as const);

/** LOG_DEFAULTS are the defaults of `log`. */
export const LOG_DEFAULTS = deepFreeze({ level: 'info' as LogLevel });

/** validateLog reads the optional `log` section. */
export function validateLog(root: Section): LogConfig {
  const log = root.section('log', false);
  log?.only(['level']);
  return { level: log?.oneOf('level', LOG_LEVELS) ?? LOG_DEFAULTS.level };
}
