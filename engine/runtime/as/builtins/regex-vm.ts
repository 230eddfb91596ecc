// Regex program compiler and Pike VM: AST (regex-parse.ts) -> instructions [op][x][y][z] (16 bytes)
// -> unanchored boolean search over UTF-8 text in O(program x text) time (no backtracking, so
// pathological patterns such as (a*)*b stay linear). Also bi_regex_match. Patterns are compiled
// per call (no cache: the host resets the heap between evaluations). Exports: reCompile, reSearch,
// regexMatch, bi_regex_match.

import { T_STRING, alloc, boolValue, strLen, strPtr, tagOf } from "../value";
import { bufAscii, bufNew } from "../buf";
import { builtinErrorBuf, operandError } from "./errors";
import { decodeAt, lastSize, toLowerCp, toUpperCp } from "./utf8";
import {
  A_BOL, A_BOT, A_EOL, A_EOT, A_NWORD, A_WORD, INF,
  N_ALT, N_ANY, N_ASSERT, N_CAPTURE, N_CAT, N_CLASS, N_EMPTY, N_LIT, N_REPEAT, reParse, reParseError,
} from "./regex-parse";

const I_CHAR: u32 = 0; // x = cp, y = fold
const I_ANY: u32 = 1; // x = matches newline
const I_CLASS: u32 = 2; // x = class node
const I_SPLIT: u32 = 3; // x, y
const I_JMP: u32 = 4; // x
const I_ASSERT: u32 = 5; // x = kind
const I_MATCH: u32 = 6;
const MAX_INSTS: u32 = 100000;

// @ts-ignore: decorator
@lazy let prog: usize = 0;
// @ts-ignore: decorator
@lazy let plen: u32 = 0;
// @ts-ignore: decorator
@lazy let pcap: u32 = 0;
// @ts-ignore: decorator
@lazy let tooBig = false;

function emit(op: u32, x: u32, y: u32): u32 {
  if (plen >= MAX_INSTS) { tooBig = true; return plen; }
  if (plen == pcap) {
    const ncap = pcap * 2 + 64;
    const np = alloc(<usize>ncap << 4);
    memory.copy(np, prog, <usize>plen << 4);
    prog = np;
    pcap = ncap;
  }
  const at = prog + (<usize>plen << 4);
  store<u32>(at, op);
  store<u32>(at, x, 4);
  store<u32>(at, y, 8);
  plen++;
  return plen - 1;
}

function patch(pc: u32, field: u32, v: u32): void {
  if (pc < plen) store<u32>(prog + (<usize>pc << 4) + <usize>(4 + 4 * field), v);
}

function gen(n: usize): void {
  if (tooBig) return;
  const k = load<u32>(n);
  const a = load<u32>(n, 4);
  const b = load<u32>(n, 8);
  switch (k) {
    case N_EMPTY: return;
    case N_LIT: emit(I_CHAR, a, b); return;
    case N_ANY: emit(I_ANY, a, 0); return;
    case N_CLASS: emit(I_CLASS, <u32>n, 0); return;
    case N_ASSERT: emit(I_ASSERT, a, 0); return;
    case N_CAT: gen(<usize>a); gen(<usize>b); return;
    case N_CAPTURE: gen(<usize>a); return; // captures do not affect a boolean match
    case N_ALT: {
      const s = emit(I_SPLIT, 0, 0);
      patch(s, 0, plen);
      gen(<usize>a);
      const j = emit(I_JMP, 0, 0);
      patch(s, 1, plen);
      gen(<usize>b);
      patch(j, 0, plen);
      return;
    }
    case N_REPEAT: {
      const child = <usize>a;
      const min = b;
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
      for (let i = min; i < max; i++) {
        const s = emit(I_SPLIT, 0, 0);
        const body = plen;
        gen(child);
        if (greedy) { patch(s, 0, body); patch(s, 1, plen); } else { patch(s, 0, plen); patch(s, 1, body); }
        if (tooBig) return;
      }
      return;
    }
  }
}

/** reCompile compiles a parsed AST into the current program; false if it is too large. */
export function reCompile(root: usize): bool {
  prog = 0; plen = 0; pcap = 0; tooBig = false;
  gen(root);
  emit(I_MATCH, 0, 0);
  return !tooBig;
}

