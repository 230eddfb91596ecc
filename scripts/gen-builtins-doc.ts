import { writeFileSync } from 'node:fs';
import { NATIVE_BUILTINS } from '../engine/abi.js';
import { TEXT_BUILTINS } from '../engine/builtins-native/text.js';
import { DATA_BUILTINS } from '../engine/builtins-native/data.js';
import { TIME_BUILTINS } from '../engine/builtins-native/time.js';
import { BUILTINS } from '../engine/builtins/catalog.js';
import { loadTzdata } from '../engine/runtime/index.js';
import { LOADER_BUILTINS, SDK_BUILTINS } from '../engine/builtins/support.js';

const family = (n: string): string => (n in DATA_BUILTINS ? 'data' : n in TEXT_BUILTINS ? 'text' : n in TIME_BUILTINS ? 'time' : 'core');
/** tzdataVersion reads the IANA release recorded in the tzdata blob's header. */
function tzdataVersion(): string {
  const blob = loadTzdata();
  const at = new DataView(blob.buffer, blob.byteOffset).getUint32(12, true);
  return new TextDecoder().decode(blob.subarray(at + 1, at + 1 + blob[at]!));
}

const rows: string[] = [];
const counts = { native: 0, loader: 0, sdk: 0, host: 0 };

/** provision says how a module gets `name`, and which count it adds to. */
function provision(name: string): { how: string; kind: keyof typeof counts } {
  if (name in NATIVE_BUILTINS) return { how: `native (${family(name)})`, kind: 'native' };
  if (LOADER_BUILTINS.has(name)) {
    const sdk = SDK_BUILTINS.has(name) ? 'plain SDK: its own implementation' : 'plain SDK: pass `sdkHostBuiltins()`';
    return { how: `loader-supplied (${sdk})`, kind: 'loader' };
  }
  if (SDK_BUILTINS.has(name)) return { how: 'SDK-supplied', kind: 'sdk' };
  return { how: 'host-supplied', kind: 'host' };
}

for (const name of Object.keys(BUILTINS).sort()) {
  const d = BUILTINS[name]!;
  const { how, kind } = provision(name);
  counts[kind]++;
  const flags = [
    d.infix ? `infix \`${d.infix}\`` : '',
    d.variadic ? 'variadic' : '',
    d.deprecated ? 'deprecated' : '',
    d.nondeterministic ? 'non-deterministic' : '',
    d.effect ? 'effect' : '',
  ]
    .filter(Boolean)
    .join(', ');
  rows.push(`| \`${name}\` | ${d.variadic ? 'n' : d.arity} | ${how} | ${flags} |`);
}
const extra = Object.keys(NATIVE_BUILTINS)
  .filter((n) => !(n in BUILTINS))
  .sort();
