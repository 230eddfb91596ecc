// The git revision of policy sources, for the bundle `.manifest`: `git rev-parse HEAD` of the work
// tree holding the sources, plus `-dirty` when `git status --porcelain -- <paths>` lists a change
// (untracked files count: they are built too). OPA has no git integration (CI passes
// `--revision $(git rev-parse HEAD)`); this is what `portcullis build` records by default.

import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** GitRevision is the sources' commit (with `-dirty` when they differ from it), or why there is none. */
export type GitRevision = { readonly kind: 'git'; readonly revision: string } | { readonly kind: 'none'; readonly reason: string };

/** gitRevision finds the commit of the sources at `paths`; `git` is the binary to run (tests point it elsewhere). */
export function gitRevision(paths: readonly string[], git = 'git'): GitRevision {
  if (paths.length === 0) return { kind: 'none', reason: 'no source paths' };
  const dirs = paths.map((p) => {
    const abs = resolve(p);
    return existsSync(abs) && statSync(abs).isDirectory() ? abs : dirname(abs);
  });
  const run = (cwd: string, args: readonly string[]) =>
    // GIT_* variables of an enclosing hook or worktree would point git at another repository
    spawnSync(git, args, { cwd, encoding: 'utf8', env: withoutGitVars(process.env), timeout: 10_000 });
  const heads = dirs.map((dir) => {
    const r = run(dir, ['rev-parse', '--show-toplevel', 'HEAD']);
    if (r.error) return { error: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${git} is not installed` : r.error.message };
    if (r.status !== 0) return { error: `${dir} is not in a git work tree with a commit` };
    const [top = '', head = ''] = r.stdout.trim().split('\n');
    return { top, head };
  });
  const first = heads[0];
  if (!first) return { kind: 'none', reason: 'no source paths' };
  if ('error' in first) return { kind: 'none', reason: first.error ?? 'git failed' };
  for (const h of heads) {
    if ('error' in h) return { kind: 'none', reason: h.error ?? 'git failed' };
    if (h.top !== first.top) return { kind: 'none', reason: `the sources span several git work trees (${first.top}, ${h.top})` };
  }
  const status = run(first.top, ['status', '--porcelain', '--', ...paths.map((p) => resolve(p))]);
  if (status.status !== 0) return { kind: 'none', reason: `git status failed: ${status.stderr.trim()}` };
  return { kind: 'git', revision: status.stdout.trim() === '' ? first.head : `${first.head}-dirty` };
}

function withoutGitVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('GIT_')));
}
