// Compacts a Zone to what OPA's time range needs and encodes the zone set as the tzdata blob the
// runtime reads (engine/runtime/as/builtins/time/zones.ts documents the same layout).
// Time range: OPA times are int64 nanoseconds, so only Unix seconds in [MIN_SEC, MAX_SEC] matter.
// Compaction: transitions before MIN_SEC collapse into the "before" type; trailing transitions that
// the footer rule reproduces exactly are dropped and the rule applies from `ruleFrom` on. Every
// step is verified against Go's lookup over the full zone (see verifyCompact).

import {
  type LocalType,
  type PosixRule,
  type RuleDate,
  type Zone,
  daysFromCivil,
  lastAtOrBefore,
  lookupZone,
  ruleSeconds,
  ruleType,
  sameType,
  yearOf,
} from './zone.js';

export const MIN_SEC = -9223372037;
export const MAX_SEC = 9223372037;
const DAY = 86400;
const MAX_ABBR = 6;

/** CompactZone: `before` applies until the first transition; the rule (if any) from ruleFrom on. */
export type CompactZone = {
  readonly types: readonly LocalType[];
  readonly before: number;
  readonly transitions: readonly { readonly at: number; readonly type: number }[];
  readonly rule?: PosixRule;
  readonly ruleFrom: number;
};

/** lookupCompact is the runtime's lookup, in JS: the local type in force at Unix second t. */
export function lookupCompact(c: CompactZone, t: number): LocalType {
  if (c.rule && t >= c.ruleFrom) return ruleType(c.rule, t);
  const tx = c.transitions;
  if (tx.length === 0 || t < tx[0]!.at) return c.types[c.before]!;
  return c.types[tx[lastAtOrBefore(tx, t)]!.type]!;
}

/** ruleBreaks lists the instants where a rule's answer may change in [fromYear, toYear] (±1 s). */
function ruleBreaks(rule: PosixRule, fromYear: number, toYear: number): number[] {
  const out: number[] = [];
  for (let y = fromYear; y <= toYear; y++) {
    const y0 = daysFromCivil(y, 1, 1) * DAY;
    out.push(y0, y0 - 1);
    if (rule.dst) {
      for (const at of [ruleSeconds(y, rule.dst.start, rule.std.offset), ruleSeconds(y, rule.dst.end, rule.dst.type.offset)]) {
        out.push(y0 + at, y0 + at - 1);
      }
    }
  }
  return out;
}

/** checkPoints are instants at which both a zone and a candidate compact form may change. */
function checkPoints(z: Zone, from: number): number[] {
  const pts = [from];
  for (const tx of z.transitions) if (tx.at > from) pts.push(tx.at, tx.at - 1);
  if (z.rule) {
    const last = z.transitions.length > 0 ? z.transitions[z.transitions.length - 1]!.at : from;
    pts.push(
      ...ruleBreaks(z.rule, Math.max(yearOf(Math.max(from, MIN_SEC)) - 1, 1677), Math.min(yearOf(Math.min(last, MAX_SEC)) + 2, 2262)),
    );
  }
  return pts.filter((t) => t >= from && t >= MIN_SEC && t <= MAX_SEC);
}

/** ruleReproduces tells whether the footer rule gives Go's answer at every instant from `from` on. */
function ruleReproduces(z: Zone, from: number): boolean {
  const rule = z.rule!;
  return checkPoints(z, from).every((t) => sameType(lookupZone(z, t), ruleType(rule, t)));
}

/** compactZone drops what OPA's range and the footer rule make redundant (verified). */
export function compactZone(z: Zone): CompactZone {
  const tx = z.transitions;
  let cut = tx.length;
  let ruleFrom = MAX_SEC + 1;
  if (z.rule) {
    // Go itself applies the rule from the last transition on (everywhere when there is none).
    cut = Math.max(tx.length - 1, 0);
    ruleFrom = tx.length > 0 ? tx[cut]!.at : MIN_SEC;
    while (cut > 0 && ruleReproduces(z, tx[cut - 1]!.at)) ruleFrom = tx[--cut]!.at;
  }
  const kept = tx.slice(0, cut).filter((x) => x.at > MIN_SEC);
  const types: LocalType[] = [];
  const typeIndex = (t: LocalType): number => {
    const i = types.findIndex((u) => sameType(u, t));
    if (i >= 0) return i;
    if (t.abbr.length > MAX_ABBR) throw new Error(`abbreviation ${t.abbr} longer than ${MAX_ABBR}`);
    return types.push(t) - 1;
  };
  const before = typeIndex(lookupZone(z, MIN_SEC));
  const transitions = kept.map((x) => ({ at: x.at, type: typeIndex(z.types[x.type]!) }));
  const c: CompactZone = { types, before, transitions, ruleFrom: Math.max(ruleFrom, MIN_SEC), ...(z.rule ? { rule: z.rule } : {}) };
  verifyCompact(z, c);
  return c;
}

