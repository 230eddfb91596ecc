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
export type ServeOptions = { readonly configPath: string };

/** SERVE_USAGE is the help text of `portcullis serve`. */
export const SERVE_USAGE = `Usage: portcullis serve [--config <file>]

Options:
  -c, --config <file>  gateway configuration (default ${DEFAULT_CONFIG_PATH}; keys in docs/config.md)
  -h, --help           show this text`;

/** serveCommand is `portcullis serve`. */
export const serveCommand: CliCommand<ServeOptions> = {
  name: 'serve',
  summary: `serve [--config opa.config.yaml]
Validate the configuration and start the gateway.`,
  usage: SERVE_USAGE,
  parse: (argv) =>
    parseFlags(argv, { config: { type: 'string', short: 'c' } }, false, ({ values: v }) => {
      if (v.config === '') return usageError('serve: --config must not be empty');
      return options({ configPath: v.config ?? DEFAULT_CONFIG_PATH });
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
    await ctx.untilStopped();
    // a drain: no new connections, running statements finish within limits.shutdown_grace (a second signal exits at once)
    const graceMs = loaded.config.limits.shutdownGraceMs;
    io.stderr(`portcullis: shutting down; running statements may finish within ${graceMs / 1000} s (signal again to exit at once)\n`);
    await gateway.close({ graceMs });
    io.stderr('portcullis: gateway stopped\n');
    return EXIT.ok;
  },
};
