// uuid.parse (issue 5): parses the textual forms OPA accepts (hyphenated 36 characters, braced
// {…}, urn:uuid:…, or 32 plain hex digits; hex in either case) and returns an object with
// "version" and "variant" and, for versions 1 and 2, "time" (Unix ns), "nodeid" (hyphenated
// hex bytes), "macvariables" ("local"/"global" ":" "multicast"/"unicast") and "clocksequence";
// version 2 adds "id" and "domain". Invalid text is undefined. Exports: bi_uuid_parse.

import { T_STRING, alloc, strLen, strPtr, tagOf, newObject } from "../../value";
import { asciiString, bufAscii, bufByte, bufNew, bufToString } from "../../buf";
import { objectInsert } from "../../collections";
import { operandError } from "../errors";
import { intNumber } from "./numbers";

const HEX: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

function hexVal(c: u32): i32 {
  if (c >= 48 && c <= 57) return <i32>(c - 48);
  if (c >= 97 && c <= 102) return <i32>(c - 87);
  if (c >= 65 && c <= 70) return <i32>(c - 55);
  return -1;
}

/** decodeUUID fills 16 bytes at out from the text [p, p+n); false if it is not a UUID. */
function decodeUUID(p: usize, n: u32, out: usize): bool {
  if (n == 45) {
    // "urn:uuid:" prefix, case-insensitive.
    const pre = "urn:uuid:";
    for (let i = 0; i < 9; i++) {
      let c = <u32>load<u8>(p + <usize>i);
      if (c >= 65 && c <= 90) c += 32;
      if (c != <u32>pre.charCodeAt(i)) return false;
    }
    p += 9;
    n = 36;
  } else if (n == 38) {
    if (load<u8>(p) != 123 || load<u8>(p + 37) != 125) return false;
    p += 1;
    n = 36;
  }
  if (n == 36) {
    if (load<u8>(p + 8) != 45 || load<u8>(p + 13) != 45 || load<u8>(p + 18) != 45 || load<u8>(p + 23) != 45) return false;
  } else if (n != 32) {
    return false;
  }
  let j: usize = 0;
  let i: usize = 0;
  while (j < 16) {
    if (n == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) i++;
    const hi = hexVal(<u32>load<u8>(p + i));
    const lo = hexVal(<u32>load<u8>(p + i + 1));
    if (hi < 0 || lo < 0) return false;
    store<u8>(out + j, <u8>((hi << 4) | lo));
    i += 2;
    j++;
  }
  return true;
}

function put(o: usize, key: string, v: usize): void {
  objectInsert(o, asciiString(key), v);
}

function byteAt(u: usize, i: usize): u64 {
  return <u64>load<u8>(u + i);
}

/** bi_uuid_parse returns the fields of a UUID string as OPA's uuid.parse does, or undefined. */
export function bi_uuid_parse(s: usize): usize {
  if (s == 0) return 0;
  if (tagOf(s) != T_STRING) return operandError("uuid.parse", 1, "string", s);
  const u = alloc(16);
  if (!decodeUUID(strPtr(s), strLen(s), u)) return 0;
  const version = <i64>(load<u8>(u + 6) >> 4);
  const b8 = <u32>load<u8>(u + 8);
  const o = newObject(8);
  put(o, "version", intNumber(version));
  let variant = "Reserved";
  if ((b8 & 0xc0) == 0x80) variant = "RFC4122";
  else if ((b8 & 0xe0) == 0xc0) variant = "Microsoft";
  else if ((b8 & 0xe0) == 0xe0) variant = "Future";
  put(o, "variant", asciiString(variant));
  if (version == 1 || version == 2) {
    // 60-bit count of 100 ns intervals since 1582-10-15.
    let t: i64 = <i64>((byteAt(u, 0) << 24) | (byteAt(u, 1) << 16) | (byteAt(u, 2) << 8) | byteAt(u, 3));
    t |= <i64>((byteAt(u, 4) << 8) | byteAt(u, 5)) << 32;
    t |= <i64>(((byteAt(u, 6) << 8) | byteAt(u, 7)) & 0xfff) << 48;
    const rel = t - 122192928000000000;
    const sec = rel / 10000000;
    const nsec = (rel % 10000000) * 100;
    put(o, "time", intNumber(sec * 1000000000 + nsec));
    const nb = bufNew(17);
    for (let i: usize = 10; i < 16; i++) {
      if (i > 10) bufByte(nb, 45);
      const x = <u32>load<u8>(u + i);
      bufByte(nb, <u32>load<u8>(HEX + <usize>(x >> 4)));
      bufByte(nb, <u32>load<u8>(HEX + <usize>(x & 15)));
    }
    put(o, "nodeid", bufToString(nb));
    const n0 = <u32>load<u8>(u + 10);
    const mb = bufNew(16);
    bufAscii(mb, (n0 & 2) != 0 ? "local" : "global");
    bufAscii(mb, (n0 & 1) != 0 ? ":multicast" : ":unicast");
    put(o, "macvariables", bufToString(mb));
    put(o, "clocksequence", intNumber(<i64>(((byteAt(u, 8) << 8) | byteAt(u, 9)) & 0x3fff)));
    if (version == 2) {
      put(o, "id", intNumber(<i64>((byteAt(u, 0) << 24) | (byteAt(u, 1) << 16) | (byteAt(u, 2) << 8) | byteAt(u, 3))));
      const d = <u32>load<u8>(u + 9);
      if (d == 0) put(o, "domain", asciiString("Person"));
      else if (d == 1) put(o, "domain", asciiString("Group"));
      else if (d == 2) put(o, "domain", asciiString("Org"));
      else {
        const db = bufNew(12);
        bufAscii(db, "Domain");
        const t2 = d / 100, t1 = (d / 10) % 10;
        if (d >= 100) bufByte(db, 48 + t2);
        if (d >= 10) bufByte(db, 48 + t1);
        bufByte(db, 48 + d % 10);
        put(o, "domain", bufToString(db));
      }
    }
  }
  return o;
}
