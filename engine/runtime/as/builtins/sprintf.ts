// sprintf(format, args): Go fmt rendering of Rego values as OPA passes them to fmt.Sprintf —
// integers as int (big ones as *big.Int), other numbers as float64, strings raw, composites as
// their Rego text. Verbs %v %s %d %b %o %O %x %X %c %q %U %e %E %f %F %g %G %t %% with flags
// (+ - # space 0), width and precision (incl. *); Go's %!verb(type=value), MISSING, EXTRA, NOVERB.

import {
  T_ARRAY, T_NUMBER, T_STRING,
  listGet, listLen, numberHasText, numberOf, numberTextLen, numberTextPtr, strLen, strPtr, tagOf,
} from "../value";
import { bufAscii, bufByte, bufBytes, bufCodePoint, bufLen, bufNew, bufPtr, bufToString } from "../buf";
import { writeF64 } from "../number-format";
import { operandError } from "./errors";
import { writeGoQuoted, writeRego } from "./format";
import { fdCount, fdDigits, fdExact, fdPoint, fdRound, fdShortest } from "./float-digits";

const K_INT: i32 = 0;
const K_BIG: i32 = 1;
const K_FLOAT: i32 = 2;
const K_STR: i32 = 3;

// current argument (classified) and format spec
// @ts-ignore: decorator
@lazy let kind: i32 = 0;
// @ts-ignore: decorator
@lazy let ival: i64 = 0;
// @ts-ignore: decorator
@lazy let fval: f64 = 0;
// @ts-ignore: decorator
@lazy let sptr: usize = 0; // K_STR bytes / K_BIG digits (with optional '-')
// @ts-ignore: decorator
@lazy let slen: u32 = 0;
// @ts-ignore: decorator
@lazy let fPlus = false;
// @ts-ignore: decorator
@lazy let fMinus = false;
// @ts-ignore: decorator
@lazy let fSharp = false;
// @ts-ignore: decorator
@lazy let fSpace = false;
// @ts-ignore: decorator
@lazy let fZero = false;
// @ts-ignore: decorator
@lazy let width: i32 = -1;
// @ts-ignore: decorator
@lazy let prec: i32 = -1;

const DIG_LO: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);
const DIG_UP: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 65, 66, 67, 68, 69, 70]);

function classify(v: usize): void {
  const t = tagOf(v);
  if (t == T_STRING) { kind = K_STR; sptr = strPtr(v); slen = strLen(v); return; }
  if (t == T_NUMBER) {
    let p: usize = 0;
    let n: u32 = 0;
    if (numberHasText(v)) { p = numberTextPtr(v); n = numberTextLen(v); }
    else {
      const b = bufNew(32);
      writeF64(b, numberOf(v));
      p = bufPtr(b);
      n = bufLen(b);
    }
    let i: u32 = load<u8>(p) == 45 ? 1 : 0;
    let allDigits = i < n;
    for (let k = i; k < n; k++) if (<u32>load<u8>(p + <usize>k) - 48 > 9) { allDigits = false; break; }
    if (allDigits) {
      const digits = n - i;
      // int64 range check by length and value
      if (digits < 19 || (digits == 19 && numberOf(v) < 9.2e18 && numberOf(v) > -9.2e18)) {
        let acc: i64 = 0;
        for (let k = i; k < n; k++) acc = acc * 10 + <i64>(<u32>load<u8>(p + <usize>k) - 48);
        kind = K_INT;
        ival = i == 1 ? -acc : acc;
        return;
      }
      kind = K_BIG; sptr = p; slen = n;
      return;
    }
    kind = K_FLOAT; fval = numberOf(v);
    return;
  }
  const b = bufNew(32);
  writeRego(b, v);
  kind = K_STR; sptr = bufPtr(b); slen = bufLen(b);
}

function runeCount(p: usize, n: u32): i32 {
  let c = 0;
  for (let i: u32 = 0; i < n; i++) if ((<u32>load<u8>(p + <usize>i) & 0xc0) != 0x80) c++;
  return c;
}

