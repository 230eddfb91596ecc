// Tests for the generic AST helpers in engine/ast/walk.ts (owned with the checker).
import { describe, expect, it } from 'vitest';
import { parseTerm } from '../../../engine/parser/index.js';
import { isGround, mapTerm, refConstPrefix, varsOfTerm, walkTerms } from '../../../engine/ast/walk.js';
import type { Term } from '../../../engine/ast/index.js';
import { printTermText } from './helpers.js';

function term(text: string): Term {
  const r = parseTerm(text);
  if (!r.value) throw new Error(`bad term ${text}`);
  return r.value;
}

describe('ast walk', () => {
  it.each([
    { note: 'plain vars', text: '[x, {y: z}]', closures: false, want: ['x', 'y', 'z'] },
    { note: 'roots excluded, ref keys included', text: 'input.a[i][data.b[j]]', closures: false, want: ['i', 'j'] },
    { note: 'closures skipped', text: '[a, [b | b := c]]', closures: false, want: ['a'] },
    { note: 'closures included', text: '[a, [b | b := c]]', closures: true, want: ['a', 'b', 'c'] },
    { note: 'call args', text: 'count(xs, n)', closures: false, want: ['xs', 'n'] },
  ])('varsOfTerm: $note', ({ text, closures, want }) => {
    expect([...varsOfTerm(term(text), { closures })]).toEqual(want);
  });

  it.each([
    { note: 'scalars and composites of scalars', text: '[1, "a", {"k": null}, {true}]', want: true },
    { note: 'a var', text: '[1, x]', want: false },
    { note: 'a ref', text: 'input.x', want: false },
    { note: 'a comprehension', text: '[1 | true]', want: false },
  ])('isGround: $note', ({ text, want }) => {
    expect(isGround(term(text))).toBe(want);
  });

  it('mapTerm rebuilds the tree, including comprehension bodies, without mutating the input', () => {
    const t = term('[x, {"k": [x | x := y]}]');
    const before = JSON.stringify(t);
    const out = mapTerm(t, (x) => (x.kind === 'var' ? { ...x, name: x.name.toUpperCase() } : undefined));
    expect(printTermText(out)).toBe('[X, {"k": [X | X := Y]}]');
    expect(JSON.stringify(t)).toBe(before);
  });

  it('walkTerms visits pre-order and can skip children', () => {
    const seen: string[] = [];
    walkTerms(term('f([a, [b | c]], d)'), (x) => {
      seen.push(x.kind === 'var' ? x.name : x.kind);
      return x.kind === 'arrayCompr';
    });
    expect(seen).toEqual(['call', 'array', 'a', 'arrayCompr', 'd']);
  });

  it.each([
    { note: 'data ref', text: 'data.a.b[x].c', want: ['data', 'a', 'b'] },
    { note: 'var', text: 'x', want: ['x'] },
    { note: 'non-ref', text: '[1]', want: undefined },
  ])('refConstPrefix: $note', ({ text, want }) => {
    expect(refConstPrefix(term(text))).toEqual(want);
  });
});
