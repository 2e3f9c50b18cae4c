/** The limits of a BoundedCache. */
export interface CacheLimits<V, K = unknown> {
  /** Entries kept at most. */
  readonly maxEntries: number;
  /** Estimated bytes kept at most, summed over the entries' sizeOf. */
  readonly maxBytes: number;
  /**
   * An estimate of the memory an entry holds (texts count two bytes per UTF-16 unit); the key is given too, for
   * caches keyed by a text (as lru-cache's sizeCalculation is).
   */
  readonly sizeOf: (value: V, key: K) => number;
}

/**
 * A least-recently-used cache bounded both in entries and in estimated bytes: the one cache idiom for anything
 * that holds file texts, whose sizes vary by orders of magnitude (a count alone would let a few huge files hold
 * gigabytes). An entry larger than the whole byte bound is not kept. The API is a subset of the lru-cache
 * package's (get, set, has, delete, clear, values, size, calculatedSize), so that package can replace it in one place.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { readonly value: V; readonly bytes: number }>();
  private bytes = 0;

  constructor(private readonly limits: CacheLimits<V, K>) {}

  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes held now. */
  get calculatedSize(): number {
    return this.bytes;
  }

  /** The entry for a key, which becomes the most recently used. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /**
   * Stores an entry as the most recently used, then drops the least recently used ones until both bounds hold.
   * Setting a key again re-measures the entry (for values that grow after they were cached).
   */
  set(key: K, value: V): void {
    this.delete(key);
    const bytes = this.limits.sizeOf(value, key);
    if (bytes > this.limits.maxBytes) return;
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    while (this.entries.size > this.limits.maxEntries || this.bytes > this.limits.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  /** The values, least recently used first, without making any of them more recent. */
  *values(): IterableIterator<V> {
    for (const entry of this.entries.values()) yield entry.value;
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}

/** Estimated bytes of a string in memory (UTF-16). */
export function textBytes(text: string): number {
  return text.length * 2;
}
