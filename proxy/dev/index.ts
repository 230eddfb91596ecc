// Public surface of proxy/dev, the developer tooling around the gateway (never part of it): the
// `portcullis demo` orchestration with its sample schema, the throwaway PostgreSQL launcher (with
// its own admin client and the shipped policy's database roles), and the dev JWT issuer with its HTTP endpoint and the demo's state
// directory. The only door: proxy/cli and the tests import dev from here. Re-exports only.

export {
  runDemo,
  startDemo,
  banner,
  psqlLine,
  DEFAULT_DEMO_CONFIG_PATH,
  DEMO_SCHEMA_PATH,
  DEMO_UPSTREAM_USER,
  DEMO_STATE_DATABASE,
  DEMO_AGENT,
  DEMO_APPROVER,
  DEMO_SECOND_APPROVER,
  DEMO_AUDITOR,
  DEMO_CONSOLE_CLIENT_ID,
  DEMO_IDENTITIES,
  consoleUrl,
} from './demo/demo.js';
export type { DemoDeps, DemoGatewayStart, DemoHandle, DemoOptions, RunDemoIo } from './demo/demo.js';
export { DemoConfigInvalid, DemoStateMissing } from './demo/errors.js';
export {
  findDemoState,
  mintFromState,
  readIssuerState,
  writeDemoState,
  ISSUER_STATE_FILE,
  CONFIG_STATE_FILE,
  PID_STATE_FILE,
  demoPointerFile,
  demoAdminUrl,
  writeDemoAdminUrl,
  ADMIN_STATE_FILE,
} from './state.js';
export type { DemoState } from './state.js';
export { createDevIssuer, importDevIssuer } from './issuer/issuer.js';
export { serveIssuer } from './issuer/server.js';
export type {
  DevIdentity,
  DevIssuer,
  DevIssuerOptions,
  MintRequest,
  OidcClient,
  ServedIssuer,
  ServeIssuerOptions,
} from './issuer/types.js';
export { startPostgres, findPostgresBinaries } from './postgres/launcher.js';
export { DATABASE_ROLES, databaseRolesSql } from './postgres/roles.js';
export type { PostgresAuthMethod, PostgresHandle, PostgresUser, StartPostgresOptions } from './postgres/types.js';
export { PostgresLaunchError } from './postgres/errors.js';
