import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type IndexContext } from "./index-context.js";
import { briefErrorMessage } from "../server/core/error-message.js";
import { IndexUnavailableError } from "./lancedb-loader.js";
import { WriterLock, type LockHolder } from "./lock.js";
import { toAbsolute, toWorkspaceRelative } from "./paths.js";
import { SCHEMA_VERSION } from "./rows.js";
import { LineStore } from "./store.js";

/** How often a read-only instance may try to become the writer, or re-read the file list. */
const READER_RETRY_MS = 5_000;

/**
 * The role of this instance on its index folder, and the store it opened for that role. One writer per folder
 * holds a lock file; a second instance on the same folder opens it read-only, serves retrieval from it, refreshes
 * its file list now and then, and takes over as the writer when the first one is gone. Every write goes through
 * one queue, in call order.
 */
export class WriterRole {
  store: LineStore | undefined;
  /** Indexed files and their content hashes, as committed. */
  files = new Map<string, string>();
  /** Why the index folder was rebuilt at open or since, if it was. */
  rebuiltReason: string | undefined;
  /** Why this instance leaves its folder alone (an index built by an unavailable model): no lock, no store. */
  keptIndex: string | undefined;
  /** Called when this instance becomes the writer after another process held the lock (to catch up). */
  onTakeover: () => void = () => undefined;
  private lock: WriterLock | undefined;
  private holder: LockHolder | undefined;
  private writeChain: Promise<unknown> = Promise.resolve();
  private lastReaderAttempt = 0;

  constructor(private readonly context: IndexContext) {}

  get writable(): boolean {
    return this.lock !== undefined;
  }

  /** Who holds the writer lock when this instance is read-only (when known). */
  get writer(): LockHolder | undefined {
    return this.holder;
  }

  /** Takes the writer lock or settles for read-only, then opens the store. */
  async start(): Promise<void> {
    const { indexDir, logger, progress } = this.context;
    if (this.keptIndex) {
      logger.warn(`${this.keptIndex}`);
      progress.warn(`The workspace index: ${this.keptIndex}.`);
      return;
    }
    let outcome: Awaited<ReturnType<typeof WriterLock.tryAcquire>>;
    try {
      outcome = await WriterLock.tryAcquire(`${indexDir}.lock`);
    } catch (error) {
      // A folder we cannot write (read-only checkout, permissions): serve whatever index is there, read-only.
      logger.warn(`cannot lock ${indexDir} (${briefErrorMessage(error)}); using it read-only`);
      outcome = { holder: undefined };
    }
    if ("lock" in outcome) this.lock = outcome.lock;
    else {
      this.holder = outcome.holder;
      const who = outcome.holder ? `process ${outcome.holder.pid}` : "another process";
      logger.info(`${who} is writing ${indexDir}; this instance reads it`);
    }
    await this.openStore();
  }

  /** Opens the store for the current role. Rejects only when LanceDB cannot load at all. */
  private async openStore(): Promise<void> {
    const { indexDir, embedder, annMinRows, logger, progress } = this.context;
    this.store?.close();
    this.store = undefined;
    try {
      this.store = await LineStore.open({
        dir: indexDir,
        writable: this.writable,
        schemaVersion: SCHEMA_VERSION,
        embedderId: embedder.id,
        dimension: embedder.dimension,
        ...(annMinRows !== undefined ? { annMinRows } : {}),
      });
    } catch (error) {
      if (error instanceof IndexUnavailableError && this.writable) throw error;
      // A reader finds no usable index yet (the writer has not created it, or is rebuilding): retry later. A writer
      // that cannot open its folder (permissions, disk full) carries on without an index and says why.
      if (this.writable) logger.warn(`cannot open ${indexDir}: ${briefErrorMessage(error)}`);
      else logger.info(`${briefErrorMessage(error)}`);
      return;
    }
    this.files = this.store.initialFiles;
    if (this.store.rebuiltReason) {
      this.rebuiltReason = this.store.rebuiltReason;
      const note = `The workspace index at ${indexDir} is rebuilt (${this.store.rebuiltReason}).`;
      logger.warn(`${note}`);
      // A corrupt folder is worth one user-visible note; an embedder switch is what the user asked for.
      if (this.store.rebuiltReason.startsWith("table unreadable")) progress.warn(note);
    }
    if (this.writable) await this.ensureGitignore();
  }

  /**
   * Keeps the index out of the user's `git status`, as .pytest_cache does: the default `.repair-ls` folder (or,
   * for a custom index.path, the index folder itself, never a folder that may hold the user's own files) carries a
   * .gitignore that ignores everything in it.
   */
  async ensureGitignore(): Promise<void> {
    const { root, indexDir, logger } = this.context;
    const rel = toWorkspaceRelative(root, indexDir);
    if (!rel) return;
    const first = rel.split("/")[0] ?? rel;
    const folder = first === ".repair-ls" ? toAbsolute(root, first) : indexDir;
    const file = join(folder, ".gitignore");
    try {
      if ((await readFile(file, "utf8").catch(() => "")) === "*\n") return;
      await mkdir(folder, { recursive: true });
      await writeFile(file, "*\n");
    } catch (error) {
      logger.warn(`cannot write ${file}: ${briefErrorMessage(error)}`);
    }
  }

  /** Runs write operations one at a time, in call order; a failed operation does not stop the next. */
  enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.writeChain.then(op);
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  /** Resolves when every queued write has run. */
  async drained(): Promise<void> {
    await this.writeChain;
  }

  /** A read-only instance tries (at most every few seconds) to become the writer. */
  async ensureWriter(): Promise<boolean> {
    if (this.writable) return true;
    const { indexDir, logger, closed } = this.context;
    if (this.keptIndex) return false;
    if (closed || Date.now() - this.lastReaderAttempt < READER_RETRY_MS) return false;
    this.lastReaderAttempt = Date.now();
    const outcome = await WriterLock.tryAcquire(`${indexDir}.lock`).catch(() => ({ holder: undefined }));
    if (!("lock" in outcome)) {
      this.holder = outcome.holder;
      return false;
    }
    this.lock = outcome.lock;
    this.holder = undefined;
    logger.info(`the previous writer of ${indexDir} is gone; this instance writes it now`);
    await this.openStore();
    // Catch up with whatever changed while another process was the writer.
    this.onTakeover();
    return true;
  }

  /** A read-only instance refreshes its file list now and then; a missing store is reopened. */
  async readerRefresh(): Promise<void> {
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

  /** Closes the store and releases the lock (after the queued writes, which the caller awaits first). */
  async release(): Promise<void> {
    this.store?.close();
    this.store = undefined;
    await this.lock?.release();
    this.lock = undefined;
  }
}