function isWordCp(c: u32): bool {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95;
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

function inRanges(r: usize, n: u32, c: u32): bool {
  for (let i: u32 = 0; i < n; i++) {
    if (c >= load<u32>(r + (<usize>i << 3)) && c <= load<u32>(r + (<usize>i << 3) + 4)) return true;
  }
  return false;
}

// thread lists: [count][pcs...]; mark[pc] = generation when added
// @ts-ignore: decorator
@lazy let mark: usize = 0;
// @ts-ignore: decorator
@lazy let stack: usize = 0;
// @ts-ignore: decorator
@lazy let gen_: u32 = 0;

// context for assertions at the current position
// @ts-ignore: decorator
@lazy let prevCp: u32 = 0xffffffff;
// @ts-ignore: decorator
@lazy let nextCp: u32 = 0xffffffff;

function assertOk(kind: u32): bool {
  switch (kind) {
    case A_BOT: return prevCp == 0xffffffff;
    case A_EOT: return nextCp == 0xffffffff;
    case A_BOL: return prevCp == 0xffffffff || prevCp == 10;
    case A_EOL: return nextCp == 0xffffffff || nextCp == 10;
    case A_WORD:
    case A_NWORD: {
      const w = (prevCp != 0xffffffff && isWordCp(prevCp)) != (nextCp != 0xffffffff && isWordCp(nextCp));
      return kind == A_WORD ? w : !w;
    }
  }
  return false;
}

// adds pc and its epsilon closure to list; returns true if MATCH was reached
function addThread(list: usize, pc0: u32): bool {
  let sp = 0;
  store<u32>(stack, pc0);
  sp = 1;
  let matched = false;
  while (sp > 0) {
    sp--;
    const pc = load<u32>(stack + (<usize>sp << 2));
    const mk = mark + (<usize>pc << 2);
    if (load<u32>(mk) == gen_) continue;
    store<u32>(mk, gen_);
    const at = prog + (<usize>pc << 4);
    const op = load<u32>(at);
    if (op == I_JMP) {
      store<u32>(stack + (<usize>sp << 2), load<u32>(at, 4)); sp++;
    } else if (op == I_SPLIT) {
      store<u32>(stack + (<usize>sp << 2), load<u32>(at, 8)); sp++;
      store<u32>(stack + (<usize>sp << 2), load<u32>(at, 4)); sp++;
    } else if (op == I_ASSERT) {
      if (assertOk(load<u32>(at, 4))) { store<u32>(stack + (<usize>sp << 2), pc + 1); sp++; }
    } else if (op == I_MATCH) {
      matched = true;
    } else {
      const cnt = load<u32>(list);
      store<u32>(list + 4 + (<usize>cnt << 2), pc);
      store<u32>(list, cnt + 1);
    }
  }
  return matched;
}

function step(pc: u32, c: u32): bool {
  const at = prog + (<usize>pc << 4);
  switch (load<u32>(at)) {
    case I_CHAR: {
      const want = load<u32>(at, 4);
      if (c == want) return true;
      return load<u32>(at, 8) != 0 && (toLowerCp(c) == toLowerCp(want) || toUpperCp(c) == toUpperCp(want));
    }
    case I_ANY: return c != 10 || load<u32>(at, 4) != 0;
    case I_CLASS: return classHas(<usize>load<u32>(at, 4), c);
  }
  return false;
}

/** reSearch tells whether the compiled program matches anywhere in text [p, p+n). */
export function reSearch(p: usize, n: u32): bool {
  mark = alloc(<usize>plen << 2);
  memory.fill(mark, 0xff, <usize>plen << 2);
  stack = alloc((<usize>plen * 2 + 4) << 2);
  let clist = alloc(4 + (<usize>plen << 2));
  let nlist = alloc(4 + (<usize>plen << 2));
  store<u32>(clist, 0);
  gen_ = 0;
  const end = p + <usize>n;
  let q = p;
  prevCp = 0xffffffff;
  while (true) {
    nextCp = q < end ? decodeAt(q, end) : 0xffffffff;
    const sz = q < end ? lastSize() : 0;
    // a new thread starts at every position (unanchored search)
    if (addThread(clist, 0)) return true;
    if (q >= end) break;
    gen_++;
    store<u32>(nlist, 0);
    const cnt = load<u32>(clist);
    const c = nextCp;
    // assertions in the next list see the context after c
    prevCp = c;
    const nq = q + <usize>sz;
    nextCp = nq < end ? decodeAt(nq, end) : 0xffffffff;
    for (let i: u32 = 0; i < cnt; i++) {
      const pc = load<u32>(clist + 4 + (<usize>i << 2));
      if (step(pc, c)) {
        if (addThread(nlist, pc + 1)) return true;
      }
    }
    prevCp = c;
    q = nq;
    const t = clist; clist = nlist; nlist = t;
  }
  return false;
}

/**
 * regexMatch implements regex.match for builtin fn (its errors name fn): whether value contains a
 * match of RE2 pattern; invalid patterns are builtin errors.
 */
export function regexMatch(fn: string, pattern: usize, value: usize): usize {
  if (pattern == 0 || value == 0) return 0;
  if (tagOf(pattern) != T_STRING) return operandError(fn, 1, "string", pattern);
  if (tagOf(value) != T_STRING) return operandError(fn, 2, "string", value);
  const root = reParse(strPtr(pattern), strLen(pattern));
  if (root == 0 || !reCompile(root)) {
    const b = bufNew(64);
    bufAscii(b, fn);
    bufAscii(b, ": error parsing regexp: ");
    bufAscii(b, root == 0 ? reParseError() : "expression too large");
    return builtinErrorBuf("eval_builtin_error", b);
  }
  return boolValue(reSearch(strPtr(value), strLen(value)));
}

/** bi_regex_match tells whether value contains a match of RE2 pattern; invalid patterns are builtin errors. */
export function bi_regex_match(pattern: usize, value: usize): usize {
  return regexMatch("regex.match", pattern, value);
}
