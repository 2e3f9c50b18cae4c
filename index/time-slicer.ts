import { setImmediate as yieldToEventLoop } from "node:timers/promises";

/** Lets queued I/O callbacks and requests run before continuing. */
export function yieldNow(): Promise<void> {
  return yieldToEventLoop();
}

/**
 * Splits long CPU-bound loops into slices so that the event loop (and with it every LSP request) waits at most one
 * slice. Call maybeYield() often; it only yields once the current slice has used up its budget.
 */
export class TimeSlicer {
  private sliceStart = performance.now();

  constructor(private readonly budgetMs: number) {}

  async maybeYield(): Promise<void> {
    if (performance.now() - this.sliceStart < this.budgetMs) return;
    await yieldToEventLoop();
    this.sliceStart = performance.now();
  }
}
