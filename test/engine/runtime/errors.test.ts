// Abort-message parsing into PolicyEvalError (regoCode, location) and the error classes' codes.

import { describe, expect, it } from 'vitest';
import { PolicyEvalError, PolicyLoadError, evalErrorFromAbort } from '../../../engine/runtime/errors.js';

describe('evalErrorFromAbort', () => {
  it.each([
    {
      note: 'file:row: code: message',
      message: 'policy.rego:12: eval_conflict_error: complete rules must not produce multiple outputs',
      regoCode: 'eval_conflict_error',
      location: 'policy.rego:12',
    },
    {
      note: 'path with colons and dirs',
      message: 'a/b:c.rego:3: eval_type_error: x: y',
      regoCode: 'eval_type_error',
      location: 'a/b:c.rego:3',
    },
    {
      note: 'code without location',
      message: 'eval_internal_error: invalid input JSON',
      regoCode: 'eval_internal_error',
      location: undefined,
    },
    { note: 'free text', message: 'out of memory', regoCode: undefined, location: undefined },
  ])('$note', ({ message, regoCode, location }) => {
    const e = evalErrorFromAbort(message);
    expect(e).toBeInstanceOf(PolicyEvalError);
    expect(e).toMatchObject({ code: 'ERR_ENGINE_EVAL', name: 'PolicyEvalError', message, regoCode, location });
  });

  it('gives load errors their own code and keeps the cause', () => {
    const cause = new Error('inner');
    expect(new PolicyLoadError('bad', { cause })).toMatchObject({
      code: 'ERR_ENGINE_LOAD',
      name: 'PolicyLoadError',
      message: 'bad',
      cause,
    });
  });
});
