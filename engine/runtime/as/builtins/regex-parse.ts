// RE2-syntax regular expression parser: pattern bytes (UTF-8) -> AST nodes in linear memory, or 0
// with an error message (reParseError). Nodes are 24-byte records [kind][a][b][c][d][e] (see the
// N_* constants). Supports literals, ., classes (ranges, negation, escapes, [:name:]), \d\w\s\D\W\S,
// \b\B\A\z, ^ $, groups ((?:…), (?P<n>…), (?<n>…), (?flags)), |, * + ? {n} {n,} {n,m} and lazy forms.
// Capturing groups become N_CAPTURE nodes numbered by opening parenthesis (reGroupCount,
// reGroupNameAt); matchers that ignore captures compile them as their child.

import { alloc } from "../value";
import { decodeAt, lastSize } from "./utf8";

/** N_EMPTY … N_CAPTURE are AST node kinds. */
export const N_EMPTY: u32 = 0;
export const N_LIT: u32 = 1; // a = code point, b = fold
export const N_ANY: u32 = 2; // a = matches newline
export const N_CLASS: u32 = 3; // a = ranges ptr (u32 lo, hi pairs), b = count, c = negated, d = fold
export const N_ASSERT: u32 = 4; // a = A_* kind
export const N_CAT: u32 = 5; // a, b
export const N_ALT: u32 = 6; // a, b
export const N_REPEAT: u32 = 7; // a = child, b = min, c = max (0xffffffff = inf), d = greedy
export const N_CAPTURE: u32 = 8; // a = child, b = group index (1-based), c = name ptr, d = name length
/** A_BOL … A_NWORD are assertion kinds. */
export const A_BOL: u32 = 0;
export const A_EOL: u32 = 1;
export const A_BOT: u32 = 2;
export const A_EOT: u32 = 3;
export const A_WORD: u32 = 4;
export const A_NWORD: u32 = 5;
export const INF: u32 = 0xffffffff;
const MAX_REPEAT: u32 = 1000;

// @ts-ignore: decorator
@lazy let src: usize = 0;
// @ts-ignore: decorator
@lazy let pos: usize = 0;
// @ts-ignore: decorator
@lazy let end: usize = 0;
// @ts-ignore: decorator
@lazy let fFold = false;
// @ts-ignore: decorator
@lazy let fMulti = false;
// @ts-ignore: decorator
@lazy let fDotNL = false;
// @ts-ignore: decorator
@lazy let fUngreedy = false;
// @ts-ignore: decorator
@lazy let err: string = "";
// @ts-ignore: decorator
@lazy let depth: i32 = 0;

// @ts-ignore: decorator
@lazy let groups: u32 = 0;
// @ts-ignore: decorator
@lazy let names: usize = 0; // (ptr, len) u32 pairs per group, capacity nameCap
// @ts-ignore: decorator
@lazy let nameCap: u32 = 0;

/** reGroupCount returns the number of capturing groups of the last successful parse. */
export function reGroupCount(): u32 {
  return groups;
}

/** reGroupNameAt returns the address of group i's name (1-based) in the pattern; its length is reGroupNameLen(i). 0 if unnamed. */
export function reGroupNameAt(i: u32): usize {
  return i == 0 || i > groups ? 0 : <usize>load<u32>(names + (<usize>(i - 1) << 3));
}

/** reGroupNameLen returns the byte length of group i's name (0 if unnamed). */
export function reGroupNameLen(i: u32): u32 {
  return i == 0 || i > groups ? 0 : load<u32>(names + (<usize>(i - 1) << 3), 4);
}

function newGroup(np: usize, nl: u32): u32 {
  if (groups == nameCap) {
    const ncap = nameCap * 2 + 8;
    const nn = alloc(<usize>ncap << 3);
    if (groups > 0) memory.copy(nn, names, <usize>groups << 3);
    names = nn;
    nameCap = ncap;
  }
  store<u32>(names + (<usize>groups << 3), <u32>np);
  store<u32>(names + (<usize>groups << 3), nl, 4);
  groups++;
  return groups;
}

/** reParseError returns the message of the last failed parse. */
export function reParseError(): string {
  return err;
}

