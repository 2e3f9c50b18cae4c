/**
 * The workspace index: every meaningful source line of one workspace folder, embedded and stored in LanceDB, and
 * the MultiMend-style retrieval built on it. It knows nothing about the Language Server Protocol: the LSP layer
 * calls the methods below from its events and turns `onProgress` and the ProgressSink into $/progress and messages.
 *
 *   const index = await WorkspaceIndex.open({ root, config, logger, progress });
 *   await index.indexAll((done, total) => ..., signal);   // initial and bulk indexing; cancellable
 *   index.scheduleUpdate(absPath, bufferText);            // didChange: debounced by index.debounceMs
 *   await index.updateFile(absPath);                      // didSave, watched change, didClose: re-read from disk
 *   await index.updateFile(absPath, text);                // now, from the given text
 *   await index.removeFile(absPath);                      // deleted file or folder
 *   await index.ignoreFileChanged(absPath);               // a .gitignore changed: true when indexAll() is due
 *   await index.renameFile(oldAbsPath, newAbsPath);       // renamed file or folder; vectors are kept
 *   await index.rebuild(onProgress, signal);              // repair.reindex: drop everything and index again
 *   await index.retrieveForHunk(hunk, fileText);          // context lines for a hunk (Retriever)
 *   await index.similarLines(query, { topK, language });  // donor lines for a free query (Retriever)
 *   index.reconfigure(config);                            // settings changed: "applied" or "reopen-required"
 *   await index.linesOf(absPath);                         // what is stored for a file
 *   await index.stats(); await index.close();
 *
 * Behaviour worth knowing:
 * - Files are keyed by content hash: unchanged files are never re-embedded, across restarts too.
 * - Text given by the editor (open buffers) wins over the disk until updateFile(absPath) without text is called.
 * - One writer per index folder (a lock file); a second instance on the same folder opens it read-only, serves
 *   retrieval from it, and takes over as writer when the first one is gone.
 * - A corrupt, unreadable or outdated index folder (other schema or embedder) is rebuilt with a logged reason.
 * - Long work yields to the event loop every few milliseconds, so requests are never starved.
 * - Methods never throw for bad files or a broken index; they log and carry on. open() rejects only with
 *   IndexUnavailableError, when LanceDB's native library cannot load on this machine.
 *
 * This class is a facade over the parts, one file each: index-context.ts (what they share), writer-role.ts (the
 * lock, reader takeover, the store and the write queue), bulk-indexer.ts (indexAll), incremental-updates.ts
 * (single files, deletions, renames), maintenance.ts (index builds and optimize) and retriever.ts (retrieval).
 */
import { isAbsolute, join, resolve } from "node:path";
import type { Config } from "../server/core/config-schema.js";
import {
  silentLogger,
  silentProgress,
  type Hunk,
  type Logger,
  type ProgressSink,
  type RetrievedLine,
  type Retriever,
  moduleLogger,
} from "../server/core/types.js";
import { BulkIndexer, type IndexAllResult, type ProgressCallback } from "./bulk-indexer.js";
import type { Embedder } from "./embedders/embedder.js";
import { resolveEmbedder } from "./embedders/resolve.js";
import { IncrementalUpdates } from "./incremental-updates.js";
import { IndexContext } from "./index-context.js";
import { briefErrorMessage } from "../server/core/error-message.js";
import type { LockHolder } from "./lock.js";
import { Maintenance } from "./maintenance.js";
import { PauseGate } from "./pause-gate.js";
import { IndexRetriever, type IndexedLine, type RetrieveOptions, type SimilarLinesOptions } from "./retriever.js";
import { readMeta } from "./store.js";
import { WriterRole } from "./writer-role.js";

export { BULK_BATCH_ROWS, type IndexAllResult, type ProgressCallback } from "./bulk-indexer.js";
export { changesIndexedFiles } from "./index-context.js";
export { IndexUnavailableError } from "./lancedb-loader.js";
export { OPTIMIZE_EVERY_UPDATES } from "./maintenance.js";
export {
  QUERY_EMBED_TIMEOUT_MS,
  type IndexedLine,
  type RetrieveOptions,
  type SimilarLinesOptions,
} from "./retriever.js";

export interface WorkspaceIndexOptions {
  /** Absolute path of the workspace folder. */
  readonly root: string;
  readonly config: Config;
  readonly logger?: Logger;
  /** Receives user-facing warnings (e.g. Ollama missing) once. */
  readonly progress?: ProgressSink;
  /** Use this embedder instead of the configured one (tests, benchmarks). */
  readonly embedder?: Embedder;
  /** Environment for OLLAMA_HOST (defaults to process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Rows from which the vector (ANN) index is built; 100k unless a test wants one on a small table. */
  readonly annMinRows?: number;
}

