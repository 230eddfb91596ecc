import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectSources, loadDataFiles, readDataFile } from '../../bundles/sources.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** tree writes files (relative path → text) into a fresh temp dir and returns it. */
function tree(files: Readonly<Record<string, string | undefined>>): string {
  const root = mkdtempSync(join(tmpdir(), 'portcullis-sources-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    if (text === undefined) continue;
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe('collectSources', () => {
  it('walks recursively, sorted, skipping tests, dot-dirs and non-rego files', () => {
    const root = tree({
      'b.rego': 'package b',
      'a/z.rego': 'package a.z',
      'a/y_test.rego': 'package a.y',
      'a/notes.md': '#',
      '.git/x.rego': 'package hidden',
      'c.rego': 'package c',
    });
    const got = collectSources([root]);
    expect(got.map((s) => s.path)).toEqual(['/a/z.rego', '/b.rego', '/c.rego']);
    expect(got[0]).toEqual({ name: join(root, 'a/z.rego'), text: 'package a.z', path: '/a/z.rego' });
  });

  it('keeps tests when asked (eval loads them, as OPA does)', () => {
    const root = tree({ 'p.rego': 'package p', 'p_test.rego': 'package p' });
    expect(collectSources([root], { includeTests: true }).map((s) => s.path)).toEqual(['/p.rego', '/p_test.rego']);
  });

  it('accepts a file path', () => {
    const root = tree({ 'x/p.rego': 'package p' });
    expect(collectSources([join(root, 'x/p.rego')])).toEqual([{ name: join(root, 'x/p.rego'), text: 'package p', path: '/p.rego' }]);
  });

  it('reports a missing path', () => {
    expect(() => collectSources(['/nonexistent/portcullis/x'])).toThrow(
      expect.objectContaining({ code: 'ERR_BUNDLE_PATH_NOT_FOUND', message: '/nonexistent/portcullis/x: no such file or directory' }),
    );
  });
});

describe('loadDataFiles', () => {
  it.each([
    {
      note: 'mounts data files by directory',
      files: {
        'data.json': '{"top": true}',
        'a/b/data.json': '{"c": 1}',
        'a/data.yaml': 'd: [1]\n',
        'x/data.yml': 'y: z\n',
        'a/other.json': '{"ignored": 1}',
      },
      want: { top: true, a: { b: { c: 1 }, d: [1] }, x: { y: 'z' } },
    },
    { note: 'no data files gives an empty document', files: { 'p.rego': 'package p' }, want: {} },
  ])('$note', ({ files, want }) => {
    expect(loadDataFiles([tree(files)])).toEqual(want);
  });

  it('mounts an explicit JSON file at the root whatever its name', () => {
    const root = tree({ 'roles.json': '{"roles": ["a"]}', 'sub/more.yaml': 'more: 1\n' });
    expect(loadDataFiles([join(root, 'roles.json'), join(root, 'sub/more.yaml')])).toEqual({ roles: ['a'], more: 1 });
  });

  it('merges several roots', () => {
    expect(loadDataFiles([tree({ 'a/data.json': '{"x": 1}' }), tree({ 'a/data.json': '{"y": 2}' })])).toEqual({ a: { x: 1, y: 2 } });
  });

  it.each([
    {
      note: 'conflicting leaves',
      files: { 'data.json': '{"a": {"b": 1}}', 'a/data.json': '{"b": 2}' },
      code: 'ERR_BUNDLE_DATA_CONFLICT',
      message: /data\.json: conflicting values for data\.a\.b/,
    },
    { note: 'bad YAML', files: { 'data.yaml': 'a: [\n' }, code: 'ERR_BUNDLE_DATA_INVALID', message: /data\.yaml: invalid YAML/ },
    { note: 'a root array', files: { 'data.json': '[1]' }, code: 'ERR_BUNDLE_DATA_INVALID', message: /must be an object/ },
  ])('rejects $note', ({ files, code, message }) => {
    const root = tree(files);
    expect(() => loadDataFiles([root])).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });
});

describe('readDataFile', () => {
  it.each([
    { note: 'JSON', name: 'in.json', text: '{"user": {"role": "admin"}}', want: { user: { role: 'admin' } } },
    { note: 'YAML', name: 'in.yaml', text: 'user:\n  role: admin\n', want: { user: { role: 'admin' } } },
  ])('reads $note input', ({ name, text, want }) => {
    const root = tree({ [name]: text });
    expect(readDataFile(join(root, name))).toEqual(want);
  });

  it('reports a missing file', () => {
    expect(() => readDataFile('/nonexistent/in.json')).toThrow(expect.objectContaining({ code: 'ERR_BUNDLE_PATH_NOT_FOUND' }));
  });
});
