// `portcullis demo` (npm start): parse the flags, then hand over to proxy/dev's runDemo with the
// composition root's config loader and gateway (all loaded lazily, in run).

import { options, parseFlags, usageError } from '../command.js';
import type { CliCommand } from '../command.js';
import { DEFAULT_CONFIG_PATH } from './serve.js';

/** DemoCommandOptions are a parsed `demo` invocation. */
export type DemoCommandOptions = {
  readonly configPath?: string;
  readonly stateDir?: string;
  readonly port?: number;
  readonly adminPort?: number;
};

/** DEMO_USAGE is the help text of `portcullis demo`. */
export const DEMO_USAGE = `Usage: portcullis demo [--config <file>] [--state <dir>] [--port <n>] [--admin-port <n>]

Starts a throwaway PostgreSQL with a sample schema, a local token issuer (JWKS on loopback) and
the gateway, prints a ready psql command line, and runs until Ctrl-C.

Options:
  -c, --config <file>  configuration to start from (default: the package's ${DEFAULT_CONFIG_PATH})
  -s, --state <dir>    where the issuer state is written for \`portcullis token\` (default: <tmp>/portcullis-demo)
  -p, --port <n>       gateway port (default: the config's listen.port)
      --admin-port <n> admin API port (default: the config's admin.port; 0 picks a free one)
  -h, --help           show this text`;

/** demoCommand is `portcullis demo`. */
export const demoCommand: CliCommand<DemoCommandOptions> = {
  name: 'demo',
  summary: `demo [--config opa.config.yaml] [--state <dir>] [--port <n>]
Start a throwaway PostgreSQL, a local token issuer and the gateway (npm start).`,
  usage: DEMO_USAGE,
  parse: (argv) =>
    parseFlags(
      argv,
      {
        config: { type: 'string', short: 'c' },
        state: { type: 'string', short: 's' },
        port: { type: 'string', short: 'p' },
        'admin-port': { type: 'string' },
      },
      false,
      ({ values: v }) => {
        if (v.config === '' || v.state === '') return usageError('demo: --config and --state must not be empty');
        const portOf = (flag: string, text: string | undefined): number | undefined | Error => {
          if (text === undefined) return undefined;
          const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
          return n >= 0 && n <= 65535 ? n : new Error(`demo: --${flag} ${JSON.stringify(text)} is not a TCP port (0-65535)`);
        };
        const port = portOf('port', v.port);
        const adminPort = portOf('admin-port', v['admin-port']);
        if (port instanceof Error) return usageError(port.message);
        if (adminPort instanceof Error) return usageError(adminPort.message);
        return options({
          ...(v.config !== undefined ? { configPath: v.config } : {}),
          ...(v.state !== undefined ? { stateDir: v.state } : {}),
          ...(port !== undefined ? { port } : {}),
          ...(adminPort !== undefined ? { adminPort } : {}),
        });
      },
    ),
  async run(cmd, io, ctx) {
    const [{ runDemo }, { loadConfigFile }, { startGatewayFromConfig }] = await Promise.all([
      import('../../dev/index.js'),
      import('../config-file.js'),
      import('../gateway.js'),
    ]);
    return runDemo(
      {
        ...(cmd.configPath !== undefined ? { configPath: cmd.configPath } : {}),
        ...(cmd.stateDir !== undefined ? { stateDir: cmd.stateDir } : {}),
        ...(cmd.port !== undefined ? { gatewayPort: cmd.port } : {}),
        ...(cmd.adminPort !== undefined ? { adminPort: cmd.adminPort } : {}),
        env: ctx.env,
        ...(io.debug === true ? { log: (line: string) => io.stderr(`${line}\n`) } : {}),
      },
      { loadConfig: loadConfigFile, startGateway: startGatewayFromConfig },
      { stdout: io.stdout, stderr: io.stderr, untilStopped: ctx.untilStopped },
    );
  },
};
