#!/usr/bin/env node
// Launcher for the `portcullis` CLI: registers tsx's ESM loader so the TypeScript sources run
// directly (no build output to go stale), then loads proxy/cli/main.ts, which sets the exit code.
import { register } from 'tsx/esm/api';

register();
await import('../proxy/cli/main.ts');