/** node makes an AST node. */
export function node(kind: u32, a: u32, b: u32, c: u32, d: u32): usize {
  const n = alloc(24);
  store<u32>(n, kind);
  store<u32>(n, a, 4);
  store<u32>(n, b, 8);
  store<u32>(n, c, 12);
  store<u32>(n, d, 16);
  return n;
}

function fail(msg: string): usize {
  if (err.length == 0) err = msg;
  return 0;
}

/** reParse parses a pattern; returns the root node or 0 (see reParseError). */
export function reParse(p: usize, n: u32): usize {
  src = p; pos = p; end = p + <usize>n;
  fFold = false; fMulti = false; fDotNL = false; fUngreedy = false;
  err = "";
  depth = 0;
  groups = 0; names = 0; nameCap = 0;
  const r = parseAlt();
  if (r == 0) return 0;
  if (pos < end) return fail("unexpected )");
  return r;
}

function peek(): u32 {
  return pos < end ? <u32>load<u8>(pos) : 0xffffffff;
}

function parseAlt(): usize {
  let left = parseCat();
  if (left == 0) return 0;
  while (peek() == 124) {
    pos++;
    const right = parseCat();
    if (right == 0) return 0;
    left = node(N_ALT, <u32>left, <u32>right, 0, 0);
  }
  return left;
}

function parseCat(): usize {
  let acc: usize = node(N_EMPTY, 0, 0, 0, 0);
  while (pos < end) {
    const c = peek();
    if (c == 124 || c == 41) break;
    let atom = parseAtom();
    if (atom == 0) return 0;
    if (load<u32>(atom) == 0xfffffffe) continue; // flag group without content
    atom = parseRepeat(atom);
    if (atom == 0) return 0;
    acc = load<u32>(acc) == N_EMPTY ? atom : node(N_CAT, <u32>acc, <u32>atom, 0, 0);
  }
  return acc;
}

function isRepeatStart(): bool {
  const c = peek();
  if (c == 42 || c == 43 || c == 63) return true;
  if (c == 123) return parseBraces(false);
  return false;
}

// @ts-ignore: decorator
@lazy let bMin: u32 = 0;
// @ts-ignore: decorator
@lazy let bMax: u32 = 0;

// parses {n}, {n,}, {n,m} at pos; consume=false only checks
function parseBraces(consume: bool): bool {
  let q = pos + 1;
  let n: u32 = 0;
  let digits = 0;
  while (q < end && <u32>load<u8>(q) - 48 <= 9) { if (n < 100000) n = n * 10 + <u32>load<u8>(q) - 48; q++; digits++; }
  if (digits == 0) return false;
  let m = n;
  if (q < end && load<u8>(q) == 44) {
    q++;
    if (q < end && load<u8>(q) == 125) m = INF;
    else {
      m = 0;
      let md = 0;
      while (q < end && <u32>load<u8>(q) - 48 <= 9) { if (m < 100000) m = m * 10 + <u32>load<u8>(q) - 48; q++; md++; }
      if (md == 0) return false;
    }
  }
  if (q >= end || load<u8>(q) != 125) return false;
  if (consume) { pos = q + 1; bMin = n; bMax = m; }
  return true;
}

function parseRepeat(atom: usize): usize {
  let seen = false;
  while (pos < end && isRepeatStart()) {
    if (seen) return fail("invalid nested repetition operator");
    seen = true;
    const c = peek();
    let min: u32 = 0;
    let max: u32 = INF;
    if (c == 42) { pos++; }
    else if (c == 43) { pos++; min = 1; }
    else if (c == 63) { pos++; max = 1; }
    else {
      parseBraces(true);
      min = bMin; max = bMax;
      if (min > MAX_REPEAT || (max != INF && max > MAX_REPEAT) || (max != INF && max < min)) return fail("invalid repeat count");
    }
    let greedy = !fUngreedy;
    if (peek() == 63) { pos++; greedy = !greedy; }
    const k = load<u32>(atom);
    if (k == N_EMPTY || (k == N_ASSERT && false)) return fail("missing argument to repetition operator");
    atom = node(N_REPEAT, <u32>atom, min, max, greedy ? 1 : 0);
  }
  return atom;
}

