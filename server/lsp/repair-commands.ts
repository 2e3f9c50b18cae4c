import { ErrorCodes, MessageType, ResponseError, type Range } from "vscode-languageserver/node.js";
import { languageForPath } from "../../grammars/languages.js";
import { BoundedCache, textBytes } from "../../index/bounded-cache.js";
import { parseConfig, type Config } from "../core/config-schema.js";
import type { ShardSpec } from "../pipeline/shard.js";
import type { Hunk } from "../core/types.js";
import { AppliedRepairs } from "./applied-repairs.js";
import { repairEdit } from "./code-actions.js";
import { runRepairEngine } from "./engine-adapter.js";
import type { JobOutcome } from "./jobs.js";
import type { JobReport } from "./job-report.js";
import { COMMANDS } from "./protocol-names.js";
import type { RepairServer } from "./server.js";
import { TestPermission } from "./test-permission.js";
import { uriToPath, type FolderState } from "./workspace-folders.js";

function invalid(message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isRange(value: unknown): value is Range {
  const isPosition = (p: unknown): boolean =>
    isObject(p) && Number.isInteger(p.line) && Number.isInteger(p.character) && (p.line as number) >= 0;
  return isObject(value) && isPosition(value.start) && isPosition(value.end);
}

/** A fix-all shard argument: { index, total } with 1 <= index <= total (1-based, as `--shard i/n`). */
function shardArgument(value: unknown): ShardSpec | undefined {
  if (value === undefined) return undefined;
  const ok =
    isObject(value) &&
    Number.isInteger(value.index) &&
    Number.isInteger(value.total) &&
    (value.index as number) >= 1 &&
    (value.index as number) <= (value.total as number);
  if (!ok) throw invalid("shard must be { index, total } with 1 <= index <= total");
  return { index: value.index as number, total: value.total as number };
}

/** Lines [start, end) that a range covers; a range ending at column 0 does not include that last line. */
export function rangeToLines(range: Range): { startLine: number; endLine: number } {
  const endLine = range.end.line > range.start.line && range.end.character === 0 ? range.end.line : range.end.line + 1;
  return { startLine: range.start.line, endLine: Math.max(endLine, range.start.line + 1) };
}

/**
 * workspace/executeCommand: every command validates its arguments, starts background work and returns at once
 * with a job id, so no request ever waits on a model or a test run.
 */
export class RepairCommands {
  /** Reports of finished repair jobs, for `repair/report`; the newest few are kept. */
  /** The last jobs' reports, for `repair/report`: bounded in count and in bytes (a report carries whole edits). */
  readonly reports = new BoundedCache<string, JobReport>({
    maxEntries: 20,
    maxBytes: 32 * 1024 * 1024,
    sizeOf: (report) => textBytes(JSON.stringify(report)),
  });
  private readonly permission: TestPermission;
  private readonly applied: AppliedRepairs;

  constructor(private readonly server: RepairServer) {
    this.permission = new TestPermission(server.connection);
    this.applied = new AppliedRepairs({
      logger: server.logger,
      recentRepair: (id) => server.cache.recent(id),
      currentFile: (path) => server.currentFile(path),
      folderOf: (path) => server.folders.folderOf(path),
    });
  }

  execute(command: string, args: readonly unknown[]): unknown {
    const first = args[0];
    switch (command) {
      case COMMANDS.fixAllFailing:
        return this.fixAllFailing(first);
      case COMMANDS.fixHere:
        return this.fixHere(first);
      case COMMANDS.reindex:
        return this.reindex(first);
      case COMMANDS.cancel: {
        if (
          first !== undefined &&
          !(isObject(first) && (first.jobId === undefined || typeof first.jobId === "string"))
        ) {
          throw invalid("repair.cancel takes no argument or { jobId: string }");
        }
        return {
          cancelled: this.server.jobs.cancel(isObject(first) ? (first.jobId as string | undefined) : undefined),
        };
      }
      case COMMANDS.status:
        return {
          ...this.server.jobs.status(),
          configProblems: this.server.configProblems,
          configIssues: this.server.configIssues,
        };
      case COMMANDS.repairApplied: {
        const ids = isObject(first) ? first.repairIds : undefined;
        if (!Array.isArray(ids) || ids.length > 100 || !ids.every((id) => typeof id === "string"))
          throw invalid("repair.applied needs { repairIds: string[] } (at most 100)");
        return this.applied.remember(ids).then((results) => ({ results }));
      }
      default:
        throw invalid(`unknown command: ${command}`);
    }
  }

  private folderFor(uri: unknown): FolderState {
    const folders = this.server.folders.all();
    if (uri === undefined) {
      const first = folders[0];
      if (!first) throw invalid("no workspace folder is open");
      return first;
    }
    if (typeof uri !== "string") throw invalid("folder must be a file: URI string");
    const folder = this.server.folders.get(uri) ?? this.server.folders.folderOf(uri);
    if (!folder) throw invalid(`${uri} is not inside a workspace folder`);
    return folder;
  }

  /** Per-invocation settings a client may pass with the command (the CLI's flags); validated like settings. */
  private jobConfig(folder: FolderState, args: Record<string, unknown>): Config {
    const overrides: Record<string, unknown> = {};
    if (args.testCommand !== undefined) overrides["test.command"] = args.testCommand;
    if (args.engine !== undefined) overrides.engine = args.engine;
    if (args.budgetSeconds !== undefined) overrides["repair.budgetSeconds"] = args.budgetSeconds;
    const { config, problems } = parseConfig(overrides, folder.config);
    const problem = problems[0];
    if (problem) throw invalid(`invalid argument for "${problem.key}": ${problem.message}`);
    return config;
  }

  private async fixAllFailing(arg: unknown): Promise<{ jobId: string; alreadyRunning?: boolean }> {
    if (arg !== undefined && !isObject(arg)) throw invalid("repair.fixAllFailing takes no argument or an object");
    const args = arg ?? {};
    const folder = this.folderFor(args.folder);
    // A client that grants the test run on the user's behalf (the CLI's invocation) also vouches for the folder's
    // own settings file, so the project's test.command and the like apply to the job.
    if (args.allowRun === true) await this.server.trustForSession(folder);
    const config = this.jobConfig(folder, args);
    const shard = shardArgument(args.shard);
    // A headless client that prints the report itself (fix-all) passes announce: false: one summary, not two.
    return this.startRepair(
      folder,
      config,
      args.allowRun === true,
      "fix-all",
      undefined,
      args.announce !== false,
      shard,
    );
  }

  private async fixHere(arg: unknown): Promise<{ jobId: string; alreadyRunning?: boolean }> {
    if (!isObject(arg) || typeof arg.uri !== "string" || !isRange(arg.range)) {
      throw invalid("repair.fixHere needs { uri: string, range: Range }");
    }
    const path = uriToPath(arg.uri);
    if (!path) throw invalid(`${arg.uri} is not a file: URI`);
    if (!languageForPath(path)) throw invalid(`${arg.uri} is not in a supported language`);
    const folder = this.folderFor(arg.uri);
    const hunk: Hunk = { file: path, ...rangeToLines(arg.range) };
    if (arg.allowRun === true) await this.server.trustForSession(folder);
    return this.startRepair(folder, this.jobConfig(folder, arg), arg.allowRun === true, "fix-here", hunk);
  }

  private reindex(arg: unknown): { jobIds: string[] } {
    const folders =
      isObject(arg) && arg.folder !== undefined ? [this.folderFor(arg.folder)] : this.server.folders.all();
    return { jobIds: folders.map((folder) => this.server.indexes.startJob(folder, true)) };
  }

  private startRepair(
    folder: FolderState,
    config: Config,
    allowRun: boolean,
    kind: "fix-all" | "fix-here",
    hunk: Hunk | undefined,
    announce = true,
    shard?: ShardSpec,
  ): { jobId: string; alreadyRunning?: boolean } {
    // One repair at a time per folder: two would compete for the cores and for the user's attention.
    const running = this.server.jobs.running(folder.path, ["fix-all", "fix-here"]);
    if (running) {
      this.server.connection
        .sendNotification("window/showMessage", {
          type: MessageType.Info,
          message: `A repair is already running in ${folder.name}; cancel it with "Repair: Cancel" to start another.`,
        })
        .catch(() => undefined);
      return { jobId: running.id, alreadyRunning: true };
    }
    const title = kind === "fix-all" ? `Repairing failing tests in ${folder.name}` : "Repairing here";
    const job = this.server.jobs.start(kind, folder.path, title, async (signal, progress): Promise<JobOutcome> => {
      if (!(await this.permission.allowed(folder.path, config, allowRun))) {
        this.permission.notifyRefusal(folder.path);
        return { status: "not-allowed", message: TestPermission.refusalMessage(folder.path), patches: 0 };
      }
      // The model serves one request at a time: while the repair may use it, indexing through it waits.
      const resumeIndexing =
        config.engine === "builtin" ? () => undefined : await this.server.indexes.pauseModelWork(folder);
      let outcome: Awaited<ReturnType<typeof runRepairEngine>>;
      try {
        outcome = await runRepairEngine({
          jobId: job.id,
          folder,
          config,
          hunk,
          signal,
          progress,
          logger: this.server.logger,
          retriever: await this.server.indexes.retriever(folder),
          overlays: this.server.overlays(folder),
          ...(shard ? { shard } : {}),
        });
      } finally {
        resumeIndexing();
      }
      const { report, repairs } = outcome;
      this.remember(report);
      this.server.publishDiagnostics(this.server.cache.replace(repairs));
      if (announce) this.summarise(report);
      await this.maybeApply(config, report);
      return { status: report.status, message: report.message, patches: report.patches.length };
    });
    return { jobId: job.id };
  }

  private remember(report: JobReport): void {
    this.reports.set(report.jobId, report);
  }

  private summarise(report: JobReport): void {
    const type = report.patches.length > 0 ? MessageType.Info : MessageType.Warning;
    this.server.connection
      .sendNotification("window/showMessage", { type, message: `repair-ls: ${report.message}` })
      .catch(() => undefined);
  }

  /** With repair.applyAutomatically, sends the best repair as workspace/applyEdit (if its files are unchanged). */
  private async maybeApply(config: Config, report: JobReport): Promise<void> {
    const best = report.patches[0];
    if (!config["repair.applyAutomatically"] || !best || !this.server.negotiated?.applyEdit) return;
    const repair = this.server.cache.get(best.id);
    const edit = repair
      ? repairEdit(repair, (p) => this.server.currentFile(p), this.server.negotiated.versionedEdits)
      : undefined;
    if (!edit) return;
    const result = await this.server.connection.workspace.applyEdit({ label: `Repair: ${best.description}`, edit });
    if (!result.applied)
      this.server.logger.warn(`the client did not apply the repair: ${result.failureReason ?? "no reason given"}`);
    else if (repair) await this.applied.remember([repair.id]);
  }
}
