import { randomUUID } from "node:crypto";
import { MessageType, type Connection } from "vscode-languageserver/node.js";
import type { Logger } from "../core/types.js";
import { JobProgress } from "./progress.js";
import { JOB_FINISHED_NOTIFICATION, STATUS_NOTIFICATION } from "./protocol-names.js";
import { errorMessage } from "../core/error-message.js";

export type JobKind = "fix-all" | "fix-here" | "index";
export type JobState = "running" | "done" | "cancelled" | "failed";
export type ServerState = "idle" | "indexing" | "repairing" | "ollama-unavailable";

export interface JobInfo {
  readonly id: string;
  readonly kind: JobKind;
  readonly folder: string;
  state: JobState;
  message: string;
}

/** What a finished job tells the client; the job's full result stays in the server's cache. */
export interface JobOutcome {
  readonly status: string;
  readonly message: string;
  readonly patches: number;
}

interface RunningJob {
  readonly info: JobInfo;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * Runs background work (repairs, indexing) so that no request ever waits on it: start() returns at once, progress
 * goes to the client as $/progress, the client can cancel, and the end is announced with repair/jobFinished.
 */
export class JobManager {
  private readonly jobs = new Map<string, RunningJob>();
  private readonly finished: JobInfo[] = [];
  private ollamaUnavailable = false;
  private lastState: ServerState = "idle";

  constructor(
    private readonly connection: Connection,
    private readonly logger: Logger,
    private readonly progressSupported: () => boolean,
  ) {}

  /** The running job of a kind in a folder, if any (repairs of one folder run one at a time). */
  running(folder: string, kinds: readonly JobKind[]): JobInfo | undefined {
    for (const job of this.jobs.values()) {
      if (job.info.folder === folder && kinds.includes(job.info.kind)) return job.info;
    }
    return undefined;
  }

  start(
    kind: JobKind,
    folder: string,
    title: string,
    run: (signal: AbortSignal, progress: JobProgress) => Promise<JobOutcome>,
  ): JobInfo {
    const info: JobInfo = { id: randomUUID(), kind, folder, state: "running", message: title };
    const controller = new AbortController();
    const done = (async () => {
      const progress = await JobProgress.begin({
        connection: this.connection,
        supported: this.progressSupported(),
        title,
        onCancel: () => controller.abort(),
        onWarn: (message) => this.warn(message),
        onRecovered: () => this.ollamaRecovered(),
      });
      let outcome: JobOutcome;
      try {
        outcome = await run(controller.signal, progress);
        info.state = controller.signal.aborted ? "cancelled" : "done";
      } catch (error) {
        info.state = controller.signal.aborted ? "cancelled" : "failed";
        const reason = errorMessage(error);
        if (info.state === "failed")
          this.logger.error(`${title} failed: ${error instanceof Error ? (error.stack ?? reason) : reason}`);
        outcome = {
          status: info.state === "cancelled" ? "cancelled" : "error",
          message: info.state === "cancelled" ? "cancelled" : reason,
          patches: 0,
        };
      }
      info.message = outcome.message;
      progress.end(outcome.message);
      this.jobs.delete(info.id);
      this.finished.unshift(info);
      this.finished.length = Math.min(this.finished.length, 20);
      this.publishState();
      this.connection
        .sendNotification(JOB_FINISHED_NOTIFICATION, { jobId: info.id, kind, folder, ...outcome })
        .catch(() => undefined);
    })();
    this.jobs.set(info.id, { info, controller, done });
    this.publishState();
    return info;
  }

  /** Cancels one job, or every job when no id is given; returns how many were running. */
  cancel(id?: string): number {
    let count = 0;
    for (const job of this.jobs.values()) {
      if (id === undefined || job.info.id === id) {
        job.controller.abort();
        count++;
      }
    }
    return count;
  }

  /** Resolves when every job has ended (used at shutdown so that scratch copies are cleaned before exit). */
  async settle(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  status(): { state: ServerState; jobs: JobInfo[] } {
    return { state: this.state(), jobs: [...[...this.jobs.values()].map((j) => j.info), ...this.finished] };
  }

  /** A pipeline warning (e.g. Ollama unreachable): logged, shown once, and reflected in the status. */
  private readonly shownWarnings = new Set<string>();
  warn(message: string): void {
    this.logger.warn(message);
    if (/ollama/i.test(message)) this.ollamaUnavailable = true;
    if (!this.shownWarnings.has(message)) {
      this.shownWarnings.add(message);
      this.connection
        .sendNotification("window/showMessage", { type: MessageType.Warning, message })
        .catch(() => undefined);
    }
    this.publishState();
  }

  /** Ollama answered a request: the status leaves "Ollama unavailable", and a later outage is shown again. */
  ollamaRecovered(): void {
    if (!this.ollamaUnavailable) return;
    this.ollamaUnavailable = false;
    for (const message of [...this.shownWarnings]) if (/ollama/i.test(message)) this.shownWarnings.delete(message);
    this.publishState();
  }

  private state(): ServerState {
    const kinds = [...this.jobs.values()].map((j) => j.info.kind);
    if (kinds.some((k) => k !== "index")) return "repairing";
    if (kinds.includes("index")) return "indexing";
    return this.ollamaUnavailable ? "ollama-unavailable" : "idle";
  }

  private publishState(): void {
    const state = this.state();
    if (state === this.lastState) return;
    this.lastState = state;
    const messages: Record<ServerState, string> = {
      idle: "idle",
      indexing: "indexing the workspace",
      repairing: "repairing",
      "ollama-unavailable": "Ollama unavailable: using the built-in engine",
    };
    this.connection.sendNotification(STATUS_NOTIFICATION, { state, message: messages[state] }).catch(() => undefined);
  }
}