// append piece (bytes p..p+n) to out with width padding
function pad(out: usize, p: usize, n: u32): void {
  const w = width - runeCount(p, n);
  if (w <= 0) { bufBytes(out, p, n); return; }
  if (fMinus) {
    bufBytes(out, p, n);
    for (let i = 0; i < w; i++) bufByte(out, 32);
    return;
  }
  for (let i = 0; i < w; i++) bufByte(out, fZero ? 48 : 32);
  bufBytes(out, p, n);
}

// digits of an unsigned magnitude (decimal string at mp/mn for big, or u64) in base; into buf
function writeMagnitude(b: usize, mag: u64, bigP: usize, bigN: u32, base: u32, upper: bool): void {
  const tbl = upper ? DIG_UP : DIG_LO;
  if (bigP == 0) {
    const tmp = bufNew(72);
    if (mag == 0) bufByte(tmp, 48);
    while (mag > 0) { bufByte(tmp, load<u8>(tbl + <usize>(mag % <u64>base))); mag /= <u64>base; }
    const tp = bufPtr(tmp);
    for (let i = <i32>bufLen(tmp) - 1; i >= 0; i--) bufByte(b, load<u8>(tp + <usize>i));
    return;
  }
  if (base == 10) { bufBytes(b, bigP, bigN); return; }
  const work = bufNew(bigN);
  for (let i: u32 = 0; i < bigN; i++) bufByte(work, <u32>load<u8>(bigP + <usize>i) - 48);
  const w = bufPtr(work);
  const n = <i32>bigN;
  const rev = bufNew(bigN * 4);
  let start = 0;
  while (start < n) {
    let rem: u32 = 0;
    for (let i = start; i < n; i++) {
      const cur = rem * 10 + <u32>load<u8>(w + <usize>i);
      store<u8>(w + <usize>i, <u8>(cur / base));
      rem = cur % base;
    }
    bufByte(rev, load<u8>(tbl + <usize>rem));
    while (start < n && load<u8>(w + <usize>start) == 0) start++;
  }
  const rp = bufPtr(rev);
  for (let i = <i32>bufLen(rev) - 1; i >= 0; i--) bufByte(b, load<u8>(rp + <usize>i));
}

function fmtInteger(out: usize, neg: bool, mag: u64, bigP: usize, bigN: u32, base: u32, verb: u32): void {
  const digits = bufNew(72);
  if (!(prec == 0 && mag == 0 && bigP == 0)) writeMagnitude(digits, mag, bigP, bigN, base, verb == 88);
  const body = bufNew(80);
  if (neg) bufByte(body, 45);
  else if (fPlus) bufByte(body, 43);
  else if (fSpace) bufByte(body, 32);
  if (fSharp || verb == 79) {
    if (base == 16) bufAscii(body, verb == 88 ? "0X" : "0x");
    else if (base == 2) bufAscii(body, "0b");
    else if (base == 8 && verb == 79) bufAscii(body, "0o");
    else if (base == 8 && (bufLen(digits) == 0 || load<u8>(bufPtr(digits)) != 48)) bufByte(body, 48);
  }
  let minDigits = prec;
  if (prec < 0 && fZero && !fMinus && width > 0) {
    minDigits = width;
    if (neg || fPlus || fSpace) minDigits--;
  }
  for (let i = <i32>bufLen(digits); i < minDigits; i++) bufByte(body, 48);
  bufBytes(body, bufPtr(digits), bufLen(digits));
  const saveZero = fZero;
  fZero = false;
  pad(out, bufPtr(body), bufLen(body));
  fZero = saveZero;
}

function fmtE(b: usize, p: i32, upper: bool): void {
  const d = fdDigits();
  const n = fdCount();
  bufByte(b, n > 0 ? load<u8>(d) : 48);
  if (p > 0) {
    bufByte(b, 46);
    for (let i = 1; i <= p; i++) bufByte(b, i < n ? load<u8>(d + <usize>i) : 48);
  }
  bufByte(b, upper ? 69 : 101);
  let e = n == 0 ? 0 : fdPoint() - 1;
  if (e < 0) { bufByte(b, 45); e = -e; } else bufByte(b, 43);
  if (e < 10) bufByte(b, 48);
  if (e >= 100) bufByte(b, 48 + <u32>(e / 100));
  if (e >= 10) bufByte(b, 48 + <u32>((e / 10) % 10));
  bufByte(b, 48 + <u32>(e % 10));
}