function parseFlags(): usize {
  // at "(?", pos after '?'
  let neg = false;
  let fold = fFold; let multi = fMulti; let dotnl = fDotNL; let ung = fUngreedy;
  while (pos < end) {
    const c = peek();
    pos++;
    if (c == 105) fold = !neg;
    else if (c == 109) multi = !neg;
    else if (c == 115) dotnl = !neg;
    else if (c == 85) ung = !neg;
    else if (c == 45) { if (neg) return fail("invalid or unsupported Perl syntax"); neg = true; }
    else if (c == 41) {
      fFold = fold; fMulti = multi; fDotNL = dotnl; fUngreedy = ung;
      const marker = alloc(24);
      store<u32>(marker, 0xfffffffe);
      return marker;
    } else if (c == 58) {
      const sf = fFold; const sm = fMulti; const sd = fDotNL; const su = fUngreedy;
      fFold = fold; fMulti = multi; fDotNL = dotnl; fUngreedy = ung;
      const inner = parseGroupBody();
      fFold = sf; fMulti = sm; fDotNL = sd; fUngreedy = su;
      return inner;
    } else return fail("invalid or unsupported Perl syntax");
  }
  return fail("missing closing )");
}

function parseGroupBody(): usize {
  depth++;
  if (depth > 1000) return fail("expression nests too deeply");
  const sf = fFold; const sm = fMulti; const sd = fDotNL; const su = fUngreedy;
  const inner = parseAlt();
  fFold = sf; fMulti = sm; fDotNL = sd; fUngreedy = su;
  depth--;
  if (inner == 0) return 0;
  if (peek() != 41) return fail("missing closing )");
  pos++;
  return inner;
}

function parseAtom(): usize {
  const c = peek();
  if (c == 40) {
    pos++;
    if (peek() == 63) {
      pos++;
      const d = peek();
      if (d == 80 || d == 60) {
        // named group (?P<name>re) or (?<name>re)
        if (d == 80) pos++;
        if (peek() != 60) return fail("invalid named capture");
        pos++;
        let named = 0;
        const nameStart = pos;
        while (pos < end && load<u8>(pos) != 62) { pos++; named++; }
        if (pos >= end || named == 0) return fail("invalid named capture");
        pos++;
        const gi = newGroup(nameStart, <u32>named);
        const body = parseGroupBody();
        return body == 0 ? 0 : node(N_CAPTURE, <u32>body, gi, <u32>nameStart, <u32>named);
      }
      return parseFlags();
    }
    const gi = newGroup(0, 0);
    const body = parseGroupBody();
    return body == 0 ? 0 : node(N_CAPTURE, <u32>body, gi, 0, 0);
  }
  if (c == 41) return fail("unexpected )");
  if (c == 42 || c == 43 || c == 63) return fail("missing argument to repetition operator");
  if (c == 123 && parseBraces(false)) return fail("missing argument to repetition operator");
  if (c == 46) { pos++; return node(N_ANY, fDotNL ? 1 : 0, 0, 0, 0); }
  if (c == 94) { pos++; return node(N_ASSERT, fMulti ? A_BOL : A_BOT, 0, 0, 0); }
  if (c == 36) { pos++; return node(N_ASSERT, fMulti ? A_EOL : A_EOT, 0, 0, 0); }
  if (c == 91) return parseClass();
  if (c == 92) return parseEscape(false);
  const cp = decodeAt(pos, end);
  pos += <usize>lastSize();
  return node(N_LIT, cp, fFold ? 1 : 0, 0, 0);
}

// ---- classes ----

// @ts-ignore: decorator
@lazy let rPtr: usize = 0;
// @ts-ignore: decorator
@lazy let rCount: u32 = 0;
// @ts-ignore: decorator
@lazy let rCap: u32 = 0;

function addRange(lo: u32, hi: u32): void {
  if (rCount == rCap) {
    const ncap = rCap * 2 + 8;
    const np = alloc(<usize>ncap << 3);
    memory.copy(np, rPtr, <usize>rCount << 3);
    rPtr = np;
    rCap = ncap;
  }
  store<u32>(rPtr + (<usize>rCount << 3), lo);
  store<u32>(rPtr + (<usize>rCount << 3) + 4, hi);
  rCount++;
}

