// glob.match(pattern, delimiters, match) with OPA's (gobwas/glob) semantics: `*` any run of
// non-delimiters, `**` any run, `?` one non-delimiter, `[abc]` `[a-z]` `[!…]` one character, `{a,b}`
// alternatives, `\` escapes. delimiters: array of strings (each code point is a delimiter; [] means
// ["."]) or null (none). The glob is translated to a regex AST and run on the Pike VM (linear time).

import { T_ARRAY, T_NULL, T_STRING, alloc, boolValue, listGet, listLen, strLen, strPtr, tagOf } from "../value";
import { bufAscii, bufNew } from "../buf";
import { builtinErrorBuf, operandError } from "./errors";
import { decodeAt, lastSize } from "./utf8";
import { A_BOT, A_EOT, INF, N_ALT, N_ANY, N_ASSERT, N_CAT, N_CLASS, N_EMPTY, N_LIT, N_REPEAT, node } from "./regex-parse";
import { reCompile, reSearch } from "./regex-vm";

// @ts-ignore: decorator
@lazy let gpos: usize = 0;
// @ts-ignore: decorator
@lazy let gend: usize = 0;
// @ts-ignore: decorator
@lazy let delims: usize = 0; // ranges (lo, hi pairs)
// @ts-ignore: decorator
@lazy let ndelims: u32 = 0;
// @ts-ignore: decorator
@lazy let gerr = false;

function cat(a: usize, b: usize): usize {
  if (load<u32>(a) == N_EMPTY) return b;
  return node(N_CAT, <u32>a, <u32>b, 0, 0);
}

function notDelim(): usize {
  if (ndelims == 0) return node(N_ANY, 1, 0, 0, 0);
  return node(N_CLASS, <u32>delims, ndelims, 1, 0);
}

// parses a sequence until end, or until ',' / '}' when inside braces
function parseSeq(inBraces: bool): usize {
  let acc = node(N_EMPTY, 0, 0, 0, 0);
  while (gpos < gend) {
    const c = <u32>load<u8>(gpos);
    if (inBraces && (c == 44 || c == 125)) break;
    if (c == 42) {
      gpos++;
      if (gpos < gend && load<u8>(gpos) == 42) {
        gpos++;
        acc = cat(acc, node(N_REPEAT, <u32>node(N_ANY, 1, 0, 0, 0), 0, INF, 1));
      } else {
        acc = cat(acc, node(N_REPEAT, <u32>notDelim(), 0, INF, 1));
      }
      continue;
    }
    if (c == 63) { gpos++; acc = cat(acc, notDelim()); continue; }
    if (c == 91) { const cls = parseList(); if (cls == 0) return 0; acc = cat(acc, cls); continue; }
    if (c == 123) {
      gpos++;
      let alt = parseSeq(true);
      if (alt == 0) return 0;
      while (gpos < gend && load<u8>(gpos) == 44) {
        gpos++;
        const next = parseSeq(true);
        if (next == 0) return 0;
        alt = node(N_ALT, <u32>alt, <u32>next, 0, 0);
      }
      if (gpos >= gend || load<u8>(gpos) != 125) { gerr = true; return 0; }
      gpos++;
      acc = cat(acc, alt);
      continue;
    }
    if (c == 92) {
      gpos++;
      if (gpos >= gend) { gerr = true; return 0; }
    }
    const cp = decodeAt(gpos, gend);
    gpos += <usize>lastSize();
    acc = cat(acc, node(N_LIT, cp, 0, 0, 0));
  }
  return acc;
}

function parseList(): usize {
  gpos++; // '['
  let neg = false;
  if (gpos < gend && load<u8>(gpos) == 33) { neg = true; gpos++; }
  let ranges = alloc(64);
  let n: u32 = 0;
  let cap: u32 = 8;
  while (true) {
    if (gpos >= gend) { gerr = true; return 0; }
    if (load<u8>(gpos) == 93) { gpos++; break; }
    if (load<u8>(gpos) == 92) gpos++;
    if (gpos >= gend) { gerr = true; return 0; }
    const lo = decodeAt(gpos, gend);
    gpos += <usize>lastSize();
    let hi = lo;
    if (gpos + 1 < gend && load<u8>(gpos) == 45 && load<u8>(gpos + 1) != 93) {
      gpos++;
      hi = decodeAt(gpos, gend);
      gpos += <usize>lastSize();
      if (hi < lo) { gerr = true; return 0; }
    }
    if (n == cap) {
      const nr = alloc(<usize>cap << 4);
      memory.copy(nr, ranges, <usize>cap << 3);
      ranges = nr;
      cap *= 2;
    }
    store<u32>(ranges + (<usize>n << 3), lo);
    store<u32>(ranges + (<usize>n << 3) + 4, hi);
    n++;
  }
  if (n == 0) { gerr = true; return 0; }
  return node(N_CLASS, <u32>ranges, n, neg ? 1 : 0, 0);
}

function addDelims(s: usize): void {
  const p = strPtr(s);
  const e = p + <usize>strLen(s);
  let q = p;
  while (q < e) {
    const cp = decodeAt(q, e);
    q += <usize>lastSize();
    const at = delims + (<usize>ndelims << 3);
    store<u32>(at, cp);
    store<u32>(at, cp, 4);
    ndelims++;
  }
}

/** bi_glob_match tells whether match matches the glob pattern with the given delimiters. */
export function bi_glob_match(pattern: usize, delimiters: usize, match: usize): usize {
  if (pattern == 0 || delimiters == 0 || match == 0) return 0;
  if (tagOf(pattern) != T_STRING) return operandError("glob.match", 1, "string", pattern);
  const dt = tagOf(delimiters);
  if (dt != T_ARRAY && dt != T_NULL) return operandError("glob.match", 2, "one of {array, null}", delimiters);
  if (tagOf(match) != T_STRING) return operandError("glob.match", 3, "string", match);
  ndelims = 0;
  let total: u32 = 1;
  if (dt == T_ARRAY) {
    for (let i: u32 = 0; i < listLen(delimiters); i++) {
      const d = listGet(delimiters, i);
      if (tagOf(d) != T_STRING) return operandError("glob.match", 2, "array of strings", delimiters);
      total += strLen(d);
    }
  }
  delims = alloc(<usize>total << 3);
  if (dt == T_ARRAY) {
    if (listLen(delimiters) == 0) {
      store<u32>(delims, 46);
      store<u32>(delims, 46, 4);
      ndelims = 1;
    }
    for (let i: u32 = 0; i < listLen(delimiters); i++) addDelims(listGet(delimiters, i));
  }
  gpos = strPtr(pattern);
  gend = gpos + <usize>strLen(pattern);
  gerr = false;
  const body = parseSeq(false);
  if (body == 0 || gerr || gpos < gend) {
    const b = bufNew(48);
    bufAscii(b, "glob.match: unexpected end of input or invalid pattern");
    return builtinErrorBuf("eval_builtin_error", b);
  }
  const root = cat(cat(node(N_ASSERT, A_BOT, 0, 0, 0), body), node(N_ASSERT, A_EOT, 0, 0, 0));
  if (!reCompile(root)) return builtinErrorBuf("eval_builtin_error", bufNew(8));
  return boolValue(reSearch(strPtr(match), strLen(match)));
}
