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
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, isAbsolute, join, posix, resolve } from "node:path";
import { languageForPath, type LanguageId } from "../grammars/languages.js";
import type { Config } from "../server/config/schema.js";
import {
  silentLogger,
  silentProgress,
  type Hunk,
  type Logger,
  type ProgressSink,
  type RetrievedLine,
  type Retriever,
} from "../server/pipeline/types.js";
import { dot, type Embedder } from "./embedders/embedder.js";
import { resolveEmbedder } from "./embedders/resolve.js";
import { FileAnalysisCache, type FileAnalysis } from "./file-analysis-cache.js";
import { IgnoreRules } from "./ignore-rules.js";
import { IndexUnavailableError } from "./lancedb-loader.js";
import { extractLines, innermostFunctionAt, isMeaningful, normaliseLine, type ExtractedLine } from "./lines.js";
import { WriterLock, type LockHolder } from "./lock.js";
import { sqlString, toAbsolute, toWorkspaceRelative } from "./paths.js";
import { checkSourceText, readSourceFile } from "./read-source.js";
import { hunkQuery, inMemoryCandidates, rankCandidates, type Candidate } from "./retrieve.js";
import { COLUMNS, RowBatch, SCHEMA_VERSION, type StoredLine } from "./rows.js";
import { PauseGate } from "./pause-gate.js";
import { LineStore, readMeta } from "./store.js";
import { TimeSlicer, yieldNow } from "./time-slicer.js";
import { walkWorkspace, type SkipReason } from "./walk.js";

export { IndexUnavailableError } from "./lancedb-loader.js";

/**
 * Rows per LanceDB commit during bulk indexing. Measured on node_modules: 5k rows per commit index as fast as 20k
 * and peak 170 MB lower; each commit also blocks the event loop for less (Arrow conversion is synchronous).
 */
export const BULK_BATCH_ROWS = 5_000;
/** Single-file updates between two optimize() runs (compaction, index refresh, old-version cleanup). */
export const OPTIMIZE_EVERY_UPDATES = 50;
/** Quiet time after the last single-file write before a due optimize() runs. */
/** How long a retrieval query may wait for a model embedder before retrieval goes without it. */
export const QUERY_EMBED_TIMEOUT_MS = 3_000;
const MAINTENANCE_IDLE_MS = 2_000;
/** Lines embedded per slice during bulk indexing, so one slice never holds the event loop for long. */
const EMBED_SLICE_LINES = 1_000;
/** Budget of one slice of CPU-bound work before yielding to the event loop. */
const SLICE_BUDGET_MS = 12;
/** Minimum interval between progress callbacks. */
const PROGRESS_INTERVAL_MS = 100;
/** How often a read-only instance may try to become the writer, or re-read the file list. */
const READER_RETRY_MS = 5_000;
/** File analyses kept for retrieval (parsed text plus vectors). */
const ANALYSIS_CACHE_FILES = 8;
/** Candidates fetched per scope, as a multiple of topK, before filtering out excluded and duplicate lines. */
const CANDIDATE_FACTOR = 4;

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

export interface RetrieveOptions {
  readonly topK?: number;
  readonly threshold?: number;
  readonly hybrid?: boolean;
  readonly signal?: AbortSignal;
}

export interface SimilarLinesOptions extends RetrieveOptions {
  readonly language?: LanguageId;
  /** Absolute path of a file whose lines are not wanted (usually the file being repaired). */
  readonly excludeFile?: string;
}

/** One stored line of a file, as linesOf() reports it. */
export interface IndexedLine {
  readonly line: number;
  readonly text: string;
  readonly norm: string;
  readonly language: string;
  readonly functionName: string | undefined;
  readonly functionRange: { readonly startLine: number; readonly endLine: number } | undefined;
}

export type ProgressCallback = (done: number, total: number) => void;

export interface IndexAllResult {
  /** Files the walk found. */
  readonly files: number;
  /** Files (re-)embedded and written. */
  readonly indexedFiles: number;
  readonly unchangedFiles: number;
  /** Files dropped because they no longer exist or are now ignored. */
  readonly removedFiles: number;
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
  /** Source lines of the (re-)indexed files, meaningful or not. */
  readonly sourceLines: number;
  /** Rows written (meaningful lines). */
  readonly rows: number;
  readonly cancelled: boolean;
  /** Set when this instance is not the writer and nothing was done. */
  readonly readOnly: boolean;
  /** Set when indexing stopped on an error (the index keeps what was written before). */
  readonly error?: string;
  /** Seconds from the walk to the last write. */
  readonly seconds: number;
  /** Seconds spent afterwards creating indexes and optimising. */
  readonly maintenanceSeconds: number;
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

/** A file read (or given) and extracted, waiting for its vectors and its commit. */
interface PreparedFile {
  readonly rel: string;
  readonly language: LanguageId;
  readonly hash: string;
  readonly lines: ExtractedLine[];
  /** Source lines of the file, meaningful or not. */
  readonly lineCount: number;
  /** The file's update generation when it was read; a newer update makes this version obsolete. */
  readonly generation: number;
  vectors?: Float32Array;
}

type WriteOp<T> = () => Promise<T>;

function contentHash(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

function message(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.name) : String(error);
}

export class WorkspaceIndex implements Retriever {
  private store: LineStore | undefined;
  private lock: WriterLock | undefined;
  private writer: LockHolder | undefined;
  /** Indexed files and their content hashes, as committed. */
  private files = new Map<string, string>();
  /** Text of files given by the editor, which wins over the disk. */
  private readonly bufferTexts = new Map<string, string>();
  private readonly generations = new Map<string, number>();
  /** Debounced updates: the timer and the text it will index. */
  private readonly debounced = new Map<string, { timer: NodeJS.Timeout; text: string }>();
  private readonly analyses = new FileAnalysisCache(ANALYSIS_CACHE_FILES);
  private rules: IgnoreRules;
  private writeChain: Promise<unknown> = Promise.resolve();
  private updatesSinceOptimize = 0;
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private indexAllRun: { promise: Promise<IndexAllResult>; controller: AbortController } | undefined;
  private lastReaderAttempt = 0;
  private autoRebuildDone = false;
  private rebuiltReason: string | undefined;
  private closed = false;
  private readonly warnedLanguages = new Set<LanguageId>();

