// RecentMap (proxy/recent): Map semantics for get, peek, has, set and delete; `oldest` is the entry
// least recently set or used, up to the newest quarter's slack: a cache that evicts its oldest entry
// on every insertion never evicts one in use, however many others pass through.

import { describe, expect, it } from 'vitest';
import { RecentMap } from '../../../proxy/recent/index.js';

describe('RecentMap', () => {
  it('answers as a Map does', () => {
    const m = new RecentMap<string, number>();
    expect([m.size, m.get('a'), m.peek('a'), m.has('a'), m.oldest()]).toEqual([0, undefined, undefined, false, undefined]);
    m.set('a', 1);
    m.set('b', 2);
    m.set('a', 3);
    expect([m.size, m.get('a'), m.peek('b'), m.has('b')]).toEqual([2, 3, 2, true]);
    expect(m.oldest()).toEqual(['b', 2]);
    expect(m.delete('b')).toBe(true);
    expect(m.delete('b')).toBe(false);
    expect(m.oldest()).toEqual(['a', 3]);
    m.clear();
    expect(m.size).toBe(0);
  });

  it('keeps insertion order while nothing is used, and moves an entry used after falling out of the newest quarter', () => {
    const m = new RecentMap<number, number>();
    for (let i = 0; i < 8; i++) m.set(i, i);
    expect(m.oldest()).toEqual([0, 0]);
    // 0 is far older than the newest quarter (2 of 8): using it moves it to the newest end
    m.get(0);
    expect(m.oldest()).toEqual([1, 1]);
    // 7 is among the newest quarter: using it moves nothing; peek never does
    m.get(7);
    m.peek(1);
    expect(m.oldest()).toEqual([1, 1]);
  });

  it.each([
    { capacity: 4, hot: 1 },
    { capacity: 16, hot: 3 },
    { capacity: 1000, hot: 10 },
  ])('a cache of $capacity evicting its oldest never evicts one of $hot entries used between insertions', ({ capacity, hot }) => {
    const m = new RecentMap<string, number>();
    const hotKeys = Array.from({ length: hot }, (_, i) => `hot${i}`);
    for (const k of hotKeys) m.set(k, 0);
    for (let i = 0; i < capacity * 20; i++) {
      for (const k of hotKeys) expect(m.get(k)).toBe(0);
      m.set(`cold${i}`, i);
      while (m.size > capacity) m.delete((m.oldest() as [string, number])[0]);
    }
    expect(m.size).toBe(capacity);
    for (const k of hotKeys) expect(m.has(k)).toBe(true);
  });
});
