/**
 * Runs `work` over items in order with bounded concurrency, stopping early when `stop()` turns true. Results come
 * back in item order (undefined for items never started). Items are pulled lazily, so a generator can decide the
 * next item after seeing earlier results.
 */
export async function runOrdered<T, R>(
  items: Iterable<T>,
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  stop: () => boolean,
): Promise<(R | undefined)[]> {
  const iterator = items[Symbol.iterator]();
  const results: (R | undefined)[] = [];
  let next = 0;
  let exhausted = false;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (exhausted || stop()) return;
      const step = iterator.next();
      if (step.done) {
        exhausted = true;
        return;
      }
      const index = next++;
      results[index] = undefined;
      results[index] = await work(step.value, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, () => worker()));
  return results;
}
