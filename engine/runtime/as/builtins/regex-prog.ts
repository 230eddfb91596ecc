// Regex programs shared by the two Pike VMs (regex-vm.ts: boolean search for regex.match;
// text/regex.ts: leftmost-first search with capture slots): the AST of regex-parse.ts compiled to
// 12-byte instructions [op][x][y], and what one instruction consumes (a code point, an
// assertion at the current position). One program at a time (compiled per call).
// Exports: the I_* opcodes, NONE, progCompile, progLen, instAt, setPosition, assertOk, stepMatches.

import { alloc } from "../value";
import { toLowerCp, toUpperCp } from "./utf8";
import {
  A_BOL, A_BOT, A_EOL, A_EOT, A_WORD, INF,
  N_ALT, N_ANY, N_ASSERT, N_CAPTURE, N_CAT, N_CLASS, N_EMPTY, N_LIT, N_REPEAT,
} from "./regex-parse";

export const I_CHAR: u32 = 0; // x = cp, y = fold
export const I_ANY: u32 = 1; // x = matches newline
export const I_CLASS: u32 = 2; // x = class node
export const I_SPLIT: u32 = 3; // x (preferred), y
export const I_JMP: u32 = 4; // x
export const I_ASSERT: u32 = 5; // x = kind
export const I_MATCH: u32 = 6;
export const I_SAVE: u32 = 7; // x = capture slot
/** NONE stands for "no code point" (before the start or after the end of the text). */
export const NONE: u32 = 0xffffffff;
const INST_SIZE: usize = 12;
const MAX_INSTS: u32 = 100000;

// @ts-ignore: decorator
@lazy let prog: usize = 0;
// @ts-ignore: decorator
@lazy let plen: u32 = 0;
// @ts-ignore: decorator
@lazy let pcap: u32 = 0;
// @ts-ignore: decorator
@lazy let tooBig = false;
// @ts-ignore: decorator
@lazy let withSaves = false;

function emit(op: u32, x: u32, y: u32): u32 {
  if (plen >= MAX_INSTS) { tooBig = true; return plen; }
  if (plen == pcap) {
    const ncap = pcap * 2 + 64;
    const np = alloc(<usize>ncap * INST_SIZE);
    if (plen > 0) memory.copy(np, prog, <usize>plen * INST_SIZE);
    prog = np;
    pcap = ncap;
  }
  const at = prog + <usize>plen * INST_SIZE;
  store<u32>(at, op);
  store<u32>(at, x, 4);
  store<u32>(at, y, 8);
  plen++;
  return plen - 1;
}

function patch(pc: u32, field: u32, v: u32): void {
  if (pc < plen) store<u32>(prog + <usize>pc * INST_SIZE + <usize>(4 + 4 * field), v);
}

function gen(n: usize): void {
  if (tooBig) return;
  const k = load<u32>(n);
  const a = load<u32>(n, 4);
  const b = load<u32>(n, 8);
  if (k == N_EMPTY) return;
  if (k == N_LIT) { emit(I_CHAR, a, b); return; }
  if (k == N_ANY) { emit(I_ANY, a, 0); return; }
  if (k == N_CLASS) { emit(I_CLASS, <u32>n, 0); return; }
  if (k == N_ASSERT) { emit(I_ASSERT, a, 0); return; }
  if (k == N_CAT) { gen(<usize>a); gen(<usize>b); return; }
  if (k == N_CAPTURE) {
    if (!withSaves) { gen(<usize>a); return; }
    emit(I_SAVE, b * 2, 0);
    gen(<usize>a);
    emit(I_SAVE, b * 2 + 1, 0);
    return;
  }
  if (k == N_ALT) {
    const s = emit(I_SPLIT, 0, 0);
    patch(s, 0, plen);
    gen(<usize>a);
    const j = emit(I_JMP, 0, 0);
    patch(s, 1, plen);
    gen(<usize>b);
    patch(j, 0, plen);
    return;
  }
  if (k == N_REPEAT) genRepeat(n, <usize>a, b);
}