// adds the complement of the ranges added since index `from`
function negateSince(from: u32): void {
  // sort the new ranges (insertion sort), then emit gaps
  const n = rCount - from;
  const base = rPtr + (<usize>from << 3);
  for (let i: u32 = 1; i < n; i++) {
    const lo = load<u32>(base + (<usize>i << 3));
    const hi = load<u32>(base + (<usize>i << 3) + 4);
    let j = i;
    while (j > 0 && load<u32>(base + (<usize>(j - 1) << 3)) > lo) {
      store<u64>(base + (<usize>j << 3), load<u64>(base + (<usize>(j - 1) << 3)));
      j--;
    }
    store<u32>(base + (<usize>j << 3), lo);
    store<u32>(base + (<usize>j << 3) + 4, hi);
  }
  const tmp = alloc(<usize>n << 3);
  memory.copy(tmp, base, <usize>n << 3);
  rCount = from;
  let next: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const lo = load<u32>(tmp + (<usize>i << 3));
    const hi = load<u32>(tmp + (<usize>i << 3) + 4);
    if (lo > next) addRange(next, lo - 1);
    if (hi + 1 > next) next = hi + 1;
  }
  if (next <= 0x10ffff) addRange(next, 0x10ffff);
}

function addPerl(c: u32): bool {
  const from = rCount;
  const lc = c | 32;
  if (lc == 100) addRange(48, 57);
  else if (lc == 115) { addRange(9, 10); addRange(12, 13); addRange(32, 32); }
  else if (lc == 119) { addRange(48, 57); addRange(65, 90); addRange(95, 95); addRange(97, 122); }
  else return false;
  if (c < 97) negateSince(from);
  return true;
}

function addPosix(): bool {
  // at "[:" ; returns false if not a POSIX class
  let q = pos + 2;
  let neg = false;
  if (q < end && load<u8>(q) == 94) { neg = true; q++; }
  const nameStart = q;
  while (q + 1 < end && !(load<u8>(q) == 58 && load<u8>(q + 1) == 93)) q++;
  if (q + 1 >= end) return false;
  const len = <u32>(q - nameStart);
  const from = rCount;
  if (eq(nameStart, len, "alpha")) { addRange(65, 90); addRange(97, 122); }
  else if (eq(nameStart, len, "digit")) addRange(48, 57);
  else if (eq(nameStart, len, "alnum")) { addRange(48, 57); addRange(65, 90); addRange(97, 122); }
  else if (eq(nameStart, len, "upper")) addRange(65, 90);
  else if (eq(nameStart, len, "lower")) addRange(97, 122);
  else if (eq(nameStart, len, "space")) { addRange(9, 13); addRange(32, 32); }
  else if (eq(nameStart, len, "xdigit")) { addRange(48, 57); addRange(65, 70); addRange(97, 102); }
  else if (eq(nameStart, len, "word")) { addRange(48, 57); addRange(65, 90); addRange(95, 95); addRange(97, 122); }
  else if (eq(nameStart, len, "punct")) { addRange(33, 47); addRange(58, 64); addRange(91, 96); addRange(123, 126); }
  else if (eq(nameStart, len, "blank")) { addRange(9, 9); addRange(32, 32); }
  else if (eq(nameStart, len, "cntrl")) { addRange(0, 31); addRange(127, 127); }
  else if (eq(nameStart, len, "print")) addRange(32, 126);
  else if (eq(nameStart, len, "graph")) addRange(33, 126);
  else if (eq(nameStart, len, "ascii")) addRange(0, 127);
  else return false;
  if (neg) negateSince(from);
  pos = q + 2;
  return true;
}

function eq(p: usize, n: u32, s: string): bool {
  if (<i32>n != s.length) return false;
  for (let i = 0; i < s.length; i++) if (<u32>load<u8>(p + <usize>i) != <u32>s.charCodeAt(i)) return false;
  return true;
}

// @ts-ignore: decorator
@lazy let escCp: u32 = 0;

