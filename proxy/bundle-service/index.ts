// Public surface of proxy/bundle-service: OPA's bundle protocol from both ends (the poller that
// fetches a policy bundle from a URL and hands it to activation; `portcullis bundle serve`'s
// server) and the last-known-good bundle kept on disk. Re-exports only.

export { startBundlePoller, POLLER_DEFAULTS } from './poller.js';
export type { ActivationResult, BundlePoller, BundlePollerOptions } from './poller.js';
export { fetchBundle, BUNDLE_CONTENT_TYPE } from './fetch-bundle.js';
export type { FetchBundleRequest, FetchBundleResult } from './fetch-bundle.js';
export { loadPersisted, savePersisted, SIDECAR } from './persist.js';
export type { PersistedBundle } from './persist.js';
export { startBundleServer, BUNDLE_SERVER_DEFAULTS } from './server.js';
export type { BundleServer, BundleServerOptions } from './server.js';
export { ZERO_TIME, displayUrl } from './status.js';
export type { BundleServiceEvent, BundleStatus, BundleStatusError } from './status.js';
export { BUNDLE_SERVICE_ERRORS, BundleServiceError, isBundleServiceError } from './errors.js';
export type { BundleServiceErrorCode } from './errors.js';