  private constructor(
    readonly root: string,
    readonly indexDir: string,
    private config: Config,
    private readonly embedder: Embedder,
    private readonly embedderFallback: string | undefined,
    private readonly logger: Logger,
    private readonly progress: ProgressSink,
    private readonly annMinRows: number | undefined,
  ) {
    this.rules = this.makeRules(config);
  }

  private makeRules(config: Config): IgnoreRules {
    // The index folder and its lock are never indexed, whatever the excludes say.
    const indexRel = toWorkspaceRelative(this.root, this.indexDir);
    const excludes = [...config["index.exclude"], ...(indexRel ? [`/${indexRel}/`, `/${indexRel}.lock`] : [])];
    return new IgnoreRules(this.root, excludes, (rel, error) =>
      this.logger.warn(`index: cannot read ${rel}: ${message(error)}`),
    );
  }

  /**
   * Applies a changed configuration. Retrieval settings, the debounce delay, the excludes and the size limit apply
   * at once (call indexAll() to index or drop files by new excludes); a change of embedder, embedding model, Ollama
   * host or index path needs a new instance: the result says so, and the caller closes this one and opens another.
   */
  reconfigure(config: Config): "applied" | "reopen-required" {
    const needsReopen = (["index.embedder", "index.embeddingModel", "index.path", "ollama.host"] as const).some(
      (key) => config[key] !== this.config[key],
    );
    if (JSON.stringify(config["index.exclude"]) !== JSON.stringify(this.config["index.exclude"]))
      this.rules = this.makeRules(config);
    this.config = config;
    return needsReopen ? "reopen-required" : "applied";
  }

  /**
   * Opens (or creates) the index of a workspace folder: picks the embedder (Ollama falls back to the built-in one
   * with a warning), takes the writer lock or settles for read-only, and opens the LanceDB folder, rebuilding it
   * when it is outdated or corrupt. Does not index: call indexAll().
   */
  static async open(options: WorkspaceIndexOptions): Promise<WorkspaceIndex> {
    const logger = options.logger ?? silentLogger;
    const progress = options.progress ?? silentProgress;
    const root = resolve(options.root);
    const configured = options.config["index.path"];
    const indexDir = isAbsolute(configured) ? configured : join(root, configured);
    const resolved = options.embedder
      ? { embedder: options.embedder, fallbackReason: undefined }
      : await resolveEmbedder(options.config, logger, progress, options.env);
    const index = new WorkspaceIndex(
      root,
      indexDir,
      options.config,
      resolved.embedder,
      resolved.fallbackReason,
      logger,
      progress,
      options.annMinRows,
    );
    // Ollama being down at start must not cost the user an index built with it (re-embedding a workspace through
    // a model takes long): the folder stays as it is, and this session works without retrieval until a reopen.
    const existing = resolved.fallbackReason ? await readMeta(indexDir) : undefined;
    if (existing?.embedderId.startsWith("ollama:")) {
      index.keptIndex = `the index at ${indexDir} was built with ${existing.embedderId}, which is unavailable now; it is kept as it is, and retrieval is off until Ollama answers again and the folder is reopened`;
    }
    try {
      await index.start();
    } catch (error) {
      // Never keep the writer lock of an index that failed to open: a later open in this process would be locked out.
      await index.lock?.release();
      throw error;
    }
    return index;
  }

  /** Held while a repair uses the model: bulk indexing with a model embedder waits between slices meanwhile. */
  readonly modelWork = new PauseGate();

  /** Why this instance leaves its folder alone (an index built by an unavailable model): no lock, no store. */
  private keptIndex: string | undefined;

  private async start(): Promise<void> {
    if (this.keptIndex) {
      this.logger.warn(`index: ${this.keptIndex}`);
      this.progress.warn(`The workspace index: ${this.keptIndex}.`);
      return;
    }
    let outcome: Awaited<ReturnType<typeof WriterLock.tryAcquire>>;
    try {
      outcome = await WriterLock.tryAcquire(`${this.indexDir}.lock`);
    } catch (error) {
      // A folder we cannot write (read-only checkout, permissions): serve whatever index is there, read-only.
      this.logger.warn(`index: cannot lock ${this.indexDir} (${message(error)}); using it read-only`);
      outcome = { holder: undefined };
    }
    if ("lock" in outcome) this.lock = outcome.lock;
    else {
      this.writer = outcome.holder;
      const who = outcome.holder ? `process ${outcome.holder.pid}` : "another process";
      this.logger.info(`index: ${who} is writing ${this.indexDir}; this instance reads it`);
    }
    await this.openStore();
  }

