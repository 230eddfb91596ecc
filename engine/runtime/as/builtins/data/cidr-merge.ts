// net.cidr_merge of the "data" family: the smallest set of CIDRs covering a list of CIDRs and IP
// addresses, as OPA computes it. Each network becomes a range of 16-byte addresses (IPv4 mapped
// into ::ffff:0:0/96); ranges sorted by (last, first) merge from the end when one starts at or
// before the address after the other's end. A range never merged prints its own network (an IPv4
// address without a prefix takes its classful mask and prints unmasked, e.g. "10.1.2.3/8"); a
// merged range prints as its minimal CIDR blocks. Exports: bi_net_cidr_merge.

import { T_STRING, alloc, listGet, listLen, newSet, strLen, strPtr, tagOf } from "../../value";
import { isList, setAdd } from "../../collections";
import { bufByte, bufNew, bufToString, bufU64 } from "../../buf";
import { builtinError } from "../errors";
import { ADDR_SIZE, cidrError, isMapped, parseCIDR, parseIP, writeAddr } from "./net";

const FN = "net.cidr_merge";

// A range record: [16 bytes first][16 bytes last][u32 network record to print, 0 once merged].
const RANGE_SIZE: usize = 36;
const NET_AT: usize = 32;

/** classfulBits is Go's IP.DefaultMask length for an IPv4 address starting with byte a0. */
function classfulBits(a0: u32): u32 {
  return a0 < 0x80 ? 8 : a0 < 0xc0 ? 16 : 24;
}

/**
 * networkOf parses one item (a CIDR, or an IPv4 address taking its classful prefix) into a CIDR
 * record (net.ts layout); 0 after reporting OPA's error.
 */
function networkOf(item: usize): usize {
  if (tagOf(item) != T_STRING) return builtinError("eval_builtin_error", "net.cidr_merge: element must be string");
  const ip = parseIP(strPtr(item), strLen(item));
  if (ip == 0) {
    const c = parseCIDR(strPtr(item), strLen(item));
    return c != 0 ? c : cidrError(FN, item);
  }
  if (load<u8>(ip) == 6) return builtinError("eval_builtin_error", "net.cidr_merge: IPv6 invalid: needs prefix length");
  const r = alloc(ADDR_SIZE + 4);
  memory.copy(r, ip, ADDR_SIZE);
  store<u32>(r + ADDR_SIZE, classfulBits(<u32>load<u8>(ip + 1)));
  return r;
}

/** rangeOf makes the range record of a CIDR record: its first and last 16-byte addresses. */
function rangeOf(net: usize): usize {
  const r = alloc(RANGE_SIZE);
  let bits = load<u32>(net + ADDR_SIZE);
  if (load<u8>(net) == 4) {
    memory.fill(r, 0, 10);
    store<u16>(r + 10, 0xffff);
    memory.copy(r + 12, net + 1, 4);
    bits += 96;
  } else {
    memory.copy(r, net + 1, 16);
  }
  for (let i: u32 = 0; i < 16; i++) {
    const keep = bits >= (i + 1) * 8 ? 8 : bits > i * 8 ? bits - i * 8 : 0;
    const mask: u32 = (<u32>0xff << (8 - keep)) & 0xff;
    const v = <u32>load<u8>(r + <usize>i);
    store<u8>(r + <usize>i, <u8>(v & mask));
    store<u8>(r + 16 + <usize>i, <u8>(v | (~mask & 0xff)));
  }
  store<u32>(r + NET_AT, <u32>net);
  return r;
}

/** compareRanges orders ranges by last address, then first address (OPA's sort). */
function compareRanges(a: usize, b: usize): i32 {
  const c = memory.compare(a + 16, b + 16, 16);
  return c != 0 ? c : memory.compare(a, b, 16);
}

/** sortRanges sorts n range pointers at items (a stable merge sort through tmp). */
function sortRanges(items: usize, tmp: usize, n: u32): void {
  for (let width: u32 = 1; width < n; width <<= 1) {
    for (let lo: u32 = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n);
      const hi = min(lo + (width << 1), n);
      let i = lo;
      let j = mid;
      for (let k = lo; k < hi; k++) {
        const takeLeft = i < mid && (j >= hi || compareRanges(load<u32>(items + (<usize>i << 2)), load<u32>(items + (<usize>j << 2))) <= 0);
        store<u32>(tmp + (<usize>k << 2), load<u32>(items + (<usize>(takeLeft ? i++ : j++) << 2)));
      }
    }
    memory.copy(items, tmp, <usize>n << 2);
  }
}

/**
 * previousAddress writes the address before the 16 bytes at a into out; zero stays zero, and an
 * IPv4-mapped address steps within the IPv4 space (OPA's GetPreviousIP).
 */
