// gitRevision against real git work trees in temporary directories: the commit of the sources,
// `-dirty` for changed or untracked files under the source paths only, and no revision outside
// git, before the first commit, across two work trees or without a git binary.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitRevision } from '../../bundles/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** repo makes a work tree with policies/p.rego and docs/readme committed (or not), then applies `change`. */
function repo(opts: { commit?: boolean; change?: (root: string) => void } = {}): { root: string; head: string } {
  const root = mkdtempSync(join(tmpdir(), 'portcullis-rev-'));
  dirs.push(root);
  git(root, 'init', '-q');
  mkdirSync(join(root, 'policies'));
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'policies', 'p.rego'), 'package p\n\nallow := true\n');
  writeFileSync(join(root, 'docs', 'readme'), 'docs\n');
  let head = '';
  if (opts.commit !== false) {
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'policies');
    head = git(root, 'rev-parse', 'HEAD');
  }
  opts.change?.(root);
  return { root, head };
}

describe('gitRevision', () => {
  it.each([
    { note: 'a clean work tree', change: undefined, dirty: false },
    { note: 'a changed source', change: (r: string) => writeFileSync(join(r, 'policies', 'p.rego'), 'package p\n'), dirty: true },
    { note: 'an untracked source', change: (r: string) => writeFileSync(join(r, 'policies', 'q.rego'), 'package q\n'), dirty: true },
    { note: 'a deleted source', change: (r: string) => rmSync(join(r, 'policies', 'p.rego')), dirty: true },
    { note: 'a change outside the source paths', change: (r: string) => writeFileSync(join(r, 'docs', 'readme'), 'new\n'), dirty: false },
  ])('records the commit for $note', ({ change, dirty }) => {
    const { root, head } = repo(change ? { change } : {});
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(gitRevision([join(root, 'policies')])).toEqual({ kind: 'git', revision: dirty ? `${head}-dirty` : head });
  });

  it('takes a file path as well as a directory', () => {
    const { root, head } = repo();
    expect(gitRevision([join(root, 'policies', 'p.rego')])).toEqual({ kind: 'git', revision: head });
  });

  it.each([
    {
      note: 'not a git work tree',
      paths: () => {
        const d = mkdtempSync(join(tmpdir(), 'portcullis-norepo-'));
        dirs.push(d);
        return [d];
      },
      reason: /is not in a git work tree with a commit/,
    },
    {
      note: 'a work tree without a commit',
      paths: () => [join(repo({ commit: false }).root, 'policies')],
      reason: /is not in a git work tree with a commit/,
    },
    {
      note: 'paths in two work trees',
      paths: () => [join(repo().root, 'policies'), join(repo().root, 'policies')],
      reason: /span several git work trees/,
    },
    { note: 'no paths', paths: () => [], reason: /no source paths/ },
  ])('has no revision for $note', ({ paths, reason }) => {
    expect(gitRevision(paths())).toEqual({ kind: 'none', reason: expect.stringMatching(reason) });
  });

  it('has no revision without a git binary', () => {
    const { root } = repo();
    expect(gitRevision([root], '/nonexistent/bin/git')).toEqual({ kind: 'none', reason: '/nonexistent/bin/git is not installed' });
  });
});
