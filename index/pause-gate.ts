/**
 * A gate that work can be paused at: `pause()` returns the function that resumes it, and `whenFree()` waits while
 * any pause is held. Bulk indexing with a model embedder waits here while a repair asks the same model for
 * candidates, because Ollama serves one request at a time and the repair is what the user is waiting for.
 */
export class PauseGate {
  private holds = 0;
  private waiters: (() => void)[] = [];

  get paused(): boolean {
    return this.holds > 0;
  }

  /** Pauses until the returned function is called (calling it twice resumes once). */
  pause(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      if (this.holds === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  /** Resolves at once when nothing is paused, else when the last pause ends; rejects if the signal aborts. */
  whenFree(signal?: AbortSignal): Promise<void> {
    if (this.holds === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }
}
