// `portcullis bundle serve <dir>`: serve every `*.tar.gz` of a directory over OPA's bundle
// protocol (ETag, 304, long polling; proxy/bundle-service), so gateways and OPA agents poll it
// the way they poll any bundle server. Runs until SIGINT/SIGTERM; the server loads lazily, in run.

import { options, parseFlags, usageError } from '../command.js';
import type { CliCommand } from '../command.js';
import { EXIT } from '../io.js';

/** BundleCommandOptions are a parsed `bundle serve` invocation. */
export type BundleCommandOptions = { readonly dir: string; readonly host: string; readonly port: number };

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 8282;

/** BUNDLE_USAGE is the help text of `portcullis bundle`. */
export const BUNDLE_USAGE = `Usage: portcullis bundle serve <dir> [--host ${DEFAULT_HOST}] [--port ${DEFAULT_PORT}]

Serves every *.tar.gz of <dir> over OPA's bundle protocol at /bundles/<name>.tar.gz (also
/bundles/<name> and /<name>.tar.gz): a strong ETag (the SHA-256 of the bytes), 304 Not Modified
for a matching If-None-Match, and long polling (Prefer: wait=N holds a request until the file
changes or N seconds pass). A file replaced on disk is served at once; replace it by renaming a
complete file over it. Runs until Ctrl-C.

Options:
  --host <addr>   address to listen on (default ${DEFAULT_HOST})
  --port <n>      port to listen on, 0 for any free one (default ${DEFAULT_PORT})
  -h, --help      show this text`;

/** bundleCommand is `portcullis bundle`. */
export const bundleCommand: CliCommand<BundleCommandOptions> = {
  name: 'bundle',
  summary: `bundle serve <dir> [--host ${DEFAULT_HOST}] [--port ${DEFAULT_PORT}]
Serve the bundles of a directory over OPA's bundle protocol (ETag, 304, long polling).`,
  usage: BUNDLE_USAGE,
  parse: (argv) =>
    parseFlags(argv, { host: { type: 'string' }, port: { type: 'string' } }, true, ({ values: v, positionals }) => {
      const [sub, dir, ...rest] = positionals;
      if (sub === undefined) return usageError('bundle: give a subcommand (serve)');
      if (sub !== 'serve') return usageError(`bundle: unknown subcommand "${sub}" (expected serve)`);
      if (dir === undefined || dir === '') return usageError('bundle serve: give the directory of *.tar.gz bundles to serve');
      if (rest.length > 0) return usageError(`bundle serve: unexpected argument "${rest[0]}"`);
      if (v.host === '') return usageError('bundle serve: --host must not be empty');
      const port = v.port === undefined ? DEFAULT_PORT : /^[0-9]{1,5}$/.test(v.port) ? Number(v.port) : Number.NaN;
      if (!(port >= 0 && port <= 65535)) return usageError(`bundle serve: --port ${JSON.stringify(v.port)} is not a port (0-65535)`);
      return options({ dir, host: v.host ?? DEFAULT_HOST, port });
    }),
  async run(cmd, io, ctx) {
    const { startBundleServer, isBundleServiceError } = await import('../../bundle-service/index.js');
    let server: Awaited<ReturnType<typeof startBundleServer>>;
    try {
      server = await startBundleServer({ dir: cmd.dir, host: cmd.host, port: cmd.port, log: (line) => io.stderr(`portcullis: ${line}\n`) });
    } catch (e) {
      if (!isBundleServiceError(e)) throw e;
      io.stderr(`portcullis: bundle serve: ${e.message}\n`);
      return e.exit;
    }
    const names = [...server.bundles().keys()];
    io.stdout(`portcullis: serving ${names.length} bundle${names.length === 1 ? '' : 's'} from ${cmd.dir} at ${server.url}/bundles/\n`);
    for (const name of names) io.stdout(`  ${server.url}/bundles/${name}.tar.gz\n`);
    await ctx.untilStopped();
    await server.close();
    return EXIT.ok;
  },
};