function fmtF(b: usize, p: i32): void {
  const d = fdDigits();
  const n = fdCount();
  const point = fdPoint();
  if (point > 0) {
    for (let i = 0; i < point; i++) bufByte(b, i < n ? load<u8>(d + <usize>i) : 48);
  } else bufByte(b, 48);
  if (p > 0) {
    bufByte(b, 46);
    for (let i = 1; i <= p; i++) {
      const j = point + i - 1;
      bufByte(b, j >= 0 && j < n ? load<u8>(d + <usize>j) : 48);
    }
  }
}

function fmtFloat(out: usize, f: f64, verb: u32, pr: i32): void {
  const body = bufNew(64);
  const neg = f < 0 || (f == 0 && 1 / f < 0);
  if (neg) bufByte(body, 45);
  else if (fPlus) bufByte(body, 43);
  else if (fSpace) bufByte(body, 32);
  const signLen = bufLen(body);
  const lower = verb | 32;
  const shortest = pr < 0;
  if (lower == 101) {
    if (shortest) fdShortest(f); else { fdExact(f); fdRound(pr + 1); }
    fmtE(body, shortest ? (fdCount() > 0 ? fdCount() - 1 : 0) : pr, verb == 69);
  } else if (lower == 102) {
    if (shortest) fdShortest(f); else { fdExact(f); fdRound(fdPoint() + pr); }
    fmtF(body, shortest ? max(fdCount() - fdPoint(), 0) : pr);
  } else {
    let p = pr;
    if (shortest) { fdShortest(f); p = fdCount(); }
    else { if (p == 0) p = 1; fdExact(f); fdRound(p); }
    const n = fdCount();
    const point = fdPoint();
    let eprec = p;
    if (eprec > n && n >= point) eprec = n;
    if (shortest) eprec = 6;
    const exp = point - 1;
    if (exp < -4 || exp >= eprec) {
      if (p > n) p = n;
      fmtE(body, p - 1 < 0 ? 0 : p - 1, verb == 71);
    } else {
      if (p > point) p = n;
      fmtF(body, max(p - point, 0));
    }
  }
  if (fZero && !fMinus && width > <i32>bufLen(body)) {
    // zero padding goes after the sign
    const padded = bufNew(<u32>width);
    bufBytes(padded, bufPtr(body), signLen);
    for (let i = <i32>bufLen(body); i < width; i++) bufByte(padded, 48);
    bufBytes(padded, bufPtr(body) + <usize>signLen, bufLen(body) - signLen);
    bufBytes(out, bufPtr(padded), bufLen(padded));
    return;
  }
  pad(out, bufPtr(body), bufLen(body));
}

function typeName(out: usize): void {
  if (kind == K_INT) bufAscii(out, "int");
  else if (kind == K_BIG) bufAscii(out, "*big.Int");
  else if (kind == K_FLOAT) bufAscii(out, "float64");
  else bufAscii(out, "string");
}

function plainValue(out: usize): void {
  if (kind == K_INT) writeI64(out, ival);
  else if (kind == K_BIG || kind == K_STR) bufBytes(out, sptr, slen);
  else {
    const sw = width; const sp = prec; const a = fPlus; const z = fZero; const sp2 = fSpace; const m = fMinus;
    width = -1; prec = -1; fPlus = false; fZero = false; fSpace = false; fMinus = false;
    fmtFloat(out, fval, 103, -1);
    width = sw; prec = sp; fPlus = a; fZero = z; fSpace = sp2; fMinus = m;
  }
}

function writeI64(out: usize, v: i64): void {
  if (v < 0) { bufByte(out, 45); writeMagnitude(out, <u64>(-v), 0, 0, 10, false); }
  else writeMagnitude(out, <u64>v, 0, 0, 10, false);
}

function badVerb(out: usize, verb: u32): void {
  bufAscii(out, "%!");
  bufCodePoint(out, verb);
  bufByte(out, 40);
  if (kind == K_BIG) bufAscii(out, "big.Int"); else typeName(out);
  bufByte(out, 61);
  plainValue(out);
  bufByte(out, 41);
}

