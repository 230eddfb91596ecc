// `portcullis replay`: shadow evaluation of a candidate policy. Reads the recorded statements
// (their policy inputs) from the state store of --config, re-decides each with the candidate
// (--bundle tarball, or --paths compiled now, like `serve`), and prints what would change grouped
// by old → new decision and rule, with counts and example statements. --fail-on-change exits 1
// when anything changed (for CI), else 0. The engine, bundles and the store load lazily, in run.

import { readFileSync } from 'node:fs';
import { parseSince } from '../../admin/index.js';
import type { ReplayReport } from '../../replay/index.js';
import { options, parseFlags, usageError } from '../command.js';
import type { CliCommand } from '../command.js';
import { EXIT } from '../io.js';
import { oneLine, truncate } from './approvals.js';
import { DEFAULT_CONFIG_PATH } from './serve.js';

/** ReplayCandidate is the candidate policy: a bundle tarball, or directories of .rego and data files. */
export type ReplayCandidate =
  | { readonly kind: 'bundle'; readonly path: string }
  | { readonly kind: 'paths'; readonly paths: readonly string[] };

/** ReplayCommandOptions are a parsed `replay` invocation. */
export type ReplayCommandOptions = {
  readonly configPath: string;
  readonly candidate: ReplayCandidate;
  /** since is as given (RFC 3339 or a duration back from now); resolved when run. */
  readonly since?: string;
  readonly failOnChange: boolean;
  readonly json: boolean;
};

/** REPLAY_USAGE is the help text of `portcullis replay`. */
export const REPLAY_USAGE = `Usage: portcullis replay [--config <file>] (--bundle <candidate.tar.gz> | --paths <dir>...) [--since <time|7d>]
                        [--fail-on-change] [--json]

Re-decides the recorded statements (the policy input recorded with each) with a candidate policy
and prints what would change, grouped by old -> new decision and rule, with up to 3 examples each.

Options:
  -c, --config <file>   gateway configuration whose state store holds the recording (default ${DEFAULT_CONFIG_PATH})
  --bundle <file>       the candidate policy as an OPA bundle
  --paths <path>        the candidate policy's .rego and data files (repeatable)
  --since <time>        only statements recorded since an RFC 3339 time or a duration back from now (24h, 7d)
  --fail-on-change      exit 1 when any decision would change
  --json                print the report as JSON
  -h, --help            show this text`;

