// Narrowing helpers for libpg-query's JSON parse tree, which arrives as `unknown`. A node is
// `{ "TypeName": { …fields } }`; some typed fields hold the fields object without the wrapper
// (e.g. InsertStmt.relation is a bare RangeVar). Nothing here throws.

/** Fields is the field object of one parse node. */
export type Fields = { readonly [key: string]: unknown };

/** asFields returns x when it is a plain object, else undefined. */
export function asFields(x: unknown): Fields | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Fields) : undefined;
}

/** asList returns x when it is an array, else an empty array. */
export function asList(x: unknown): readonly unknown[] {
  return Array.isArray(x) ? x : [];
}

/** asString returns x when it is a string, else undefined. */
export function asString(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

/** asNumber returns x when it is a finite number, else undefined. */
export function asNumber(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

/** Node is a wrapped parse node split into its type name and fields. */
export type Node = { readonly type: string; readonly fields: Fields };

/** asNode unwraps `{ "SelectStmt": {…} }` into { type, fields }; undefined when x is not a wrapper. */
export function asNode(x: unknown): Node | undefined {
  const o = asFields(x);
  if (o === undefined) return undefined;
  const keys = Object.keys(o);
  if (keys.length !== 1) return undefined;
  const type = keys[0] as string;
  const first = type.charCodeAt(0);
  if (first < 65 || first > 90) return undefined; // node type names start with A–Z
  const fields = asFields(o[type]);
  return fields === undefined ? undefined : { type, fields };
}

/** fieldsOf returns the fields of x whether or not it is wrapped in a node of the given type. */
export function fieldsOf(x: unknown, type: string): Fields | undefined {
  const n = asNode(x);
  if (n !== undefined) return n.type === type ? n.fields : undefined;
  return asFields(x);
}

/** stringItems reads a list of String nodes (names, qualified names) into plain strings. */
export function stringItems(x: unknown): string[] {
  const out: string[] = [];
  for (const item of asList(x)) {
    const n = asNode(item);
    if (n?.type === 'String') {
      const s = asString(n.fields['sval']);
      if (s !== undefined) out.push(s);
    }
  }
  return out;
}