function formatArg(out: usize, verb: u32): void {
  if (kind == K_INT || kind == K_BIG) {
    const neg = kind == K_INT ? ival < 0 : load<u8>(sptr) == 45;
    const mag: u64 = kind == K_INT ? (ival < 0 ? <u64>(-ival) : <u64>ival) : 0;
    const bp: usize = kind == K_BIG ? sptr + (neg ? 1 : 0) : 0;
    const bn: u32 = kind == K_BIG ? slen - (neg ? 1 : 0) : 0;
    switch (verb) {
      case 100: case 118: fmtInteger(out, neg, mag, bp, bn, 10, verb); return; // d v
      case 98: fmtInteger(out, neg, mag, bp, bn, 2, verb); return; // b
      case 111: case 79: fmtInteger(out, neg, mag, bp, bn, 8, verb); return; // o O
      case 120: case 88: fmtInteger(out, neg, mag, bp, bn, 16, verb); return; // x X
    }
    if (kind == K_BIG && verb == 115) { fmtInteger(out, neg, mag, bp, bn, 10, verb); return; }
    if (kind == K_INT && verb == 99) { // c
      const b = bufNew(8);
      bufCodePoint(b, <u32>ival);
      pad(out, bufPtr(b), bufLen(b));
      return;
    }
    if (kind == K_INT && verb == 113) { // q
      const b = bufNew(8);
      bufByte(b, 39);
      bufCodePoint(b, <u32>ival);
      bufByte(b, 39);
      pad(out, bufPtr(b), bufLen(b));
      return;
    }
    if (kind == K_INT && verb == 85) { // U
      const b = bufNew(16);
      bufAscii(b, "U+");
      const hex = bufNew(16);
      writeMagnitude(hex, mag, 0, 0, 16, true);
      for (let i = <i32>bufLen(hex); i < 4; i++) bufByte(b, 48);
      bufBytes(b, bufPtr(hex), bufLen(hex));
      pad(out, bufPtr(b), bufLen(b));
      return;
    }
    badVerb(out, verb);
    return;
  }
  if (kind == K_FLOAT) {
    switch (verb) {
      case 118: fmtFloat(out, fval, 103, -1); return;
      case 101: case 69: case 102: case 70:
        fmtFloat(out, fval, verb == 70 ? 102 : verb, prec < 0 ? 6 : prec); return;
      case 103: case 71: fmtFloat(out, fval, verb, prec); return;
    }
    badVerb(out, verb);
    return;
  }
  // strings
  switch (verb) {
    case 115: case 118: { // s v
      let n = slen;
      if (prec >= 0) n = truncRunes(sptr, slen, prec);
      pad(out, sptr, n);
      return;
    }
    case 113: { // q
      let n = slen;
      if (prec >= 0) n = truncRunes(sptr, slen, prec);
      const b = bufNew(n + 2);
      writeGoQuoted(b, sptr, n);
      pad(out, bufPtr(b), bufLen(b));
      return;
    }
    case 120: case 88: { // x X
      let n = slen;
      if (prec >= 0 && <u32>prec < n) n = <u32>prec;
      const b = bufNew(n * 3 + 2);
      const tbl = verb == 88 ? DIG_UP : DIG_LO;
      for (let i: u32 = 0; i < n; i++) {
        if (fSpace && i > 0) bufByte(b, 32);
        if (fSharp && (i == 0 || fSpace)) bufAscii(b, verb == 88 ? "0X" : "0x");
        const c = <u32>load<u8>(sptr + <usize>i);
        bufByte(b, load<u8>(tbl + <usize>(c >> 4)));
        bufByte(b, load<u8>(tbl + <usize>(c & 15)));
      }
      pad(out, bufPtr(b), bufLen(b));
      return;
    }
  }
  badVerb(out, verb);
}

function truncRunes(p: usize, n: u32, max: i32): u32 {
  let count = 0;
  for (let i: u32 = 0; i < n; i++) {
    if ((<u32>load<u8>(p + <usize>i) & 0xc0) != 0x80) {
      if (count == max) return i;
      count++;
    }
  }
  return n;
}