// parses an escape at pos ('\'): returns a node; inClass: literal code point in escCp (node 1) or class ranges added (node 2)
function parseEscape(inClass: bool): usize {
  pos++;
  if (pos >= end) return fail("trailing backslash at end of expression");
  const c = peek();
  pos++;
  let cp: u32 = 0xffffffff;
  switch (c) {
    case 100: case 68: case 115: case 83: case 119: case 87: {
      if (inClass) { addPerl(c); return 2; }
      rPtr = 0; rCount = 0; rCap = 0;
      addPerl(c);
      return node(N_CLASS, <u32>rPtr, rCount, 0, 0);
    }
    case 98: if (!inClass) return node(N_ASSERT, A_WORD, 0, 0, 0); break;
    case 66: if (!inClass) return node(N_ASSERT, A_NWORD, 0, 0, 0); break;
    case 65: if (!inClass) return node(N_ASSERT, A_BOT, 0, 0, 0); break;
    case 122: if (!inClass) return node(N_ASSERT, A_EOT, 0, 0, 0); break;
    case 110: cp = 10; break;
    case 116: cp = 9; break;
    case 114: cp = 13; break;
    case 102: cp = 12; break;
    case 118: cp = 11; break;
    case 97: cp = 7; break;
    case 120: {
      let v: u32 = 0;
      if (peek() == 123) {
        pos++;
        let nd = 0;
        while (pos < end && load<u8>(pos) != 125) {
          const h = hexVal(<u32>load<u8>(pos));
          if (h < 0) return fail("invalid escape sequence");
          v = v * 16 + <u32>h; nd++; pos++;
          if (v > 0x10ffff) return fail("invalid escape sequence");
        }
        if (pos >= end || nd == 0) return fail("invalid escape sequence");
        pos++;
      } else {
        for (let k = 0; k < 2; k++) {
          const h = pos < end ? hexVal(<u32>load<u8>(pos)) : -1;
          if (h < 0) return fail("invalid escape sequence");
          v = v * 16 + <u32>h; pos++;
        }
      }
      cp = v;
      break;
    }
    default: {
      if (c >= 48 && c <= 55) {
        // octal \0NN or \1-\7 (RE2 accepts octal, not backreferences)
        if (c != 48 && !(pos < end && <u32>load<u8>(pos) - 48 <= 7)) return fail("invalid escape sequence");
        let v: u32 = c - 48;
        for (let k = 0; k < 2 && pos < end && <u32>load<u8>(pos) - 48 <= 7; k++) { v = v * 8 + <u32>load<u8>(pos) - 48; pos++; }
        cp = v;
      } else if (c < 0x80 && !isAlnum(c)) {
        cp = c;
      } else return fail("invalid escape sequence");
    }
  }
  if (cp == 0xffffffff) return fail("invalid escape sequence");
  if (inClass) { escCp = cp; return 1; }
  return node(N_LIT, cp, fFold ? 1 : 0, 0, 0);
}

function isAlnum(c: u32): bool {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122) || c == 95;
}

function hexVal(c: u32): i32 {
  if (c >= 48 && c <= 57) return <i32>(c - 48);
  const l = c | 32;
  if (l >= 97 && l <= 102) return <i32>(l - 87);
  return -1;
}

// reads one class member code point (literal or escape); returns 0 fail, 1 code point in escCp, 2 ranges added
function classChar(): i32 {
  if (peek() == 92) {
    const r = parseEscape(true);
    return <i32>r;
  }
  escCp = decodeAt(pos, end);
  pos += <usize>lastSize();
  return 1;
}

function parseClass(): usize {
  pos++; // '['
  let neg = false;
  if (peek() == 94) { neg = true; pos++; }
  rPtr = 0; rCount = 0; rCap = 0;
  let first = true;
  while (true) {
    if (pos >= end) return fail("missing closing ]");
    const c = peek();
    if (c == 93 && !first) { pos++; break; }
    first = false;
    if (c == 91 && pos + 1 < end && load<u8>(pos + 1) == 58 && addPosix()) continue;
    const r = classChar();
    if (r == 0) return 0;
    if (r == 2) continue;
    const lo = escCp;
    if (peek() == 45 && pos + 1 < end && load<u8>(pos + 1) != 93) {
      pos++;
      const r2 = classChar();
      if (r2 == 0) return 0;
      if (r2 == 2) return fail("invalid character class range");
      if (escCp < lo) return fail("invalid character class range");
      addRange(lo, escCp);
    } else addRange(lo, lo);
  }
  if (rCount == 0 && !neg) return fail("missing closing ]");
  return node(N_CLASS, <u32>rPtr, rCount, neg ? 1 : 0, fFold ? 1 : 0);
}
