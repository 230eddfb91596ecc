// Kata real-world policies (Rego v0): asserts the measured pass counts of test/realworld/kata.ts
// so a regression in v0 parsing or evaluation shows up; skipped when ../shared/realworld is absent.

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KATA_DIR, normalisePrint, readRequests, runKata } from './kata.js';
import type { KataTestResult } from './kata.js';
import { join } from 'node:path';

// Measured: every rule value and every print trace matches (constant-head complete rules stop
// each body at its first solution, as regorus does: engine/planner/early-exit.ts).
const expected = [
  { note: 'k8s-policy-pod', requests: 17, valuesPassed: 17, printsPassed: 17 },
  { note: 'pod-exec', requests: 77, valuesPassed: 77, printsPassed: 77 },
];

const present = existsSync(KATA_DIR);

// the title says why when the cases are skipped, and only then
describe.skipIf(!present)(present ? 'kata policies' : 'kata policies (skipped: ../shared/realworld/kata is absent)', () => {
  let results: KataTestResult[] | undefined;
  const get = async (name: string): Promise<KataTestResult | undefined> => {
    results ??= await runKata();
    return results.find((r) => r.test === name);
  };

  it.each(expected)(
    '$note compiles as v0 and matches the recorded counts',
    async ({ note, requests, valuesPassed, printsPassed }) => {
      const r = await get(note);
      expect(r?.compileErrors).toEqual([]);
      expect(r?.missingBuiltins).toEqual([]);
      expect({ requests: r?.requests, valuesPassed: r?.valuesPassed, printsPassed: r?.printsPassed }).toEqual({
        requests,
        valuesPassed,
        printsPassed,
      });
    },
    60_000,
  );

  it.each([{ note: 'pod-exec' }])('$note: inputs.txt lines parse into endpoint/input pairs', ({ note }) => {
    const reqs = readRequests(join(KATA_DIR, note));
    expect(reqs[0]?.endpoint).toBe('AllowRequestsFailingPolicy');
    expect(reqs[0]?.output).toBe(false);
    expect(reqs.every((q) => typeof q.endpoint === 'string' && typeof q.input === 'object')).toBe(true);
  });
});

describe('normalisePrint', () => {
  const cases = [
    { note: 'drops the regorus file:row prefix', line: 'tests/kata/data/x/policy.rego:1162: A: b = ', want: 'A: b = ' },
    { note: 'keeps a line without prefix', line: 'A: b = 1', want: 'A: b = 1' },
    { note: 'keeps later colons', line: 'p.rego:3: k: v: w', want: 'k: v: w' },
  ];
  it.each(cases)('$note', ({ line, want }) => {
    expect(normalisePrint(line)).toBe(want);
  });
});
