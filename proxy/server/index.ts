// Public surface of proxy/server: the accept loop that turns a listening socket into sessions,
// and the registry of live sessions (cancel routing, shutdown). Re-exports only.

export { startGateway } from './server.js';
export type { CloseOptions, Gateway, GatewayDeps } from './server.js';
