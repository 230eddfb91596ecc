import { describe, expect, it } from 'vitest';
import { mergeData, parseDataText } from '../../bundles/data-files.js';
import type { DataObject } from '../../bundles/data-files.js';

describe('parseDataText', () => {
  it.each([
    { note: 'JSON object', name: 'data.json', text: '{"a": [1, 2.5, "x"]}', want: { a: [1, 2.5, 'x'] } },
    { note: 'YAML mapping', name: 'data.yaml', text: 'a:\n  b: true\n  c: [1, two]\n', want: { a: { b: true, c: [1, 'two'] } } },
    { note: 'YAML .yml', name: 'x/data.yml', text: 'n: null\n', want: { n: null } },
    { note: 'YAML keeps dates as strings (core schema)', name: 'data.yaml', text: 'd: 2024-01-01\n', want: { d: '2024-01-01' } },
    { note: 'empty file is an empty object', name: 'data.json', text: '  \n', want: {} },
    { note: 'JSON scalar', name: 'input.json', text: '"b"', want: 'b' },
  ])('decodes $note', ({ name, text, want }) => {
    expect(parseDataText(name, text)).toEqual(want);
  });

  it.each([
    { note: 'broken JSON', name: 'data.json', text: '{"a":', message: /^data\.json: invalid JSON/ },
    { note: 'broken YAML', name: 'data.yaml', text: 'a: [1,\n', message: /^data\.yaml: invalid YAML/ },
    { note: 'duplicate YAML keys', name: 'data.yaml', text: 'a: 1\na: 2\n', message: /invalid YAML/ },
  ])('rejects $note', ({ name, text, message }) => {
    expect(() => parseDataText(name, text)).toThrow(
      expect.objectContaining({ code: 'ERR_BUNDLE_DATA_INVALID', message: expect.stringMatching(message) }),
    );
  });
});

describe('mergeData', () => {
  type Step = { path: string[]; value: unknown };
  const ok: Array<{ note: string; steps: Step[]; want: DataObject }> = [
    { note: 'root object', steps: [{ path: [], value: { a: 1 } }], want: { a: 1 } },
    { note: 'nested mount', steps: [{ path: ['a', 'b'], value: { c: 1 } }], want: { a: { b: { c: 1 } } } },
    {
      note: 'siblings merge deeply',
      steps: [
        { path: [], value: { a: { x: 1 } } },
        { path: ['a'], value: { y: 2 } },
        { path: ['a', 'z'], value: [3] },
      ],
      want: { a: { x: 1, y: 2, z: [3] } },
    },
    { note: 'non-object mounted below the root', steps: [{ path: ['list'], value: [1, 2] }], want: { list: [1, 2] } },
  ];
  it.each(ok)('merges $note', ({ steps, want }) => {
    const target: DataObject = {};
    for (const s of steps) mergeData(target, s.path, s.value, 'f');
    expect(target).toEqual(want);
  });

  it('does not alias merged objects into the target', () => {
    const source = { a: { b: 1 } };
    const target: DataObject = {};
    mergeData(target, [], source, 'f');
    mergeData(target, ['a'], { c: 2 }, 'g');
    expect(source).toEqual({ a: { b: 1 } });
  });

  const bad: Array<{ note: string; steps: Step[]; code: string; message: RegExp }> = [
    {
      note: 'two leaves at one path',
      steps: [
        { path: [], value: { a: 1 } },
        { path: [], value: { a: 2 } },
      ],
      code: 'ERR_BUNDLE_DATA_CONFLICT',
      message: /^g: conflicting values for data\.a /,
    },
    {
      note: 'equal leaves still conflict (as OPA)',
      steps: [
        { path: [], value: { a: 1 } },
        { path: [], value: { a: 1 } },
      ],
      code: 'ERR_BUNDLE_DATA_CONFLICT',
      message: /data\.a/,
    },
    {
      note: 'object over a leaf',
      steps: [
        { path: [], value: { a: 1 } },
        { path: ['a'], value: { b: 1 } },
      ],
      code: 'ERR_BUNDLE_DATA_CONFLICT',
      message: /data\.a/,
    },
    {
      note: 'mount through a leaf',
      steps: [
        { path: [], value: { a: 1 } },
        { path: ['a', 'b'], value: { c: 1 } },
      ],
      code: 'ERR_BUNDLE_DATA_CONFLICT',
      message: /data\.a/,
    },
    {
      note: 'a non-object at the root',
      steps: [{ path: [], value: [1] }],
      code: 'ERR_BUNDLE_DATA_INVALID',
      message: /root must be an object/,
    },
  ];
  it.each(bad)('rejects $note', ({ steps, code, message }) => {
    const target: DataObject = {};
    const run = (): void => {
      for (const [i, s] of steps.entries()) mergeData(target, s.path, s.value, i === 0 ? 'f' : 'g');
    };
    expect(run).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });
});
