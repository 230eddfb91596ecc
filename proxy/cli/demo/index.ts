// Public API of the demo (`npm start` / `portcullis demo`): sample schema + orchestration + state.
export { runDemo, startDemo, banner, psqlLine, DEFAULT_DEMO_STATE_DIR, DEFAULT_DEMO_CONFIG_PATH, DEMO_SCHEMA_PATH, DEMO_UPSTREAM_USER, DEMO_AGENT } from './demo.js';
export type { DemoHandle, DemoOptions, RunDemoIo } from './demo.js';
export { readIssuerState, writeDemoState, ISSUER_STATE_FILE, CONFIG_STATE_FILE } from './state.js';
export { DemoConfigInvalid, DemoStateMissing } from './errors.js';
