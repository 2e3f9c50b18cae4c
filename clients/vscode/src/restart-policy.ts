/**
 * Decides whether a server that stopped should be started again. A server that never finished starting is never
 * restarted (a missing dependency or a bad setting would fail the same way again, and a restart loop hides the
 * first error); one that ran and then crashed is restarted at most `maxRestarts` times within `windowMs`.
 */
export class RestartPolicy {
  private readonly crashes: number[] = [];

  constructor(
    readonly maxRestarts = 1,
    readonly windowMs = 3 * 60_000,
  ) {}

  /** Called when the connection closes unexpectedly; `wasRunning` tells whether initialization had finished. */
  onClosed(now: number, wasRunning: boolean): "restart" | "stop" {
    if (!wasRunning) return "stop";
    this.crashes.push(now);
    while (this.crashes.length > 0 && now - (this.crashes[0] ?? now) > this.windowMs) this.crashes.shift();
    return this.crashes.length <= this.maxRestarts ? "restart" : "stop";
  }

  /** Forgets past crashes, when the user restarts the server by hand. */
  reset(): void {
    this.crashes.length = 0;
  }
}
