// Subsection `admin.console` of opa.config.yaml: whether the admin API's listener also serves the
// web console (at / and /console/; on by default, as the console holds no power of its own: every
// action goes through the admin API with the caller's token). Type, defaults and validator.

import { deepFreeze } from './section.js';
import type { Section } from './section.js';

/** ConsoleConfig is `admin.console`. */
export type ConsoleConfig = {
  /** enabled is false when `admin.console.enabled: false` turns the console off (its paths answer 404). */
  readonly enabled: boolean;
};

/** CONSOLE_DEFAULTS are the defaults of `admin.console`. */
export const CONSOLE_DEFAULTS = deepFreeze({ enabled: true });

/** CONSOLE_KEYS are the keys `admin.console` may have. */
const CONSOLE_KEYS = ['enabled'] as const;

/** validateConsole reads the optional `admin.console` subsection of the `admin` section (itself optional). */
export function validateConsole(admin: Section | undefined): ConsoleConfig {
  const s = admin?.section('console', false);
  s?.only(CONSOLE_KEYS);
  return { enabled: s?.boolean('enabled') ?? CONSOLE_DEFAULTS.enabled };
}
