// CIDR builtins of the "data" family: net.cidr_contains (and its deprecated name
// net.cidr_overlap), net.cidr_contains_matches, net.cidr_intersects, net.cidr_is_valid and
// net.cidr_expand (ranges up to 2^16 addresses). Addresses parse as Go's net.ParseIP /
// net.ParseCIDR do: dotted IPv4 without leading zeros, IPv6 with "::" and a trailing dotted IPv4
// part; an IPv4-mapped IPv6 address counts as IPv4. Expanded IPv6 addresses print in RFC 5952
// form. Exports: the bi_* functions, and for cidr-merge.ts the address records (ADDR_SIZE,
// isMapped, parseIP, parseCIDR, writeAddr, cidrError).

import {
  T_ARRAY, T_OBJECT, T_SET, T_STRING,
  alloc, boolOf, boolValue, listGet, listLen, listPush, newArray, newNumber, newSet, objKeyAt, objValAt,
  strLen, strPtr, tagOf,
} from "../../value";
import { setAdd } from "../../collections";
import { bufAscii, bufByte, bufBytes, bufNew, bufToString, bufU64 } from "../../buf";
import { builtinErrorBuf, operandError } from "../errors";

// An address record: 17 bytes [u8 family (4 or 6)][16 address bytes]; IPv4 uses the first 4.
export const ADDR_SIZE: usize = 20;

function isDigit(c: u32): bool {
  return c >= 48 && c <= 57;
}

function hexVal(c: u32): i32 {
  if (isDigit(c)) return <i32>(c - 48);
  if (c >= 97 && c <= 102) return <i32>(c - 87);
  if (c >= 65 && c <= 70) return <i32>(c - 55);
  return -1;
}

/** parseV4 parses dotted IPv4 at [p, p+n) into 4 bytes at out; false if invalid. */
function parseV4(p: usize, n: u32, out: usize): bool {
  let i: u32 = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= n || load<u8>(p + <usize>i) != 46) return false;
      i++;
    }
    const start = i;
    let v: u32 = 0;
    while (i < n && isDigit(<u32>load<u8>(p + <usize>i)) && i - start < 4) {
      v = v * 10 + <u32>load<u8>(p + <usize>i) - 48;
      i++;
    }
    if (i == start || i - start > 3 || v > 255) return false;
    if (i - start > 1 && load<u8>(p + <usize>start) == 48) return false;
    store<u8>(out + <usize>part, <u8>v);
  }
  return i == n;
}

/** parseV6 parses IPv6 text at [p, p+n) into 16 bytes at out; false if invalid. */
function parseV6(p: usize, n: u32, out: usize): bool {
  memory.fill(out, 0, 16);
  let i: u32 = 0;
  let k: i32 = 0; // bytes written
  let ellipsis: i32 = -1;
  if (n >= 2 && load<u8>(p) == 58 && load<u8>(p + 1) == 58) {
    ellipsis = 0;
    i = 2;
    if (i == n) return true;
  }
  while (k < 16) {
    // Hex group, or a trailing dotted IPv4 part.
    const start = i;
    let v: u32 = 0;
    while (i < n && hexVal(<u32>load<u8>(p + <usize>i)) >= 0 && i - start < 5) {
      v = (v << 4) | <u32>hexVal(<u32>load<u8>(p + <usize>i));
      i++;
    }
    if (i == start || i - start > 4) return false;
    if (i < n && load<u8>(p + <usize>i) == 46) {
      if (ellipsis < 0 && k != 12) return false;
      if (k + 4 > 16) return false;
      if (!parseV4(p + <usize>start, n - start, out + <usize>k)) return false;
      k += 4;
      i = n;
      break;
    }
    store<u8>(out + <usize>k, <u8>(v >> 8));
    store<u8>(out + <usize>k + 1, <u8>v);
    k += 2;
    if (i == n) break;
    if (load<u8>(p + <usize>i) != 58) return false;
    i++;
    if (i < n && load<u8>(p + <usize>i) == 58) {
      if (ellipsis >= 0) return false;
      ellipsis = k;
      i++;
      if (i == n) break;
    } else if (i == n) {
      return false;
    }
  }
  if (i != n) return false;
  if (k < 16) {
    if (ellipsis < 0) return false;
    const shift = 16 - k;
    for (let j = k - 1; j >= ellipsis; j--) {
      store<u8>(out + <usize>(j + shift), load<u8>(out + <usize>j));
      store<u8>(out + <usize>j, 0);
    }
  } else if (ellipsis >= 0) {
    return false;
  }
  return true;
}