/** verifyCompact throws unless the compact zone answers as Go does at every breakpoint of either. */
export function verifyCompact(z: Zone, c: CompactZone): void {
  const pts = checkPoints(z, MIN_SEC);
  for (const x of c.transitions) pts.push(x.at, x.at - 1);
  if (c.rule) pts.push(c.ruleFrom, c.ruleFrom - 1, ...ruleBreaks(c.rule, 1677, 2262));
  for (const t of pts) {
    if (t < MIN_SEC || t > MAX_SEC) continue;
    const want = lookupZone(z, t);
    const got = lookupCompact(c, t);
    if (!sameType(want, got)) throw new Error(`compact zone differs at ${t}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
  }
}

// ---- encoding ----

/** Writer is a growable little-endian byte writer. */
class Writer {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): this {
    this.room(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
    return this;
  }
  u32(v: number): this {
    this.room(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
    return this;
  }
  i32(v: number): this {
    this.room(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
    return this;
  }
  i64(v: number): this {
    this.room(8);
    this.view.setBigInt64(this.length, BigInt(v), true);
    this.length += 8;
    return this;
  }
  /** varint appends a non-negative integer (up to 2^53) as LEB128. */
  varint(v: number): this {
    for (; v >= 128; v = Math.floor(v / 128)) this.u8((v % 128) | 128);
    return this.u8(v);
  }
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  align4(): this {
    while (this.length % 4 !== 0) this.u8(0);
    return this;
  }
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const ascii = (s: string): Uint8Array => {
  if (!/^[\x20-\x7e]*$/.test(s)) throw new Error(`not printable ASCII: ${JSON.stringify(s)}`);
  return new TextEncoder().encode(s);
};

function writeType(w: Writer, t: LocalType): void {
  const a = ascii(t.abbr);
  w.i32(t.offset)
    .u8(t.isDst ? 1 : 0)
    .u8(a.length)
    .bytes(a);
  for (let i = a.length; i < MAX_ABBR; i++) w.u8(0);
}

const DATE_KIND = { julian: 0, doy: 1, mwd: 2 } as const;

function writeDate(w: Writer, d: RuleDate): void {
  w.u8(DATE_KIND[d.kind]);
  if (d.kind === 'mwd') w.u8(d.month).u8(d.week).u8(d.weekday).i32(0);
  else w.u8(0).u8(0).u8(0).i32(d.day);
  w.i32(d.time);
}

/** writeTransitions appends the transitions as (varint delta, u8 type) pairs; returns the byte count. */
function writeTransitions(w: Writer, c: CompactZone): number {
  const start = w.length;
  let prev = MIN_SEC;
  for (const x of c.transitions) {
    const delta = x.at - prev;
    if (delta <= 0) throw new Error('transitions out of order');
    prev = x.at;
    w.varint(delta % 60 === 0 ? (delta / 60) * 2 : delta * 2 + 1).u8(x.type);
  }
  return w.length - start;
}

/** writeZone appends one zone record (layout in zones.ts) and returns its offset. */
function writeZone(w: Writer, c: CompactZone): number {
  w.align4();
  const at = w.length;
  if (c.types.length > 255) throw new Error('too many local time types');
  const ruleKind = !c.rule ? 0 : c.rule.dst ? 2 : 1;
  w.u8(c.types.length).u8(c.before).u8(ruleKind).u8(0).u32(c.transitions.length).i64(c.ruleFrom);
  for (const t of c.types) writeType(w, t);
  if (c.rule) {
    writeType(w, c.rule.std);
    if (c.rule.dst) {
      writeType(w, c.rule.dst.type);
      writeDate(w, c.rule.dst.start);
      writeDate(w, c.rule.dst.end);
    }
  }
  writeTransitions(w, c);
  return at;
}

/** encodeZones builds the blob: header, sorted name index, names, deduplicated zone records. */
export function encodeZones(version: string, zones: ReadonlyMap<string, CompactZone>): Uint8Array {
  const w = new Writer();
  const names = [...zones.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  w.bytes(ascii('PTZ1')).u32(names.length).u32(0).u32(0);
  const v = ascii(version);
  w.patchU32(12, w.length);
  w.u8(v.length).bytes(v).align4();
  const indexAt = w.length;
  w.patchU32(8, indexAt);
  for (let i = 0; i < names.length; i++) w.u32(0).u32(0).u32(0);
  const byRecord = new Map<string, number>();
  names.forEach((name, i) => {
    const c = zones.get(name)!;
    const key = JSON.stringify(c);
    let rec = byRecord.get(key);
    if (rec === undefined) {
      rec = writeZone(w, c);
      byRecord.set(key, rec);
    }
    const nameAt = w.length;
    w.bytes(ascii(name));
    w.patchU32(indexAt + 12 * i, nameAt);
    w.patchU32(indexAt + 12 * i + 4, name.length);
    w.patchU32(indexAt + 12 * i + 8, rec);
  });
  return w.toBytes();
}