export interface IndexStats {
  readonly root: string;
  readonly indexDir: string;
  readonly writable: boolean;
  /** Who holds the writer lock when this instance is read-only. */
  readonly writer?: LockHolder;
  readonly embedderId: string;
  readonly dimension: number;
  /** Set when the configured embedder could not be used. */
  readonly embedderFallback?: string;
  readonly files: number;
  readonly lines: number;
  readonly diskBytes: number;
  /** LanceDB indexes present: file_idx (BTree), norm_idx (full text), vector_idx (ANN). */
  readonly indexes: string[];
  readonly indexing: boolean;
  readonly pendingUpdates: number;
  /** Why the index folder was rebuilt at open or since, if it was. */
  readonly rebuiltReason?: string;
}

export class WorkspaceIndex implements Retriever {
  readonly root: string;
  readonly indexDir: string;
  /** Held while a repair uses the model: bulk indexing with a model embedder waits between slices meanwhile. */
  readonly modelWork: PauseGate;
  private readonly role: WriterRole;
  private readonly maintenance: Maintenance;
  private readonly bulk: BulkIndexer;
  private readonly updates: IncrementalUpdates;
  private readonly retriever: IndexRetriever;

  private constructor(private readonly context: IndexContext) {
    this.root = context.root;
    this.indexDir = context.indexDir;
    this.modelWork = context.modelWork;
    this.role = new WriterRole(context);
    this.maintenance = new Maintenance(context, this.role);
    this.bulk = new BulkIndexer(context, this.role, this.maintenance);
    this.updates = new IncrementalUpdates(context, this.role, this.maintenance);
    this.retriever = new IndexRetriever(context, this.role, (reason) => {
      void this.rebuildFor(reason).catch((e: unknown) =>
        context.logger.error(`rebuild failed: ${briefErrorMessage(e)}`),
      );
    });
    this.role.onTakeover = () => {
      void this.indexAll().catch((error: unknown) =>
        context.logger.warn(`catch-up indexing failed: ${briefErrorMessage(error)}`),
      );
    };
  }

  /**
   * Opens (or creates) the index of a workspace folder: picks the embedder (Ollama falls back to the built-in one
   * with a warning), takes the writer lock or settles for read-only, and opens the LanceDB folder, rebuilding it
   * when it is outdated or corrupt. Does not index: call indexAll().
   */
  static async open(options: WorkspaceIndexOptions): Promise<WorkspaceIndex> {
    // Every part of the index logs through the context's logger, which names the module once.
    const logger = moduleLogger(options.logger ?? silentLogger, "index");
    const progress = options.progress ?? silentProgress;
    const root = resolve(options.root);
    const configured = options.config["index.path"];
    const indexDir = isAbsolute(configured) ? configured : join(root, configured);
    const resolved = options.embedder
      ? { embedder: options.embedder, fallbackReason: undefined }
      : await resolveEmbedder(options.config, logger, progress, options.env);
    const index = new WorkspaceIndex(
      new IndexContext(
        root,
        indexDir,
        options.config,
        resolved.embedder,
        resolved.fallbackReason,
        logger,
        progress,
        options.annMinRows,
      ),
    );
    // Ollama being down at start must not cost the user an index built with it (re-embedding a workspace through
    // a model takes long): the folder stays as it is, and this session works without retrieval until a reopen.
    const existing = resolved.fallbackReason ? await readMeta(indexDir) : undefined;
    if (existing?.embedderId.startsWith("ollama:")) {
      index.role.keptIndex = `the index at ${indexDir} was built with ${existing.embedderId}, which is unavailable now; it is kept as it is, and retrieval is off until Ollama answers again and the folder is reopened`;
    }
    try {
      await index.role.start();
    } catch (error) {
      // Never keep the writer lock of an index that failed to open: a later open in this process would be locked out.
      await index.role.release();
      throw error;
    }
    return index;
  }

  get writable(): boolean {
    return this.role.writable;
  }

  /** The configuration in force. */
  get config(): Config {
    return this.context.config;
  }