/** bi_sprintf formats an array of values with a Go fmt format string. */
export function bi_sprintf(format: usize, args: usize): usize {
  if (format == 0 || args == 0) return 0;
  if (tagOf(format) != T_STRING) return operandError("sprintf", 1, "string", format);
  if (tagOf(args) != T_ARRAY) return operandError("sprintf", 2, "array", args);
  const p = strPtr(format);
  const n = strLen(format);
  const nargs = listLen(args);
  let argi: u32 = 0;
  const out = bufNew(n + 16);
  let i: u32 = 0;
  while (i < n) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c != 37) {
      let j = i;
      while (j < n && load<u8>(p + <usize>j) != 37) j++;
      bufBytes(out, p + <usize>i, j - i);
      i = j;
      continue;
    }
    i++;
    fPlus = false; fMinus = false; fSharp = false; fSpace = false; fZero = false;
    width = -1; prec = -1;
    for (; i < n; i++) {
      const f = <u32>load<u8>(p + <usize>i);
      if (f == 43) fPlus = true;
      else if (f == 45) { fMinus = true; fZero = false; }
      else if (f == 35) fSharp = true;
      else if (f == 32) fSpace = true;
      else if (f == 48) fZero = !fMinus;
      else break;
    }
    if (i < n && load<u8>(p + <usize>i) == 42) {
      i++;
      if (argi < nargs) {
        classify(listGet(args, argi)); argi++;
        if (kind == K_INT) { width = <i32>ival; if (width < 0) { fMinus = true; fZero = false; width = -width; } }
        else bufAscii(out, "%!(BADWIDTH)");
      } else bufAscii(out, "%!(BADWIDTH)");
    } else {
      while (i < n && <u32>load<u8>(p + <usize>i) - 48 <= 9) {
        width = (width < 0 ? 0 : width) * 10 + <i32>(<u32>load<u8>(p + <usize>i) - 48);
        i++;
      }
    }
    if (i < n && load<u8>(p + <usize>i) == 46) {
      i++;
      prec = 0;
      if (i < n && load<u8>(p + <usize>i) == 42) {
        i++;
        if (argi < nargs) {
          classify(listGet(args, argi)); argi++;
          if (kind == K_INT && ival >= 0) prec = <i32>ival;
          else { prec = -1; bufAscii(out, "%!(BADPREC)"); }
        } else bufAscii(out, "%!(BADPREC)");
      } else {
        while (i < n && <u32>load<u8>(p + <usize>i) - 48 <= 9) {
          prec = prec * 10 + <i32>(<u32>load<u8>(p + <usize>i) - 48);
          i++;
        }
      }
    }
    if (i >= n) { bufAscii(out, "%!(NOVERB)"); break; }
    // verb (a code point)
    let verb = <u32>load<u8>(p + <usize>i);
    let vsize: u32 = 1;
    if (verb >= 0x80) {
      const b = bufNew(4);
      // keep multi-byte verbs verbatim
      while (i + vsize < n && (<u32>load<u8>(p + <usize>(i + vsize)) & 0xc0) == 0x80) vsize++;
      bufBytes(b, p + <usize>i, vsize);
      verb = 0xfffd;
    }
    i += vsize;
    if (verb == 37) { bufByte(out, 37); continue; }
    if (argi >= nargs) {
      bufAscii(out, "%!");
      bufCodePoint(out, verb);
      bufAscii(out, "(MISSING)");
      continue;
    }
    classify(listGet(args, argi));
    argi++;
    formatArg(out, verb);
  }
  if (argi < nargs) {
    bufAscii(out, "%!(EXTRA ");
    fPlus = false; fMinus = false; fSharp = false; fSpace = false; fZero = false; width = -1; prec = -1;
    for (let k = argi; k < nargs; k++) {
      if (k > argi) bufAscii(out, ", ");
      classify(listGet(args, k));
      typeName(out);
      bufByte(out, 61);
      plainValue(out);
    }
    bufByte(out, 41);
  }
  return bufToString(out);
}
