import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpus, parseCases } from './corpus.js';

const yaml = `---
# a comment
cases:
  - note: a/first
    query: data.a.p = x
    modules:
      - |
        package a
        p := 1
    data:
      "2": bar
    want_result:
      - x: 12345678901234567890
  - note: a/second
    query: data.a.q = x
    modules: ["package a\\n\\tq := \\"\\U0001F367\\""]
    input_term: '{"foo": {{1}}}'
    want_error_code: eval_conflict_error
    want_error: ""
    strict_error: true
    traces: true
`;

describe('parseCases', () => {
  const cases = parseCases(yaml, 'afolder/test-a.yaml');
  it.each([
    { note: 'ids are file#index', got: cases.map((c) => c.id), want: ['afolder/test-a.yaml#0', 'afolder/test-a.yaml#1'] },
    { note: 'folder from the path', got: cases.map((c) => c.folder), want: ['afolder', 'afolder'] },
    { note: 'large integers stay exact', got: cases[0]?.spec.want_result, want: [{ x: 12345678901234567890n }] },
    { note: 'quoted numeric keys stay strings', got: cases[0]?.spec.data, want: { '2': 'bar' } },
    { note: 'double-quoted module escapes decode', got: cases[1]?.spec.modules, want: ['package a\n\tq := "\u{1F367}"'] },
    { note: 'empty want_error is kept', got: cases[1]?.spec.want_error, want: '' },
    { note: 'unknown fields are reported', got: cases.map((c) => c.unknownFields), want: [[], ['traces']] },
  ])('$note', ({ got, want }) => {
    expect(got).toEqual(want);
  });
  it('rejects a document without cases', () => {
    expect(() => parseCases('foo: 1', 'x/y.yaml')).toThrow(/no 'cases' list/);
  });
});

describe('loadCorpus', () => {
  it.each([
    {
      note: 'corpus root: folder from the first path segment',
      at: 'root',
      want: ['fa/a.yaml#0', 'fa/b.yml#0', 'fb/c.yaml#0'],
      folders: ['fa', 'fa', 'fb'],
    },
    { note: 'a single folder: folder is its name', at: 'fa', want: ['fa/a.yaml#0', 'fa/b.yml#0'], folders: ['fa', 'fa'] },
  ])('$note', ({ at, want, folders }) => {
    const root = mkdtempSync(join(tmpdir(), 'corpus-'));
    try {
      const one = 'cases:\n  - note: n\n    query: x := 1\n    modules: []\n    want_result: [{x: 1}]\n';
      mkdirSync(join(root, 'fa'));
      mkdirSync(join(root, 'fb'));
      writeFileSync(join(root, 'fa', 'a.yaml'), one);
      writeFileSync(join(root, 'fa', 'b.yml'), one);
      writeFileSync(join(root, 'fa', 'notes.md'), 'ignored');
      writeFileSync(join(root, 'fb', 'c.yaml'), one);
      const cases = loadCorpus(at === 'root' ? root : join(root, at));
      expect(cases.map((c) => c.id)).toEqual(want);
      expect(cases.map((c) => c.folder)).toEqual(folders);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
