// RecentMap: a Map that remembers which entries were used lately, for the caches a statement
// passes through (analysis, templates, decisions). Its oldest entry is one not used for a while,
// so a cache evicting its oldest keeps what is in use. Unlike a strict LRU it does not move an
// entry to the newest end on every use, only once the entry has fallen out of the newest quarter
// of the map: moving one costs a Map delete and insert (about 0.7 µs on a cache of thousands),
// and a hot entry used every statement is then moved once per size/4 insertions instead. An
// entry among the newest quarter cannot be the oldest while the map holds more than a few.

type Entry<V> = { readonly value: V; stamp: number };

/** RecentMap is a Map whose iteration order runs from the least to the most recently used (approximately; see above). */
export class RecentMap<K, V> {
  readonly #map = new Map<K, Entry<V>>();
  /** #clock counts insertions and moves; an entry's stamp is the clock when it last moved to the newest end. */
  #clock = 0;

  get size(): number {
    return this.#map.size;
  }

  /** get answers the value and notes the use (moving the entry to the newest end once it is out of the newest quarter). */
  get(key: K): V | undefined {
    const e = this.#map.get(key);
    if (e === undefined) return undefined;
    if (this.#clock - e.stamp > this.#map.size >> 2) {
      this.#map.delete(key);
      this.#map.set(key, e);
      e.stamp = ++this.#clock;
    }
    return e.value;
  }

  /** peek answers the value without noting a use. */
  peek(key: K): V | undefined {
    return this.#map.get(key)?.value;
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** set puts the value at the newest end (replacing any value the key had). */
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, { value, stamp: ++this.#clock });
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  /** oldest is the entry least recently used (or set), undefined when empty. */
  oldest(): [K, V] | undefined {
    const first = this.#map.entries().next();
    return first.done === true ? undefined : [first.value[0], first.value[1].value];
  }

  clear(): void {
    this.#map.clear();
  }
}
