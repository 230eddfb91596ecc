// A statement's fingerprint: sha256 over its parse tree with every location removed and object
// keys in sorted order, so the same statement written with different spacing, case of keywords
// or comments gets the same value while any change in names, constants or structure does not.
// The same canonical text, with the values of constants (A_Const) cut out, is the statement's
// shape: what statements that differ only in literals share (facts-cache.ts).

import * as crypto from 'node:crypto';

// Location fields libpg-query adds to nodes and to the statement wrapper.
const LOCATION_KEYS = new Set(['location', 'stmt_location', 'stmt_len']);

/** CONSTANT_KINDS are the A_Const fields that hold a literal's value (`isnull` is structure: NULL is not a value). */
const CONSTANT_KINDS = new Set(['ival', 'fval', 'boolval', 'sval', 'bsval']);

// `"key":` for the field and node type names met so far: a closed vocabulary (the parser's node
// types and fields), written once per statement in every node. Bounded all the same.
const QUOTED_KEYS = new Map<string, string>();
const QUOTED_KEYS_MAX = 4096;

function quotedKey(k: string): string {
  let q = QUOTED_KEYS.get(k);
  if (q === undefined) {
    q = `${JSON.stringify(k)}:`;
    if (QUOTED_KEYS.size < QUOTED_KEYS_MAX) QUOTED_KEYS.set(k, q);
  }
  return q;
}

/**
 * CanonicalTree is a parse tree's canonical, location-free JSON and where in it the literal values
 * are: `constants` holds [start, end) offsets into `json`, in order, one per A_Const value.
 */
export type CanonicalTree = {
  readonly json: string;
  readonly constants: readonly number[];
  /** locations holds, per constant, its A_Const's `location` in the statement's text (-1: none). */
  readonly locations: readonly number[];
};

// One container being written: its keys (objects) or length (arrays) and the next position.
type Frame = {
  readonly value: unknown;
  readonly keys: readonly string[] | undefined;
  /** constant: the frame is an A_Const's fields, whose value fields are literals. */
  readonly constant: boolean;
  /** valueStart is where a literal value this frame writes began in the output (-1: not a literal). */
  readonly valueStart: number;
  /** loc is the A_Const's text location, for its fields' frame and its value's (-1 otherwise). */
  readonly loc: number;
  index: number;
  /** written: a member was written (the next one needs a comma). */
  written: boolean;
};

/**
 * canonicalize writes a parse tree as canonical JSON (sorted keys, no locations) and records the
 * spans of constant values. It uses an explicit stack: parse trees can be thousands of levels
 * deep (a0 + a1 + … + a9999), too deep for recursion.
 */
export function canonicalize(tree: unknown): CanonicalTree {
  const w = new CanonicalWriter();
  w.open(tree, false, -1);
  w.run();
  return { json: w.out, constants: w.constants, locations: w.locations };
}

/** CanonicalWriter holds one canonicalize call's output and stack. */
class CanonicalWriter {
  out = '';
  readonly constants: number[] = [];
  readonly locations: number[] = [];
  readonly #stack: Frame[] = [];

  /** open writes a value: primitives at once, containers as a new frame (written by run). */
  open(x: unknown, constant: boolean, valueStart: number): void {
    // a constant's value is written inside its A_Const's fields frame, which knows the location
    const parentLoc = valueStart >= 0 ? (this.#stack[this.#stack.length - 1]?.loc ?? -1) : -1;
    if (typeof x !== 'object' || x === null) {
      this.out +=
        typeof x === 'string' ? JSON.stringify(x) : typeof x === 'number' && Number.isFinite(x) ? String(x) : (JSON.stringify(x) ?? 'null');
      if (valueStart >= 0) {
        this.constants.push(valueStart, this.out.length);
        this.locations.push(parentLoc);
      }
    } else if (Array.isArray(x)) {
      this.out += '[';
      this.#stack.push({ value: x, keys: undefined, constant, valueStart, loc: parentLoc, index: 0, written: false });
    } else {
      this.out += '{';
      const keys = Object.keys(x);
      if (keys.length > 1) keys.sort();
      const loc = constant ? locationOf(x) : parentLoc;
      this.#stack.push({ value: x, keys, constant, valueStart, loc, index: 0, written: false });
    }
  }

  /** run writes the open containers to the end. */
  run(): void {
    const stack = this.#stack;
    while (stack.length > 0) {
      const f = stack[stack.length - 1] as Frame;
      if (f.keys === undefined) {
        const items = f.value as readonly unknown[];
        if (f.index < items.length) {
          if (f.index > 0) this.out += ',';
          this.open(items[f.index++], false, -1);
          continue;
        }
        this.out += ']';
      } else {
        const keys = f.keys;
        let key: string | undefined;
        while (f.index < keys.length) {
          const k = keys[f.index++] as string;
          if (!LOCATION_KEYS.has(k)) {
            key = k;
            break;
          }
        }
        if (key !== undefined) {
          this.out += f.written ? `,${quotedKey(key)}` : quotedKey(key);
          f.written = true;
          const v = (f.value as Record<string, unknown>)[key];
          const isValue = f.constant && CONSTANT_KINDS.has(key);
          this.open(v, key === 'A_Const' && typeof v === 'object' && v !== null && !Array.isArray(v), isValue ? this.out.length : -1);
          continue;
        }
        this.out += '}';
      }
      stack.pop();
      if (f.valueStart >= 0) {
        this.constants.push(f.valueStart, this.out.length);
        this.locations.push(f.loc);
      }
    }
  }
}

function locationOf(fields: object): number {
  const loc = (fields as { location?: unknown }).location;
  return typeof loc === 'number' ? loc : -1;
}

/** fingerprintOf returns the hex sha256 of a canonical tree's JSON. */
export function fingerprintOf(c: Pick<CanonicalTree, 'json'>): string {
  return sha256Hex(c.json);
}

// crypto.hash (Node ≥ 20.12) hashes a small input in one call, without a Hash object.
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** fingerprint returns the hex sha256 of a parse tree's canonical, location-free JSON. */
export function fingerprint(tree: unknown): string {
  return fingerprintOf(canonicalize(tree));
}

/** shapeOf is the canonical JSON with every literal value replaced by `?`: equal for statements that differ only in constants. */
export function shapeOf(c: CanonicalTree): string {
  const { json, constants } = c;
  if (constants.length === 0) return json;
  let shape = '';
  let from = 0;
  for (let i = 0; i < constants.length; i += 2) {
    shape += `${json.slice(from, constants[i])}?`;
    from = constants[i + 1] as number;
  }
  return shape + json.slice(from);
}
