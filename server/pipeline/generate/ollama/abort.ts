/**
 * Abort signals with deadlines. Every Ollama request runs under one: the task's signal (itself chained to the
 * caller's cancellation) plus its own timeout, so a slow or hung model can never hold a repair hostage.
 */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Whether this deadline's own timer fired (as opposed to the parent being aborted). */
  timedOut(): boolean;
  /** Clears the timer and detaches from the parent; call when the guarded work is over. */
  dispose(): void;
}

export function withDeadline(parent: AbortSignal, timeoutMs: number): Deadline {
  const controller = new AbortController();
  let expired = false;
  const onParentAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener("abort", onParentAbort, { once: true });
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, "TimeoutError"));
  }, timeoutMs);
  return {
    signal: controller.signal,
    timedOut: () => expired,
    dispose() {
      clearTimeout(timer);
      parent.removeEventListener("abort", onParentAbort);
    },
  };
}

/** Waits, but returns early (without throwing) when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** A controller that also aborts when `parent` does, so work can be stopped early without aborting the parent. */
export function childController(parent: AbortSignal): { readonly controller: AbortController; dispose(): void } {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener("abort", onParentAbort, { once: true });
  return { controller, dispose: () => parent.removeEventListener("abort", onParentAbort) };
}
