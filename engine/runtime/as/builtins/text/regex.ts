// Regex builtins that need match positions: regex.find_n, regex.split, regex.replace and
// regex.find_all_string_submatch_n (and regex.template_match, through ../regex-vm.ts), with Go's regexp semantics (leftmost-first matches,
// FindAllString's empty-match rules, Split's and ReplaceAllString's rules, Expand's `$1`/`${name}`).
// Patterns are parsed by ../regex-parse.ts and compiled by ../regex-prog.ts (with capture slots);
// the Pike VM here carries a capture-slot array per thread (copied on write at I_SAVE), kept in
// priority order, so the first match found is the leftmost-first one in O(program x text) steps. Exports the bi_* functions.

import {
  T_STRING,
  alloc, boolValue, listPush, newArray, newString, strLen, strPtr, tagOf,
} from "../../value";
import { bufAscii, bufByte, bufBytes, bufNew, bufToString, bufU64 } from "../../buf";
import { reCompile, reSearch } from "../regex-vm";
import { builtinErrorBuf, operandError } from "../errors";
import { decodeAt, lastSize, toLowerCp, toUpperCp } from "../utf8";
import { reGroupCount, reGroupNameAt, reGroupNameLen, reParse, reParseError } from "../regex-parse";
import {
  I_ASSERT, I_JMP, I_MATCH, I_SAVE, I_SPLIT, NONE, assertOk, instAt, progCompile, progLen, setPosition, stepMatches,
} from "../regex-prog";
import { intOk, intOperand } from "./common";

// @ts-ignore: decorator
@lazy let nslots: u32 = 2;

/** compile parses and compiles a pattern STRING; returns false (message in errMsg) on failure. */
function compile(fn: string, pattern: usize): bool {
  const root = reParse(strPtr(pattern), strLen(pattern));
  let tooBig = false;
  if (root != 0) {
    nslots = (reGroupCount() + 1) * 2;
    if (progCompile(root, true)) return true;
    tooBig = true;
  }
  const b = bufNew(64);
  bufAscii(b, fn);
  bufAscii(b, ": error parsing regexp: ");
  bufAscii(b, tooBig ? "expression too large" : reParseError());
  builtinErrorBuf("eval_builtin_error", b);
  return false;
}

// @ts-ignore: decorator
@lazy let mark: usize = 0;
// @ts-ignore: decorator
@lazy let stack: usize = 0;
// @ts-ignore: decorator
@lazy let gen_: u32 = 0;

// @ts-ignore: decorator
@lazy let curOff: u32 = 0;

// list: [u32 count][(u32 pc, u32 caps)...]; adds pc's closure in priority order. caps is an
// nslots-long u32 array shared between threads until an I_SAVE copies it.
function addThread(list: usize, pc0: u32, caps0: usize): void {
  store<u32>(stack, pc0);
  store<u32>(stack, <u32>caps0, 4);
  let sp: u32 = 1;
  while (sp > 0) {
    sp--;
    const sa = stack + (<usize>sp << 3);
    const pc = load<u32>(sa);
    const caps = <usize>load<u32>(sa, 4);
    const mk = mark + (<usize>pc << 2);
    if (load<u32>(mk) == gen_) continue;
    store<u32>(mk, gen_);
    const at = instAt(pc);
    const op = load<u32>(at);
    if (op == I_JMP) {
      push(load<u32>(at, 4), caps, sp); sp++;
    } else if (op == I_SPLIT) {
      push(load<u32>(at, 8), caps, sp); sp++;
      push(load<u32>(at, 4), caps, sp); sp++;
    } else if (op == I_ASSERT) {
      if (assertOk(load<u32>(at, 4))) { push(pc + 1, caps, sp); sp++; }
    } else if (op == I_SAVE) {
      const nc = alloc(<usize>nslots << 2);
      memory.copy(nc, caps, <usize>nslots << 2);
      store<u32>(nc + (<usize>load<u32>(at, 4) << 2), curOff);
      push(pc + 1, nc, sp); sp++;
    } else {
      const cnt = load<u32>(list);
      const e = list + 4 + (<usize>cnt << 3);
      store<u32>(e, pc);
      store<u32>(e, <u32>caps, 4);
      store<u32>(list, cnt + 1);
    }
  }
}

