import { commitPrepared, embedPrepared, prepareFile, type PreparedFile } from "./file-batches.js";
import { contentHash, type IndexContext } from "./index-context.js";
import { briefErrorMessage } from "../server/core/error-message.js";
import type { Maintenance } from "./maintenance.js";
import { readSourceFile } from "./read-source.js";
import { TimeSlicer } from "./time-slicer.js";
import { walkWorkspace, type SkipReason } from "./walk.js";
import type { WriterRole } from "./writer-role.js";

/**
 * Rows per LanceDB commit during bulk indexing. Measured on node_modules: 5k rows per commit index as fast as 20k
 * and peak 170 MB lower; each commit also blocks the event loop for less (Arrow conversion is synchronous).
 */
export const BULK_BATCH_ROWS = 5_000;
/** Budget of one slice of CPU-bound work before yielding to the event loop. */
const SLICE_BUDGET_MS = 12;
/** Minimum interval between progress callbacks. */
const PROGRESS_INTERVAL_MS = 100;

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

/**
 * Bulk indexing: walks the folder, skips files whose content hash is already indexed, (re-)embeds the rest in
 * batches with one commit in flight, drops files that disappeared, then creates missing indexes and optimises.
 * One run at a time: a call while another runs joins it.
 */
export class BulkIndexer {
  private current: { promise: Promise<IndexAllResult>; controller: AbortController } | undefined;

  constructor(
    private readonly context: IndexContext,
    private readonly role: WriterRole,
    private readonly maintenance: Maintenance,
  ) {}

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Calls onProgress(done, total) in files. Cancelling keeps everything committed so far. */
  indexAll(onProgress?: ProgressCallback, signal?: AbortSignal): Promise<IndexAllResult> {
    if (this.current) return this.current.promise;
    const controller = new AbortController();
    const combined = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
    const promise = this.run(onProgress ?? (() => {}), combined).finally(() => {
      if (this.current?.promise === promise) this.current = undefined;
    });
    this.current = { promise, controller };
    return promise;
  }

  /** Cancels the running pass, if any, and waits until it has stopped. */
  async cancel(): Promise<void> {
    const running = this.current;
    if (!running) return;
    running.controller.abort();
    await running.promise.catch(() => undefined);
  }

  private async run(onProgress: ProgressCallback, signal: AbortSignal): Promise<IndexAllResult> {
    const { context, role } = this;
    const { root, indexDir, logger } = context;
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
    if (!(await role.ensureWriter())) return { ...result, readOnly: true };
    if (!role.store) return { ...result, error: `the index folder ${indexDir} could not be opened` };
    const skip = (rel: string, reason: SkipReason, detail?: string): void => {
      skipped[reason] = (skipped[reason] ?? 0) + 1;
      logger.debug(`skipped ${rel}: ${reason}${detail ? ` (${detail})` : ""}`);
    };
    const maxFileBytes = context.config["index.maxFileBytes"];
    let pendingWrite: Promise<unknown> = Promise.resolve();
    try {
      const walked = await walkWorkspace(root, { rules: context.rules, maxFileBytes, signal, onSkip: skip });
      result.files = walked.length;
      const present = new Set(walked.map((f) => f.relPath));
      const gone = [...role.files.keys()].filter((f) => !present.has(f) && !context.bufferTexts.has(f));
      if (gone.length > 0) {
        pendingWrite = role.enqueue(async () => {
          await role.store?.deleteFiles(gone);
          for (const f of gone) role.files.delete(f);
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
        await embedPrepared(context, full, signal);
        // One commit in flight while the next batch is read and embedded: LanceDB writes on its own threads.
        await pendingWrite;
        pendingWrite = role
          .enqueue(() => commitPrepared(context, role, full))
          .then((rows) => {
            result.rows += rows;
            this.maintenance.writes++;
          });
      };
      for (const file of walked) {
        signal.throwIfAborted();
        await slicer.maybeYield();
        done++;
        const generation = context.generationOf(file.relPath);
        const buffered = context.bufferTexts.get(file.relPath);
        let text: string;
        if (buffered !== undefined) text = buffered;
        else {
          const read = await readSourceFile(file.absPath, maxFileBytes);
          if (!read.ok) {
            skip(file.relPath, read.reason, read.detail);
            report(false);
            continue;
          }
          text = read.text;
        }
        const hash = contentHash(text);
        if (role.files.get(file.relPath) === hash) {
          result.unchangedFiles++;
          report(false);
          continue;
        }
        const prepared = await prepareFile(
          context,
          { rel: file.relPath, language: file.language, text, hash },
          generation,
        );
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
        logger.info(`indexing ${root} cancelled`);
        return { ...result, cancelled: true, seconds: (performance.now() - started) / 1000 };
      }
      const reason = briefErrorMessage(error);
      logger.error(`indexing ${root} stopped: ${reason}`);
      return { ...result, error: reason, seconds: (performance.now() - started) / 1000 };
    }
    const seconds = (performance.now() - started) / 1000;
    const maintenanceStarted = performance.now();
    await this.maintenance.run(result.rows > 0 || result.removedFiles > 0, true);
    const maintenanceSeconds = (performance.now() - maintenanceStarted) / 1000;
    logger.info(
      `${root}: ${result.indexedFiles} files indexed (${result.rows} lines), ${result.unchangedFiles} unchanged, ` +
        `${result.removedFiles} removed, skipped ${JSON.stringify(skipped)} in ${seconds.toFixed(1)} s`,
    );
    return { ...result, seconds, maintenanceSeconds };
  }
}
