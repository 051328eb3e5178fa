/**
 * A binary min-heap of (expiry, key) pairs: how `MemoryStore` finds what has expired without
 * scanning everything. Entries are never removed from the middle: a key that was deleted or
 * re-stored leaves a stale pair behind, which the owner recognises (its expiry no longer matches)
 * and skips when it is popped; {@link ExpiryHeap.compact} drops them when they pile up.
 */
export class ExpiryHeap {
  private _times: number[] = [];
  private _keys: string[] = [];

  /** Number of pairs held, stale ones included. */
  get size(): number {
    return this._times.length;
  }

  push(expires: number, key: string): void {
    const times = this._times;
    const keys = this._keys;
    let i = times.length;
    times.push(expires);
    keys.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentTime = times[parent] as number;
      if (parentTime <= expires) break;
      times[i] = parentTime;
      keys[i] = keys[parent] as string;
      i = parent;
    }
    times[i] = expires;
    keys[i] = key;
  }

  /** The earliest expiry held, or `Infinity` when empty. */
  peekTime(): number {
    return this._times[0] ?? Infinity;
  }

  /** Removes and returns the earliest pair. */
  pop(): { expires: number; key: string } | undefined {
    const times = this._times;
    const keys = this._keys;
    if (times.length === 0) return undefined;
    const top = { expires: times[0] as number, key: keys[0] as string };
    const lastTime = times.pop() as number;
    const lastKey = keys.pop() as string;
    const n = times.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && (times[right] as number) < (times[left] as number) ? right : left;
        if ((times[child] as number) >= lastTime) break;
        times[i] = times[child] as number;
        keys[i] = keys[child] as string;
        i = child;
      }
      times[i] = lastTime;
      keys[i] = lastKey;
    }
    return top;
  }

  /** Keeps only the pairs `live` accepts, and restores the heap order (O(n)). */
  compact(live: (expires: number, key: string) => boolean): void {
    const times: number[] = [];
    const keys: string[] = [];
    for (let i = 0; i < this._times.length; i++) {
      const t = this._times[i] as number;
      const k = this._keys[i] as string;
      if (live(t, k)) {
        times.push(t);
        keys.push(k);
      }
    }
    this._times = [];
    this._keys = [];
    for (let i = 0; i < times.length; i++) this.push(times[i] as number, keys[i] as string);
  }
}
