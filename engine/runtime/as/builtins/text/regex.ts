// Regex builtins that need match positions: regex.find_n and regex.split, with Go's regexp
// semantics (leftmost-first matches, FindAllString's empty-match rules, Split's rules). Patterns
// are parsed by ../regex-parse.ts and compiled here into a Pike VM whose threads carry their start
// offset, kept in priority order, so the first match found is the leftmost-first one in
// O(program x text) time. Exports the bi_* functions.

import {
  T_STRING,
  alloc, listPush, newArray, newString, strLen, strPtr, tagOf,
} from "../../value";
import { bufAscii, bufNew } from "../../buf";
import { builtinErrorBuf, operandError } from "../errors";
import { decodeAt, lastSize, toLowerCp, toUpperCp } from "../utf8";
import {
  A_BOL, A_BOT, A_EOL, A_EOT, A_WORD, INF,
  N_ALT, N_ANY, N_ASSERT, N_CAT, N_CLASS, N_EMPTY, N_LIT, N_REPEAT, reParse, reParseError,
} from "../regex-parse";
import { intOk, intOperand } from "./common";

const I_CHAR: u32 = 0; // x = cp, y = fold
const I_ANY: u32 = 1; // x = matches newline
const I_CLASS: u32 = 2; // x = class node
const I_SPLIT: u32 = 3; // x (preferred), y
const I_JMP: u32 = 4; // x
const I_ASSERT: u32 = 5; // x = kind
const I_MATCH: u32 = 6;
const MAX_INSTS: u32 = 100000;
const NONE: u32 = 0xffffffff;

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
    const np = alloc(<usize>ncap * 12);
    if (plen > 0) memory.copy(np, prog, <usize>plen * 12);
    prog = np;
    pcap = ncap;
  }
  const at = prog + <usize>plen * 12;
  store<u32>(at, op);
  store<u32>(at, x, 4);
  store<u32>(at, y, 8);
  plen++;
  return plen - 1;
}

