// `portcullis sign`: a bundle tarball + a private key → the same bundle with `/.signatures.json`
// in OPA's format (bundles.signBundle), written in place or to -o. Composition only: signing
// lives in bundles/signing (loaded lazily).

import { readFileSync, writeFileSync } from 'node:fs';
import { SIGNING_KEY_ALGORITHMS } from '../../config/index.js';
import { options, parseFlags, usageError } from '../command.js';
import type { CliCommand } from '../command.js';
import { EXIT } from '../io.js';

/** SIGN_ALGORITHMS is the configuration's list (the same as bundles' SIGNING_ALGORITHMS), so parsing loads no bundle code. */
const SIGN_ALGORITHMS = SIGNING_KEY_ALGORITHMS;

/** SignOptions are a parsed `sign` invocation. */
export type SignOptions = {
  readonly bundle: string;
  readonly keyFile: string;
  readonly kid: string;
  readonly alg: (typeof SIGN_ALGORITHMS)[number];
  readonly scope?: string;
  /** output is where the signed bundle goes (default: the bundle itself). */
  readonly output: string;
};

/** SIGN_USAGE is the help text of `portcullis sign`. */
export const SIGN_USAGE = `Usage: portcullis sign <bundle.tar.gz> --key <key.pem> --kid <id> [--alg ES256] [--scope <scope>] [-o <file>]

Adds /.signatures.json to the bundle in OPA's format (a JWT listing every file's hash), so both
portcullis (policy.signing.keys) and OPA (--verification-key) can verify it.

Options:
  --key <file>        private key: PEM (PKCS#8, PKCS#1, SEC1) or a JWK; the shared secret for HS*
  --kid <id>          key id written into the JWT (the id verifiers look the key up by)
  --alg <alg>         ${SIGN_ALGORITHMS.join(', ')} (default ES256)
  --scope <scope>     scope claim, when the verifying key requires one
  -o, --output <file> where to write the signed bundle (default: sign the bundle in place)
  -h, --help          show this text`;

/** signCommand is `portcullis sign`. */
export const signCommand: CliCommand<SignOptions> = {
  name: 'sign',
  summary: `sign <bundle.tar.gz> --key <key.pem> --kid <id> [--alg ES256] [--scope S] [-o out.tar.gz]
Sign a bundle (adds /.signatures.json in OPA's format; in place unless -o).`,
  usage: SIGN_USAGE,
  parse: (argv) =>
    parseFlags(
      argv,
      {
        key: { type: 'string' },
        kid: { type: 'string' },
        alg: { type: 'string' },
        scope: { type: 'string' },
        output: { type: 'string', short: 'o' },
      },
      true,
      ({ values: v, positionals }) => {
        if (positionals.length !== 1) return usageError('sign: exactly one bundle file is required');
        const bundle = positionals[0] as string;
        if (v.key === undefined || v.key === '') return usageError('sign: --key <file> is required');
        if (v.kid === undefined || v.kid.trim() === '') return usageError('sign: --kid <id> is required');
        const alg = SIGN_ALGORITHMS.find((a) => a === (v.alg ?? 'ES256'));
        if (alg === undefined) return usageError(`sign: --alg ${JSON.stringify(v.alg)} is not one of ${SIGN_ALGORITHMS.join(', ')}`);
        if (v.output === '') return usageError('sign: --output must not be empty');
        return options({
          bundle,
          keyFile: v.key,
          kid: v.kid,
          alg,
          ...(v.scope !== undefined ? { scope: v.scope } : {}),
          output: v.output ?? bundle,
        });
      },
    ),
  async run(cmd, io) {
    const { readBundleTarball, signBundle } = await import('../../../bundles/index.js');
    const bytes = readFileSync(cmd.bundle);
    // refuse to sign what no gateway could load (a typo'd path to some other archive)
    await readBundleTarball(bytes);
    const keyText = readFileSync(cmd.keyFile, 'utf8');
    const key = cmd.alg.startsWith('HS') ? keyText.replace(/\r?\n$/, '') : keyText;
    const signed = await signBundle(bytes, { key, kid: cmd.kid, alg: cmd.alg, ...(cmd.scope !== undefined ? { scope: cmd.scope } : {}) });
    writeFileSync(cmd.output, signed);
    io.stderr(`signed ${cmd.output} with key ${JSON.stringify(cmd.kid)} (${cmd.alg})\n`);
    return EXIT.ok;
  },
};
