import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../proxy/cli/io.js';
import { reportDiagnostics, reportError } from '../../../proxy/cli/report.js';
import { BundleDataConflict } from '../../../bundles/errors.js';
import { DemoStateMissing, PostgresLaunchError } from '../../../proxy/dev/index.js';

function capture(debug = false): { io: CliIo; err: () => string } {
  let err = '';
  return {
    io: {
      stdout: () => undefined,
      stderr: (t) => {
        err += t;
      },
      debug,
    },
    err: () => err,
  };
}

class FakeEvalError extends Error {
  readonly code = 'ERR_ENGINE_EVAL';
}

function enoent(): NodeJS.ErrnoException {
  return Object.assign(new Error("ENOENT: no such file or directory, open 'x.tar.gz'"), {
    code: 'ENOENT',
    syscall: 'open',
    path: 'out/x.tar.gz',
  });
}

describe('reportError', () => {
  it.each([
    {
      note: 'a bundle error',
      error: new BundleDataConflict('d.json: conflicting values for data.a'),
      want: 'portcullis: d.json: conflicting values for data.a\n',
    },
    {
      note: 'an evaluation error',
      error: new FakeEvalError('p.rego:3: eval_conflict_error: complete rules must not produce multiple outputs'),
      want: 'portcullis: p.rego:3: eval_conflict_error: complete rules must not produce multiple outputs\n',
    },
    { note: 'a string thrown by the SDK', error: 'q.rego:1: eval_type_error: bad', want: 'portcullis: q.rego:1: eval_type_error: bad\n' },
    { note: 'a file-system error', error: enoent(), want: 'portcullis: out/x.tar.gz: no such file or directory\n' },
    { note: 'an unexpected error', error: new TypeError('boom'), want: 'portcullis: internal error: boom\n' },
  ])('prints $note as one line and returns 1', ({ error, want }) => {
    const c = capture();
    expect(reportError(c.io, error)).toBe(1);
    expect(c.err()).toBe(want);
  });

  it('adds the stack of unexpected errors only in debug mode', () => {
    const c = capture(true);
    reportError(c.io, new Error('boom'));
    expect(c.err()).toMatch(/^portcullis: internal error: boom\nError: boom\n\s+at /);
  });

  it.each([
    {
      note: 'a PostgreSQL launch failure (B4)',
      error: new PostgresLaunchError('initdb exited with code 1: could not create directory'),
      want: 'portcullis: initdb exited with code 1: could not create directory\n',
    },
    {
      note: 'a missing demo state',
      error: new DemoStateMissing('no demo issuer state at /x/issuer.json'),
      want: 'portcullis: no demo issuer state at /x/issuer.json\n',
    },
    {
      note: "Node's own coded error (a bug of ours)",
      error: Object.assign(new TypeError('bad arg'), { code: 'ERR_INVALID_ARG_TYPE' }),
      want: 'portcullis: internal error: bad arg\n',
    },
  ])('prints $note by the rule on codes', ({ error, want }) => {
    const c = capture();
    expect(reportError(c.io, error)).toBe(1);
    expect(c.err()).toBe(want);
  });

  it('treats the engine internal error as internal', () => {
    const c = capture();
    reportError(c.io, Object.assign(new Error('internal compiler error: x'), { code: 'ERR_ENGINE_INTERNAL' }));
    expect(c.err()).toBe('portcullis: internal error: internal compiler error: x\n');
  });
});

describe('reportDiagnostics', () => {
  it('prints every diagnostic on its own line', () => {
    const c = capture();
    const loc = (row: number) => ({ file: 'p.rego', row, col: 2, offset: 0, length: 1 });
    reportDiagnostics(
      c.io,
      [
        { code: 'rego_parse_error', severity: 'error', message: 'unexpected }', location: loc(1) },
        { code: 'rego_type_error', severity: 'error', message: 'bad', location: loc(4) },
      ],
      (d) => `${d.location.file}:${d.location.row}:${d.location.col}: ${d.code}: ${d.message}`,
    );
    expect(c.err()).toBe('p.rego:1:2: rego_parse_error: unexpected }\np.rego:4:2: rego_type_error: bad\n');
  });
});
