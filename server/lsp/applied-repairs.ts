import { rememberAppliedRepair } from "../pipeline/memory/memory-store.js";
import type { Logger } from "../core/types.js";
import type { CurrentFile } from "./code-actions.js";
import { hashText, type CachedRepair } from "./repair-cache.js";
import type { FolderState } from "./workspace-folders.js";

/** What became of one repair a client reported as applied. */
export interface AppliedRepairResult {
  readonly repairId: string;
  readonly remembered: boolean;
  /** Why it was not remembered. */
  readonly reason?: string;
}

/** What the server lends the bookkeeping of applied repairs. */
export interface AppliedRepairHost {
  readonly logger: Logger;
  /** A repair by id, also one that its own edit just dropped from the cache. */
  recentRepair(id: string): CachedRepair | undefined;
  currentFile(path: string): CurrentFile | undefined;
  folderOf(path: string): FolderState | undefined;
}

/** Ids remembered in this session, so that a command run twice stores its repair once. */
const MAX_REMEMBERED_IDS = 1_000;

/**
 * Repairs a client applied through a code action: the action's command reports them after the edit, and each one
 * whose files now hold exactly the repaired texts goes into the repair memory. The report is only a hint: a client
 * may send any id at any time, so nothing is stored that the server did not compute and cannot see in the files.
 */
export class AppliedRepairs {
  private readonly remembered = new Set<string>();

  constructor(private readonly host: AppliedRepairHost) {}

  async remember(repairIds: readonly string[]): Promise<AppliedRepairResult[]> {
    const results: AppliedRepairResult[] = [];
    for (const repairId of repairIds) results.push(await this.rememberOne(repairId));
    return results;
  }

  private async rememberOne(repairId: string): Promise<AppliedRepairResult> {
    const refused = (reason: string): AppliedRepairResult => ({ repairId, remembered: false, reason });
    if (this.remembered.has(repairId)) return refused("already remembered");
    const repair = this.host.recentRepair(repairId);
    if (!repair) return refused("no such repair (it is too old or was never offered)");
    const unapplied = repair.files.find((f) => {
      const current = this.host.currentFile(f.path);
      return current === undefined || hashText(current.document.text) !== f.appliedHash;
    });
    if (unapplied) return refused(`${unapplied.path} does not hold the repaired text`);
    const folder = this.host.folderOf(repair.folder);
    if (!folder) return refused("the repair's folder is no longer open");
    const problem = await rememberAppliedRepair(
      folder.path,
      folder.config["index.path"],
      repair.files.flatMap((f) => f.edits.map((e) => ({ file: f.path, oldText: e.oldText, newText: e.newText }))),
      repair.description,
      repair.fixedTests,
    );
    if (problem) {
      this.host.logger.warn(`repair-ls: the repair memory was not updated: ${problem}`);
      return refused(problem);
    }
    if (this.remembered.size >= MAX_REMEMBERED_IDS) this.remembered.clear();
    this.remembered.add(repairId);
    this.host.logger.info(`repair memory: remembered the applied repair ${repair.description}`);
    return { repairId, remembered: true };
  }
}
