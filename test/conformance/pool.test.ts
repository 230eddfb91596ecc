import { describe, expect, it } from 'vitest';
import { runPool } from './pool.js';
import type { PoolItem } from './fixtures/pool-worker.js';

const workerUrl = new URL('./fixtures/pool-worker.ts', import.meta.url);
const run = (items: PoolItem[], timeoutMs = 1500) =>
  runPool<PoolItem, number | string>(items, {
    workerUrl,
    size: 2,
    timeoutMs,
    onTimeout: (it) => `timeout ${it.value}`,
    onCrash: (it, reason) => `crash ${it.value}: ${reason}`,
  });

const cases: { note: string; items: PoolItem[]; want: (string | number | RegExp)[] }[] = [
  { note: 'results come back in item order', items: [1, 2, 3, 4, 5].map((value) => ({ op: 'ok', value })), want: [2, 4, 6, 8, 10] },
  {
    note: 'a hanging item times out and later items still run',
    items: [
      { op: 'hang', value: 1 },
      { op: 'ok', value: 2 },
      { op: 'ok', value: 3 },
      { op: 'ok', value: 4 },
    ],
    want: ['timeout 1', 4, 6, 8],
  },
  {
    note: 'a worker exiting mid-item is a crash and is replaced',
    items: [
      { op: 'exit', value: 1 },
      { op: 'ok', value: 2 },
      { op: 'ok', value: 3 },
    ],
    want: [/^crash 1: worker exited with code 3/, 4, 6],
  },
  {
    note: 'an uncaught exception in a worker is a crash',
    items: [
      { op: 'throw', value: 7 },
      { op: 'ok', value: 8 },
    ],
    want: [/^crash 7: worker error: boom/, 16],
  },
  { note: 'no items resolves at once', items: [], want: [] },
];

describe('runPool', () => {
  it.each(cases)('$note', async ({ items, want }) => {
    const got = await run(items);
    expect(got).toHaveLength(want.length);
    for (const [i, w] of want.entries()) {
      if (w instanceof RegExp) expect(got[i]).toMatch(w);
      else expect(got[i]).toEqual(w);
    }
  });
});
