// Every stable error code the code base defines has a row in docs/errors.md (fastify's
// test/internals/errors.test.js does the same for its FST_ERR_* table).

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLE_ERROR_CODES } from '../bundles/index.js';
import { AUTH_ERROR_CODES } from '../proxy/auth/index.js';
import { WIRE_ERROR_CODES } from '../proxy/wire/index.js';
import { DECISION_ERROR_CODES } from '../proxy/decision/index.js';
import { SQL_ERROR_CODES } from '../proxy/sql/index.js';
import { ACTION_ERROR_CODES } from '../proxy/actions/index.js';
import { STARTUP_ERROR_CODES } from '../proxy/session/index.js';
import { UPSTREAM_ERROR_CODES } from '../proxy/upstream/index.js';
import { PolicyEvalError, PolicyLoadError } from '../engine/runtime/index.js';
import { DIAGNOSTIC_CODES, InternalCompilerError } from '../engine/diagnostics/index.js';

const docs = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../docs/errors.md'), 'utf8');

const codes = [
  ...BUNDLE_ERROR_CODES,
  ...AUTH_ERROR_CODES,
  ...WIRE_ERROR_CODES,
  ...DECISION_ERROR_CODES,
  ...SQL_ERROR_CODES,
  ...ACTION_ERROR_CODES,
  ...STARTUP_ERROR_CODES,
  ...UPSTREAM_ERROR_CODES,
  'ERR_PROXY_CONFIG_INVALID',
  'ERR_PROXY_POSTGRES_LAUNCH',
  'ERR_PROXY_DEMO_STATE_MISSING',
  new PolicyEvalError('x').code,
  new PolicyLoadError('x').code,
  new InternalCompilerError('x').code,
  ...DIAGNOSTIC_CODES,
  'eval_conflict_error',
  'eval_type_error',
  'eval_builtin_error',
  'eval_internal_error',
];

describe('docs/errors.md', () => {
  it.each(codes.map((code) => ({ code })))('has a row for $code', ({ code }) => {
    expect(docs).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });
});
