// Public surface of proxy/console: the server side of the web console for approvers and auditors,
// served by the admin API's listener: the static files and config.json (a fastify plugin the
// admin server registers), the security headers of every console answer, and the live event
// streams of GET /v1/events. Re-exports only.

export { CONSOLE_ASSETS_DIR, CONSOLE_PATH_PREFIX, consolePlugin } from './static.js';
export { CONTENT_TYPES, readAssets } from './assets.js';
export type { Asset, AssetsRead } from './assets.js';
export { consoleCsp, consoleHeaders } from './headers.js';
export { consoleOidc, discoveryUrlOf, DISCOVERY_TIMEOUT_MS } from './oidc.js';
export type { ConsoleOidcDeps, ConsoleOidcEvent, ConsoleOidcInput } from './oidc.js';
export { APPROVAL_CHANGE_KINDS, OVERVIEW_DECISIONS } from './types.js';
export type * from './types.js';
export { EVENT_HUB_DEFAULTS, createEventHub } from './event-hub.js';
export type { EventHub, StreamSlot } from './event-hub.js';
export { NO_FIGURES, overviewOf } from './overview.js';
export type { OverviewSample } from './overview.js';
