// `portcullis serve`: load and validate the config (errors path-addressed, exit 1), then start
// the gateway through the composition root (../gateway.ts, loaded lazily) and run until a stop
// signal, then drain: new connections are refused, running statements finish within
// `limits.shutdown_grace`, the sessions left end with 57P01, and the process exits 0.

import { options, parseFlags, usageError } from '../command.js';
import type { CliCommand } from '../command.js';
import { EXIT } from '../io.js';

/** DEFAULT_CONFIG_PATH is the config `serve` reads when `--config` is not given. */
export const DEFAULT_CONFIG_PATH = 'opa.config.yaml';

/** ServeOptions are a parsed `serve` invocation. */
export type ServeOptions = { readonly configPath: string; readonly watch: boolean };

/** SERVE_USAGE is the help text of `portcullis serve`. */
export const SERVE_USAGE = `Usage: portcullis serve [--config <file>]

The policy is reloaded without a restart on SIGHUP, on POST /v1/policy/reload (admin API) and,
with --watch, when its files change: the new policy is compiled beside the active one and swapped
in between statements; one that fails to load leaves the active one deciding.

Options:
  -c, --config <file>  gateway configuration (default ${DEFAULT_CONFIG_PATH}; keys in docs/config.md)
  -w, --watch          reload the policy when its files (policy.paths, or the bundle file) change
  -h, --help           show this text`;

/** serveCommand is `portcullis serve`. */
export const serveCommand: CliCommand<ServeOptions> = {
  name: 'serve',
  summary: `serve [--config opa.config.yaml] [--watch]
Validate the configuration and start the gateway (SIGHUP reloads the policy).`,
  usage: SERVE_USAGE,
  parse: (argv) =>
    parseFlags(argv, { config: { type: 'string', short: 'c' }, watch: { type: 'boolean', short: 'w' } }, false, ({ values: v }) => {
      if (v.config === '') return usageError('serve: --config must not be empty');
      return options({ configPath: v.config ?? DEFAULT_CONFIG_PATH, watch: v.watch === true });
    }),
  async run(cmd, io, ctx) {
    const [{ loadConfigFile }, { startGatewayFromConfig }] = await Promise.all([import('../config-file.js'), import('../gateway.js')]);
    const loaded = loadConfigFile(cmd.configPath, ctx.env);
    if (!loaded.ok) {
      for (const e of loaded.errors) io.stderr(`portcullis: ${e}\n`);
      return EXIT.failure;
    }
    const gateway = await startGatewayFromConfig(loaded.config, (line) => io.stderr(`${line}\n`), ctx.env);
    if (gateway.kind === 'failed') {
      for (const r of gateway.reasons) io.stderr(`${r}\n`);
      io.stderr(`portcullis: the gateway did not start (${cmd.configPath})\n`);
      return EXIT.failure;
    }
    io.stdout(`portcullis: gateway listening on ${gateway.host}:${gateway.port}\n`);
    // SIGHUP re-reads the configuration (log level and identity apply now; other changes are
    // reported as needing a restart) and reloads the policy (its outcome goes to the operational
    // log as policy.activated / policy.reload_failed)
    const offReload = ctx.onReload?.(() => {
      const again = loadConfigFile(cmd.configPath, ctx.env);
      if (!again.ok) {
        for (const e of again.errors) io.stderr(`portcullis: SIGHUP: ${e}\n`);
        io.stderr(`portcullis: SIGHUP: ${cmd.configPath} has errors; the running configuration stays\n`);
      } else {
        const report = gateway.reconfigure(again.config);
        if (report.applied.length > 0) io.stderr(`portcullis: SIGHUP: applied ${report.applied.join(', ')}\n`);
        for (const e of report.errors) io.stderr(`portcullis: SIGHUP: ${e}\n`);
        if (report.restartNeeded.length > 0) {
          io.stderr(`portcullis: SIGHUP: changed but applied only at start (restart to apply): ${report.restartNeeded.join(', ')}\n`);
        }
      }
      void gateway.policy.reload('signal');
    });
    const stopWatching = cmd.watch ? gateway.watch() : undefined;
    await ctx.untilStopped();
    offReload?.();
    stopWatching?.();
    // a drain: no new connections, running statements finish within limits.shutdown_grace (a second signal exits at once)
    const graceMs = loaded.config.limits.shutdownGraceMs;
    io.stderr(`portcullis: shutting down; running statements may finish within ${graceMs / 1000} s (signal again to exit at once)\n`);
    await gateway.close({ graceMs });
    io.stderr('portcullis: gateway stopped\n');
    return EXIT.ok;
  },
};
