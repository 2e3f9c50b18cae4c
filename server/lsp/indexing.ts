import type { Retriever } from "../pipeline/types.js";
import type { RepairServer } from "./server.js";
import type { FolderState } from "./workspace-folders.js";
import { WorkspaceIndex } from "../../index/workspace-index.js";

/**
 * Wires LSP events to each folder's workspace index: the initial (cancellable, progress-reporting) indexing job,
 * debounced updates from open buffers, updates on save and on watched-file events, and rebuilds. The index itself
 * knows nothing of the protocol.
 */
export class FolderIndexes {
  private readonly indexes = new Map<string, Promise<WorkspaceIndex | undefined>>();

  constructor(private readonly server: RepairServer) {}

  private open(folder: FolderState): Promise<WorkspaceIndex | undefined> {
    let pending = this.indexes.get(folder.path);
    if (!pending) {
      pending = WorkspaceIndex.open({
        root: folder.path,
        config: folder.config,
        logger: this.server.logger,
        // The index's one-time warnings (e.g. the embedding model is missing) reach the user like the pipeline's.
        progress: { report: () => undefined, warn: (message) => this.server.jobs.warn(message) },
      }).catch((error: unknown) => {
        // An index that cannot open (native binary missing, unwritable folder) costs retrieval, not repairs.
        this.server.jobs.warn(`repair-ls: the workspace index is unavailable in ${folder.path}: ${String(error)}`);
        return undefined;
      });
      this.indexes.set(folder.path, pending);
    }
    return pending;
  }

  /** Indexes a folder in the background at start-up, when indexing is enabled. */
  startInitial(folder: FolderState): void {
    if (!folder.config["index.enabled"]) return;
    this.startJob(folder, false);
  }

  /** Starts an indexing job (a full rebuild when asked); returns its id. */
  startJob(folder: FolderState, rebuild: boolean): string {
    const running = this.server.jobs.running(folder.path, ["index"]);
    if (running && !rebuild) return running.id;
    if (running) this.server.jobs.cancel(running.id);
    return this.server.jobs.start("index", folder.path, `Indexing ${folder.name}`, async (signal, progress) => {
      const index = await this.open(folder);
      if (!index) return { status: "error", message: "index unavailable", patches: 0 };
      const onProgress = (done: number, total: number): void =>
        progress.report(`${done}/${total} files`, total === 0 ? 100 : (done / total) * 100);
      const stats = rebuild ? await index.rebuild(onProgress, signal) : await index.indexAll(onProgress, signal);
      return {
        status: "done",
        message: `indexed ${stats.indexedFiles} files (${stats.unchangedFiles} unchanged, ${stats.removedFiles} removed)`,
        patches: 0,
      };
    }).id;
  }

  /** The retriever for a folder, if its index is open (repairs never wait for indexing to finish). */
  async retriever(folder: FolderState): Promise<Retriever | undefined> {
    if (!folder.config["index.enabled"]) return undefined;
    return this.open(folder);
  }

  /**
   * Pauses a folder's bulk indexing through a model embedder while a repair may ask the model for candidates;
   * returns the function that resumes it. A folder whose index is not open yet has nothing to pause.
   */
  async pauseModelWork(folder: FolderState): Promise<() => void> {
    const pending = this.indexes.get(folder.path);
    const index = pending ? await pending.catch(() => undefined) : undefined;
    return index ? index.modelWork.pause() : () => undefined;
  }

  scheduleUpdate(path: string, text: string): void {
    const folder = this.server.folders.folderOf(path);
    if (!folder || !folder.config["index.enabled"]) return;
    void this.open(folder).then((index) => index?.scheduleUpdate(path, text));
  }

  updateFromDisk(path: string): void {
    this.withIndex(path, (index) => index.updateFile(path));
  }

  remove(path: string): void {
    this.withIndex(path, (index) => index.removeFile(path));
  }

  private withIndex(path: string, fn: (index: WorkspaceIndex) => Promise<unknown>): void {
    const folder = this.server.folders.folderOf(path);
    if (!folder || !folder.config["index.enabled"]) return;
    void this.open(folder)
      .then((index) => (index ? fn(index) : undefined))
      .catch((error: unknown) => this.server.logger.warn(`index update of ${path} failed: ${String(error)}`));
  }

  /**
   * Applies a folder's changed configuration to its open index. A change of embedder, Ollama host or index path
   * (e.g. once the user trusts the folder's own settings) needs a new index: the old one is closed, which stops its
   * indexing, and the folder is indexed again under the new settings.
   */
  async reconfigure(folder: FolderState): Promise<void> {
    const pending = this.indexes.get(folder.path);
    if (!pending) return;
    const index = await pending;
    if (index && index.reconfigure(folder.config) === "applied") return;
    await this.close(folder);
    // The closed index's job may still be winding down; a rebuild replaces it rather than waiting on it.
    if (folder.config["index.enabled"]) this.startJob(folder, true);
  }

  async close(folder: FolderState): Promise<void> {
    const pending = this.indexes.get(folder.path);
    this.indexes.delete(folder.path);
    await (await pending)?.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.indexes.values()];
    this.indexes.clear();
    await Promise.all(all.map(async (p) => (await p)?.close()));
  }
}