function push(pc: u32, caps: usize, sp: u32): void {
  const sa = stack + (<usize>sp << 3);
  store<u32>(sa, pc);
  store<u32>(sa, <u32>caps, 4);
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
// @ts-ignore: decorator
@lazy let mCaps: usize = 0;

/** search finds the leftmost-first match in text [p, p+n) starting at byte from; sets mStart/mEnd/mCaps. */
function search(p: usize, n: u32, from: u32): bool {
  const plen = progLen();
  mark = alloc(<usize>plen << 2);
  memory.fill(mark, 0xff, <usize>plen << 2);
  stack = alloc((<usize>plen * 2 + 4) << 3);
  let clist = alloc(4 + (<usize>plen << 3));
  let nlist = alloc(4 + (<usize>plen << 3));
  const empty = alloc(<usize>nslots << 2);
  memory.fill(empty, 0xff, <usize>nslots << 2);
  store<u32>(clist, 0);
  gen_ = 0;
  const end = p + <usize>n;
  let off = from;
  let found = false;
  let prev = cpBefore(p, off);
  while (true) {
    const q = p + <usize>off;
    const c = q < end ? decodeAt(q, end) : NONE;
    const sz: u32 = q < end ? lastSize() : 0;
    setPosition(prev, c);
    curOff = off;
    if (!found) addThread(clist, 0, empty);
    const cnt = load<u32>(clist);
    if (cnt == 0 && found) break;
    gen_++;
    store<u32>(nlist, 0);
    const noff = off + sz;
    setPosition(c, noff < n ? decodeAt(p + <usize>noff, end) : NONE);
    prev = c;
    curOff = noff;
    for (let i: u32 = 0; i < cnt; i++) {
      const e = clist + 4 + (<usize>i << 3);
      const pc = load<u32>(e);
      if (load<u32>(instAt(pc)) == I_MATCH) {
        found = true;
        mCaps = <usize>load<u32>(e, 4);
        mStart = load<u32>(mCaps);
        mEnd = load<u32>(mCaps, 4);
        break; // lower-priority threads lose
      }
      if (stepMatches(pc, c)) addThread(nlist, pc + 1, <usize>load<u32>(e, 4));
    }
    if (q >= end) break;
    off = noff;
    const t = clist; clist = nlist; nlist = t;
    if (found && load<u32>(clist) == 0) break;
  }
  return found;
}

/** allMatches collects up to max (negative: all) matches as Go's FindAllIndex; returns [count][caps ptr...] (slots 0/1 = match bounds). */
function allMatches(p: usize, n: u32, max: i64): usize {
  let cap: u32 = 8;
  let out = alloc(4 + (<usize>cap << 2));
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
        const no = alloc(4 + (<usize>(cap * 2) << 2));
        memory.copy(no, out, 4 + (<usize>cap << 2));
        out = no;
        cap *= 2;
      }
      store<u32>(out + 4 + (<usize>cnt << 2), <u32>mCaps);
      cnt++;
    }
  }
  store<u32>(out, cnt);
  return out;
}

function matchAt(m: usize, i: u32): usize {
  return <usize>load<u32>(m + 4 + (<usize>i << 2));
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
    const s = load<u32>(matchAt(m, i));
    const e = load<u32>(matchAt(m, i), 4);
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
    const s = load<u32>(matchAt(m, i));
    const e = load<u32>(matchAt(m, i), 4);
    end = s;
    if (e != 0) listPush(out, newString(p + <usize>beg, end - beg));
    beg = e;
  }
  if (end != n) listPush(out, newString(p + <usize>beg, n - beg));
  return out;
}

function isNameCp(c: u32): bool {
  if (c < 0x80) return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122) || c == 95;
  return toLowerCp(c) != toUpperCp(c); // cased letters (approximation of unicode.IsLetter)
}

function appendSlot(b: usize, p: usize, caps: usize, g: u32): void {
  const s = load<u32>(caps + (<usize>(g * 2) << 2));
  const e = load<u32>(caps + (<usize>(g * 2 + 1) << 2));
  if (s != NONE && e != NONE) bufBytes(b, p + <usize>s, e - s);
}

