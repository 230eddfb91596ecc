// Robustness: every module, query and input_term in OPA's conformance corpus (all valid Rego v1)
// parses with zero diagnostics, and the parser never throws on cut files or random bytes.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPA_CORPUS } from '../../helpers/shared.js';
import { parse as parseYaml } from 'yaml';
import { formatDiagnostic } from '../../../engine/diagnostics/index.js';
import { parse, parseQuery, parseTerm } from '../../../engine/parser/index.js';

const CORPUS = OPA_CORPUS;

type Case = { note: string; modules?: string[]; query?: string; input_term?: string };
type Item = { note: string; kind: 'module' | 'query' | 'term'; text: string; name: string };

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
    });
}

function corpusItems(): Item[] {
  const items: Item[] = [];
  for (const file of yamlFiles(CORPUS)) {
    const doc = parseYaml(readFileSync(file, 'utf8')) as { cases?: Case[] };
    const rel = file.slice(CORPUS.length + 1);
    (doc.cases ?? []).forEach((c, i) => {
      const note = `${rel}#${i} ${c.note}`;
      for (const [k, text] of (c.modules ?? []).entries())
        items.push({ note: `${note} module ${k}`, kind: 'module', text, name: `test-${k}.rego` });
      if (c.query !== undefined) items.push({ note: `${note} query`, kind: 'query', text: c.query, name: 'query' });
      if (c.input_term !== undefined) items.push({ note: `${note} input_term`, kind: 'term', text: c.input_term, name: 'term' });
    });
  }
  return items;
}

function diagnosticsOf(item: Item): string[] {
  const r =
    item.kind === 'module'
      ? parse({ name: item.name, text: item.text })
      : item.kind === 'query'
        ? parseQuery(item.text)
        : parseTerm(item.text);
  return r.diagnostics.map(formatDiagnostic);
}

const haveCorpus = existsSync(CORPUS);

if (haveCorpus) {
  describe('OPA conformance corpus parses cleanly', () => {
    const items = corpusItems();
    it('found the corpus', () => {
      expect(items.filter((i) => i.kind === 'module').length).toBeGreaterThan(500);
    });
    it.each(items)('$note', (item) => {
      expect(diagnosticsOf(item)).toEqual([]);
    });
  });
} else {
  describe('OPA conformance corpus', () => {
    it('is not available here', () => {
      console.info(`note: ${CORPUS} is missing; corpus robustness checks not run`);
      expect(haveCorpus).toBe(false);
    });
  });
}

const SAMPLES = [
  `# METADATA
# entrypoint: true
package a.b

import rego.v1

default allow := false

allow if {
	some role in input.roles
	role == "admin"
	every x in input.xs { x > 0 }
}

obj[k] := v if { some k, v in {"a": 1} }
f(x) := y if y := x + -1 else := 0
s contains x if x := [y | y := input.ys[_]; y != "z"][_]
raw := \`multi
line\`
`,
  `package q
p := {"a": {1, 2}, "b": {k: v | v := data.m[k]}}
q if not input.x with input as {"x": false}
r := count([1, 2]) * 3 % 2
a.b[c].d contains "x" if c := "k"
`,
];

describe('parser never throws', () => {
  const cuts = SAMPLES.flatMap((text, s) =>
    Array.from({ length: text.length + 1 }, (_, n) => ({ note: `sample ${s} cut at ${n}`, text: text.slice(0, n) })),
  );

  it('on any prefix cut of real modules', () => {
    let withErrors = 0;
    for (const { text } of cuts) {
      const r = parse({ name: 'cut.rego', text });
      expect(Array.isArray(r.diagnostics)).toBe(true);
      if (r.diagnostics.length > 0) withErrors++;
      parseQuery(text);
      parseTerm(text);
    }
    // most cuts are broken, and the complete samples are not
    expect(withErrors).toBeGreaterThan(cuts.length / 2);
    for (const text of SAMPLES) expect(parse({ name: 'full.rego', text }).diagnostics).toEqual([]);
  });

  it('on random bytes and token soup', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pieces = [
      'package p\n',
      'p',
      ' ',
      '\n',
      ':=',
      '=',
      '{',
      '}',
      '[',
      ']',
      '(',
      ')',
      '|',
      ',',
      ';',
      'if',
      'else',
      'some',
      'every',
      'in',
      'not',
      'with',
      'as',
      '"s',
      '`',
      '1',
      '-',
      '.',
      '_',
      '#',
      'contains',
      'default',
      '\t',
      'é',
      '\u0000',
    ];
    for (let i = 0; i < 400; i++) {
      const bytes = Array.from({ length: rand(80) }, () => String.fromCharCode(rand(256))).join('');
      const soup = Array.from({ length: rand(60) }, () => pieces[rand(pieces.length)]).join('');
      for (const text of [bytes, `package p\n${bytes}`, soup]) {
        expect(() => parse({ name: 'r.rego', text })).not.toThrow();
        expect(() => parseQuery(text)).not.toThrow();
        expect(() => parseTerm(text)).not.toThrow();
      }
    }
  });

  it('on deeply nested input', () => {
    const deep = `package p\nx := ${'['.repeat(5000)}1${']'.repeat(5000)}\n`;
    const r = parse({ name: 'deep.rego', text: deep });
    expect(r.diagnostics[0]?.message).toBe('maximum nesting depth exceeded');
    expect(() => parseQuery('('.repeat(100000))).not.toThrow();
  });
});
