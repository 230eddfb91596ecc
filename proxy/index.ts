// Public surface of the proxy application: start a gateway, and the types needed to wire one.
// Re-exports only.

export { startGateway } from './server.js';
export type { Gateway, GatewayDeps } from './server.js';
export type { GatewayConfig } from './config/index.js';
export type { CatalogResolver, Decide, SessionContext, SessionLog, QueryCycle } from './session/index.js';
export type { UpstreamOptions, UpstreamLogin } from './upstream/index.js';
export { ProxyError, toErrorFields } from './errors.js';
