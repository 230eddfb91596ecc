// Public surface of proxy/control: live control of sessions across gateways (end a session, block
// an identity), through the shared state store and NOTIFY. Re-exports only.

export { CONTROL_CHANNEL, createLiveControl } from './control.js';
export type { Actor, Block, LiveControl, LiveControlDeps, LiveSession } from './control.js';
export { CONTROL_ERRORS, CONTROL_ERROR_CODES, IdentityBlockedError, SessionTerminatedError } from './errors.js';
export type { ControlErrorCode } from './errors.js';
