// Planner goldens: each `<case>.rego` (first line `# entrypoints: a/b …`) is planned and printed
// with printPolicy into `<case>.ir.txt`. Regenerate with `vitest -u` and review the diff.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { printPolicy } from '../../../engine/ir/index.js';
import { planSources } from '../../engine/planner/helpers.js';

const dir = dirname(fileURLToPath(import.meta.url));
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.rego'))
  .sort()
  .map((file) => ({ note: file.replace(/\.rego$/, ''), file }));

describe('planner goldens', () => {
  it.each(cases)('$note', async ({ note, file }) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const entrypoints = (/^# entrypoints: (.*)$/m.exec(text)?.[1] ?? '').split(/\s+/).filter(Boolean);
    expect(entrypoints.length).toBeGreaterThan(0);
    await expect(printPolicy(planSources([text], entrypoints))).toMatchFileSnapshot(join(dir, `${note}.ir.txt`));
  });
});
