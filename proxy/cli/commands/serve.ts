// `portcullis serve`: load and validate the config (errors path-addressed, exit 1), then start
// the gateway through the composition root (../gateway.ts, loaded lazily) and run until a stop
// signal, then drain: new connections are refused, running statements finish within
// `limits.shutdown_grace`, the sessions left end with 57P01, and the process exits 0. With
// `workers` > 1 it becomes their supervisor instead (proxy/workers), and each worker runs `serve`
// again as a whole gateway on the shared addresses.

import { options, parseFlags, usageError } from '../command.js';
import type { CliCommand } from '../command.js';
import { EXIT } from '../io.js';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  async run(cmd, io, given) {
    const [{ loadConfigFile }, { startGatewayFromConfig }, workers] = await Promise.all([
      import('../config-file.js'),
      import('../gateway.js'),
      import('../../workers/index.js'),
    ]);
    const loaded = loadConfigFile(cmd.configPath, given.env);
    if (!loaded.ok) {
      for (const e of loaded.errors) io.stderr(`portcullis: ${e}\n`);
      return EXIT.failure;
    }
    const link = workers.joinAsWorker(given.env);
    const count = workers.workerCount(loaded.config.workers);
    if (link === undefined && count > 1) {
      // the supervisor: every worker runs this command again, with the same configuration
      return workers.superviseWorkers({
        count,
        exec: fileURLToPath(new URL('../../../bin/portcullis.js', import.meta.url)),
        args: ['serve', '--config', resolve(cmd.configPath), ...(cmd.watch ? ['--watch'] : [])],
        stdout: io.stdout,
        stderr: io.stderr,
        untilStopped: given.untilStopped,
        ...(given.onReload !== undefined ? { onReload: given.onReload } : {}),
      });
    }
    // a worker stops, and reloads, when its supervisor says so
    const ctx = link === undefined ? given : { ...given, untilStopped: link.untilStopped, onReload: link.onReload };
    const config = link === undefined ? loaded.config : workers.forWorker(loaded.config, link.index);
    // a worker's lines say whose they are (a JSON log line gains a field, any other a prefix)
    const say = (line: string): void => io.stderr(`${link === undefined ? line : workers.workerLine(line, link.index)}\n`);
    const gateway = await startGatewayFromConfig(
      config,
      say,
      ctx.env,
      undefined,
      link === undefined ? {} : { metrics: link.clusterMetrics, policyReloaded: link.policyReloaded },
    );
    if (gateway.kind === 'failed') {
      for (const r of gateway.reasons) say(r);
      say(`portcullis: the gateway did not start (${cmd.configPath})`);
      link?.leave(); // the supervisor's channel would keep this process alive
      return EXIT.failure;
    }
    if (link !== undefined) {
      link.provideMetrics(gateway.metricsJson);
      const offPolicy = link.onPolicyReload(() => void gateway.policy.reload('api'));
      link.ready({ host: gateway.host, port: gateway.port, ...(gateway.adminUrl !== undefined ? { adminUrl: gateway.adminUrl } : {}) });
      void link.untilStopped().then(offPolicy);
    } else io.stdout(`portcullis: gateway listening on ${gateway.host}:${gateway.port}\n`);
    // SIGHUP re-reads the configuration (log level and identity apply now; other changes are
    // reported as needing a restart) and reloads the policy (its outcome goes to the operational
    // log as policy.activated / policy.reload_failed)
    const offReload = ctx.onReload?.(() => {
      const again = loadConfigFile(cmd.configPath, ctx.env);
      if (!again.ok) {
        for (const e of again.errors) say(`portcullis: SIGHUP: ${e}`);
        say(`portcullis: SIGHUP: ${cmd.configPath} has errors; the running configuration stays`);
      } else {
        const report = gateway.reconfigure(link === undefined ? again.config : workers.forWorker(again.config, link.index));
        if (report.applied.length > 0) say(`portcullis: SIGHUP: applied ${report.applied.join(', ')}`);
        for (const e of report.errors) say(`portcullis: SIGHUP: ${e}`);
        if (report.restartNeeded.length > 0) {
          say(`portcullis: SIGHUP: changed but applied only at start (restart to apply): ${report.restartNeeded.join(', ')}`);
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
    say(`portcullis: shutting down; running statements may finish within ${graceMs / 1000} s (signal again to exit at once)`);
    await gateway.close({ graceMs });
    say('portcullis: gateway stopped');
    link?.leave();
    return EXIT.ok;
  },
};
