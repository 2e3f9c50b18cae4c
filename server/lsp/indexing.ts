import type { Config } from "../core/config-schema.js";
import type { Retriever } from "../core/types.js";
import type { RepairServer } from "./server.js";
import type { FolderState } from "./workspace-folders.js";
import { changesIndexedFiles, WorkspaceIndex } from "../../index/workspace-index.js";

/**
 * Wires LSP events to each folder's workspace index: the initial (cancellable, progress-reporting) indexing job,
 * debounced updates from open buffers, updates on save and on watched-file events, renames, changed settings and
 * ignore files, and rebuilds. The index itself knows nothing of the protocol.
 */
export class FolderIndexes {
  private readonly indexes = new Map<string, Promise<WorkspaceIndex | undefined>>();
  /** The configuration each open (or failed) index was opened or last reconfigured with. */
  private readonly appliedConfigs = new Map<string, Config>();
  /** Folders whose indexing is off by their settings: turning it on starts the initial indexing. */
  private readonly disabled = new Set<string>();
  /** Folders that need another walk once the running indexing job has walked (ignore rules changed meanwhile). */
  private readonly walkDue = new Set<string>();

  constructor(private readonly server: RepairServer) {}

  private open(folder: FolderState): Promise<WorkspaceIndex | undefined> {
    let pending = this.indexes.get(folder.path);
    if (!pending) {
      this.appliedConfigs.set(folder.path, folder.config);
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
    if (!folder.config["index.enabled"]) {
      this.disabled.add(folder.path);
      return;
    }
    this.disabled.delete(folder.path);
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
      // A walk requested before this one starts is this walk.
      this.walkDue.delete(folder.path);
      const onProgress = (done: number, total: number): void =>
        progress.report(`${done}/${total} files`, total === 0 ? 100 : (done / total) * 100);
      let stats = rebuild ? await index.rebuild(onProgress, signal) : await index.indexAll(onProgress, signal);
      let { indexedFiles, removedFiles } = stats;
      // Ignore rules that changed during the walk apply with one more walk (unchanged files cost a hash each).
      while (this.walkDue.delete(folder.path) && !signal.aborted) {
        stats = await index.indexAll(onProgress, signal);
        indexedFiles += stats.indexedFiles;
        removedFiles += stats.removedFiles;
      }
      return {
        status: "done",
        message: `indexed ${indexedFiles} files (${stats.unchangedFiles} unchanged, ${removedFiles} removed)`,
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

  /** A renamed file or folder (workspace/didRenameFiles): its rows follow it without re-embedding. */
  rename(oldPath: string, newPath: string): void {
    const from = this.server.folders.folderOf(oldPath);
    const to = this.server.folders.folderOf(newPath);
    if (from && from === to) {
      this.withIndex(oldPath, (index) => index.renameFile(oldPath, newPath));
      return;
    }
    // Across folders, each folder's index sees its own half: a deletion and a new file.
    this.remove(oldPath);
    this.updateFromDisk(newPath);
  }

  /**
   * A .gitignore was created, changed or deleted: its folder's rules are read again and the folder is walked, so
   * that files it now ignores drop out of the index and files it no longer ignores come in.
   */
  ignoreFileChanged(path: string): void {
    const folder = this.server.folders.folderOf(path);
    // An index not open yet reads every ignore file afresh on its first walk.
    if (!folder || !folder.config["index.enabled"] || !this.indexes.has(folder.path)) return;
    this.withIndex(path, async (index) => {
      if (!(await index.ignoreFileChanged(path))) return;
      this.walkDue.add(folder.path);
      this.startJob(folder, false);
    });
  }

  private withIndex(path: string, fn: (index: WorkspaceIndex) => Promise<unknown>): void {
    const folder = this.server.folders.folderOf(path);
    if (!folder || !folder.config["index.enabled"]) return;
    void this.open(folder)
      .then((index) => (index ? fn(index) : undefined))
      .catch((error: unknown) => this.server.logger.warn(`index update of ${path} failed: ${String(error)}`));
  }

  /**
   * Applies a folder's changed configuration (any settings change, a trust answer) to its open index. Excludes and
   * the size limit take effect with a walk; a change of embedder, Ollama host or index path needs a new index: the
   * old one is closed, which stops its indexing, and the folder is indexed again under the new settings. Turning
   * indexing off closes the index; turning it on starts the initial indexing.
   */
  async reconfigure(folder: FolderState): Promise<void> {
    const enabled = folder.config["index.enabled"];
    const pending = this.indexes.get(folder.path);
    if (!pending) {
      if (enabled && this.disabled.has(folder.path)) this.startInitial(folder);
      return;
    }
    if (!enabled) {
      await this.close(folder);
      this.disabled.add(folder.path);
      return;
    }
    const before = this.appliedConfigs.get(folder.path);
    if (before && JSON.stringify(before) === JSON.stringify(folder.config)) return;
    this.appliedConfigs.set(folder.path, folder.config);
    const index = await pending;
    if (index && before && index.reconfigure(folder.config) === "applied") {
      if (changesIndexedFiles(before, folder.config)) {
        this.walkDue.add(folder.path);
        this.startJob(folder, false);
      }
      return;
    }
    await this.close(folder);
    // The closed index's job may still be winding down; a rebuild replaces it rather than waiting on it.
    this.startJob(folder, true);
  }

  async close(folder: FolderState): Promise<void> {
    const pending = this.indexes.get(folder.path);
    this.indexes.delete(folder.path);
    this.appliedConfigs.delete(folder.path);
    await (await pending)?.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.indexes.values()];
    this.indexes.clear();
    this.appliedConfigs.clear();
    await Promise.all(all.map(async (p) => (await p)?.close()));
  }
}