function sameBytes(a: usize, b: usize, n: u32): bool {
  for (let i: u32 = 0; i < n; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  return true;
}

/** expand appends template [t, t+tn) to buffer b with `$n`, `${n}`, `$name`, `${name}`, `$$` expanded from caps over text p (Go's Regexp.Expand). */
function expand(b: usize, t: usize, tn: u32, p: usize, caps: usize): void {
  const te = t + <usize>tn;
  let q = t;
  while (q < te) {
    const c = load<u8>(q);
    if (c != 36) { bufByte(b, c); q++; continue; }
    q++;
    if (q < te && load<u8>(q) == 36) { bufByte(b, 36); q++; continue; }
    // extract a name
    let r = q;
    const brace = r < te && load<u8>(r) == 123;
    if (brace) r++;
    const ns = r;
    while (r < te) {
      const cp = decodeAt(r, te);
      if (!isNameCp(cp)) break;
      r += <usize>lastSize();
    }
    const nl = <u32>(r - ns);
    if (nl == 0 || (brace && (r >= te || load<u8>(r) != 125))) { bufByte(b, 36); continue; }
    if (brace) r++;
    q = r;
    let num: i64 = 0;
    for (let i: u32 = 0; i < nl; i++) {
      const d = <u32>load<u8>(ns + <usize>i);
      if (d < 48 || d > 57 || num >= 100000000) { num = -1; break; }
      num = num * 10 + <i64>(d - 48);
    }
    if (load<u8>(ns) == 48 && nl > 1) num = -1;
    const groups = nslots / 2;
    if (num >= 0) {
      if (num < <i64>groups) appendSlot(b, p, caps, <u32>num);
    } else {
      for (let g: u32 = 1; g < groups; g++) {
        if (reGroupNameLen(g) == nl && sameBytes(reGroupNameAt(g), ns, nl)) { appendSlot(b, p, caps, g); break; }
      }
    }
  }
}

/** bi_regex_replace replaces every match of pattern in s with value, expanding `$1`/`${name}` (Go's ReplaceAllString). */
export function bi_regex_replace(s: usize, pattern: usize, value: usize): usize {
  if (s == 0 || pattern == 0 || value == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("regex.replace", 1, "string", s);
  if (tagOf(pattern) != T_STRING) return operandError("regex.replace", 2, "string", pattern);
  if (tagOf(value) != T_STRING) return operandError("regex.replace", 3, "string", value);
  if (!compile("regex.replace", pattern)) return 0;
  const p = strPtr(s);
  const n = strLen(s);
  const b = bufNew(n + 16);
  let searchPos: u32 = 0;
  let lastEnd: u32 = 0;
  while (searchPos <= n) {
    if (!search(p, n, searchPos)) break;
    bufBytes(b, p + <usize>lastEnd, mStart - lastEnd);
    if (mEnd > lastEnd || mStart == 0) expand(b, strPtr(value), strLen(value), p, mCaps);
    lastEnd = mEnd;
    let width: u32 = 0;
    if (searchPos < n) { decodeAt(p + <usize>searchPos, p + <usize>n); width = lastSize(); }
    if (searchPos + width > mEnd) searchPos += width;
    else if (searchPos + 1 > mEnd) searchPos++;
    else searchPos = mEnd;
  }
  bufBytes(b, p + <usize>lastEnd, n - lastEnd);
  return bufToString(b);
}

/** bi_regex_find_all_string_submatch_n returns up to number (-1: all) matches, each as [match, group 1, …] ("" for unset groups). */
export function bi_regex_find_all_string_submatch_n(pattern: usize, value: usize, number: usize): usize {
  const fn = "regex.find_all_string_submatch_n";
  if (pattern == 0 || value == 0 || number == 0) return 0;
  if (tagOf(pattern) != T_STRING) return operandError(fn, 1, "string", pattern);
  if (tagOf(value) != T_STRING) return operandError(fn, 2, "string", value);
  if (intOperand(fn, 3, number) == 0) return 0;
  const max = intOk();
  if (!compile(fn, pattern)) return 0;
  const p = strPtr(value);
  const m = allMatches(p, strLen(value), max);
  const cnt = load<u32>(m);
  const groups = nslots / 2;
  const out = newArray(cnt);
  for (let i: u32 = 0; i < cnt; i++) {
    const caps = matchAt(m, i);
    const row = newArray(groups);
    for (let g: u32 = 0; g < groups; g++) {
      const s = load<u32>(caps + (<usize>(g * 2) << 2));
      const e = load<u32>(caps + (<usize>(g * 2 + 1) << 2));
      listPush(row, s != NONE && e != NONE ? newString(p + <usize>s, e - s) : newString(p, 0));
    }
    listPush(out, row);
  }
  return out;
}

function quoteMetaInto(b: usize, p: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    // \.+*?()|[]{}^$
    if (c == 92 || c == 46 || c == 43 || c == 42 || c == 63 || c == 40 || c == 41 || c == 124 ||
        c == 91 || c == 93 || c == 123 || c == 125 || c == 94 || c == 36) bufByte(b, 92);
    bufByte(b, c);
  }
}

function delimError(which: string, len: u32): usize {
  const b = bufNew(96);
  bufAscii(b, "regex.template_match: ");
  bufAscii(b, which);
  bufAscii(b, " delimiter has to be exactly one character long but is ");
  bufU64(b, <u64>len);
  bufAscii(b, " long");
  return builtinErrorBuf("eval_builtin_error", b);
}

/**
 * bi_regex_template_match matches value against template, whose parts between the single-byte
 * delimiters are regular expressions and whose other parts are literal; the whole value must match.
 */
export function bi_regex_template_match(template: usize, value: usize, dstart: usize, dend: usize): usize {
  const fn = "regex.template_match";
  if (template == 0 || value == 0 || dstart == 0 || dend == 0) return 0;
  if (tagOf(template) != T_STRING) return operandError(fn, 1, "string", template);
  if (tagOf(value) != T_STRING) return operandError(fn, 2, "string", value);
  if (tagOf(dstart) != T_STRING) return operandError(fn, 3, "string", dstart);
  if (tagOf(dend) != T_STRING) return operandError(fn, 4, "string", dend);
  if (strLen(dstart) != 1) return delimError("start", strLen(dstart));
  // OPA reports the start delimiter's length in the end-delimiter error too (kept for fidelity).
  if (strLen(dend) != 1) return delimError("end", strLen(dstart));
  const ds = load<u8>(strPtr(dstart));
  const de = load<u8>(strPtr(dend));
  const t = strPtr(template);
  const tn = strLen(template);
  const b = bufNew(tn * 2 + 8);
  bufByte(b, 94);
  let level: i32 = 0;
  let open: u32 = 0;
  let last: u32 = 0;
  for (let i: u32 = 0; i < tn; i++) {
    const c = load<u8>(t + <usize>i);
    if (c == ds) {
      level++;
      if (level == 1) open = i;
    } else if (c == de) {
      level--;
      if (level == 0) {
        quoteMetaInto(b, t + <usize>last, open - last);
        bufByte(b, 40);
        bufBytes(b, t + <usize>open + 1, i - open - 1);
        bufByte(b, 41);
        last = i + 1;
      } else if (level < 0) break;
    }
  }
  if (level != 0) {
    const e = bufNew(64);
    bufAscii(e, fn);
    bufAscii(e, ": unbalanced braces in \"");
    for (let i: u32 = 0; i < tn; i++) {
      const c = <u32>load<u8>(t + <usize>i);
      if (c == 34 || c == 92) bufByte(e, 92);
      bufByte(e, c);
    }
    bufByte(e, 34);
    return builtinErrorBuf("eval_builtin_error", e);
  }
  quoteMetaInto(b, t + <usize>last, tn - last);
  bufByte(b, 36);
  const pat = bufToString(b);
  const root = reParse(strPtr(pat), strLen(pat));
  if (root == 0 || !reCompile(root)) {
    const e = bufNew(64);
    bufAscii(e, fn);
    bufAscii(e, ": error parsing regexp: ");
    bufAscii(e, root == 0 ? reParseError() : "expression too large");
    return builtinErrorBuf("eval_builtin_error", e);
  }
  return boolValue(reSearch(strPtr(value), strLen(value)));
}
