// A statement's fingerprint: sha256 over its parse tree with every location removed and object
// keys in sorted order, so the same statement written with different spacing, case of keywords
// or comments gets the same value while any change in names, constants or structure does not.

import { createHash } from 'node:crypto';

// Location fields libpg-query adds to nodes and to the statement wrapper.
const LOCATION_KEYS = new Set(['location', 'stmt_location', 'stmt_len']);

/** fingerprint returns the hex sha256 of a parse tree's canonical, location-free JSON. */
export function fingerprint(tree: unknown): string {
  const hash = createHash('sha256');
  // Canonical JSON written straight into the hash with an explicit stack: parse trees can be
  // thousands of levels deep (a0 + a1 + … + a9999), too deep for recursion.
  const todo: Array<{ readonly text: string } | { readonly value: unknown }> = [{ value: tree }];
  for (let task = todo.pop(); task !== undefined; task = todo.pop()) {
    if ('text' in task) {
      hash.update(task.text);
      continue;
    }
    const x = task.value;
    if (Array.isArray(x)) {
      const parts: Array<{ readonly text: string } | { readonly value: unknown }> = [{ text: '[' }];
      x.forEach((item, i) => parts.push(...(i > 0 ? [{ text: ',' }] : []), { value: item }));
      parts.push({ text: ']' });
      for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i] as (typeof parts)[number]);
    } else if (typeof x === 'object' && x !== null) {
      const parts: Array<{ readonly text: string } | { readonly value: unknown }> = [{ text: '{' }];
      let first = true;
      for (const key of Object.keys(x).sort()) {
        if (LOCATION_KEYS.has(key)) continue;
        parts.push({ text: `${first ? '' : ','}${JSON.stringify(key)}:` }, { value: (x as Record<string, unknown>)[key] });
        first = false;
      }
      parts.push({ text: '}' });
      for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i] as (typeof parts)[number]);
    } else {
      hash.update(JSON.stringify(x) ?? 'null');
    }
  }
  return hash.digest('hex');
}
