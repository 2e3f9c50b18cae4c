import { type Logger, moduleLogger } from "../../core/types.js";
import { DependencyCopies } from "./dependency-copies.js";
import { ScratchCopy, scratchRoot } from "./scratch.js";

/** A validation worker: its scratch copy and how many test runs it has done (the first one builds from cold). */
export interface Worker {
  readonly id: number;
  readonly copy: ScratchCopy;
  runs: number;
}

export interface WorkerPoolOptions {
  readonly root: string;
  readonly size: number;
  readonly overlays?: ReadonlyMap<string, string>;
  readonly signal?: AbortSignal;
  readonly logger: Logger;
}

/**
 * Scratch-copy workers, created on demand up to `size`. A worker runs one test command at a time; its copy is
 * reused across candidates (apply, run, restore), which keeps incremental builds warm.
 */
export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly waiting: ((worker: Worker) => void)[] = [];
  private creating = 0;
  private closed = false;
  /** The job's copies of the dependency folders, made by the first worker that needs them, shared by all. */
  private readonly dependencies = DependencyCopies.in(scratchRoot());

  constructor(private readonly options: WorkerPoolOptions) {}

  get size(): number {
    return this.options.size;
  }

  get created(): number {
    return this.all.length;
  }

  /** Scratch folders of the live workers (for tests and diagnostics). */
  get folders(): string[] {
    return this.all.map((w) => w.copy.dir);
  }

  async acquire(): Promise<Worker> {
    if (this.closed) throw new Error("the worker pool is closed");
    const free = this.idle.pop();
    if (free) return free;
    if (this.all.length + this.creating < this.options.size) return this.create();
    return new Promise<Worker>((resolve) => this.waiting.push(resolve));
  }

  /**
   * Creates the workers still missing, up to `size`, and returns every worker (busy ones included), so that
   * warm servers can start on all of them before the first candidate needs one. The new workers are idle.
   */
  async fill(): Promise<readonly Worker[]> {
    const missing = this.options.size - this.all.length - this.creating;
    const created = await Promise.allSettled(Array.from({ length: Math.max(0, missing) }, () => this.create()));
    // A copy that could not be made leaves its slot to acquire(), which reports the error to its caller.
    for (const result of created) if (result.status === "fulfilled") this.release(result.value);
    return [...this.all];
  }

  private async create(): Promise<Worker> {
    if (this.closed) throw new Error("the worker pool is closed");
    this.creating++;
    try {
      const copy = await ScratchCopy.create(this.options.root, {
        dependencies: this.dependencies,
        ...(this.options.overlays ? { overlays: this.options.overlays } : {}),
        ...(this.options.signal ? { signal: this.options.signal } : {}),
      });
      await copy.prepareEnv();
      const worker: Worker = { id: this.all.length, copy, runs: 0 };
      if (this.closed) {
        await copy.dispose();
        throw new Error("the worker pool is closed");
      }
      this.all.push(worker);
      moduleLogger(this.options.logger, "repair").debug(`worker ${worker.id} copied the workspace to ${copy.dir}`);
      return worker;
    } finally {
      this.creating--;
    }
  }

  release(worker: Worker): void {
    const next = this.waiting.shift();
    if (next) next(worker);
    else this.idle.push(worker);
  }

  /** Removes every scratch copy. Workers still running keep their process until the run ends or is killed. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.all.map((w) => w.copy.dispose()));
    await this.dependencies.dispose();
  }
}