const text = `# Builtins

Every OPA v1 builtin (engine/builtins/catalog.ts) and how a Portcullis module gets it. Generated
by \`npm run gen:builtins-doc\` from engine/abi.ts \`NATIVE_BUILTINS\`, engine/builtins/support.ts and
the catalog; \`npm run check:generated\` fails when this file is stale.

- **native**: implemented in the runtime (engine/runtime/as/builtins/, export \`bi_<name with . as _>\`),
  grouped as core (engine/abi.ts), text, data and time (engine/builtins-native/*.ts).
- **loader-supplied**: our loader (\`loadPolicy\`; engine/runtime/host-builtins.ts) provides it:
  \`time.now_ns\` (OPA's Wasm ABI has no clock import), \`opa.runtime\` (the loader's \`runtime\`
  option, default \`{}\` as in OPA without runtime information; never filled from process.env),
  \`rand.intn\` and \`uuid.rfc4122\` (from the host's Web Crypto: OPA marks them non-deterministic and
  caches them per query, so within one evaluation the same arguments give the same value;
  \`rand.intn(s, n)\` is an integer in [0, |n|), 0 for n = 0, and \`uuid.rfc4122\` a version-4 UUID) and
  \`yaml.*\` (on the \`yaml\` package, following OPA's sigs.k8s.io/yaml over go-yaml v2: YAML 1.1
  scalars, every document of a stream checked and the first returned, sorted keys, Go's number and
  quoting styles). A host builtin's error follows the module's mode as native ones do: undefined, or
  \`eval_builtin_error\` with strict builtin errors (our compiler records the mode in a
  \`portcullis.options\` custom section; modules without it, e.g. from \`opa build\`, keep host
  builtin errors as evaluation errors). With the
  plain SDK pass \`sdkHostBuiltins()\` from engine/index.ts as \`customBuiltins\`; the SDK keeps its
  own implementation of the builtins it has, so there \`yaml.*\` are the SDK's: YAML 1.2 scalars, a
  multi-document string is invalid, \`yaml.is_valid\` of a non-string and \`yaml.unmarshal\` of
  invalid YAML are undefined, \`yaml.marshal\` orders keys by code point (\`b10\` before \`b9\`)
  and indents sequences.
- **SDK-supplied**: not native; the plain \`@open-policy-agent/opa-wasm\` SDK implements it when the
  module lists it in its \`builtins\` export.
- **host-supplied**: none of the above; the host must provide it through \`env.opa_builtinN\`, otherwise the
  checker refuses the policy (\`unsupported builtin: …\`).

Notes **non-deterministic** (two calls with the same arguments may differ: the clock, entropy, the
network, the embedder; OPA's \`nondeterministic\` capability, plus the two
\`crypto.x509.parse_and_verify_certificates*\` that check validity against the clock) and **effect**
(printed output) mark the builtins that make a decision unmemoisable: an entrypoint that can reach a
call to one, or to any host-supplied builtin, has \`inputReads\` \`unbounded\` (docs/engine.md).

Time zones: \`time.date\`, \`time.clock\`, \`time.weekday\`, \`time.diff\`, \`time.add_date\` and \`time.format\` accept any
IANA zone name (and link) Go's \`time.LoadLocation\` accepts; \`""\` and \`"UTC"\` are UTC, \`"Local"\` is UTC
too (a module has no host zone). The zone database is engine/runtime/tzdata.bin (IANA tzdata
${tzdataVersion()}, ~130 kB, from Debian's tzdata by \`npm run gen:tzdata\`), embedded only in modules that call one of
these builtins.

Case mapping: \`lower\` and \`upper\` (and case-insensitive \`regex.*\` and \`glob.match\`) map each code point
alone as Go's \`unicode.ToLower\`/\`ToUpper\`: Unicode's simple case mapping at Go's Unicode version
(15.0.0), so \`upper("ß")\` is \`"ß"\`, \`lower("İ")\` is \`"i"\` and \`Σ\` always lowers to \`σ\` (no
final sigma). The table is engine/runtime/as/builtins/case-tables.ts, made by \`npm run gen:case-tables\`
(scripts/gen-case-tables.ts) from Node's per-code-point \`toLowerCase\`/\`toUpperCase\` kept only when
the result is one code point, plus the simple mappings whose full mapping is longer (İ, the Greek
letters with ypogegrammeni), minus the case pairs Unicode encoded after 15.0; \`npm run
check:generated\` fails when it is stale.

Totals: ${counts.native} native, ${counts.loader} loader-supplied, ${counts.sdk} SDK-supplied, ${counts.host} host-supplied${extra.length ? `; native but not in the catalog: ${extra.map((n) => `\`${n}\``).join(', ')}` : ''}.

| builtin | arity | provided | notes |
| --- | --- | --- | --- |
${rows.join('\n')}
`;
const out = new URL('../docs/builtins.md', import.meta.url);
if (process.argv.includes('--check')) {
  const { readFileSync } = await import('node:fs');
  if (readFileSync(out, 'utf8') !== text) {
    console.error('docs/builtins.md is stale: run npm run gen:builtins-doc');
    process.exit(1);
  }
} else writeFileSync(out, text);
console.log(
  `builtins: ${counts.native} native, ${counts.loader} loader-supplied, ${counts.sdk} SDK-supplied, ${counts.host} host-supplied`,
);