/** isMapped tells whether 16 bytes are an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
export function isMapped(a: usize): bool {
  for (let i = 0; i < 10; i++) if (load<u8>(a + <usize>i) != 0) return false;
  return load<u8>(a + 10) == 255 && load<u8>(a + 11) == 255;
}

/** parseIP parses an IP address into a new record (IPv4-mapped IPv6 becomes IPv4), or 0. */
export function parseIP(p: usize, n: u32): usize {
  const r = alloc(ADDR_SIZE);
  if (parseV4(p, n, r + 1)) {
    store<u8>(r, 4);
    return r;
  }
  if (!parseV6(p, n, r + 1)) return 0;
  if (isMapped(r + 1)) {
    memory.copy(r + 1, r + 13, 4);
    store<u8>(r, 4);
  } else {
    store<u8>(r, 6);
  }
  return r;
}

// A CIDR record: [address record (20 bytes)][u32 prefix bits], the address masked to the network.
/** parseCIDR parses "addr/bits" into a new record with the address masked, or 0. */
export function parseCIDR(p: usize, n: u32): usize {
  let slash: i32 = -1;
  for (let i: u32 = 0; i < n; i++) if (load<u8>(p + <usize>i) == 47) slash = <i32>i;
  if (slash < 0) return 0;
  const r = alloc(ADDR_SIZE + 4);
  const s = <u32>slash;
  if (parseV4(p, s, r + 1)) {
    store<u8>(r, 4);
  } else if (parseV6(p, s, r + 1)) {
    store<u8>(r, 6);
  } else {
    return 0;
  }
  let bits: u32 = 0;
  let i = s + 1;
  if (i == n) return 0;
  for (; i < n; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (!isDigit(c)) return 0;
    bits = bits * 10 + c - 48;
    if (bits > 1000) return 0;
  }
  const max: u32 = load<u8>(r) == 4 ? 32 : 128;
  if (bits > max) return 0;
  store<u32>(r + ADDR_SIZE, bits);
  maskTo(r, bits);
  return r;
}

function addrLen(r: usize): u32 {
  return load<u8>(r) == 4 ? 4 : 16;
}

/** maskTo clears the address bits after the first `bits`. */
function maskTo(r: usize, bits: u32): void {
  const len = addrLen(r);
  for (let i: u32 = 0; i < len; i++) {
    const keep = bits >= (i + 1) * 8 ? 8 : bits > i * 8 ? bits - i * 8 : 0;
    const m: u32 = keep == 0 ? 0 : (<u32>0xff << (8 - keep)) & 0xff;
    store<u8>(r + 1 + <usize>i, <u8>(<u32>load<u8>(r + 1 + <usize>i) & m));
  }
}

/** netContains tells whether CIDR record c contains the address of record a. */
function netContains(c: usize, a: usize): bool {
  if (load<u8>(c) != load<u8>(a)) return false;
  const bits = load<u32>(c + ADDR_SIZE);
  for (let b: u32 = 0; b < bits; b++) {
    const i = <usize>(b >> 3);
    const m: u32 = <u32>0x80 >> (b & 7);
    if ((<u32>load<u8>(c + 1 + i) & m) != (<u32>load<u8>(a + 1 + i) & m)) return false;
  }
  return true;
}

/** stringError reports `<fn>: <msg><s>` as an eval_builtin_error for STRING s; returns 0. */
function stringError(fn: string, msg: string, s: usize): usize {
  const m = bufNew(64 + strLen(s));
  bufAscii(m, fn);
  bufAscii(m, msg);
  bufBytes(m, strPtr(s), strLen(s));
  return builtinErrorBuf("eval_builtin_error", m);
}

/** cidrError reports Go's ParseCIDR error for STRING s (`<fn>: invalid CIDR address: <s>`); returns 0. */
export function cidrError(fn: string, s: usize): usize {
  return stringError(fn, ": invalid CIDR address: ", s);
}

