// A fixed IR policy covering most statement kinds, shared by the determinism tests (in-process
// and in a child process, see emit-hash-child.ts).

import type { Policy } from '../../../engine/ir/index.js';
import { C, L, block, conflict, func, policy } from './helpers.js';

/** samplePolicy is a small but varied plan. */
export const samplePolicy: Policy = policy(
  ['true', '"xs"', '{"a":[1,2.5,"x"]}', '["p","q"]'],
  [
    func('main', [
      block(
        { kind: 'dot', source: L(0), key: C(1), target: 3 },
        { kind: 'makeSet', target: 4 },
        {
          kind: 'scan',
          source: 3,
          key: 5,
          value: 6,
          block: block({ kind: 'not', block: block({ kind: 'equal', a: L(6), b: C(0) }) }, { kind: 'setAdd', set: 4, value: L(6) }),
        },
        { kind: 'builtin', name: 'custom.f', args: [L(4)], target: 7, loc: { file: 'a.rego', row: 3, col: 1, offset: 0, length: 0 } },
        { kind: 'upsert', source: L(0), path: C(3), value: L(7), target: 8 },
        { kind: 'slotSet', slot: 0, value: C(2) },
        { kind: 'call', func: 'helper', args: [L(8), L(1)], target: 9 },
        { kind: 'assignOnce', source: L(9), target: 2, error: conflict(5) },
      ),
    ]),
    func('helper', [block({ kind: 'slotGet', slot: 0, target: 2 })]),
  ],
  [
    ['s/main', 'main'],
    ['s/helper', 'helper'],
  ],
  1,
);
