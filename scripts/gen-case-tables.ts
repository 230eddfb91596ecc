// Generates engine/runtime/as/builtins/case-tables.ts: the per-code-point case mapping `lower` and
// `upper` (and the regex/glob case folding) use, as Go's unicode.ToLower/ToUpper (strings.ToLower
// and ToUpper map rune by rune): Unicode's simple case mapping (UnicodeData.txt fields 12 and 13)
// at the Unicode version of Go's unicode package (15.0.0).
//
// Source: Node's String.prototype.toLowerCase/toUpperCase applied to each code point alone (so
// no context: no final sigma), keeping only single-code-point results. That is the simple mapping
// except where SpecialCasing.txt gives a longer full mapping; there:
// - the simple mapping is "none" (ß, ŉ, ǰ, ΐ, the ligatures ﬀ…, …): the code point stays as it is,
//   which dropping multi-code-point results already gives;
// - the simple mapping exists (SIMPLE_ONLY below: İ → i, the Greek letters with ypogegrammeni
//   ᾀ → ᾈ, ᾳ → ᾼ, …): added back by hand.
// Case pairs Unicode encoded after 15.0 (AFTER_GO below) are dropped, whatever Node's Unicode
// version. The list was checked against Perl's Unicode::UCD charinfo (UnicodeData 14.0; 15.0 added
// no case pairs): the result is exactly its simple upper/lower fields. A Node with a newer
// Unicode than 17.0 may add pairs: --check then fails and AFTER_GO needs the new ranges.
//
// Table format: entries of four i32 [first, last, delta, stride]: every code point c in
// [first, last] (every other one from `first` when stride is 2) maps to c + delta. Entries are
// sorted and disjoint, for a binary search.
//
// Usage: tsx scripts/gen-case-tables.ts [--check]   (npm run gen:case-tables; check:generated runs --check)

import { readFileSync, writeFileSync } from 'node:fs';

/** SIMPLE_ONLY: simple mappings whose full mapping (SpecialCasing.txt) has several code points. */
const SIMPLE_ONLY: ReadonlyArray<{ cp: number; lower?: number; upper?: number }> = [
  { cp: 0x130, lower: 0x69 },
  ...[0x1f80, 0x1f90, 0x1fa0].flatMap((base) => Array.from({ length: 8 }, (_, i) => ({ cp: base + i, upper: base + i + 8 }))),
  { cp: 0x1fb3, upper: 0x1fbc },
  { cp: 0x1fc3, upper: 0x1fcc },
  { cp: 0x1ff3, upper: 0x1ffc },
];

/** AFTER_GO: code point ranges of case pairs encoded after Unicode 15.0 (Go's unicode tables). */
const AFTER_GO: ReadonlyArray<readonly [number, number, string]> = [
  [0x019b, 0x019b, '16.0: ƛ gained upper case Ƛ (U+A7DC)'],
  [0x0264, 0x0264, '16.0: ɤ gained upper case Ɤ (U+A7CB)'],
  [0x1c89, 0x1c8a, '16.0: Cyrillic Tje'],
  [0xa7cb, 0xa7cd, '16.0: Latin Extended-D additions'],
  [0xa7ce, 0xa7cf, '17.0: Latin Extended-D additions'],
  [0xa7d2, 0xa7d5, '17.0: Latin Extended-D additions'],
  [0xa7da, 0xa7dc, '16.0: Latin Extended-D additions'],
  [0x10d50, 0x10d85, '16.0: Garay'],
  [0x16ea0, 0x16ed3, '17.0: Beria Erfe'],
];

const afterGo = (c: number): boolean => AFTER_GO.some(([a, b]) => c >= a && c <= b);

/** single returns the code point `s` maps to when it is one code point other than c, else undefined. */
function single(c: number, s: string): number | undefined {
  const cps = [...s];
  if (cps.length !== 1) return undefined;
  const m = cps[0]!.codePointAt(0)!;
  return m === c ? undefined : m;
}

/** mapping returns c → mapped for one direction. */
function mapping(dir: 'lower' | 'upper'): Map<number, number> {
  const out = new Map<number, number>();
  for (let c = 0; c <= 0x10ffff; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    if (afterGo(c)) continue;
    const ch = String.fromCodePoint(c);
    const m = single(c, dir === 'lower' ? ch.toLowerCase() : ch.toUpperCase());
    if (m !== undefined && !afterGo(m)) out.set(c, m);
  }
  for (const e of SIMPLE_ONLY) {
    const m = e[dir];
    if (m !== undefined) out.set(e.cp, m);
  }
  return out;
}

type Range = [first: number, last: number, delta: number, stride: number];

/** ranges compresses a mapping into sorted, disjoint [first, last, delta, stride] entries. */
function ranges(map: Map<number, number>): Range[] {
  const cps = [...map.keys()].sort((a, b) => a - b);
  const out: Range[] = [];
  let i = 0;
  while (i < cps.length) {
    const first = cps[i]!;
    const delta = map.get(first)! - first;
    const next = cps[i + 1];
    let last = first;
    let stride = 1;
    if (next === first + 2 && map.get(next)! - next === delta && !map.has(first + 1)) stride = 2;
    let j = i + 1;
    while (j < cps.length) {
      const c = cps[j]!;
      if (c !== last + stride || map.get(c)! - c !== delta) break;
      if (stride === 2 && map.has(c - 1)) break;
      last = c;
      j++;
    }
    out.push([first, last, delta, last === first ? 1 : stride]);
    i = j;
  }
  return out;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function table(name: string, rs: Range[]): string {
  const rows = rs.map(([a, b, d, s]) => `  ${hex(a)}, ${hex(b)}, ${d}, ${s},`).join('\n');
  return `/** ${name} has ${rs.length} entries. */\nexport const ${name}_LEN: i32 = ${rs.length};\nexport const ${name}: usize = memory.data<i32>([\n${rows}\n]);\n`;
}

const lower = mapping('lower');
const upper = mapping('upper');
const text = `// Generated by scripts/gen-case-tables.ts (npm run gen:case-tables): do not edit.
// Go's simple case mapping (unicode.ToLower/ToUpper, Unicode 15.0.0) as [first, last, delta, stride]
// entries: every code point c in [first, last] (every other one from first when stride is 2) maps
// to c + delta. ${lower.size} code points have a lower-case mapping, ${upper.size} an upper-case one.

${table('LOWER_RANGES', ranges(lower))}
${table('UPPER_RANGES', ranges(upper))}`;

const out = new URL('../engine/runtime/as/builtins/case-tables.ts', import.meta.url);
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    // missing: stale
  }
  if (current !== text) {
    console.error('engine/runtime/as/builtins/case-tables.ts is stale: run npm run gen:case-tables');
    process.exit(1);
  }
} else writeFileSync(out, text);
console.log(`case tables: ${lower.size} lower, ${upper.size} upper mappings (Node Unicode ${process.versions.unicode})`);
