// The client side of PostgreSQL's password methods, as libpq does them: md5
// ('md5' + md5(md5(password + user) + salt)) and SCRAM-SHA-256 (RFC 5802 / RFC 7677, no channel
// binding: gs2 header "n,,"). SASLprep (RFC 4013) is simplified: non-ASCII spaces map to U+0020,
// "mapped to nothing" characters are removed and the result is NFKC-normalized; prohibited and
// bidirectional checks are skipped (PostgreSQL then uses the raw bytes, which for ASCII
// passwords is the same string). Upstream passwords are best kept ASCII.

import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { UpstreamAuthFailedError, UpstreamProtocolError } from './errors.js';

const pbkdf2Async = promisify(pbkdf2);

/** md5Password computes the md5 method's PasswordMessage text for the user, password and 4-byte salt. */
export function md5Password(user: string, password: string, salt: Uint8Array): string {
  const inner = createHash('md5')
    .update(password + user, 'utf8')
    .digest('hex');
  return (
    'md5' +
    createHash('md5')
      .update(Buffer.concat([Buffer.from(inner, 'utf8'), salt]))
      .digest('hex')
  );
}

/** ScramClient runs one SCRAM-SHA-256 exchange; each step throws an UpstreamError on a bad server message. */
export type ScramClient = {
  /** clientFirst is the SASLInitialResponse data (gs2 header + client-first-message-bare). */
  readonly clientFirst: string;
  /** clientFinal answers the server-first-message with the client-final-message (with proof). */
  clientFinal(serverFirst: string): Promise<string>;
  /** verifyServerFinal checks the server's signature in server-final-message; throws when it does not match. */
  verifyServerFinal(serverFinal: string): void;
};

const MAX_ITERATIONS = 1_000_000;

/** createScramClient starts an exchange for the password; `nonce` and `user` are injectable for the RFC 7677 test vector. */
export function createScramClient(password: string, options: { readonly nonce?: string; readonly user?: string } = {}): ScramClient {
  const nonce = options.nonce ?? randomBytes(18).toString('base64');
  // PostgreSQL ignores the SCRAM user name (it uses the startup packet's), so none is sent.
  const clientFirstBare = `n=${options.user ?? '*'},r=${nonce}`;
  let expectedServerSignature: Buffer | undefined;
  return {
    clientFirst: `n,,${clientFirstBare}`,
    async clientFinal(serverFirst) {
      const attrs = parseAttributes(serverFirst);
      const serverNonce = attrs.get('r');
      const saltB64 = attrs.get('s');
      const iterText = attrs.get('i');
      if (attrs.has('e')) throw new UpstreamAuthFailedError(`SCRAM error from the server (${attrs.get('e') ?? ''})`);
      if (serverNonce === undefined || saltB64 === undefined || iterText === undefined) {
        throw new UpstreamProtocolError('SCRAM server-first-message lacks r, s or i');
      }
      if (!serverNonce.startsWith(nonce) || serverNonce.length <= nonce.length) {
        throw new UpstreamProtocolError('SCRAM server nonce does not extend the client nonce');
      }
      if (!/^[1-9][0-9]{0,9}$/.test(iterText) || Number(iterText) > MAX_ITERATIONS) {
        throw new UpstreamProtocolError('SCRAM iteration count is invalid');
      }
      const salt = Buffer.from(saltB64, 'base64');
      if (salt.length === 0) throw new UpstreamProtocolError('SCRAM salt is empty');
      const salted = await pbkdf2Async(Buffer.from(saslPrep(password), 'utf8'), salt, Number(iterText), 32, 'sha256');
      const clientKey = hmac(salted, 'Client Key');
      const storedKey = createHash('sha256').update(clientKey).digest();
      const withoutProof = `c=biws,r=${serverNonce}`;
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
      const clientSignature = hmac(storedKey, authMessage);
      const proof = Buffer.alloc(clientKey.length);
      for (let i = 0; i < proof.length; i += 1) proof[i] = (clientKey[i] as number) ^ (clientSignature[i] as number);
      expectedServerSignature = hmac(hmac(salted, 'Server Key'), authMessage);
      return `${withoutProof},p=${proof.toString('base64')}`;
    },
    verifyServerFinal(serverFinal) {
      const attrs = parseAttributes(serverFinal);
      if (attrs.has('e')) throw new UpstreamAuthFailedError(`SCRAM error from the server (${attrs.get('e') ?? ''})`);
      const v = attrs.get('v');
      if (expectedServerSignature === undefined) throw new UpstreamProtocolError('SCRAM server-final-message before server-first-message');
      const got = Buffer.from(v ?? '', 'base64');
      if (got.length !== expectedServerSignature.length || !timingSafeEqual(got, expectedServerSignature)) {
        throw new UpstreamProtocolError('SCRAM server signature does not match (the upstream may be an impostor)');
      }
    },
  };
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

/** parseAttributes reads `a=value,b=value` (values may contain '='). */
function parseAttributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) continue;
    out.set(part[0] as string, part.slice(2));
  }
  return out;
}

// RFC 3454 C.1.2 (non-ASCII space) → U+0020; B.1 (commonly mapped to nothing) → removed.
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
// biome-ignore lint/suspicious/noMisleadingCharacterClass: each joiner and variation selector is listed to be removed on its own
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;

/** saslPrep is the simplified SASLprep described in the file header. */
function saslPrep(password: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is all of ASCII, control characters included
  if (/^[\x00-\x7f]*$/.test(password)) return password;
  return password.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC');
}