/** replayCommand is `portcullis replay`. */
export const replayCommand: CliCommand<ReplayCommandOptions> = {
  name: 'replay',
  summary: `replay --config opa.config.yaml (--bundle candidate.tar.gz | --paths dir...) [--since 7d] [--fail-on-change]
Re-decide recorded statements with a candidate policy; print what would change.`,
  usage: REPLAY_USAGE,
  parse: (argv) =>
    parseFlags(
      argv,
      {
        config: { type: 'string', short: 'c' },
        bundle: { type: 'string' },
        paths: { type: 'string', multiple: true },
        since: { type: 'string' },
        'fail-on-change': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      false,
      ({ values: v }) => {
        if (v.config === '') return usageError('replay: --config must not be empty');
        if ((v.bundle === undefined) === (v.paths === undefined)) {
          return usageError('replay: give the candidate policy as --bundle <file> or --paths <dir> (one of them)');
        }
        if (v.bundle === '' || v.paths?.some((p) => p === '') === true) return usageError('replay: the candidate path must not be empty');
        if (v.since !== undefined && parseSince(v.since, Date.now()) === undefined) {
          return usageError(`replay: --since ${JSON.stringify(v.since)} is not an RFC 3339 time or a duration such as 7d`);
        }
        const candidate: ReplayCandidate =
          v.bundle !== undefined ? { kind: 'bundle', path: v.bundle } : { kind: 'paths', paths: v.paths ?? [] };
        return options({
          configPath: v.config ?? DEFAULT_CONFIG_PATH,
          candidate,
          ...(v.since !== undefined ? { since: v.since } : {}),
          failOnChange: v['fail-on-change'] === true,
          json: v.json === true,
        });
      },
    ),
  async run(cmd, io, ctx) {
    const [{ loadConfigFile }, bundles, engine, { createDecider }, { createStateStore, describeStateError }, { replay }, secrets] =
      await Promise.all([
        import('../config-file.js'),
        import('../../../bundles/index.js'),
        import('../../../engine/index.js'),
        import('../../decision/index.js'),
        import('../../state/index.js'),
        import('../../replay/index.js'),
        import('../../config/index.js'),
      ]);
    const loaded = loadConfigFile(cmd.configPath, ctx.env);
    if (!loaded.ok) {
      for (const e of loaded.errors) io.stderr(`portcullis: ${e}\n`);
      return EXIT.failure;
    }
    const { config } = loaded;
    if (config.state === undefined) {
      io.stderr(`portcullis: replay: ${cmd.configPath} has no \`state\` section: the recording is kept in the state store\n`);
      return EXIT.failure;
    }
    // the candidate policy, compiled or loaded like the gateway's
    let bundle: Awaited<ReturnType<typeof bundles.loadBundle>>;
    try {
      bundle = await bundles.loadBundle(
        cmd.candidate.kind === 'bundle'
          ? cmd.candidate
          : { kind: 'paths', paths: cmd.candidate.paths, entrypoints: [config.policy.entrypoint] },
      );
    } catch (e) {
      if (bundles.isBundleError(e)) {
        io.stderr(`portcullis: replay: ${e.message}\n`);
        return EXIT.failure;
      }
      throw e;
    }
    if (!bundle.ok) {
      for (const d of bundle.diagnostics) io.stderr(`${engine.formatDiagnostic(d)}\n`);
      return EXIT.failure;
    }
    const entrypoints = bundle.bundle.manifest.wasm?.map((w) => w.entrypoint) ?? [];
    if (!entrypoints.includes(config.policy.entrypoint)) {
      io.stderr(
        `portcullis: replay: the candidate has no entrypoint ${config.policy.entrypoint} (it has: ${entrypoints.join(', ') || 'none'})\n`,
      );
      return EXIT.failure;
    }
    const policy = await engine.loadPolicy(bundle.bundle.wasm);
    policy.setData(bundle.bundle.data);
    const decider = createDecider({ policy, entrypoint: config.policy.entrypoint });
    // the state store, as the gateway logs in to it
    const secret = config.state.password;
    let password: string | undefined;
    try {
      password =
        secret === undefined
          ? undefined
          : secret.kind === 'file'
            ? secrets.secretFromFile(readFileSync(secret.path, 'utf8'))
            : secrets.resolveSecret(secret, ctx.env);
    } catch {
      io.stderr('portcullis: replay: state.password_file cannot be read\n');
      return EXIT.failure;
    }
    if (secret !== undefined && password === undefined) {
      io.stderr(`portcullis: replay: state.password_env: environment variable ${secret.kind === 'env' ? secret.name : ''} is not set\n`);
      return EXIT.failure;
    }
    const store = createStateStore({
      host: config.state.host,
      port: config.state.port,
      database: config.state.database,
      user: config.state.user,
      connectTimeoutMs: config.state.connectTimeoutMs,
      ...(password !== undefined ? { password } : {}),
    });
    let report: ReplayReport;
    try {
      const since = cmd.since === undefined ? undefined : parseSince(cmd.since, Date.now());
      report = await replay({ store, decide: (input) => decider.decide(input), ...(since !== undefined ? { since } : {}) });
    } catch (e) {
      io.stderr(`portcullis: replay: ${describeStateError(e)}\n`);
      return EXIT.failure;
    } finally {
      await store.close().catch(() => undefined);
    }
    io.stdout(cmd.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return cmd.failOnChange && report.changed > 0 ? EXIT.failure : EXIT.ok;
  },
};

/** formatReport renders a replay report: the totals, then each change with its count and examples. */
export function formatReport(r: ReplayReport): string {
  const lines = [
    `${r.compared} statements re-decided (${r.skipped} skipped of ${r.examined} recorded): ${r.changed} would change, ${r.unchanged} unchanged`,
  ];
  for (const g of r.groups) {
    lines.push('', `${g.from} -> ${g.to}  ${g.rule}  (${g.count} statement${g.count === 1 ? '' : 's'})`);
    for (const e of g.examples) {
      lines.push(`  session ${e.session} #${e.statement}  ${e.at}`);
      lines.push(`    ${truncate(oneLine(e.text), 160)}`);
      lines.push(`    recorded: ${describeDecision(e.recorded)}`);
      lines.push(`    candidate: ${describeDecision(e.candidate)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function describeDecision(d: { kind: string; rules: readonly string[]; masks: readonly string[] }): string {
  const parts = [d.kind];
  if (d.rules.length > 0) parts.push(`rules ${d.rules.join(', ')}`);
  if (d.masks.length > 0) parts.push(`masks ${d.masks.join(' ')}`);
  return parts.join('; ');
}
