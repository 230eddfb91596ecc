// Every `portcullis` command shown in README.md and docs/*.md works from a fresh clone: each is run
// (through bin/portcullis.js, as npx does) in a scratch directory that sees the repository's
// policies/, and where a doc shows the output (`$ portcullis …` in a console block) the output
// must be exactly that. Commands that start servers (serve, demo), need a running demo (token) or
// a running gateway's admin API (approvals) are exercised by the e2e, demo and CLI tests; `npm run …` scripts are what npm test itself runs.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(root, 'bin', 'portcullis.js');
/** NOT_RUN are the subcommands checked elsewhere (servers (serve, bundle serve), minting for a running demo, the admin API's clients, the state store's readers). */
const NOT_RUN = new Set(['bundle', 'serve', 'demo', 'token', 'approvals', 'audit', 'sessions', 'replay']);

type Example = { readonly file: string; readonly argv: readonly string[]; readonly output?: string };

/** shellWords splits a command line the way sh does for the quoting the docs use ('…' and "…"). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let any = false;
  for (const ch of line) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      any = true;
    } else if (ch === ' ') {
      if (word !== '' || any) words.push(word);
      word = '';
      any = false;
    } else word += ch;
  }
  if (word !== '' || any) words.push(word);
  return words;
}

/** examples reads the `portcullis` commands of the fenced sh/console blocks of a Markdown file. */
function examples(file: string): Example[] {
  const text = readFileSync(join(root, file), 'utf8');
  const out: Example[] = [];
  for (const block of text.matchAll(/```(sh|console)\n([\s\S]*?)```/g)) {
    const lines = (block[2] ?? '').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? '';
      const command =
        block[1] === 'console' ? /^\$ (?:npx )?portcullis (.*)$/.exec(line)?.[1] : /^npx portcullis (.*?)(\s+#.*)?$/.exec(line)?.[1];
      if (command === undefined) continue;
      const argv = shellWords(command.trim());
      let output: string | undefined;
      if (block[1] === 'console') {
        const shown: string[] = [];
        for (let j = i + 1; j < lines.length && !(lines[j] ?? '').startsWith('$ '); j++) shown.push(lines[j] ?? '');
        output = `${shown.join('\n').replace(/\n+$/, '')}\n`;
      }
      out.push({ file, argv, ...(output !== undefined ? { output } : {}) });
    }
  }
  return out;
}

const FILES = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const ALL = FILES.flatMap(examples);
const RUN = ALL.filter((e) => !NOT_RUN.has(e.argv[0] ?? ''));

const scratch = mkdtempSync(join(tmpdir(), 'portcullis-docs-'));
symlinkSync(join(root, 'policies'), join(scratch, 'policies'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function portcullis(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...argv], { cwd: scratch, timeout: 120_000 }, (err, stdout, stderr) => {
      done({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

describe('commands shown in the docs', () => {
  it('finds the commands (README and docs/cli.md show some)', () => {
    expect(RUN.filter((e) => e.file === 'README.md').length).toBeGreaterThanOrEqual(3);
    expect(RUN.filter((e) => e.file === 'docs/cli.md').length).toBeGreaterThanOrEqual(3);
  });

  it.each(RUN.map((e) => ({ ...e, shown: `${e.file}: portcullis ${e.argv.join(' ')}` })))(
    'runs $shown',
    async ({ argv, output }) => {
      const r = await portcullis(argv);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      if (output === undefined) {
        expect(r.code, r.stderr).toBe(0);
        // a query that matches nothing prints [] — an example must show something
        if (argv[0] === 'eval') expect(r.stdout.trim()).not.toBe('[]');
      } else {
        expect(r.stdout).toBe(output);
      }
    },
    120_000,
  );
});
