import { type Logger, moduleLogger } from "../../../core/types.js";
import type { Worker } from "../../validate/pool.js";
import type { WarmMode, WarmServer } from "../plugins/plugin.js";
import { runnerFor } from "../plugins/table.js";
import { invocationFor } from "../invocation.js";
import { coldExecutor, type TestExecutor } from "../run-tests.js";
import type { TestCommand } from "../test-command.js";
import { errorMessage } from "../../../core/error-message.js";

const MAX_FAILED_STARTS = 2;

/** How many runs went warm, and how many had to run cold after all (no in-process form, a server that broke). */
export interface WarmStats {
  warmRuns: number;
  coldRuns: number;
  /** Servers started (one per scratch copy; more when one died and was replaced). */
  serversStarted: number;
}

/**
 * Warm servers of one job, one per validation worker (a server serves one scratch copy, one run at a time), started
 * on a worker's first run and reused for every later candidate. A server that cannot start or dies is replaced on
 * the next run, and the run in hand goes cold: a warm failure never becomes a verdict.
 */
export class WarmPool {
  private readonly servers = new Map<number, Promise<WarmServer | undefined>>();
  private closed = false;
  private failedStarts = 0;
  readonly stats: WarmStats = { warmRuns: 0, coldRuns: 0, serversStarted: 0 };

  private constructor(
    private readonly mode: WarmMode,
    private readonly userRoot: string,
    private readonly logger: Logger,
  ) {}

  /**
   * A pool for the command's runner, or undefined when the runner has no warm mode. Its servers are killed when
   * `signal` aborts (cancellation, the job's end) as well as by close().
   */
  static for(command: TestCommand, userRoot: string, logger: Logger, signal?: AbortSignal): WarmPool | undefined {
    const mode = runnerFor(command.kind).warm;
    if (!mode) return undefined;
    const pool = new WarmPool(mode, userRoot, moduleLogger(logger, "repair"));
    signal?.addEventListener("abort", () => void pool.close(), { once: true });
    return pool;
  }

  /** The executor of a worker's runs: warm when the invocation has an in-process form, cold otherwise. */
  executorFor(worker: Worker): TestExecutor {
    return async (invocation, options) => {
      const run = invocation.inProcess;
      const server = run && !this.closed ? await this.serverFor(worker, run) : undefined;
      if (run && server) {
        const result = await server.run(run, options);
        if (result.end !== "spawn-error") {
          this.stats.warmRuns++;
          return result;
        }
        this.logger.debug(`warm run of worker ${worker.id} failed (${result.error ?? ""}); running cold`);
        // A server that is still alive only declined this run (e.g. a candidate that exits its worker): it stays.
        if (!server.alive) {
          server.close();
          this.servers.delete(worker.id);
        }
      }
      this.stats.coldRuns++;
      return coldExecutor(invocation, options);
    };
  }

  /**
   * Starts the servers of these workers now, in the background, so that a server's start-up (importing the runner,
   * its plugins and third-party packages: about a second for pytest) overlaps the job's localisation instead of
   * delaying its first candidate. Workers whose server is already started or starting are left alone; a server
   * that fails to start here counts as a failed start, as it would on the worker's first run.
   */
  prestart(workers: readonly Worker[], command: TestCommand): void {
    if (this.closed) return;
    for (const worker of workers) {
      const run = invocationFor(command, { cwd: worker.copy.root, reportDir: worker.copy.dir }).inProcess;
      if (run) void this.serverFor(worker, run);
    }
  }

  /** Settles when every server started so far is up (or has failed to start); for measurements. */
  async started(): Promise<void> {
    await Promise.all(this.servers.values());
  }

  private async serverFor(
    worker: Worker,
    run: NonNullable<Parameters<WarmMode["start"]>[1]>,
  ): Promise<WarmServer | undefined> {
    let pending = this.servers.get(worker.id);
    const current = pending && (await pending);
    if (current?.alive) return current;
    // A runner that cannot be kept warm here (a server that does not start twice) is left cold for the job.
    if (this.failedStarts >= MAX_FAILED_STARTS) return undefined;
    pending = this.mode
      .start({ userRoot: this.userRoot, scratchRoot: worker.copy.root, scratchDir: worker.copy.dir }, run)
      .then(
        (server) => {
          this.stats.serversStarted++;
          if (this.closed) server.close();
          return server;
        },
        (error: unknown) => {
          this.failedStarts++;
          this.logger.debug(`no warm server: ${errorMessage(error)}`);
          return undefined;
        },
      );
    this.servers.set(worker.id, pending);
    return pending;
  }

  /** Kills every server (and any run in progress). */
  async close(): Promise<void> {
    this.closed = true;
    const servers = await Promise.all(this.servers.values());
    for (const server of servers) server?.close();
    this.servers.clear();
  }
}
