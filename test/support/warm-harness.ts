// What the warm-worker tests share: a workspace's scratch worker with its command and warm pool, runs of the same
// candidate on the cold and the warm path, and the view of a run that verdicts depend on.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { defaultConfig } from "../../server/core/config-schema.js";
import { detectTestCommand } from "../../server/pipeline/runners/detect.js";
import type { TestRunResult } from "../../server/pipeline/runners/outcomes.js";
import { runTests, type RunTestsOptions } from "../../server/pipeline/runners/run-tests.js";
import type { TestCommand } from "../../server/pipeline/runners/test-command.js";
import { WarmPool } from "../../server/pipeline/runners/warm/warm-pool.js";
import { silentLogger } from "../../server/core/types.js";
import { WorkerPool, type Worker } from "../../server/pipeline/validate/pool.js";
import { bugsDir } from "./fixture-bugs.js";

export { pidAlive } from "../../server/pipeline/leftovers/marked-processes.js";

/** What a verdict depends on in a run: how it ended and every test's status. */
export function verdictView(run: TestRunResult): unknown {
  return {
    kind: run.kind,
    perTest: run.perTest,
    counts: run.counts,
    tests: Object.fromEntries(run.tests.map((t) => [t.name, t.status])),
  };
}

/** The fixed texts of a fixture bug's files (relative path -> text). */
export function fixedTexts(id: string, files: readonly string[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [f, readFileSync(join(bugsDir(), id, "fixed", f), "utf8")]));
}

/** A workspace's scratch worker, its command, and runs of candidates on both paths. */
export class Harness {
  private constructor(
    readonly command: TestCommand,
    readonly workers: WorkerPool,
    readonly worker: Worker,
    readonly warm: WarmPool,
    readonly root: string,
  ) {}

  /** Opens a harness on a workspace; with `kind`, expects the detected runner to be that one. */
  static async open(root: string, kind?: TestCommand["kind"]): Promise<Harness> {
    const command = (await detectTestCommand(root, defaultConfig()))!;
    if (kind) expect(command.kind).toBe(kind);
    const workers = new WorkerPool({ root, size: 1, logger: silentLogger });
    const worker = await workers.acquire();
    return new Harness(command, workers, worker, WarmPool.for(command, root, silentLogger)!, root);
  }

  private options(extra: Partial<RunTestsOptions>): RunTestsOptions {
    return {
      cwd: this.worker.copy.root,
      displayRoot: this.root,
      timeoutMs: 60_000,
      env: this.worker.copy.env,
      reportParent: this.worker.copy.dir,
      ...extra,
    };
  }

  /** Runs a candidate (relative path -> text) cold and warm; returns both runs. */
  async both(
    candidate: Record<string, string>,
    extra: Partial<RunTestsOptions> = {},
  ): Promise<{ cold: TestRunResult; warm: TestRunResult }> {
    await this.worker.copy.apply(new Map(Object.entries(candidate).map(([f, t]) => [join(this.root, f), t])));
    try {
      const cold = await runTests(this.command, this.options(extra));
      const warm = await this.warmRun(extra);
      return { cold, warm };
    } finally {
      await this.worker.copy.restore();
    }
  }

  warmRun(extra: Partial<RunTestsOptions> = {}): Promise<TestRunResult> {
    return runTests(this.command, this.options({ ...extra, executor: this.warm.executorFor(this.worker) }));
  }

  async close(): Promise<void> {
    await this.warm.close();
    await this.workers.close();
  }
}
