// The demo's errors: CLI-side only (printed as one line by the CLI), never sent to a client.

import { ToolError } from '../../errors.js';

/** DemoStateMissing says no demo has written a state directory there yet (code ERR_PROXY_DEMO_STATE_MISSING). */
export class DemoStateMissing extends ToolError {
  constructor(message: string) {
    super('ERR_PROXY_DEMO_STATE_MISSING', message);
    this.name = 'DemoStateMissing';
  }
}

/** DemoConfigInvalid carries the config file's path-addressed errors (code ERR_PROXY_CONFIG_INVALID; runDemo prints one per line). */
export class DemoConfigInvalid extends ToolError {
  readonly errors: readonly string[];

  constructor(errors: readonly string[]) {
    super('ERR_PROXY_CONFIG_INVALID', errors.join('\n'));
    this.name = 'DemoConfigInvalid';
    this.errors = errors;
  }
}