  get writable(): boolean {
    return this.lock !== undefined;
  }

  /** Opens the store for the current role. Rejects only when LanceDB cannot load at all. */
  private async openStore(): Promise<void> {
    this.store?.close();
    this.store = undefined;
    try {
      this.store = await LineStore.open({
        dir: this.indexDir,
        writable: this.writable,
        schemaVersion: SCHEMA_VERSION,
        embedderId: this.embedder.id,
        dimension: this.embedder.dimension,
        ...(this.annMinRows !== undefined ? { annMinRows: this.annMinRows } : {}),
      });
    } catch (error) {
      if (error instanceof IndexUnavailableError && this.writable) throw error;
      // A reader finds no usable index yet (the writer has not created it, or is rebuilding): retry later. A writer
      // that cannot open its folder (permissions, disk full) carries on without an index and says why.
      if (this.writable) this.logger.warn(`index: cannot open ${this.indexDir}: ${message(error)}`);
      else this.logger.info(`index: ${message(error)}`);
      return;
    }
    this.files = this.store.initialFiles;
    if (this.store.rebuiltReason) {
      this.rebuiltReason = this.store.rebuiltReason;
      const note = `The workspace index at ${this.indexDir} is rebuilt (${this.store.rebuiltReason}).`;
      this.logger.warn(`index: ${note}`);
      // A corrupt folder is worth one user-visible note; an embedder switch is what the user asked for.
      if (this.store.rebuiltReason.startsWith("table unreadable")) this.progress.warn(note);
    }
    if (this.writable) await this.ensureGitignore();
  }

