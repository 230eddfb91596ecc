import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as errors from '../../bundles/errors.js';

const docs = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/errors.md'), 'utf8');

const instances: errors.AnyBundleError[] = [
  new errors.BundleArchiveInvalid('a'),
  new errors.BundleManifestMissing(),
  new errors.BundleManifestInvalid('b'),
  new errors.BundleWasmMissing('c'),
  new errors.BundleWasmInvalid('d'),
  new errors.BundleDataInvalid('e'),
  new errors.BundleDataConflict('f'),
  new errors.BundlePathNotFound('g'),
  new errors.BundleNoEntrypoints(),
  new errors.BundleEntrypointUndefined('h'),
  new errors.BundleKeyInvalid('i'),
  new errors.BundleSignatureMissing('j'),
  new errors.BundleSignatureMultiple('k'),
  new errors.BundleSignatureMalformed('l'),
  new errors.BundleSignatureKeyUnknown('m'),
  new errors.BundleSignatureInvalid('n'),
  new errors.BundleSignatureScope('o'),
  new errors.BundleSignatureUnverified('u'),
  new errors.BundleFileUnsigned('p'),
  new errors.BundleFileMissing('q'),
  new errors.BundleFileDigestMismatch('r'),
  new errors.BundleRollback('s'),
];

describe('bundle errors', () => {
  it.each(instances.map((e) => ({ note: e.name, e })))('$note is a BundleError with a listed, documented code', ({ e }) => {
    expect(e).toBeInstanceOf(errors.BundleError);
    expect(e).toBeInstanceOf(Error);
    expect(errors.isBundleError(e)).toBe(true);
    expect(errors.BUNDLE_ERROR_CODES).toContain(e.code);
    expect(docs).toContain(`| \`${e.code}\` |`);
  });

  it('has one subclass per code', () => {
    expect(new Set(instances.map((e) => e.code))).toEqual(new Set(errors.BUNDLE_ERROR_CODES));
  });

  it('chains the cause', () => {
    const cause = new SyntaxError('x');
    expect(new errors.BundleDataInvalid('bad', { cause }).cause).toBe(cause);
  });

  it('does not take plain errors for bundle errors', () => {
    expect(errors.isBundleError(Object.assign(new Error('x'), { code: 'ERR_BUNDLE_DATA_INVALID' }))).toBe(false);
  });
});
