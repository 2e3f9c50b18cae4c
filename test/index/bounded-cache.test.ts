import { describe, expect, it } from "vitest";
import { BoundedCache, textBytes } from "../../index/bounded-cache.js";

function textCache(maxEntries: number, maxBytes: number): BoundedCache<string, string> {
  return new BoundedCache<string, string>({ maxEntries, maxBytes, sizeOf: textBytes });
}

describe("BoundedCache", () => {
  it("drops the least recently used entry when it holds too many, and a read counts as a use", () => {
    const cache = textCache(2, 1_000);
    cache.set("a", "alpha");
    cache.set("b", "beta");
    expect(cache.get("a")).toBe("alpha");
    cache.set("c", "gamma");
    expect(cache.has("b")).toBe(false);
    expect(cache.get("a")).toBe("alpha");
    expect(cache.get("c")).toBe("gamma");
    expect(cache.size).toBe(2);
  });

  it("drops old entries until the bytes fit, however few entries there are", () => {
    const cache = textCache(100, 100);
    cache.set("small", "x".repeat(10));
    cache.set("medium", "y".repeat(30));
    expect(cache.calculatedSize).toBe(80);
    cache.set("large", "z".repeat(40));
    expect(cache.has("small")).toBe(false);
    expect(cache.has("medium")).toBe(false);
    expect(cache.get("large")).toBe("z".repeat(40));
    expect(cache.calculatedSize).toBe(80);
  });

  it("never keeps an entry larger than the whole bound, and keeps what it had", () => {
    const cache = textCache(100, 100);
    cache.set("kept", "k");
    cache.set("huge", "h".repeat(51));
    expect(cache.has("huge")).toBe(false);
    expect(cache.get("kept")).toBe("k");
    expect(cache.calculatedSize).toBe(2);
  });

  it("measures an entry again when it is set again, and forgets its bytes when deleted or cleared", () => {
    const sizes = new Map<string, number>([["v", 10]]);
    const cache = new BoundedCache<string, string>({
      maxEntries: 10,
      maxBytes: 100,
      sizeOf: (value) => sizes.get(value) ?? 0,
    });
    cache.set("k", "v");
    expect(cache.calculatedSize).toBe(10);
    sizes.set("v", 60);
    cache.set("k", "v");
    expect(cache.calculatedSize).toBe(60);
    expect(cache.delete("k")).toBe(true);
    expect(cache.delete("k")).toBe(false);
    expect(cache.calculatedSize).toBe(0);
    cache.set("k", "v");
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.calculatedSize).toBe(0);
  });

  it("measures an entry by its key too, for caches keyed by a whole text", () => {
    const cache = new BoundedCache<string, string>({
      maxEntries: 10,
      maxBytes: 100,
      sizeOf: (hash, text) => textBytes(text) + textBytes(hash),
    });
    cache.set("a".repeat(20), "h1");
    expect(cache.calculatedSize).toBe(44);
    // A key alone larger than the bound is not kept.
    cache.set("b".repeat(60), "h2");
    expect(cache.has("b".repeat(60))).toBe(false);
    expect(cache.size).toBe(1);
  });

  it("lists values least recently used first without making them recent", () => {
    const cache = new BoundedCache<string, string>({ maxEntries: 2, maxBytes: 1000, sizeOf: textBytes });
    cache.set("a", "1");
    cache.set("b", "2");
    expect(cache.get("a")).toBe("1");
    expect([...cache.values()]).toEqual(["2", "1"]);
    expect([...cache.values()]).toEqual(["2", "1"]);
    cache.set("c", "3");
    expect([...cache.values()]).toEqual(["1", "3"]);
  });
});