function genRepeat(n: usize, child: usize, min: u32): void {
  const max = load<u32>(n, 12);
  const greedy = load<u32>(n, 16) != 0;
  for (let i: u32 = 0; i < min; i++) gen(child);
  if (max == INF) {
    const s = emit(I_SPLIT, 0, 0);
    const body = plen;
    gen(child);
    emit(I_JMP, s, 0);
    if (greedy) { patch(s, 0, body); patch(s, 1, plen); } else { patch(s, 0, plen); patch(s, 1, body); }
    return;
  }
  // Optional copies nest, so priorities follow Go's: x{0,2} = (x(x)?)?
  const pending = alloc(<usize>(max - min + 1) << 2);
  let np: u32 = 0;
  for (let i = min; i < max; i++) {
    const s = emit(I_SPLIT, 0, 0);
    store<u32>(pending + (<usize>np << 2), s);
    np++;
    patch(s, greedy ? 0 : 1, plen);
    gen(child);
    if (tooBig) return;
  }
  for (let i: u32 = 0; i < np; i++) patch(load<u32>(pending + (<usize>i << 2)), greedy ? 1 : 0, plen);
}

/**
 * progCompile makes root the current program: with captures, group g saves its bounds into slots
 * 2g and 2g+1 (the whole match is group 0); without, groups are transparent. False if too large.
 */
export function progCompile(root: usize, captures: bool): bool {
  prog = 0; plen = 0; pcap = 0; tooBig = false;
  withSaves = captures;
  if (captures) emit(I_SAVE, 0, 0);
  gen(root);
  if (captures) emit(I_SAVE, 1, 0);
  emit(I_MATCH, 0, 0);
  return !tooBig;
}

/** progLen is the number of instructions of the current program. */
export function progLen(): u32 {
  return plen;
}

/** instAt is the address of instruction pc: op at +0, x at +4, y at +8. */
// @ts-ignore: decorator
@inline export function instAt(pc: u32): usize {
  return prog + <usize>pc * INST_SIZE;
}

// The code points around the current position, for assertions (set by setPosition before use).
// @ts-ignore: decorator
@lazy let prevCp: u32 = 0;
// @ts-ignore: decorator
@lazy let nextCp: u32 = 0;

/** setPosition records the code points before and after the current position (NONE at the ends). */
export function setPosition(prev: u32, next: u32): void {
  prevCp = prev;
  nextCp = next;
}

function isWordCp(c: u32): bool {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95;
}

/** assertOk tells whether assertion kind holds at the current position. */
export function assertOk(kind: u32): bool {
  if (kind == A_BOT) return prevCp == NONE;
  if (kind == A_EOT) return nextCp == NONE;
  if (kind == A_BOL) return prevCp == NONE || prevCp == 10;
  if (kind == A_EOL) return nextCp == NONE || nextCp == 10;
  const w = (prevCp != NONE && isWordCp(prevCp)) != (nextCp != NONE && isWordCp(nextCp));
  return kind == A_WORD ? w : !w;
}

function inRanges(r: usize, n: u32, c: u32): bool {
  for (let i: u32 = 0; i < n; i++) {
    if (c >= load<u32>(r + (<usize>i << 3)) && c <= load<u32>(r + (<usize>i << 3) + 4)) return true;
  }
  return false;
}

function classHas(cls: usize, c: u32): bool {
  const r = <usize>load<u32>(cls, 4);
  const n = load<u32>(cls, 8);
  const neg = load<u32>(cls, 12) != 0;
  const fold = load<u32>(cls, 16) != 0;
  let hit = inRanges(r, n, c);
  if (!hit && fold) {
    const l = toLowerCp(c);
    const u = toUpperCp(c);
    hit = (l != c && inRanges(r, n, l)) || (u != c && inRanges(r, n, u));
  }
  return hit != neg;
}

/** stepMatches tells whether the consuming instruction pc accepts code point c. */
export function stepMatches(pc: u32, c: u32): bool {
  if (c == NONE) return false;
  const at = instAt(pc);
  const op = load<u32>(at);
  if (op == I_CHAR) {
    const want = load<u32>(at, 4);
    if (c == want) return true;
    return load<u32>(at, 8) != 0 && (toLowerCp(c) == toLowerCp(want) || toUpperCp(c) == toUpperCp(want));
  }
  if (op == I_ANY) return c != 10 || load<u32>(at, 4) != 0;
  if (op == I_CLASS) return classHas(<usize>load<u32>(at, 4), c);
  return false;
}