function patch(pc: u32, field: u32, v: u32): void {
  if (pc < plen) store<u32>(prog + <usize>pc * 12 + <usize>(4 + 4 * field), v);
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
  if (k == N_REPEAT) {
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
    // optional copies nest: x{0,2} = (x(x)?)?
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
}

/** compile parses and compiles a pattern STRING; returns false (message in errMsg) on failure. */
function compile(fn: string, pattern: usize): bool {
  const root = reParse(strPtr(pattern), strLen(pattern));
  if (root != 0) {
    prog = 0; plen = 0; pcap = 0; tooBig = false;
    gen(root);
    emit(I_MATCH, 0, 0);
    if (!tooBig) return true;
  }
  const b = bufNew(64);
  bufAscii(b, fn);
  bufAscii(b, ": error parsing regexp: ");
  bufAscii(b, root == 0 ? reParseError() : "expression too large");
  builtinErrorBuf("eval_builtin_error", b);
  return false;
}

function isWordCp(c: u32): bool {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95;
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

// @ts-ignore: decorator
@lazy let prevCp: u32 = 0;
// @ts-ignore: decorator
@lazy let nextCp: u32 = 0;
// @ts-ignore: decorator
@lazy let mark: usize = 0;
// @ts-ignore: decorator
@lazy let stack: usize = 0;
// @ts-ignore: decorator
@lazy let gen_: u32 = 0;

function assertOk(kind: u32): bool {
  if (kind == A_BOT) return prevCp == NONE;
  if (kind == A_EOT) return nextCp == NONE;
  if (kind == A_BOL) return prevCp == NONE || prevCp == 10;
  if (kind == A_EOL) return nextCp == NONE || nextCp == 10;
  const w = (prevCp != NONE && isWordCp(prevCp)) != (nextCp != NONE && isWordCp(nextCp));
  return kind == A_WORD ? w : !w;
}

// list: [u32 count][(u32 pc, u32 start)...]; adds pc's closure in priority order
function addThread(list: usize, pc0: u32, start: u32): void {
  store<u32>(stack, pc0);
  let sp: u32 = 1;
  while (sp > 0) {
    sp--;
    const pc = load<u32>(stack + (<usize>sp << 2));
    const mk = mark + (<usize>pc << 2);
    if (load<u32>(mk) == gen_) continue;
    store<u32>(mk, gen_);
    const at = prog + <usize>pc * 12;
    const op = load<u32>(at);
    if (op == I_JMP) {
      store<u32>(stack + (<usize>sp << 2), load<u32>(at, 4)); sp++;
    } else if (op == I_SPLIT) {
      store<u32>(stack + (<usize>sp << 2), load<u32>(at, 8)); sp++;
      store<u32>(stack + (<usize>sp << 2), load<u32>(at, 4)); sp++;
    } else if (op == I_ASSERT) {
      if (assertOk(load<u32>(at, 4))) { store<u32>(stack + (<usize>sp << 2), pc + 1); sp++; }
    } else {
      const cnt = load<u32>(list);
      const e = list + 4 + (<usize>cnt << 3);
      store<u32>(e, pc);
      store<u32>(e, start, 4);
      store<u32>(list, cnt + 1);
    }
  }
}

function step(pc: u32, c: u32): bool {
  if (c == NONE) return false;
  const at = prog + <usize>pc * 12;
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

function cpBefore(p: usize, off: u32): u32 {
  if (off == 0) return NONE;
  let s = off - 1;
  while (s > 0 && off - s < 4 && (<u32>load<u8>(p + <usize>s) & 0xc0) == 0x80) s--;
  const c = decodeAt(p + <usize>s, p + <usize>off);
  return s + lastSize() == off ? c : 0xfffd;
}

// @ts-ignore: decorator
@lazy let mStart: u32 = 0;
// @ts-ignore: decorator
@lazy let mEnd: u32 = 0;

/** search finds the leftmost-first match in text [p, p+n) starting at byte from; sets mStart/mEnd. */
function search(p: usize, n: u32, from: u32): bool {
  mark = alloc(<usize>plen << 2);
  memory.fill(mark, 0xff, <usize>plen << 2);
  stack = alloc((<usize>plen * 2 + 4) << 2);
  let clist = alloc(4 + (<usize>plen << 3));
  let nlist = alloc(4 + (<usize>plen << 3));
  store<u32>(clist, 0);
  gen_ = 0;
  const end = p + <usize>n;
  let off = from;
  let found = false;
  prevCp = cpBefore(p, off);
  while (true) {
    const q = p + <usize>off;
    const c = q < end ? decodeAt(q, end) : NONE;
    const sz: u32 = q < end ? lastSize() : 0;
    nextCp = c;
    if (!found) addThread(clist, 0, off);
    const cnt = load<u32>(clist);
    if (cnt == 0 && found) break;
    gen_++;
    store<u32>(nlist, 0);
    prevCp = c;
    const noff = off + sz;
    nextCp = noff < n ? decodeAt(p + <usize>noff, end) : NONE;
    for (let i: u32 = 0; i < cnt; i++) {
      const e = clist + 4 + (<usize>i << 3);
      const pc = load<u32>(e);
      if (load<u32>(prog + <usize>pc * 12) == I_MATCH) {
        found = true;
        mStart = load<u32>(e, 4);
        mEnd = off;
        break; // lower-priority threads lose
      }
      if (step(pc, c)) addThread(nlist, pc + 1, load<u32>(e, 4));
    }
    if (q >= end) break;
    off = noff;
    const t = clist; clist = nlist; nlist = t;
    if (found && load<u32>(clist) == 0) break;
  }
  return found;
}

/** allMatches collects up to max (negative: all) match [start, end) pairs as Go's FindAllIndex; returns [count][pairs...]. */
function allMatches(p: usize, n: u32, max: i64): usize {
  let cap: u32 = 8;
  let out = alloc(4 + (<usize>cap << 3));
  let cnt: u32 = 0;
  let pos: u32 = 0;
  let prevEnd: i64 = -1;
  while ((max < 0 || <i64>cnt < max) && pos <= n) {
    if (!search(p, n, pos)) break;
    let accept = true;
    if (mEnd == pos) {
      if (<i64>mStart == prevEnd) accept = false;
      if (pos < n) { decodeAt(p + <usize>pos, p + <usize>n); pos += lastSize(); } else pos = n + 1;
    } else {
      pos = mEnd;
    }
    prevEnd = <i64>mEnd;
    if (accept) {
      if (cnt == cap) {
        const no = alloc(4 + (<usize>(cap * 2) << 3));
        memory.copy(no, out, 4 + (<usize>cap << 3));
        out = no;
        cap *= 2;
      }
      store<u32>(out + 4 + (<usize>cnt << 3), mStart);
      store<u32>(out + 8 + (<usize>cnt << 3), mEnd);
      cnt++;
    }
  }
  store<u32>(out, cnt);
  return out;
}

/** bi_regex_find_n returns up to number (-1: all) leftmost-first matches of pattern in value. */
export function bi_regex_find_n(pattern: usize, value: usize, number: usize): usize {
  if (pattern == 0 || value == 0 || number == 0) return 0;
  if (tagOf(pattern) != T_STRING) return operandError("regex.find_n", 1, "string", pattern);
  if (tagOf(value) != T_STRING) return operandError("regex.find_n", 2, "string", value);
  if (intOperand("regex.find_n", 3, number) == 0) return 0;
  const max = intOk();
  if (!compile("regex.find_n", pattern)) return 0;
  const p = strPtr(value);
  const m = allMatches(p, strLen(value), max);
  const cnt = load<u32>(m);
  const out = newArray(cnt);
  for (let i: u32 = 0; i < cnt; i++) {
    const s = load<u32>(m + 4 + (<usize>i << 3));
    const e = load<u32>(m + 8 + (<usize>i << 3));
    listPush(out, newString(p + <usize>s, e - s));
  }
  return out;
}

/** bi_regex_split splits value around the matches of pattern (Go's Regexp.Split with n = -1). */
export function bi_regex_split(pattern: usize, value: usize): usize {
  if (pattern == 0 || value == 0) return 0;
  if (tagOf(pattern) != T_STRING) return operandError("regex.split", 1, "string", pattern);
  if (tagOf(value) != T_STRING) return operandError("regex.split", 2, "string", value);
  if (!compile("regex.split", pattern)) return 0;
  const p = strPtr(value);
  const n = strLen(value);
  const out = newArray(4);
  if (strLen(pattern) > 0 && n == 0) { listPush(out, newString(p, 0)); return out; }
  const m = allMatches(p, n, -1);
  const cnt = load<u32>(m);
  let beg: u32 = 0;
  let end: u32 = 0;
  for (let i: u32 = 0; i < cnt; i++) {
    const s = load<u32>(m + 4 + (<usize>i << 3));
    const e = load<u32>(m + 8 + (<usize>i << 3));
    end = s;
    if (e != 0) listPush(out, newString(p + <usize>beg, end - beg));
    beg = e;
  }
  if (end != n) listPush(out, newString(p + <usize>beg, n - beg));
  return out;
}
