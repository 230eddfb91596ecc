// The startup phase of a client connection: negotiate (TLS, GSS, cancel), login (JWT), upstream
// login, then the logged-in session. Re-exports only.

export { runSession } from './run-session.js';
export type { Admission, DecideLogin, SessionEnvironment, SessionHandle, SessionRegistry } from './environment.js';