function previousAddress(a: usize, out: usize): void {
  memory.copy(out, a, 16);
  const low: i32 = isMapped(a) ? 12 : 0;
  let zero = true;
  for (let i = low; i < 16; i++) if (load<u8>(a + <usize>i) != 0) zero = false;
  if (zero) return;
  for (let i = 15; i >= low; i--) {
    const v = load<u8>(out + <usize>i);
    store<u8>(out + <usize>i, v - 1);
    if (v != 0) break;
  }
}

/** adjoins tells whether range r starts at or before the address after range before ends. */
function adjoins(before: usize, r: usize): bool {
  const prev = alloc(16);
  previousAddress(r, prev);
  return memory.compare(prev, before + 16, 16) <= 0;
}

/** joined makes the merged range of before and r (r ends last): the lower first, r's last. */
function joined(before: usize, r: usize): usize {
  const m = alloc(RANGE_SIZE);
  memory.copy(m, memory.compare(before, r, 16) < 0 ? before : r, 16);
  memory.copy(m + 16, r + 16, 16);
  store<u32>(m + NET_AT, 0);
  return m;
}

/** addNetwork adds the text of a CIDR record ("addr/bits") to set out. */
function addNetwork(out: usize, net: usize): void {
  const b = bufNew(48);
  writeAddr(b, net);
  bufByte(b, 47);
  bufU64(b, <u64>load<u32>(net + ADDR_SIZE));
  setAdd(out, bufToString(b));
}

/** addBlock adds the CIDR of the block at the 16-byte big-endian address (hi, lo) with the given prefix. */
function addBlock(out: usize, hi: u64, lo: u64, prefix: u32): void {
  const net = alloc(ADDR_SIZE + 4);
  const a = alloc(16);
  store<u64>(a, bswap<u64>(hi));
  store<u64>(a + 8, bswap<u64>(lo));
  if (isMapped(a) && prefix >= 96) {
    store<u8>(net, 4);
    memory.copy(net + 1, a + 12, 4);
    store<u32>(net + ADDR_SIZE, prefix - 96);
  } else {
    store<u8>(net, 6);
    memory.copy(net + 1, a, 16);
    store<u32>(net + ADDR_SIZE, prefix);
  }
  addNetwork(out, net);
}

/** addBlocks adds the fewest CIDRs that exactly cover the addresses of range r (largest aligned blocks first). */
function addBlocks(out: usize, r: usize): void {
  let hi = bswap<u64>(load<u64>(r));
  let lo = bswap<u64>(load<u64>(r + 8));
  const lastHi = bswap<u64>(load<u64>(r + 16));
  const lastLo = bswap<u64>(load<u64>(r + 24));
  while (true) {
    // The block size 2^k is limited by the alignment of the start, then by the end of the range.
    let k: u32 = lo != 0 ? <u32>ctz(lo) : hi != 0 ? 64 + <u32>ctz(hi) : 128;
    let endHi: u64 = 0;
    let endLo: u64 = 0;
    while (true) {
      endHi = hi | (k >= 128 ? ~(<u64>0) : k > 64 ? (<u64>1 << (k - 64)) - 1 : 0);
      endLo = lo | (k >= 64 ? ~(<u64>0) : (<u64>1 << k) - 1);
      if (endHi < lastHi || (endHi == lastHi && endLo <= lastLo)) break;
      k--;
    }
    addBlock(out, hi, lo, 128 - k);
    if (endHi == lastHi && endLo == lastLo) return;
    lo = endLo + 1;
    hi = lo == 0 ? endHi + 1 : endHi;
  }
}

/** bi_net_cidr_merge merges an array or set of CIDRs and IPv4 addresses into the smallest set of CIDRs. */
export function bi_net_cidr_merge(v: usize): usize {
  if (v == 0) return 0;
  if (!isList(v)) return builtinError("eval_builtin_error", "net.cidr_merge: operand must be an array");
  const n = listLen(v);
  const items = alloc(<usize>n << 2);
  for (let i: u32 = 0; i < n; i++) {
    const net = networkOf(listGet(v, i));
    if (net == 0) return 0;
    store<u32>(items + (<usize>i << 2), <u32>rangeOf(net));
  }
  sortRanges(items, alloc(<usize>n << 2), n);
  const out = newSet(n);
  if (n == 0) return out;
  // Merge from the end: cur absorbs each earlier range that reaches it.
  let cur = <usize>load<u32>(items + (<usize>(n - 1) << 2));
  for (let i = <i32>n - 2; i >= -1; i--) {
    const before = i >= 0 ? <usize>load<u32>(items + (<usize>i << 2)) : 0;
    if (before != 0 && adjoins(before, cur)) {
      cur = joined(before, cur);
      continue;
    }
    const net = <usize>load<u32>(cur + NET_AT);
    if (net != 0) addNetwork(out, net);
    else addBlocks(out, cur);
    cur = before;
  }
  return out;
}