/**
 * cidrContains tells whether CIDR cidr contains x, an IP address or a CIDR (all of its addresses),
 * checking and parsing in OPA's order: cidr's type, cidr, x's type (reported as operand xPos), x.
 * Returns a boolean value, or 0 after reporting an error.
 */
function cidrContains(fn: string, cidr: usize, x: usize, xPos: i32): usize {
  if (tagOf(cidr) != T_STRING) return operandError(fn, 1, "string", cidr);
  const c = parseCIDR(strPtr(cidr), strLen(cidr));
  if (c == 0) return cidrError(fn, cidr);
  if (tagOf(x) != T_STRING) return operandError(fn, xPos, "string", x);
  const ip = parseIP(strPtr(x), strLen(x));
  if (ip != 0) return boolValue(netContains(c, ip));
  const c2 = parseCIDR(strPtr(x), strLen(x));
  if (c2 == 0) return stringError(fn, ": not a valid textual representation of an IP address or CIDR: ", x);
  return boolValue(netContains(c, c2) && load<u32>(c + ADDR_SIZE) <= load<u32>(c2 + ADDR_SIZE));
}

/** bi_net_cidr_contains tells whether a CIDR contains an IP address or another CIDR. */
export function bi_net_cidr_contains(cidr: usize, x: usize): usize {
  if (cidr == 0 || x == 0) return 0;
  return cidrContains("net.cidr_contains", cidr, x, 2);
}

/** bi_net_cidr_overlap is net.cidr_contains under its deprecated name. */
export function bi_net_cidr_overlap(cidr: usize, x: usize): usize {
  if (cidr == 0 || x == 0) return 0;
  return cidrContains("net.cidr_overlap", cidr, x, 2);
}

const MATCHES = "net.cidr_contains_matches";

// net.cidr_contains_matches reads each operand as (CIDR, key) pairs: a string is one pair keyed by
// itself; an array's items are keyed by index, a set's by the item, an object's values by key. An
// item is a CIDR string or a non-empty array whose first item is the CIDR; other values give none.

/** matchCount returns how many (CIDR, key) pairs operand v holds. */
function matchCount(v: usize): u32 {
  const t = tagOf(v);
  if (t == T_STRING) return 1;
  if (t == T_ARRAY || t == T_SET || t == T_OBJECT) return listLen(v);
  return 0;
}

/** matchKey returns the key of pair i of operand v. */
function matchKey(v: usize, i: u32): usize {
  const t = tagOf(v);
  if (t == T_ARRAY) return newNumber(<f64>i);
  if (t == T_OBJECT) return objKeyAt(v, i);
  return t == T_SET ? listGet(v, i) : v;
}

/** matchCidr returns the CIDR of pair i of operand pos (v), or 0 after reporting a bad item. */
function matchCidr(pos: i32, v: usize, i: u32): usize {
  const t = tagOf(v);
  if (t == T_STRING) return v;
  const item = t == T_OBJECT ? objValAt(v, i) : listGet(v, i);
  const it = tagOf(item);
  if (it == T_STRING) return item;
  if (it == T_ARRAY && listLen(item) > 0) return listGet(item, 0);
  const m = bufNew(80);
  bufAscii(m, MATCHES);
  bufAscii(m, ": operand ");
  bufAscii(m, pos == 1 ? "1" : "2");
  bufAscii(m, ": element must be string or non-empty array");
  return builtinErrorBuf("eval_builtin_error", m);
}

/**
 * bi_net_cidr_contains_matches returns the set of [key of a, key of b] for every CIDR of a that
 * contains an address or CIDR of b (each operand a string, or an array, set or object of them).
 */
export function bi_net_cidr_contains_matches(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  const out = newSet(4);
  const na = matchCount(a);
  const nb = matchCount(b);
  for (let i: u32 = 0; i < na; i++) {
    const cidr = matchCidr(1, a, i);
    if (cidr == 0) return 0;
    for (let j: u32 = 0; j < nb; j++) {
      const x = matchCidr(2, b, j);
      if (x == 0) return 0;
      // OPA checks both strings as operand 1 of net.cidr_contains.
      const r = cidrContains(MATCHES, cidr, x, 1);
      if (r == 0) return 0;
      if (!boolOf(r)) continue;
      const pair = newArray(2);
      listPush(pair, matchKey(a, i));
      listPush(pair, matchKey(b, j));
      setAdd(out, pair);
    }
  }
  return out;
}

