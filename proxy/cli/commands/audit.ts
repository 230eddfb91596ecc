// `portcullis audit verify`: check the session recording's hash chains in the state store named
// by the config's `state` (and, with --journal-dir, the local journal segments too). Prints
// `ok: N records in M journals` (exit 0) or one line per problem (exit 1); a config without
// `state` is a usage error (exit 2). This is an operator's tool: store errors are printed whole.

import { options, parseFlags, usageError } from '../command.js';
import type { CliCommand } from '../command.js';
import { EXIT } from '../io.js';
import type { CliIo } from '../io.js';
import { DEFAULT_CONFIG_PATH } from './serve.js';

/** AuditOptions are a parsed `audit verify` invocation. */
export type AuditOptions = {
  readonly action: 'verify';
  readonly configPath: string;
  readonly journalDir?: string;
  readonly json: boolean;
};

/** AUDIT_USAGE is the help text of `portcullis audit`. */
export const AUDIT_USAGE = `Usage: portcullis audit verify [--config <file>] [--journal-dir <dir>] [--json]

Verifies the hash chains of the session recording kept in the state store (the config's \`state\`):
every record unaltered, none removed, inserted or reordered, pruned ranges covered by tombstones.

Options:
  -c, --config <file>    gateway configuration naming the state store (default ${DEFAULT_CONFIG_PATH})
  --journal-dir <dir>    also verify the local journal segments in this directory
  --json                 print the reports as JSON
  -h, --help             show this text

Exit status: 0 when every chain verifies, 1 when a problem is found or the store cannot be read,
2 on a usage error or a config without \`state\`.`;

/** auditCommand is `portcullis audit`. */
export const auditCommand: CliCommand<AuditOptions> = {
  name: 'audit',
  summary: `audit verify [--config opa.config.yaml] [--journal-dir <dir>] [--json]
Verify the session recording's hash chains (state store, local journals).`,
  usage: AUDIT_USAGE,
  parse: (argv) =>
    parseFlags(
      argv,
      { config: { type: 'string', short: 'c' }, 'journal-dir': { type: 'string' }, json: { type: 'boolean' } },
      true,
      ({ values: v, positionals }) => {
        const [sub, extra] = positionals;
        if (sub === undefined) return usageError('audit: a subcommand is required (verify)');
        if (sub !== 'verify') return usageError(`audit: unknown subcommand "${sub}" (expected verify)`);
        if (extra !== undefined) return usageError(`audit verify: unexpected argument "${extra}"`);
        if (v.config === '') return usageError('audit: --config must not be empty');
        if (v['journal-dir'] === '') return usageError('audit: --journal-dir must not be empty');
        return options({
          action: 'verify' as const,
          configPath: v.config ?? DEFAULT_CONFIG_PATH,
          json: v.json === true,
          ...(v['journal-dir'] !== undefined ? { journalDir: v['journal-dir'] } : {}),
        });
      },
    ),
  async run(cmd, io, ctx) {
    const [{ loadConfigFile }, config, state, recording, { readFile, stat }] = await Promise.all([
      import('../config-file.js'),
      import('../../config/index.js'),
      import('../../state/index.js'),
      import('../../recording/index.js'),
      import('node:fs/promises'),
    ]);
    const loaded = loadConfigFile(cmd.configPath, ctx.env);
    if (!loaded.ok) {
      for (const e of loaded.errors) io.stderr(`portcullis: ${e}\n`);
      return EXIT.failure;
    }
    const sc = loaded.config.state;
    if (sc === undefined) {
      io.stderr(
        `portcullis: audit verify: ${cmd.configPath} has no \`state\`: the recording is kept in the state store (docs/config.md, docs/recording.md)\n`,
      );
      return EXIT.usage;
    }
    const secret = sc.password;
    const password =
      secret === undefined
        ? undefined
        : secret.kind === 'file'
          ? () => readFile(secret.path, 'utf8').then(config.secretFromFile)
          : config.resolveSecret(secret, ctx.env);
    const store = state.createStateStore({
      host: sc.host,
      port: sc.port,
      database: sc.database,
      user: sc.user,
      connectTimeoutMs: sc.connectTimeoutMs,
      ...(typeof password === 'string' ? { password } : {}),
      ...(typeof password === 'function' ? { passwordSource: password } : {}),
    });
    const reports: { source: string; report: Awaited<ReturnType<typeof recording.verifyStore>> }[] = [];
    try {
      reports.push({ source: 'store', report: await recording.verifyStore(store) });
    } catch (e) {
      io.stderr(`portcullis: audit verify: ${state.describeStateError(e)}\n`);
      return EXIT.failure;
    } finally {
      await store.close();
    }
    if (cmd.journalDir !== undefined) {
      const isDir = await stat(cmd.journalDir).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (!isDir) {
        io.stderr(`portcullis: audit verify: --journal-dir ${cmd.journalDir} is not a directory\n`);
        return EXIT.failure;
      }
      reports.push({ source: cmd.journalDir, report: await recording.verifyDir(cmd.journalDir) });
    }
    return print(io, cmd.json, reports);
  },
};

type Problem = { readonly journal: string; readonly seq: number; readonly kind: string; readonly detail: string };
type Report = { readonly ok: boolean; readonly journals: number; readonly records: number; readonly problems: readonly Problem[] };

/** print writes the reports (text or JSON) and returns the exit code. */
function print(io: CliIo, json: boolean, reports: readonly { source: string; report: Report }[]): number {
  const ok = reports.every((r) => r.report.ok);
  if (json) {
    io.stdout(`${JSON.stringify({ ok, reports: reports.map((r) => ({ source: r.source, ...r.report })) }, null, 2)}\n`);
    return ok ? EXIT.ok : EXIT.failure;
  }
  for (const { source, report } of reports) {
    const where = source === 'store' ? '' : ` in ${source}`;
    if (report.ok) io.stdout(`ok: ${report.records} records in ${report.journals} journals${where}\n`);
    for (const p of report.problems) io.stdout(`journal ${p.journal} seq ${p.seq}: ${p.kind} (${p.detail})${where}\n`);
  }
  return ok ? EXIT.ok : EXIT.failure;
}
