// The Rego value model of the IR interpreter (test/helpers/ir-interpreter.ts): Value, RegoObject and
// RegoSet, Rego ordering and equality (compare, equal, keyOf), JSON conversion (fromJson, toJson),
// and the type name and `.` lookup the interpreter's statements and builtins share.

import type { ValueType } from '../../engine/ir/index.js';

/** Value is a Rego value in JS; undefined is represented by `undefined`. */
export type Value = null | boolean | number | string | Value[] | RegoObject | RegoSet;

/** RegoObject is an object whose keys may be any Rego value; `frozen` marks constants. */
export class RegoObject {
  readonly entries = new Map<string, [Value, Value]>();
  frozen = false;
  /** get returns the value at key. */
  get(k: Value): Value | undefined {
    return this.entries.get(keyOf(k))?.[1];
  }
  /** set stores value at key. */
  set(k: Value, v: Value): void {
    if (this.frozen) throw new Error('interpreter: mutation of a constant object');
    this.entries.set(keyOf(k), [k, v]);
  }
  /** sorted lists entries in Rego key order. */
  sorted(): [Value, Value][] {
    return [...this.entries.values()].sort((a, b) => compare(a[0], b[0]));
  }
}

/** RegoSet is a set of Rego values. */
export class RegoSet {
  readonly items = new Map<string, Value>();
  frozen = false;
  /** add inserts a value. */
  add(v: Value): void {
    if (this.frozen) throw new Error('interpreter: mutation of a constant set');
    this.items.set(keyOf(v), v);
  }
  /** has tests membership. */
  has(v: Value): boolean {
    return this.items.has(keyOf(v));
  }
  /** sorted lists the elements in Rego order. */
  sorted(): Value[] {
    return [...this.items.values()].sort(compare);
  }
}

function rank(v: Value): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'string') return 3;
  if (Array.isArray(v)) return 4;
  if (v instanceof RegoObject) return 5;
  return 6;
}

/** compare orders Rego values: null < boolean < number < string < array < object < set. */
export function compare(a: Value, b: Value): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'boolean' || typeof a === 'number' || typeof a === 'string') {
    return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  }
  if (a === null) return 0;
  const seq = (xs: Value[], ys: Value[]): number => {
    for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
      const c = compare(xs[i] as Value, ys[i] as Value);
      if (c !== 0) return c;
    }
    return xs.length - ys.length;
  };
  if (Array.isArray(a)) return seq(a, b as Value[]);
  if (a instanceof RegoObject) {
    const ea = a.sorted();
    const eb = (b as RegoObject).sorted();
    for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
      const [ka, va] = ea[i] as [Value, Value];
      const [kb, vb] = eb[i] as [Value, Value];
      const c = compare(ka, kb) || compare(va, vb);
      if (c !== 0) return c;
    }
    return ea.length - eb.length;
  }
  return seq((a as RegoSet).sorted(), (b as RegoSet).sorted());
}

/** equal tests Rego equality (1 == 1.0). */
export function equal(a: Value | undefined, b: Value | undefined): boolean {
  return a !== undefined && b !== undefined && compare(a, b) === 0;
}

/** keyOf renders a value as a canonical string (for hashing). */
export function keyOf(v: Value): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return `n${v}`;
  if (Array.isArray(v)) return `[${v.map(keyOf).join(',')}]`;
  if (v instanceof RegoObject)
    return `{${v
      .sorted()
      .map(([k, x]) => `${keyOf(k)}:${keyOf(x)}`)
      .join(',')}}`;
  return `<${v.sorted().map(keyOf).join(',')}>`;
}

/** fromJson converts a JSON-like JS value into a Rego value (optionally frozen). */
export function fromJson(j: unknown, freeze = false): Value {
  if (j === null || typeof j === 'boolean' || typeof j === 'string') return j;
  if (typeof j === 'number') return j;
  if (typeof j === 'bigint') return Number(j);
  if (Array.isArray(j)) {
    const a = j.map((x) => fromJson(x, freeze));
    return freeze ? (Object.freeze(a) as Value[]) : a;
  }
  if (j instanceof RegoObject || j instanceof RegoSet) return j;
  if (typeof j === 'object') {
    const o = new RegoObject();
    for (const [k, v] of Object.entries(j as Record<string, unknown>)) o.set(k, fromJson(v, freeze));
    o.frozen = freeze;
    return o;
  }
  throw new Error(`interpreter: not a JSON value: ${String(j)}`);
}

/** toJson converts a Rego value to JSON the way OPA serialises (sets → sorted arrays, non-string keys → JSON text). */
export function toJson(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof RegoSet) return v.sorted().map(toJson);
  const out: Record<string, unknown> = {};
  for (const [k, x] of v.sorted()) out[typeof k === 'string' ? k : JSON.stringify(toJson(k))] = toJson(x);
  return out;
}

/** typeName is the Rego type of a value (the name `isType` statements and `type_name` use). */
export function typeName(v: Value): ValueType {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return v instanceof RegoObject ? 'object' : 'set';
}

/** dot looks key k up in s (array index, object key, set member); undefined when absent. */
export function dot(s: Value | undefined, k: Value | undefined): Value | undefined {
  if (s === undefined || k === undefined) return undefined;
  if (Array.isArray(s)) return typeof k === 'number' && Number.isInteger(k) ? s[k] : undefined;
  if (s instanceof RegoObject) return s.get(k);
  if (s instanceof RegoSet) return s.has(k) ? k : undefined;
  return undefined;
}