  /**
   * Keeps the index out of the user's `git status`, as .pytest_cache does: the default `.repair-ls` folder (or,
   * for a custom index.path, the index folder itself, never a folder that may hold the user's own files) carries a
   * .gitignore that ignores everything in it.
   */
  private async ensureGitignore(): Promise<void> {
    const rel = toWorkspaceRelative(this.root, this.indexDir);
    if (!rel) return;
    const first = rel.split("/")[0] ?? rel;
    const folder = first === ".repair-ls" ? toAbsolute(this.root, first) : this.indexDir;
    const file = join(folder, ".gitignore");
    try {
      if ((await readFile(file, "utf8").catch(() => "")) === "*\n") return;
      await mkdir(folder, { recursive: true });
      await writeFile(file, "*\n");
    } catch (error) {
      this.logger.warn(`index: cannot write ${file}: ${message(error)}`);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Writing

  /** Runs write operations one at a time, in call order; a failed operation does not stop the next. */
  private enqueue<T>(op: WriteOp<T>): Promise<T> {
    const run = this.writeChain.then(op);
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  /** A read-only instance tries (at most every few seconds) to become the writer. */
  private async ensureWriter(): Promise<boolean> {
    if (this.writable) return true;
    if (this.keptIndex) return false;
    if (this.closed || Date.now() - this.lastReaderAttempt < READER_RETRY_MS) return false;
    this.lastReaderAttempt = Date.now();
    const outcome = await WriterLock.tryAcquire(`${this.indexDir}.lock`).catch(() => ({ holder: undefined }));
    if (!("lock" in outcome)) {
      this.writer = outcome.holder;
      return false;
    }
    this.lock = outcome.lock;
    this.writer = undefined;
    this.logger.info(`index: the previous writer of ${this.indexDir} is gone; this instance writes it now`);
    await this.openStore();
    // Catch up with whatever changed while another process was the writer.
    void this.indexAll().catch((error: unknown) =>
      this.logger.warn(`index: catch-up indexing failed: ${message(error)}`),
    );
    return true;
  }

  private bumpGeneration(rel: string): number {
    const next = (this.generations.get(rel) ?? 0) + 1;
    this.generations.set(rel, next);
    return next;
  }

  private warnQueryFallback(language: LanguageId): (error: unknown) => void {
    return (error) => {
      if (this.warnedLanguages.has(language)) return;
      this.warnedLanguages.add(language);
      this.logger.warn(
        `index: no tree-sitter query for ${language} (${message(error)}); comments are stripped lexically and functions are unknown`,
      );
    };
  }

  private async prepare(
    rel: string,
    language: LanguageId,
    text: string,
    hash: string,
    generation: number,
  ): Promise<PreparedFile> {
    const extracted = await extractLines(text, language, this.warnQueryFallback(language));
    return { rel, language, hash, lines: extracted.lines, lineCount: extracted.lineCount, generation };
  }

  /** Embeds the lines of prepared files in slices, yielding between slices. */
  private async embedPrepared(prepared: PreparedFile[], signal?: AbortSignal): Promise<void> {
    const norms: string[] = [];
    for (const p of prepared) for (const l of p.lines) norms.push(l.norm);
    const dim = this.embedder.dimension;
    const all = new Float32Array(norms.length * dim);
    for (let start = 0; start < norms.length; start += EMBED_SLICE_LINES) {
      const slice = norms.slice(start, start + EMBED_SLICE_LINES);
      // A repair asking the same Ollama for candidates comes first: Ollama serves one request at a time.
      if (!this.embedder.local) await this.modelWork.whenFree(signal);
      all.set(await this.embedder.embed(slice, signal), start * dim);
      if (norms.length > EMBED_SLICE_LINES) await yieldNow();
    }
    let offset = 0;
    for (const p of prepared) {
      p.vectors = all.subarray(offset * dim, (offset + p.lines.length) * dim);
      offset += p.lines.length;
    }
  }

  /**
   * Commits prepared files (inside the write queue): versions made obsolete by a newer update of the same file are
   * dropped, every file already present is replaced, and the file list is updated after the commit.
   */
  private async commit(prepared: PreparedFile[]): Promise<number> {
    const store = this.store;
    if (!store?.writable) return 0;
    const current = prepared.filter((p) => (this.generations.get(p.rel) ?? 0) === p.generation);
    if (current.length === 0) return 0;
    const batch = new RowBatch(this.embedder.dimension);
    for (const p of current) batch.addFile(p.rel, p.language, p.hash, p.lines, p.vectors ?? new Float32Array(0));
    await store.write(
      batch,
      current.filter((p) => this.files.has(p.rel)).map((p) => p.rel),
    );
    for (const p of current) this.files.set(p.rel, p.hash);
    return batch.length - current.length;
  }

  /**
   * Indexes the whole folder: walks it, skips files whose content hash is already indexed, (re-)embeds the rest in
   * batches, drops files that disappeared, then creates missing indexes and optimises. Calls onProgress(done, total)
   * in files. A call while another runs joins it. Cancelling keeps everything committed so far.
   */
  indexAll(onProgress?: ProgressCallback, signal?: AbortSignal): Promise<IndexAllResult> {
    if (this.indexAllRun) return this.indexAllRun.promise;
    const controller = new AbortController();
    const combined = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
    const promise = this.runIndexAll(onProgress ?? (() => {}), combined).finally(() => {
      if (this.indexAllRun?.promise === promise) this.indexAllRun = undefined;
    });
    this.indexAllRun = { promise, controller };
    return promise;
  }

  private async runIndexAll(onProgress: ProgressCallback, signal: AbortSignal): Promise<IndexAllResult> {
    const started = performance.now();
    const skipped: Partial<Record<SkipReason, number>> = {};
    const result = {
      files: 0,
      indexedFiles: 0,
      unchangedFiles: 0,
      removedFiles: 0,
      skipped,
      sourceLines: 0,
      rows: 0,
      cancelled: false,
      readOnly: false,
      seconds: 0,
      maintenanceSeconds: 0,
    };
    if (!(await this.ensureWriter())) return { ...result, readOnly: true };
    if (!this.store) return { ...result, error: `the index folder ${this.indexDir} could not be opened` };
    const skip = (rel: string, reason: SkipReason, detail?: string): void => {
      skipped[reason] = (skipped[reason] ?? 0) + 1;
      this.logger.debug(`index: skipped ${rel}: ${reason}${detail ? ` (${detail})` : ""}`);
    };
    let pendingWrite: Promise<unknown> = Promise.resolve();
    try {
      const walked = await walkWorkspace(this.root, {
        rules: this.rules,
        maxFileBytes: this.config["index.maxFileBytes"],
        signal,
        onSkip: skip,
      });
      result.files = walked.length;
      const present = new Set(walked.map((f) => f.relPath));
      const gone = [...this.files.keys()].filter((f) => !present.has(f) && !this.bufferTexts.has(f));
      if (gone.length > 0) {
        pendingWrite = this.enqueue(async () => {
          await this.store?.deleteFiles(gone);
          for (const f of gone) this.files.delete(f);
        });
        result.removedFiles = gone.length;
      }
      const slicer = new TimeSlicer(SLICE_BUDGET_MS);
      let batch: PreparedFile[] = [];
      let batchRows = 0;
      let done = 0;
      let lastReport = 0;
      const report = (force: boolean): void => {
        const now = performance.now();
        if (!force && now - lastReport < PROGRESS_INTERVAL_MS) return;
        lastReport = now;
        onProgress(done, walked.length);
      };
      report(true);
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const full = batch;
        batch = [];
        batchRows = 0;
        await this.embedPrepared(full, signal);
        // One commit in flight while the next batch is read and embedded: LanceDB writes on its own threads.
        await pendingWrite;
        pendingWrite = this.enqueue(() => this.commit(full)).then((rows) => {
          result.rows += rows;
          this.updatesSinceOptimize++;
        });
      };
      for (const file of walked) {
        signal.throwIfAborted();
        await slicer.maybeYield();
        done++;
        const generation = this.generations.get(file.relPath) ?? 0;
        const buffered = this.bufferTexts.get(file.relPath);
        let text: string;
        if (buffered !== undefined) text = buffered;
        else {
          const read = await readSourceFile(file.absPath, this.config["index.maxFileBytes"]);
          if (!read.ok) {
            skip(file.relPath, read.reason, read.detail);
            report(false);
            continue;
          }
          text = read.text;
        }
        const hash = contentHash(text);
        if (this.files.get(file.relPath) === hash) {
          result.unchangedFiles++;
          report(false);
          continue;
        }
        const prepared = await this.prepare(file.relPath, file.language, text, hash, generation);
        result.indexedFiles++;
        result.sourceLines += prepared.lineCount;
        batch.push(prepared);
        batchRows += prepared.lines.length + 1;
        if (batchRows >= BULK_BATCH_ROWS) await flush();
        report(false);
      }
      await flush();
      await pendingWrite;
      report(true);
    } catch (error) {
      await pendingWrite.catch(() => undefined);
      if (signal.aborted) {
        this.logger.info(`index: indexing ${this.root} cancelled`);
        return { ...result, cancelled: true, seconds: (performance.now() - started) / 1000 };
      }
      const reason = message(error);
      this.logger.error(`index: indexing ${this.root} stopped: ${reason}`);
      return { ...result, error: reason, seconds: (performance.now() - started) / 1000 };
    }
    const seconds = (performance.now() - started) / 1000;
    const maintenanceStarted = performance.now();
    await this.maintain(result.rows > 0 || result.removedFiles > 0, true);
    const maintenanceSeconds = (performance.now() - maintenanceStarted) / 1000;
    this.logger.info(
      `index: ${this.root}: ${result.indexedFiles} files indexed (${result.rows} lines), ${result.unchangedFiles} unchanged, ` +
        `${result.removedFiles} removed, skipped ${JSON.stringify(skipped)} in ${seconds.toFixed(1)} s`,
    );
    return { ...result, seconds, maintenanceSeconds };
  }

  /**
   * Creates missing indexes and, after enough writes, optimises (after bulk indexing, old versions are deleted at
   * once). Failures are logged: the index stays usable.
   */
  private async maintain(changed: boolean, afterBulk = false): Promise<void> {
    await this.enqueue(async () => {
      const store = this.store;
      if (!store?.writable) return;
      try {
        const created = await store.ensureIndexes({ fullText: this.config["retrieval.hybrid"] });
        if (created.length > 0) this.logger.info(`index: created ${created.join(", ")}`);
        if (changed || this.updatesSinceOptimize >= OPTIMIZE_EVERY_UPDATES) {
          await store.optimize(afterBulk);
          this.updatesSinceOptimize = 0;
        }
      } catch (error) {
        this.logger.warn(`index: maintenance of ${this.indexDir} failed: ${message(error)}`);
      }
    });
  }

  /**
   * Re-indexes one file after its text stopped changing for index.debounceMs (didChange). The text is the open
   * buffer's and wins over the disk until updateFile(absPath) without text is called.
   */
  scheduleUpdate(absPath: string, text: string): void {
    const rel = toWorkspaceRelative(this.root, absPath);
    if (!rel || this.closed) return;
    clearTimeout(this.debounced.get(rel)?.timer);
    const timer = setTimeout(() => {
      this.debounced.delete(rel);
      void this.updateFile(absPath, text);
    }, this.config["index.debounceMs"]);
    timer.unref();
    this.debounced.set(rel, { timer, text });
  }

  /**
   * Re-indexes one file now: from `text` when given (an open buffer), else from the disk (didSave, a watched
   * change, didClose). A file that is gone, ignored, binary or too large loses its rows. Resolves to whether rows
   * were written; never rejects.
   */
  async updateFile(absPath: string, text?: string): Promise<boolean> {
    const rel = toWorkspaceRelative(this.root, absPath);
    if (!rel || this.closed) return false;
    clearTimeout(this.debounced.get(rel)?.timer);
    this.debounced.delete(rel);
    if (basename(rel) === ".gitignore") {
      // New ignore rules apply from the next walk; files they now exclude drop out then.
      this.rules.invalidate(posix.dirname(rel) === "." ? "" : posix.dirname(rel));
      return false;
    }
    const language = languageForPath(rel);
    if (!language) return false;
    if (text === undefined) this.bufferTexts.delete(rel);
    else this.bufferTexts.set(rel, text);
    if (!(await this.ensureWriter())) return false;
    const generation = this.bumpGeneration(rel);
    try {
      if (await this.rules.isIgnored(rel, false)) {
        if (this.files.has(rel)) await this.removeRelative([rel]);
        return false;
      }
      let source: string;
      if (text !== undefined) {
        const checked = checkSourceText(text, this.config["index.maxFileBytes"]);
        if (!checked.ok) {
          this.logger.debug(`index: not indexing ${rel}: ${checked.reason}`);
          if (this.files.has(rel)) await this.removeRelative([rel]);
          return false;
        }
        source = text;
      } else {
        const read = await readSourceFile(absPath, this.config["index.maxFileBytes"]);
        if (!read.ok) {
          this.logger.debug(`index: not indexing ${rel}: ${read.reason} (${read.detail})`);
          if (this.files.has(rel)) await this.removeRelative([rel]);
          return false;
        }
        source = read.text;
      }
      return await this.enqueue(async () => {
        if (!this.store?.writable || this.generations.get(rel) !== generation) return false;
        const hash = contentHash(source);
        if (this.files.get(rel) === hash) return false;
        const prepared = await this.prepare(rel, language.id, source, hash, generation);
        await this.embedPrepared([prepared]);
        await this.commit([prepared]);
        this.afterUpdate();
        return true;
      });
    } catch (error) {
      this.logger.warn(`index: updating ${rel} failed: ${message(error)}`);
      return false;
    }
  }

  /**
   * Counts single-file writes; after enough of them, optimises once the index has been idle for a moment, so that
   * compaction never sits in the write queue in front of the next edit.
   */
  private afterUpdate(): void {
    this.updatesSinceOptimize++;
    if (this.updatesSinceOptimize < OPTIMIZE_EVERY_UPDATES) return;
    clearTimeout(this.maintenanceTimer);
    this.maintenanceTimer = setTimeout(() => {
      this.maintenanceTimer = undefined;
      if (!this.closed) void this.maintain(false);
    }, MAINTENANCE_IDLE_MS);
    this.maintenanceTimer.unref();
  }

  /** Relative index paths of a file or of every file under a folder. */
  private matching(rel: string): string[] {
    const prefix = `${rel}/`;
    return [...this.files.keys()].filter((f) => f === rel || f.startsWith(prefix));
  }

  private removeRelative(rels: string[]): Promise<void> {
    return this.enqueue(async () => {
      if (!this.store?.writable) return;
      await this.store.deleteFiles(rels);
      for (const r of rels) this.files.delete(r);
      this.afterUpdate();
    });
  }

  /** Drops a deleted file, or every file under a deleted folder. Never rejects. */
  async removeFile(absPath: string): Promise<void> {
    const rel = toWorkspaceRelative(this.root, absPath);
    if (!rel || !(await this.ensureWriter())) return;
    const prefix = `${rel}/`;
    for (const [key, pending] of this.debounced) {
      if (key === rel || key.startsWith(prefix)) {
        clearTimeout(pending.timer);
        this.debounced.delete(key);
      }
    }
    for (const key of [...this.bufferTexts.keys()])
      if (key === rel || key.startsWith(prefix)) this.bufferTexts.delete(key);
    for (const key of this.matching(rel)) this.bumpGeneration(key);
    const targets = this.matching(rel);
    if (targets.length === 0) return;
    await this.removeRelative(targets).catch((error: unknown) =>
      this.logger.warn(`index: removing ${rel} failed: ${message(error)}`),
    );
  }

  /**
   * Follows a renamed file or folder: rows move to the new path without re-embedding when the language stays the
   * same and the new path is not ignored; then each moved file is checked against the disk (a rename may come with
   * an edit). Never rejects.
   */
  async renameFile(oldAbsPath: string, newAbsPath: string): Promise<void> {
    const from = toWorkspaceRelative(this.root, oldAbsPath);
    const to = toWorkspaceRelative(this.root, newAbsPath);
    if (!(await this.ensureWriter())) return;
    if (!from) {
      if (to) await this.updateFile(newAbsPath);
      return;
    }
    const moves = this.matching(from).map((old) => ({ old, next: to ? to + old.slice(from.length) : undefined }));
    try {
      for (const { old, next } of moves) {
        this.bumpGeneration(old);
        const buffered = this.bufferTexts.get(old);
        this.bufferTexts.delete(old);
        const keep =
          next !== undefined &&
          languageForPath(next)?.id === languageForPath(old)?.id &&
          !(await this.rules.isIgnored(next, false));
        if (!keep || next === undefined) {
          await this.removeRelative([old]);
          if (next !== undefined) await this.updateFile(toAbsolute(this.root, next));
          continue;
        }
        this.bumpGeneration(next);
        await this.enqueue(async () => {
          const hash = this.files.get(old);
          if (!this.store?.writable || hash === undefined) return;
          await this.store.renameFile(old, next);
          this.files.delete(old);
          this.files.set(next, hash);
          this.afterUpdate();
        });
        await this.updateFile(toAbsolute(this.root, next), buffered);
      }
      if (moves.length === 0 && to) await this.updateFile(newAbsPath);
    } catch (error) {
      this.logger.warn(`index: renaming ${from} failed: ${message(error)}`);
    }
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
    const running = this.indexAllRun;
    if (running) {
      running.controller.abort();
      await running.promise.catch(() => undefined);
    }
    if (await this.ensureWriter()) {
      await this.enqueue(async () => {
        await this.store?.reset();
        this.files.clear();
        this.analyses.clear();
        this.updatesSinceOptimize = 0;
        this.rebuiltReason = reason;
        this.logger.info(`index: rebuilding ${this.indexDir} (${reason})`);
        // Without an open store the folder may not be ours (see index-folder.ts): write nothing into it.
        if (this.store) await this.ensureGitignore();
      });
    }
    return this.indexAll(onProgress, signal);
  }

  /** Resolves when every scheduled and queued update has been written (debounced ones are written now). */
  async flush(): Promise<void> {
    for (const [rel, pending] of [...this.debounced]) {
      clearTimeout(pending.timer);
      this.debounced.delete(rel);
      await this.updateFile(toAbsolute(this.root, rel), pending.text);
    }
    await this.writeChain;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reading

  /** A read-only instance refreshes its file list now and then; a missing store is reopened. */
  private async readerRefresh(): Promise<void> {
    if (this.keptIndex || this.writable || Date.now() - this.lastReaderAttempt < READER_RETRY_MS) return;
    if (await this.ensureWriter()) return;
    this.lastReaderAttempt = Date.now();
    if (!this.store) {
      await this.openStore();
      return;
    }
    try {
      this.files = await this.store.fileHashes();
    } catch {
      // The writer may have rebuilt the folder under us: open it afresh.
      await this.openStore();
    }
  }

  /**
   * Candidates from the workspace part that matches a filter, scored by cosine: the nearest rows by vector (the
   * filter applied after the search, over-fetching; if that leaves too few, one search with the filter applied
   * first) plus, when hybrid, full-text matches re-scored with their stored vectors.
   */
  private async workspaceCandidates(
    queryText: string,
    queryVector: Float32Array,
    filter: { readonly where: string; readonly keep: (row: StoredLine) => boolean },
    needed: number,
    hybrid: boolean,
  ): Promise<Candidate[]> {
    const store = this.store;
    if (!store) return [];
    const limit = needed * CANDIDATE_FACTOR;
    let vectorHits = await store.search(queryVector, { where: filter.where, limit, postfilter: true });
    if (vectorHits.length < needed) vectorHits = await store.search(queryVector, { where: filter.where, limit });
    const candidates: Candidate[] = vectorHits.map((hit) => toCandidate(hit, 1 - (hit.distance ?? 1)));
    if (hybrid && store.hasTextIndex) {
      try {
        for (const hit of await store.textSearch(queryText, limit)) {
          if (hit.vector && filter.keep(hit)) candidates.push(toCandidate(hit, dot(queryVector, hit.vector)));
        }
      } catch (error) {
        // Full-text search is an extra: a query it cannot handle just means vector results only.
        this.logger.debug(`index: full-text search failed: ${message(error)}`);
      }
    }
    return candidates;
  }

  private async analyse(text: string, language: LanguageId): Promise<FileAnalysis> {
    const hash = contentHash(text);
    const cached = this.analyses.get(hash);
    if (cached) return cached;
    const entry: FileAnalysis = {
      hash,
      extracted: await extractLines(text, language, this.warnQueryFallback(language)),
    };
    this.analyses.set(entry);
    return entry;
  }

  /**
   * Context lines for a hunk, MultiMend-style: the query is the hunk's lines joined into one line; lines from the
   * same file outside the hunk's enclosing function come first, then lines from the rest of the workspace, up to
   * topK in all, each at or above the cosine threshold, none identical to the hunk. An empty hunk (an insertion)
   * retrieves nothing. `fileText` is the file's current text: the hunk's query and enclosing function come from it.
   * When the index holds another version of the file, the same-file lines are embedded from `fileText` on the fly
   * with the built-in embedder, and taken from the indexed version with a model embedder. Never rejects: failures
   * log and return [].
   */
  async retrieveForHunk(hunk: Hunk, fileText: string, options: RetrieveOptions = {}): Promise<RetrievedLine[]> {
    try {
      return await this.retrieve(hunk, fileText, options);
    } catch (error) {
      if (options.signal?.aborted) return [];
      this.onReadFailure(error);
      return [];
    }
  }

  private async retrieve(hunk: Hunk, fileText: string, options: RetrieveOptions): Promise<RetrievedLine[]> {
    const language = languageForPath(hunk.file);
    if (!language || hunk.endLine <= hunk.startLine) return [];
    await this.readerRefresh();
    const rel = toWorkspaceRelative(this.root, hunk.file);
    const analysis = await this.analyse(fileText, language.id);
    const query = hunkQuery(
      analysis.extracted,
      hunk.startLine,
      hunk.endLine,
      innermostFunctionAt(analysis.extracted.functions, hunk.startLine),
    );
    if (!query) return [];
    const topK = options.topK ?? this.config["retrieval.topK"];
    const rank = {
      topK,
      threshold: options.threshold ?? this.config["retrieval.threshold"],
      hybrid: options.hybrid ?? this.config["retrieval.hybrid"],
      exclude: query.exclude,
    };
    const [queryVector] = await this.embedQueries([query.text], options.signal);
    if (!queryVector) return [];
    const limit = (topK + query.exclude.size) * CANDIDATE_FACTOR;
    const absolute = (file: string): string => toAbsolute(this.root, file);

    // The paper's scope: the same file, outside the enclosing function.
    let sameFile: Candidate[];
    const { startLine, endLine } = query.excludedRange;
    // The index answers when it holds this very text, or (with a costly embedder) any version of the file: its
    // lines may be a few edits old, which beats embedding the whole file through a model on every query.
    const indexed = rel !== undefined ? this.files.get(rel) : undefined;
    const useIndex = indexed !== undefined && (indexed === analysis.hash || !this.embedder.local);
    if (rel !== undefined && this.store && useIndex) {
      // An exact scan of one file's rows (found through the BTree on file): full text could add nothing.
      const where = `${COLUMNS.file} = ${sqlString(rel)} AND (${COLUMNS.line} < ${startLine} OR ${COLUMNS.line} >= ${endLine})`;
      const hits = await this.store.search(queryVector, { where, limit, exact: true });
      sameFile = hits.map((hit) => toCandidate(hit, 1 - (hit.distance ?? 1)));
    } else {
      analysis.vectors ??= await this.embedder.embed(
        analysis.extracted.lines.map((l) => l.norm),
        options.signal,
      );
      sameFile = inMemoryCandidates(
        rel ?? hunk.file,
        analysis.extracted,
        analysis.vectors,
        this.embedder.dimension,
        queryVector,
        query.excludedRange,
      );
    }
    const fromSameFile = rankCandidates(
      query.text,
      sameFile,
      rank,
      "same-file",
      rel !== undefined ? absolute : () => hunk.file,
    );
    if (fromSameFile.length >= topK) return fromSameFile.map((r) => r.retrieved);

    // Then the rest of the workspace, never repeating a text already taken.
    const seen = new Set([...query.exclude, ...fromSameFile.map((r) => r.norm)]);
    const filter = {
      where: rel !== undefined ? `${COLUMNS.file} != ${sqlString(rel)}` : "true",
      keep: (row: StoredLine) => row.file !== rel,
    };
    const workspace = await this.workspaceCandidates(query.text, queryVector, filter, topK + seen.size, rank.hybrid);
    const fromWorkspace = rankCandidates(
      query.text,
      workspace,
      { ...rank, topK: topK - fromSameFile.length, exclude: seen },
      "workspace",
      absolute,
    );
    return [...fromSameFile, ...fromWorkspace].map((r) => r.retrieved);
  }

  /**
   * Lines similar to a free query across the workspace (donor code for the template engine), optionally of one
   * language and never from `excludeFile`; lines identical to the query are left out. Never rejects.
   */
  async similarLines(query: string, options: SimilarLinesOptions = {}): Promise<RetrievedLine[]> {
    try {
      const text = normaliseLine(query);
      if (!isMeaningful(text)) return [];
      await this.readerRefresh();
      const [vector] = await this.embedQueries([text], options.signal);
      if (!vector) return [];
      const topK = options.topK ?? this.config["retrieval.topK"];
      const hybrid = options.hybrid ?? this.config["retrieval.hybrid"];
      const filters: string[] = [];
      if (options.language) filters.push(`${COLUMNS.language} = ${sqlString(options.language)}`);
      const excluded = options.excludeFile ? toWorkspaceRelative(this.root, options.excludeFile) : undefined;
      if (excluded) filters.push(`${COLUMNS.file} != ${sqlString(excluded)}`);
      const filter = {
        where: filters.length > 0 ? filters.join(" AND ") : "true",
        keep: (row: StoredLine) => (!options.language || row.language === options.language) && row.file !== excluded,
      };
      const candidates = await this.workspaceCandidates(text, vector, filter, topK + 1, hybrid);
      return rankCandidates(
        text,
        candidates,
        { topK, threshold: options.threshold ?? this.config["retrieval.threshold"], hybrid, exclude: new Set([text]) },
        "workspace",
        (file) => toAbsolute(this.root, file),
      ).map((r) => r.retrieved);
    } catch (error) {
      if (options.signal?.aborted) return [];
      this.onReadFailure(error);
      return [];
    }
  }

  /**
   * Embeds retrieval queries. A model embedder gets a short deadline on top of the job's signal: a query that
   * waits behind a busy or loading model would stall the repair, and retrieval is an aid it can do without.
   */
  private async embedQueries(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const deadline = this.embedder.local ? undefined : AbortSignal.timeout(QUERY_EMBED_TIMEOUT_MS);
    const signals = [signal, deadline].filter((s): s is AbortSignal => s !== undefined);
    const packed = await this.embedder.embed(texts, signals.length > 0 ? AbortSignal.any(signals) : undefined);
    const dim = this.embedder.dimension;
    return texts.map((_, i) => packed.subarray(i * dim, (i + 1) * dim));
  }

  /**
   * A failed search may mean a corrupt table. The writer rebuilds once per session (in the background); later
   * failures, and failures of a reader, are only logged.
   */
  private onReadFailure(error: unknown): void {
    this.logger.warn(`index: retrieval failed: ${message(error)}`);
    const store = this.store;
    if (!this.writable || this.autoRebuildDone || this.closed || !store) return;
    // Only damage that a check can reproduce justifies a rebuild; a one-off failure (e.g. a version cleaned up
    // under a running query) does not.
    void store.verify().then(
      () => undefined,
      (damage: unknown) => {
        if (this.autoRebuildDone || this.closed) return;
        this.autoRebuildDone = true;
        const reason = `table unreadable: ${message(damage)}`;
        this.logger.warn(`index: rebuilding ${this.indexDir} (${reason})`);
        this.progress.warn(`The workspace index at ${this.indexDir} is rebuilt (${reason}).`);
        void this.rebuildFor(reason).catch((e: unknown) => this.logger.error(`index: rebuild failed: ${message(e)}`));
      },
    );
  }

  /** What the index holds for a file, in line order: for diagnostics, tests and the `repair.status` command. */
  async linesOf(absPath: string): Promise<IndexedLine[]> {
    const rel = toWorkspaceRelative(this.root, absPath);
    if (!rel || !this.store) return [];
    const rows = await this.store.linesOf(rel);
    return rows.map((r) => ({
      line: r.line,
      text: r.text,
      norm: r.norm,
      language: r.language,
      functionName: r.functionName,
      functionRange: r.functionRange,
    }));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // State

  async stats(): Promise<IndexStats> {
    const lines = await (this.store?.countLines() ?? Promise.resolve(0)).catch(() => 0);
    return {
      root: this.root,
      indexDir: this.indexDir,
      writable: this.writable,
      ...(this.writer ? { writer: this.writer } : {}),
      embedderId: this.embedder.id,
      dimension: this.embedder.dimension,
      ...(this.embedderFallback ? { embedderFallback: this.embedderFallback } : {}),
      files: this.files.size,
      lines,
      diskBytes: this.store ? await this.store.diskBytes() : 0,
      indexes: this.store?.indexes ?? [],
      indexing: this.indexAllRun !== undefined,
      pendingUpdates: this.debounced.size,
      ...(this.rebuiltReason ? { rebuiltReason: this.rebuiltReason } : {}),
    };
  }

  /** Stops indexing, drops pending debounced updates, waits for the write in progress, and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pending of this.debounced.values()) clearTimeout(pending.timer);
    clearTimeout(this.maintenanceTimer);
    this.debounced.clear();
    const running = this.indexAllRun;
    if (running) {
      running.controller.abort();
      await running.promise.catch(() => undefined);
    }
    await this.writeChain;
    this.store?.close();
    this.store = undefined;
    await this.lock?.release();
    this.lock = undefined;
  }
}

function toCandidate(hit: StoredLine, cosine: number): Candidate {
  return { file: hit.file, line: hit.line, text: hit.text, norm: hit.norm, cosine };
}