/** bi_net_cidr_intersects tells whether two CIDRs overlap. */
export function bi_net_cidr_intersects(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  if (tagOf(a) != T_STRING) return operandError("net.cidr_intersects", 1, "string", a);
  if (tagOf(b) != T_STRING) return operandError("net.cidr_intersects", 2, "string", b);
  const x = parseCIDR(strPtr(a), strLen(a));
  if (x == 0) return cidrError("net.cidr_intersects", a);
  const y = parseCIDR(strPtr(b), strLen(b));
  if (y == 0) return cidrError("net.cidr_intersects", b);
  return boolValue(netContains(x, y) || netContains(y, x));
}

/** bi_net_cidr_is_valid tells whether a value is a string holding a valid CIDR. */
export function bi_net_cidr_is_valid(v: usize): usize {
  if (v == 0) return 0;
  if (tagOf(v) != T_STRING) return boolValue(false);
  return boolValue(parseCIDR(strPtr(v), strLen(v)) != 0);
}

const HEX: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** writeAddr appends an address in Go's IP.String form (IPv6 per RFC 5952). */
export function writeAddr(b: usize, r: usize): void {
  const a = r + 1;
  if (load<u8>(r) == 4) {
    for (let i = 0; i < 4; i++) {
      if (i > 0) bufByte(b, 46);
      bufU64(b, <u64>load<u8>(a + <usize>i));
    }
    return;
  }
  // Longest run (>= 2) of zero groups, first on ties.
  let bestStart = -1;
  let bestLen = 0;
  for (let g = 0; g < 8; ) {
    if (load<u16>(a + <usize>(g * 2)) == 0) {
      let e = g;
      while (e < 8 && load<u16>(a + <usize>(e * 2)) == 0) e++;
      if (e - g > bestLen && e - g >= 2) {
        bestStart = g;
        bestLen = e - g;
      }
      g = e;
    } else {
      g++;
    }
  }
  for (let g = 0; g < 8; g++) {
    if (g == bestStart) {
      bufByte(b, 58);
      bufByte(b, 58);
      g += bestLen - 1;
      continue;
    }
    if (g > 0 && g != bestStart + bestLen) bufByte(b, 58);
    const v = (<u32>load<u8>(a + <usize>(g * 2)) << 8) | <u32>load<u8>(a + <usize>(g * 2) + 1);
    let started = false;
    for (let s: i32 = 12; s >= 0; s -= 4) {
      const d = (v >> <u32>s) & 15;
      if (d != 0 || started || s == 0) {
        bufByte(b, <u32>load<u8>(HEX + <usize>d));
        started = true;
      }
    }
  }
}

/** bi_net_cidr_expand returns the set of all addresses in a CIDR (at most 2^16 of them). */
export function bi_net_cidr_expand(cidr: usize): usize {
  if (cidr == 0) return 0;
  if (tagOf(cidr) != T_STRING) return operandError("net.cidr_expand", 1, "string", cidr);
  const c = parseCIDR(strPtr(cidr), strLen(cidr));
  if (c == 0) return cidrError("net.cidr_expand", cidr);
  const len = addrLen(c);
  const hostBits = len * 8 - load<u32>(c + ADDR_SIZE);
  if (hostBits > 16) {
    const m = bufNew(64);
    bufAscii(m, "net.cidr_expand: CIDR too large to expand (more than 65536 addresses)");
    return builtinErrorBuf("eval_builtin_error", m);
  }
  const count: u32 = 1 << hostBits;
  const out = newSet(count);
  const cur = alloc(ADDR_SIZE);
  memory.copy(cur, c, ADDR_SIZE);
  for (let k: u32 = 0; k < count; k++) {
    const b = bufNew(40);
    writeAddr(b, cur);
    setAdd(out, bufToString(b));
    // Increment the address (big-endian).
    for (let i = <i32>len - 1; i >= 0; i--) {
      const p = cur + 1 + <usize>i;
      const v = load<u8>(p) + 1;
      store<u8>(p, <u8>v);
      if ((v & 0xff) != 0) break;
    }
  }
  return out;
}