  /**
   * Applies a changed configuration. Retrieval settings, the debounce delay, the excludes and the size limit apply
   * at once (call indexAll() to index or drop files by new excludes: changesIndexedFiles() says when it is due); a
   * change of embedder, embedding model, Ollama host or index path needs a new instance: the result says so, and
   * the caller closes this one and opens another.
   */
  reconfigure(config: Config): "applied" | "reopen-required" {
    return this.context.reconfigure(config);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Writing

  /**
   * Indexes the whole folder: walks it, skips files whose content hash is already indexed, (re-)embeds the rest in
   * batches, drops files that disappeared, then creates missing indexes and optimises. Calls onProgress(done, total)
   * in files. A call while another runs joins it. Cancelling keeps everything committed so far.
   */
  indexAll(onProgress?: ProgressCallback, signal?: AbortSignal): Promise<IndexAllResult> {
    return this.bulk.indexAll(onProgress, signal);
  }

  /**
   * Re-indexes one file after its text stopped changing for index.debounceMs (didChange). The text is the open
   * buffer's and wins over the disk until updateFile(absPath) without text is called.
   */
  scheduleUpdate(absPath: string, text: string): void {
    this.updates.scheduleUpdate(absPath, text);
  }

  /**
   * Re-indexes one file now: from `text` when given (an open buffer), else from the disk (didSave, a watched
   * change, didClose). A file that is gone, ignored, binary or too large loses its rows. A `.gitignore` makes its
   * folder's ignore rules be read again at the next indexAll(). Resolves to whether rows were written; never
   * rejects.
   */
  updateFile(absPath: string, text?: string): Promise<boolean> {
    return this.updates.updateFile(absPath, text);
  }

  /**
   * Reads a created, changed or deleted `.gitignore` afresh at the next walk. Resolves to whether that walk is due,
   * which the caller starts with indexAll() (files the rules now exclude drop out, files they let in come in).
   */
  ignoreFileChanged(absPath: string): Promise<boolean> {
    return this.updates.ignoreFileChanged(absPath);
  }

  /** Drops a deleted file, or every file under a deleted folder. Never rejects. */
  removeFile(absPath: string): Promise<void> {
    return this.updates.removeFile(absPath);
  }

  /**
   * Follows a renamed file or folder: rows move to the new path without re-embedding when the language stays the
   * same and the new path is not ignored; then each moved file is checked against the disk (a rename may come with
   * an edit). Never rejects.
   */
  renameFile(oldAbsPath: string, newAbsPath: string): Promise<void> {
    return this.updates.renameFile(oldAbsPath, newAbsPath);
  }

  /** Drops the whole index and indexes the folder again (repair.reindex). Cancels a running indexAll first. */
  rebuild(onProgress?: ProgressCallback, signal?: AbortSignal): Promise<IndexAllResult> {
    return this.rebuildFor("rebuild requested", onProgress, signal);
  }

  private async rebuildFor(
    reason: string,
    onProgress?: ProgressCallback,
    signal?: AbortSignal,
  ): Promise<IndexAllResult> {
    await this.bulk.cancel();
    const { role } = this;
    if (await role.ensureWriter()) {
      await role.enqueue(async () => {
        await role.store?.reset();
        role.files.clear();
        this.retriever.clearCache();
        this.maintenance.writes = 0;
        role.rebuiltReason = reason;
        this.context.logger.info(`rebuilding ${this.indexDir} (${reason})`);
        // Without an open store the folder may not be ours (see index-folder.ts): write nothing into it.
        if (role.store) await role.ensureGitignore();
      });
    }
    return this.indexAll(onProgress, signal);
  }

  /** Resolves when every scheduled and queued update has been written (debounced ones are written now). */
  async flush(): Promise<void> {
    await this.updates.flush();
    await this.role.drained();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reading

  /**
   * Context lines for a hunk, MultiMend-style: the query is the hunk's lines joined into one line; lines from the
   * same file outside the hunk's enclosing function come first, then lines from the rest of the workspace, up to
   * topK in all, each at or above the cosine threshold, none identical to the hunk. An empty hunk (an insertion)
   * retrieves nothing. `fileText` is the file's current text: the hunk's query and enclosing function come from it.
   * When the index holds another version of the file, the same-file lines are embedded from `fileText` on the fly
   * with the built-in embedder, and taken from the indexed version with a model embedder. Never rejects: failures
   * log and return [].
   */
  retrieveForHunk(hunk: Hunk, fileText: string, options: RetrieveOptions = {}): Promise<RetrievedLine[]> {
    return this.retriever.retrieveForHunk(hunk, fileText, options);
  }

  /**
   * Lines similar to a free query across the workspace (donor code for the template engine), optionally of one
   * language and never from `excludeFile`; lines identical to the query are left out. Never rejects.
   */
  similarLines(query: string, options: SimilarLinesOptions = {}): Promise<RetrievedLine[]> {
    return this.retriever.similarLines(query, options);
  }

  /** What the index holds for a file, in line order: for diagnostics, tests and the `repair.status` command. */
  linesOf(absPath: string): Promise<IndexedLine[]> {
    return this.retriever.linesOf(absPath);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // State

  async stats(): Promise<IndexStats> {
    const { role, context } = this;
    const store = role.store;
    const lines = await (store?.countLines() ?? Promise.resolve(0)).catch(() => 0);
    return {
      root: this.root,
      indexDir: this.indexDir,
      writable: role.writable,
      ...(role.writer ? { writer: role.writer } : {}),
      embedderId: context.embedder.id,
      dimension: context.embedder.dimension,
      ...(context.embedderFallback ? { embedderFallback: context.embedderFallback } : {}),
      files: role.files.size,
      lines,
      diskBytes: store ? await store.diskBytes() : 0,
      indexes: store?.indexes ?? [],
      indexing: this.bulk.running,
      pendingUpdates: this.updates.pending,
      ...(role.rebuiltReason ? { rebuiltReason: role.rebuiltReason } : {}),
    };
  }

  /** Stops indexing, drops pending debounced updates, waits for the write in progress, and releases the lock. */
  async close(): Promise<void> {
    if (this.context.closed) return;
    this.context.closed = true;
    this.updates.cancelPending();
    this.maintenance.stop();
    await this.bulk.cancel();
    await this.role.drained();
    await this.role.release();
  }
}
