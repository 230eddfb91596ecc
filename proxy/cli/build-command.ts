// `portcullis build`: paths → collect sources and data → bundles.buildBundle → deterministic
// tar.gz written to --output. Composition only: all bundle logic lives in bundles/.

import { writeFileSync } from 'node:fs';
import { formatDiagnostic } from '../../engine/index.js';
import { buildBundle, collectSources, loadDataFiles, sourceRegoVersion, writeBundleTarball } from '../../bundles/index.js';
import type { Command } from './args.js';
import { EXIT, reportDiagnostics } from './report.js';
import type { CliIo } from './report.js';

/** BuildCommand is the parsed `build` invocation. */
export type BuildCommand = Extract<Command, { kind: 'build' }>;

/** runBuild executes `portcullis build` and returns the exit code; errors it does not handle propagate to run(). */
export async function runBuild(cmd: BuildCommand, io: CliIo): Promise<number> {
  const files = collectSources(cmd.paths);
  if (files.length === 0) {
    io.stderr(`portcullis: no .rego files found in ${cmd.paths.join(', ')}\n`);
    return EXIT.failure;
  }
  const data = loadDataFiles(cmd.paths);
  // --v0-compatible, or a source directory's .manifest with rego_version 0, selects Rego v0
  const regoVersion = cmd.v0Compatible === true ? 'v0' : (sourceRegoVersion(cmd.paths) ?? 'v1');
  const built = buildBundle({ files, data, entrypoints: cmd.entrypoints, revision: cmd.revision, regoVersion });
  reportDiagnostics(io, built.diagnostics, formatDiagnostic);
  if (!built.ok) return EXIT.failure;
  const bytes = await writeBundleTarball(built.bundle);
  writeFileSync(cmd.output, bytes);
  return EXIT.ok;
}
