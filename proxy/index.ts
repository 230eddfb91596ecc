// Public surface of the proxy application: start a gateway, the event bus its subscribers listen
// on, and the types needed to wire one. Re-exports only.

export { startGateway } from './server/index.js';
export type { CloseOptions, Gateway, GatewayDeps } from './server/index.js';
export type { GatewayConfig } from './config/index.js';
export { createEventBus, NO_EVENTS } from './events.js';
export type { EventBus, EventOf, EventSink, GatewayEvent, GatewayEventType, Subscriber } from './events.js';
export type { ApprovalPort, Decide, HeldBatch } from './gate/index.js';
export type { CatalogResolver } from './catalog/index.js';
export type { DecideLogin, QueryCycle, SessionContext } from './session/index.js';
export type { UpstreamOptions, UpstreamLogin } from './upstream/index.js';
export { ProxyError, toErrorFields } from './errors.js';
