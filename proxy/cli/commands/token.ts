// `portcullis token`: mint one token (sub, extra claims, ttl) with the running demo's dev issuer,
// restored by proxy/dev from the demo's state directory, and print it on stdout, ready to be used
// as a PostgreSQL password.

import { parseDuration } from '../../config/index.js';
import { options, parseFlags, usageError } from '../command.js';
import type { CliCommand } from '../command.js';
import { EXIT } from '../io.js';

/** DEFAULT_TOKEN_TTL_SECONDS is the lifetime of `portcullis token` tokens without `--ttl` (15 minutes). */
export const DEFAULT_TOKEN_TTL_SECONDS = 900;

/** TokenOptions are a parsed `token` invocation. */
export type TokenOptions = {
  readonly sub: string;
  /** claims from `--claim k=v`; v is parsed as JSON when it is JSON (numbers, true, ["a"]), else kept as a string. */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly ttlSeconds: number;
  readonly stateDir?: string;
};

/** TOKEN_USAGE is the help text of `portcullis token`. */
export const TOKEN_USAGE = `Usage: portcullis token --sub <name> [--claim k=v]... [--ttl 15m] [--state <dir>]

Mints a token with the running demo's issuer and prints it (use it as the password).

Options:
  --sub <name>         subject (the agent's name)
  --claim <k=v>        extra claim (repeatable); v is JSON when it parses (42, true, ["a","b"]), else a string
  --ttl <duration>     lifetime: 30s, 15m, 1h (default 15m)
  -s, --state <dir>    a demo's state directory (default: the running demo's)
  -h, --help           show this text`;

/** RESERVED_CLAIMS are set by the issuer; `--claim` cannot override them. */
const RESERVED_CLAIMS = new Set(['iss', 'sub', 'aud', 'iat', 'exp', 'nbf', 'jti']);

/** tokenCommand is `portcullis token`. */
export const tokenCommand: CliCommand<TokenOptions> = {
  name: 'token',
  summary: `token --sub <name> [--claim k=v]... [--ttl 15m] [--state <dir>]
Mint an agent token with the running demo's issuer.`,
  usage: TOKEN_USAGE,
  parse: (argv) =>
    parseFlags(
      argv,
      {
        sub: { type: 'string' },
        claim: { type: 'string', multiple: true },
        ttl: { type: 'string' },
        state: { type: 'string', short: 's' },
      },
      false,
      ({ values: v }) => {
        if (v.sub === undefined || v.sub.trim() === '') return usageError('token: --sub <name> is required');
        const claims: Record<string, unknown> = {};
        for (const c of v.claim ?? []) {
          const eq = c.indexOf('=');
          const key = eq < 0 ? '' : c.slice(0, eq).trim();
          if (key === '') return usageError(`token: --claim ${JSON.stringify(c)} must be key=value`);
          if (RESERVED_CLAIMS.has(key)) return usageError(`token: --claim cannot set "${key}" (the issuer sets it; use --sub or --ttl)`);
          if (Object.hasOwn(claims, key)) return usageError(`token: --claim "${key}" given twice`);
          claims[key] = claimValue(c.slice(eq + 1));
        }
        let ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS;
        if (v.ttl !== undefined) {
          const ms = parseTtl(v.ttl);
          if (ms === undefined || ms < 1000)
            return usageError(`token: --ttl ${JSON.stringify(v.ttl)} is not a duration of at least 1s (e.g. 30s, 15m, 1h)`);
          ttlSeconds = Math.floor(ms / 1000);
        }
        if (v.state === '') return usageError('token: --state must not be empty');
        return options({ sub: v.sub, claims, ttlSeconds, ...(v.state !== undefined ? { stateDir: v.state } : {}) });
      },
    ),
  async run(cmd, io) {
    const { mintFromState } = await import('../../dev/index.js');
    // No running demo, or a missing or unreadable state (DemoStateMissing, IssuerStateInvalid), reaches report.ts: one line, exit 1.
    const token = await mintFromState(cmd.stateDir, {
      sub: cmd.sub,
      claims: cmd.claims,
      ttlSeconds: cmd.ttlSeconds,
    });
    io.stdout(`${token}\n`);
    return EXIT.ok;
  },
};

/** parseTtl reads --ttl with the configuration's duration grammar (30s, 15m, 1.5h, 1h30m, or a number of seconds as YAML would read it). */
function parseTtl(text: string): number | undefined {
  return parseDuration(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
}

/** claimValue parses `--claim` values: JSON when the text is JSON, else the text itself. */
function claimValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
