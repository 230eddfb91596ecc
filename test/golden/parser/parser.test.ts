// Golden tests for the parser: each <case>.rego here is parsed and printed with printModule into
// <case>.ast.txt (v0-*.rego as Rego v0), with diagnostics appended as `// code at file:row:col: message` trailer lines.
// Regenerate with `npx vitest run test/golden/parser -u` and review the diff.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { printModule } from '../../../engine/ast/print.js';
import { parse } from '../../../engine/parser/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const cases = readdirSync(here)
  .filter((f) => f.endsWith('.rego'))
  .sort()
  .map((f) => ({ note: f.replace(/\.rego$/, ''), file: f }));

/** render prints the module (if any) followed by one trailer line per diagnostic. */
function render(file: string, text: string): string {
  const r = parse({ name: file, text }, { regoVersion: file.startsWith('v0-') ? 'v0' : 'v1' });
  const ast = r.value === undefined ? '(no module)\n' : printModule(r.value);
  const trailer = r.diagnostics.map((d) => `// ${d.code} at ${d.location.file}:${d.location.row}:${d.location.col}: ${d.message}\n`);
  return ast + trailer.join('');
}

describe('parser goldens', () => {
  it('has a dozen cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  it.each(cases)('$note', async ({ note, file }) => {
    const text = readFileSync(join(here, file), 'utf8');
    const out = render(file, text);
    // only errors.rego is meant to contain mistakes
    expect(out.includes('// rego_parse_error')).toBe(note === 'errors');
    await expect(out).toMatchFileSnapshot(`./${note}.ast.txt`);
  });
});
