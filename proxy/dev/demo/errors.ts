// The demo's errors: CLI-side only (printed as one line by the CLI), never sent to a client.

import { ProxyError } from '../../errors.js';

/** DemoStateMissing says no demo has written a state directory there yet (code ERR_PROXY_DEMO_STATE_MISSING). */
export class DemoStateMissing extends ProxyError {
  constructor(message: string) {
    super('ERR_PROXY_DEMO_STATE_MISSING', '58P01', message, { severity: 'FATAL' });
    this.name = 'DemoStateMissing';
  }
}

/** DemoConfigInvalid carries the config file's path-addressed errors (code ERR_PROXY_CONFIG_INVALID; runDemo prints one per line). */
export class DemoConfigInvalid extends ProxyError {
  readonly errors: readonly string[];

  constructor(errors: readonly string[]) {
    super('ERR_PROXY_CONFIG_INVALID', 'F0000', errors.join('\n'), { severity: 'FATAL' });
    this.name = 'DemoConfigInvalid';
    this.errors = errors;
  }
}
