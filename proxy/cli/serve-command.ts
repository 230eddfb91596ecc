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

/** GatewayStart is a running gateway, or every reason it could not start (policy errors, bad keys). */
export type GatewayStart =
  | { readonly kind: 'started'; readonly host: string; readonly port: number; readonly close: () => Promise<void> }
  | { readonly kind: 'failed'; readonly reasons: readonly string[] };

/**
 * startGatewayFromConfig is the composition root of a running gateway: it loads the policy
 * (bundle tarball or policy directories compiled now), the SQL parser and the JWT verifier, and
 * starts the server. Mistakes come back as `failed` with one line per problem, never a stack trace.
 */
export async function startGatewayFromConfig(config: GatewayConfig, log: (line: string) => void): Promise<GatewayStart> {
  const [{ loadBundle, isBundleError }, engine, { startGateway, createEventBus }, { createOperationalLog }, auth, { createDecider }, { initSql }, { toIdentityConfig }] = await Promise.all([
    import('../../bundles/index.js'),
    import('../../engine/index.js'),
    import('../index.js'),
    import('../observe/index.js'),
    import('../auth/index.js'),
    import('../decision/index.js'),
    import('../sql/index.js'),
    import('../config.js'),
  ]);
  const source = config.policy.source;
  let loaded;
  try {
    loaded = await loadBundle(source.kind === 'bundle' ? source : { kind: 'paths', paths: source.paths, entrypoints: [config.policy.entrypoint] });
  } catch (e) {
    if (isBundleError(e)) return { kind: 'failed', reasons: [e.message] };
    throw e;
  }
  if (!loaded.ok) return { kind: 'failed', reasons: loaded.diagnostics.map(engine.formatDiagnostic) };
  const entrypoints = loaded.bundle.manifest.wasm?.map((w) => w.entrypoint) ?? [];
  if (!entrypoints.includes(config.policy.entrypoint)) {
    return { kind: 'failed', reasons: [`policy: the bundle has no entrypoint ${config.policy.entrypoint} (it has: ${entrypoints.join(', ') || 'none'})`] };
  }
  const policy = await engine.loadPolicy(loaded.bundle.wasm, { onPrint: (line) => log(`policy print: ${line}`) });
  policy.setData(loaded.bundle.data);
  const decider = createDecider({ policy, entrypoint: config.policy.entrypoint });
  let verifier;
  try {
    verifier = auth.createTokenVerifier(toIdentityConfig(config));
  } catch (e) {
    if (e instanceof auth.AuthConfigInvalid) return { kind: 'failed', reasons: e.problems.map((p) => `identity: ${p}`) };
    throw e;
  }
  await initSql();
  const events = createEventBus();
  events.subscribe(createOperationalLog({ level: config.log.level, write: (line) => log(line.endsWith('\n') ? line.slice(0, -1) : line) }));
  const gateway = await startGateway(config, { verifier, decide: (input) => decider.decide(input), events });
  return {
    kind: 'started',
    host: gateway.host,
    port: gateway.port,
    close: async () => {
      await gateway.close();
      verifier.close();
    },
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
  if (gateway.kind === 'failed') {
    for (const r of gateway.reasons) io.stderr(`${r}\n`);
    io.stderr(`portcullis: the gateway did not start (${cmd.configPath})\n`);
    return EXIT.failure;
  }
  io.stdout(`portcullis: gateway listening on ${gateway.host}:${gateway.port}\n`);
  await ctx.untilStopped();
  await gateway.close();
  return EXIT.ok;
}
