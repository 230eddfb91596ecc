import { describe, expect, it } from 'vitest';
import { BUILD_USAGE } from '../../../proxy/cli/commands/build.js';
import { EVAL_USAGE } from '../../../proxy/cli/commands/eval.js';
import { run, USAGE } from '../../../proxy/cli/run.js';

async function invoke(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

describe('run (in process, without the compiler)', () => {
  it.each([
    { note: '--help', argv: ['--help'], code: 0, out: `${USAGE}\n`, err: '' },
    { note: 'help build', argv: ['help', 'build'], code: 0, out: `${BUILD_USAGE}\n`, err: '' },
    { note: 'eval -h', argv: ['eval', '-h'], code: 0, out: `${EVAL_USAGE}\n`, err: '' },
    { note: 'no arguments', argv: [], code: 2, out: '', err: `portcullis: missing command\n\n${USAGE}\n` },
    { note: 'unknown command', argv: ['nope'], code: 2, out: '', err: `portcullis: unknown command "nope"\n\n${USAGE}\n` },
    {
      note: 'build without paths',
      argv: ['build'],
      code: 2,
      out: '',
      err: `portcullis: build: at least one path is required\n\n${BUILD_USAGE}\n`,
    },
    {
      note: 'eval with a bad format',
      argv: ['eval', '-f', 'xml', 'x'],
      code: 2,
      out: '',
      err: `portcullis: eval: unknown format "xml" (expected pretty or json)\n\n${EVAL_USAGE}\n`,
    },
  ])('$note → $code', async ({ argv, code, out, err }) => {
    expect(await invoke(argv)).toEqual({ code, out, err });
  });
});

describe('build with an entrypoint that names no rule', () => {
  it('fails (exit 1), names the entrypoint and writes no bundle', async () => {
    const { mkdtempSync, existsSync, rmSync } = await import('node:fs');
    const { join, resolve } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-build-'));
    try {
      const output = join(dir, 'bundle.tar.gz');
      const policies = resolve(import.meta.dirname, '../../../policies');
      const r = await invoke(['build', policies, '-e', 'portcullis/decison', '-o', output]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/entrypoint "portcullis\/decison" does not refer to a rule or package/);
      expect(existsSync(output)).toBe(false);
      expect((await invoke(['build', policies, '-e', 'portcullis/decision', '-o', output])).code).toBe(0);
      expect(existsSync(output)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
