import { type IndexContext } from "./index-context.js";
import { briefErrorMessage } from "../server/core/error-message.js";
import type { WriterRole } from "./writer-role.js";

/** Single-file updates between two optimize() runs (compaction, index refresh, old-version cleanup). */
export const OPTIMIZE_EVERY_UPDATES = 50;
/** Quiet time after the last single-file write before a due optimize() runs. */
const MAINTENANCE_IDLE_MS = 2_000;

/**
 * Keeps the LanceDB table fast: creates missing indexes, and optimises after bulk indexing or after enough
 * single-file writes, once the index has been idle for a moment.
 */
export class Maintenance {
  /** Writes since the last optimize(). */
  writes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly context: IndexContext,
    private readonly role: WriterRole,
  ) {}

  /**
   * Creates missing indexes and, after enough writes, optimises (after bulk indexing, old versions are deleted at
   * once). Failures are logged: the index stays usable.
   */
  async run(changed: boolean, afterBulk = false): Promise<void> {
    await this.role.enqueue(async () => {
      const store = this.role.store;
      if (!store?.writable) return;
      try {
        const created = await store.ensureIndexes({ fullText: this.context.config["retrieval.hybrid"] });
        if (created.length > 0) this.context.logger.info(`created ${created.join(", ")}`);
        if (changed || this.writes >= OPTIMIZE_EVERY_UPDATES) {
          await store.optimize(afterBulk);
          this.writes = 0;
        }
      } catch (error) {
        this.context.logger.warn(`maintenance of ${this.context.indexDir} failed: ${briefErrorMessage(error)}`);
      }
    });
  }

  /**
   * Counts a single-file write; after enough of them, optimises once the index has been idle for a moment, so that
   * compaction never sits in the write queue in front of the next edit.
   */
  afterUpdate(): void {
    this.writes++;
    if (this.writes < OPTIMIZE_EVERY_UPDATES) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.context.closed) void this.run(false);
    }, MAINTENANCE_IDLE_MS);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
