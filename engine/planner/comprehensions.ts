// Comprehensions: `[h | body]`, `{h | body}`, `{k: v | body}` → a fresh Make* local filled by a
// BlockStmt holding the body's plan, whose innermost continuation appends/adds/inserts.
// Object comprehensions abort on a key with two different values (`object keys must be unique`).

import type { ArrayComprehension, ObjectComprehension, SetComprehension } from '../ast/nodes.js';
import type { Stmt } from '../ir/nodes.js';
import { conflictError, localOp, newLocal } from './context.js';
import type { Scope, TermCont } from './context.js';
import { planBody } from './body.js';
import { planTerm } from './terms.js';

/** planComprehension plans a comprehension term; it is never undefined. */
export function planComprehension(t: ArrayComprehension | SetComprehension | ObjectComprehension, s: Scope, k: TermCont): Stmt[] {
  const target = newLocal(s);
  const inner = { ...s, loc: t.loc };
  let make: Stmt;
  let body: Stmt[];
  switch (t.kind) {
    case 'arrayCompr':
      make = { kind: 'makeArray', capacity: 0, target };
      body = planBody(t.body.exprs, inner, (s2) => planTerm(t.head, s2, (op) => [{ kind: 'arrayAppend', array: target, value: op }]));
      break;
    case 'setCompr':
      make = { kind: 'makeSet', target };
      body = planBody(t.body.exprs, inner, (s2) => planTerm(t.head, s2, (op) => [{ kind: 'setAdd', set: target, value: op }]));
      break;
    case 'objectCompr': {
      make = { kind: 'makeObject', target };
      const error = conflictError('object keys must be unique', t.loc);
      body = planBody(t.body.exprs, inner, (s2) =>
        planTerm(t.key, s2, (kop, s3) =>
          planTerm(t.value, s3, (vop) => [{ kind: 'objectInsertOnce', object: target, key: kop, value: vop, error }]),
        ),
      );
      break;
    }
  }
  return [make, { kind: 'block', blocks: [{ stmts: body }] }, ...k(localOp(target), s)];
}
