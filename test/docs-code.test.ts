// Docs and code agree, both ways: every key opa.config.yaml accepts is documented in
// docs/config.md and every documented key is accepted (the validator itself lists what it knows:
// an unknown key's error names the keys of its section); every option a command's usage lists is
// in its section of docs/cli.md, and every option that section names exists.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../proxy/cli/commands/index.js';
import { validateConfig } from '../proxy/config/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (p: string): string => readFileSync(resolve(root, p), 'utf8');

const minimal = {
  upstream: { database: 'app', user: 'gw' },
  identity: { issuer: 'https://idp.example', audience: 'portcullis', jwks: { url: 'https://idp.example/jwks' } },
  policy: { paths: ['policies'] },
};

/** keysOf asks the validator which keys a section accepts, by giving it one it does not. */
function keysOf(section: string): string[] {
  const doc = structuredClone(minimal) as Record<string, unknown>;
  let at = doc;
  for (const k of section === '' ? [] : section.split('.')) {
    if (typeof at[k] !== 'object' || at[k] === null) at[k] = {};
    at = at[k] as Record<string, unknown>;
  }
  at['__probe__'] = 1;
  const r = validateConfig(doc);
  const where = section === '' ? '__probe__' : `${section}.__probe__`;
  const line = r.ok ? undefined : r.errors.find((e) => e.startsWith(`${where}: unknown key`));
  const listed = /expected one of (.*)\)$/.exec(line ?? '')?.[1];
  if (listed === undefined) throw new Error(`the validator did not list the keys of ${section || 'the document'}`);
  return listed.split(', ').map((k) => (section === '' ? k : `${section}.${k}`));
}

/** SECTIONS are the objects of the document; their own keys are leaves or further sections. */
const SECTIONS = [
  '',
  'listen',
  'tls',
  'upstream',
  'upstream.pool',
  'identity',
  'identity.jwks',
  'identity.introspection',
  'policy',
  'policy.bundle',
  'policy.bundle.polling',
  'policy.bundle.credentials',
  'policy.bundle.credentials.bearer',
  'policy.signing',
  'limits',
  'log',
  'masking',
  'state',
  'approval',
  'admin',
  'admin.tls',
  'admin.rate_limit',
  'admin.console',
  'admin.console.oidc',
  'recording',
  'decision_logs',
  'decision_logs.file',
  'decision_logs.service',
];

/** documentedKeys reads the first column of docs/config.md's key table (`a` / `b` alternatives share a's parent). */
function documentedKeys(): Map<string, string> {
  const docs = read('docs/config.md');
  const table = docs.slice(docs.indexOf('## Keys'), docs.indexOf('\n## ', docs.indexOf('## Keys') + 1));
  const keys = new Map<string, string>();
  for (const row of table.split('\n').filter((l) => l.startsWith('| `'))) {
    const cell = row.split(' | ')[0]?.slice(2) ?? '';
    const names = [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    const first = names[0] ?? '';
    const parent = first.includes('.') ? first.slice(0, first.lastIndexOf('.') + 1) : '';
    for (const [i, name] of names.entries()) keys.set(i === 0 || name.includes('.') ? name : `${parent}${name}`, row);
  }
  return keys;
}

describe('docs/config.md and the validator', () => {
  const documented = documentedKeys();
  const accepted = SECTIONS.flatMap(keysOf);

  it.each(accepted.filter((k) => !SECTIONS.includes(k)))('documents %s', (key) => {
    // a key is documented in its own row, or inside the row of the object holding it (`identity.jwks`: `file: <path>`)
    const parent = key.slice(0, key.lastIndexOf('.'));
    const own = key.slice(key.lastIndexOf('.') + 1);
    const inParent = documented.get(parent)?.includes(`\`${own}`) === true;
    expect(documented.has(key) || inParent, `${key} is accepted by the validator but not documented in docs/config.md`).toBe(true);
  });

  it.each([...documented.keys()])('accepts the documented %s', (key) => {
    expect(accepted, `${key} is documented in docs/config.md but the validator does not accept it`).toContain(key);
  });
});

describe('docs/cli.md and the commands', () => {
  const docs = read('docs/cli.md');
  const sectionOf = (name: string): string => {
    const start = docs.indexOf(`## \`portcullis ${name}`);
    const end = docs.indexOf('\n## ', start + 1);
    return start < 0 ? '' : docs.slice(start, end < 0 ? undefined : end);
  };
  const longOptions = (text: string): string[] => [
    ...new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1] as string)),
  ];

  it.each(COMMANDS.map((c) => ({ name: c.name, usage: c.usage })))(
    '$name: every option of its usage is documented, and no other',
    ({ name, usage }) => {
      const section = sectionOf(name);
      expect(section, `docs/cli.md has no section for ${name}`).not.toBe('');
      const inUsage = longOptions(usage).filter((o) => o !== 'help');
      const inDocs = longOptions(section).filter((o) => o !== 'help');
      for (const o of inUsage) expect(inDocs, `--${o} of ${name} is missing from docs/cli.md`).toContain(o);
      for (const o of inDocs) expect(inUsage, `docs/cli.md names --${o} for ${name}, which it does not take`).toContain(o);
    },
  );
});
