// `portcullis serve`: load and validate the config (errors path-addressed, exit 1), then start
// the gateway and run until a stop signal. startGatewayFromConfig is the one call the demo shares.

import type { GatewayConfig } from '../config.js';
import type { Command } from './args.js';
import { loadConfigFile } from './config-file.js';
import { EXIT } from './report.js';
import type { CliIo } from './report.js';
import type { RunContext } from './run.js';

/** ServeCommand is the parsed `serve` invocation. */
export type ServeCommand = Extract<Command, { kind: 'serve' }>;

/** GatewayStart is what starting the gateway gave: a running server, or the stub until proxy/server.ts exists. */
export type GatewayStart =
  | { readonly kind: 'started'; readonly host: string; readonly port: number; readonly close: () => Promise<void> }
  | { readonly kind: 'stub'; readonly reason: string };

/**
 * startGatewayFromConfig starts the gateway for a validated config.
 * TODO(config-cli): proxy/server.ts does not exist yet. When it lands, replace the stub with:
 *   const { startGateway } = await import('../server.js');
 *   const gw = await startGateway(config, { log });
 *   // expected: startGateway(config: GatewayConfig, deps: { log: (line: string) => void })
 *   //   → Promise<{ host: string; port: number; close(): Promise<void> }>
 *   return { kind: 'started', host: gw.host, port: gw.port, close: gw.close };
 */
export async function startGatewayFromConfig(config: GatewayConfig, log: (line: string) => void): Promise<GatewayStart> {
  void log;
  return {
    kind: 'stub',
    reason: `the gateway server (proxy/server.ts) is not built yet; it would listen on ${config.listen.host}:${config.listen.port}`,
  };
}

/** runServe validates the config and starts the gateway; exit 1 with every config error, one per line. */
export async function runServe(cmd: ServeCommand, io: CliIo, ctx: RunContext): Promise<number> {
  const loaded = loadConfigFile(cmd.configPath, ctx.env);
  if (!loaded.ok) {
    for (const e of loaded.errors) io.stderr(`portcullis: ${e}\n`);
    return EXIT.failure;
  }
  const gateway = await startGatewayFromConfig(loaded.config, (line) => io.stderr(`${line}\n`));
  if (gateway.kind === 'stub') {
    io.stderr(`portcullis: configuration ${cmd.configPath} is valid, but ${gateway.reason}\n`);
    return EXIT.failure;
  }
  io.stdout(`portcullis: gateway listening on ${gateway.host}:${gateway.port}\n`);
  await ctx.untilStopped();
  await gateway.close();
  return EXIT.ok;
}
