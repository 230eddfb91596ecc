// `portcullis build`: paths → collect sources and data → bundles.buildBundle → deterministic
// tar.gz written to --output. Composition only: all bundle logic lives in bundles/ (loaded lazily).

import { writeFileSync } from 'node:fs';
import { options, parseFlags, usageError, v0Flag, V0_FLAG } from '../command.js';
import type { CliCommand } from '../command.js';
import { EXIT } from '../io.js';
import { reportDiagnostics } from '../report.js';

/** DEFAULT_BUNDLE_PATH is where `build` writes when `-o` is not given (as `opa build`). */
export const DEFAULT_BUNDLE_PATH = 'bundle.tar.gz';

/** BuildOptions are a parsed `build` invocation. */
export type BuildOptions = {
  readonly paths: readonly string[];
  readonly entrypoints: readonly string[];
  readonly output: string;
  /** revision overrides the sources' git commit in the .manifest. */
  readonly revision?: string;
  /** v0Compatible: the sources are Rego v0 (--v0-compatible, as OPA 1.x's flag). */
  readonly v0Compatible?: boolean;
};

/** BUILD_USAGE is the help text of `portcullis build`. */
export const BUILD_USAGE = `Usage: portcullis build <path>... -e <entrypoint>... [-o <file>] [-r <revision>]

Options:
  -e, --entrypoint <pkg/rule>  entrypoint to compile (repeatable; pkg/rule, pkg.rule or data.pkg.rule);
                               rules annotated "# METADATA entrypoint: true" are added
  -o, --output <file>          bundle file to write (default ${DEFAULT_BUNDLE_PATH})
  -r, --revision <string>      revision recorded in the .manifest (default: the sources' git commit,
                               with "-dirty" when they differ from it; "" outside a git work tree)
      --v0-compatible          the sources are Rego v0 (the .manifest records rego_version 0)
  -h, --help                   show this text`;

/** buildCommand is `portcullis build`. */
export const buildCommand: CliCommand<BuildOptions> = {
  name: 'build',
  summary: `build <path>... -e <entrypoint>... [-o bundle.tar.gz] [-r revision]
Compile the .rego files (and data.json/data.yaml files) under the paths into an
OPA Wasm bundle. *_test.rego files are left out.`,
  usage: BUILD_USAGE,
  parse: (argv) =>
    parseFlags(
      argv,
      {
        entrypoint: { type: 'string', short: 'e', multiple: true },
        output: { type: 'string', short: 'o' },
        revision: { type: 'string', short: 'r' },
        ...V0_FLAG,
      },
      true,
      ({ values: v, positionals }) => {
        if (positionals.length === 0) return usageError('build: at least one path is required');
        if (v.output === '') return usageError('build: --output must not be empty');
        return options({
          paths: positionals,
          entrypoints: (v.entrypoint ?? []).flatMap(splitList),
          output: v.output ?? DEFAULT_BUNDLE_PATH,
          ...(v.revision !== undefined ? { revision: v.revision } : {}),
          ...v0Flag(v['v0-compatible']),
        });
      },
    ),
  async run(cmd, io) {
    const [{ formatDiagnostic }, { buildBundle, collectSources, gitRevision, loadDataFiles, sourceRegoVersion, writeBundleTarball }] =
      await Promise.all([import('../../../engine/index.js'), import('../../../bundles/index.js')]);
    const files = collectSources(cmd.paths);
    if (files.length === 0) {
      io.stderr(`portcullis: no .rego files found in ${cmd.paths.join(', ')}\n`);
      return EXIT.failure;
    }
    const data = loadDataFiles(cmd.paths);
    // --v0-compatible, or a source directory's .manifest with rego_version 0, selects Rego v0
    const regoVersion = cmd.v0Compatible === true ? 'v0' : (sourceRegoVersion(cmd.paths) ?? 'v1');
    const git = cmd.revision === undefined ? gitRevision(cmd.paths) : undefined;
    const revision = cmd.revision ?? (git?.kind === 'git' ? git.revision : '');
    const built = buildBundle({ files, data, entrypoints: cmd.entrypoints, revision, regoVersion });
    reportDiagnostics(io, built.diagnostics, formatDiagnostic);
    if (!built.ok) return EXIT.failure;
    const bytes = await writeBundleTarball(built.bundle);
    writeFileSync(cmd.output, bytes);
    return EXIT.ok;
  },
};

/** splitList accepts `-e a/b,c/d` as well as repeated `-e` flags. */
function splitList(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}
