import { readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type * as LanceDb from "@lancedb/lancedb";
import { claimIndexFolder, clearIndexFolder } from "./index-folder.js";
import { IndexUnavailableError, loadLanceDb } from "./lancedb-loader.js";
import { sqlString } from "./paths.js";
import { buildVectorIndexOutOfProcess } from "./vector-index.js";
import {
  COLUMNS,
  FILE_MARKER_LINE,
  RowBatch,
  fileHashesFrom,
  lineSchema,
  storedLinesFrom,
  type StoredLine,
} from "./rows.js";
import { briefErrorMessage } from "../server/core/error-message.js";

const TABLE = "lines";
const META_FILE = "meta.json";

/** Below this many rows a flat scan is fast enough (and an IVF index would train badly); at or above, build one. */
export const ANN_MIN_ROWS = 100_000;
/**
 * The vector index is IVF_RQ (RaBitQ-quantised IVF) re-ranked with exact distances, not IVF_FLAT. Measured on
 * 536k node_modules lines: IVF_FLAT stores a second full copy of the vectors (533 MB) and found 0.91 of the exact
 * top 10; IVF_RQ takes 65 MB and, with the refine step, 0.99, at the same ~5 ms per query.
 */
const ANN_NPROBES = 32;
/** Candidates per result re-scored with the stored full vectors after the quantised search. */
const ANN_REFINE_FACTOR = 5;
/** Versions older than this are deleted by periodic optimize(); a reader in another process needs some slack. */
const CLEANUP_AGE_MS = 60_000;
/** Files per DELETE statement, to keep the SQL small. */
const DELETE_CHUNK = 200;
/** How often a read-only instance looks for the writer's new versions. */
const READER_CONSISTENCY_SECONDS = 2;
/**
 * LanceDB's caches default to 6 GB (indexes) and 1 GB (file metadata): far more than a language server may hold.
 * The vector, full-text and BTree indexes of a million lines take ~150 MB, so this keeps them all cached.
 */
const INDEX_CACHE_BYTES = 256n * 1024n * 1024n;
const METADATA_CACHE_BYTES = 64n * 1024n * 1024n;

/** What an index folder was built with; any difference means its vectors cannot be used. */
export interface IndexMeta {
  readonly schemaVersion: number;
  readonly embedderId: string;
  readonly dimension: number;
}

export interface StoreOptions extends IndexMeta {
  readonly dir: string;
  readonly writable: boolean;
  /** Rows from which a vector index is built; ANN_MIN_ROWS unless a test wants it on a small table. */
  readonly annMinRows?: number;
}

export interface SearchOptions {
  readonly where: string;
  readonly limit: number;
  /** Scan every row that passes the filter instead of probing the ANN index (for small, selective filters). */
  readonly exact?: boolean;
  /**
   * Apply the filter to the nearest rows instead of before the search. Evaluating a broad filter (such as
   * "not this file") over every row costs ~10 ms at 500k rows, the search itself ~3 ms; so broad filters are
   * applied afterwards, and the caller asks for more rows than it needs.
   */
  readonly postfilter?: boolean;
}

/** A stored line with its enclosing function, as linesOf() returns it. */
export interface StoredFileLine extends StoredLine {
  readonly functionName: string | undefined;
  readonly functionRange: { readonly startLine: number; readonly endLine: number } | undefined;
}

/** Only the columns retrieval reads: never the other strings, and the vector only when asked for. */
const RESULT_COLUMNS = [COLUMNS.file, COLUMNS.line, COLUMNS.text, COLUMNS.norm, COLUMNS.language];

/** Rows that are lines, not per-file marker rows. */
export const LINES_ONLY = `${COLUMNS.line} >= 0`;

export async function readMeta(dir: string): Promise<IndexMeta | undefined> {
  try {
    const value = JSON.parse(await readFile(join(dir, META_FILE), "utf8")) as Partial<IndexMeta>;
    if (
      typeof value.schemaVersion === "number" &&
      typeof value.embedderId === "string" &&
      typeof value.dimension === "number"
    ) {
      return { schemaVersion: value.schemaVersion, embedderId: value.embedderId, dimension: value.dimension };
    }
  } catch {
    // Missing or unreadable: the caller treats it as "no usable index".
  }
  return undefined;
}

async function writeMeta(dir: string, meta: IndexMeta): Promise<void> {
  const temporary = join(dir, `${META_FILE}.${process.pid}.tmp`);
  await writeFile(
    temporary,
    JSON.stringify(
      {
        schemaVersion: meta.schemaVersion,
        embedderId: meta.embedderId,
        dimension: meta.dimension,
        createdAt: new Date().toISOString(),
      },
      null,
      2,
    ),
  );
  await rename(temporary, join(dir, META_FILE));
}

function metaMismatch(found: IndexMeta | undefined, wanted: IndexMeta): string | undefined {
  if (!found) return "no readable meta.json";
  if (found.schemaVersion !== wanted.schemaVersion)
    return `schema version ${found.schemaVersion} -> ${wanted.schemaVersion}`;
  if (found.embedderId !== wanted.embedderId) return `embedder ${found.embedderId} -> ${wanted.embedderId}`;
  if (found.dimension !== wanted.dimension) return `dimension ${found.dimension} -> ${wanted.dimension}`;
  return undefined;
}

async function folderBytes(path: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) total += await folderBytes(child);
    else
      total += await stat(child).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}

/**
 * The LanceDB table of indexed lines, one folder per workspace folder. It knows rows, not files or embedders: it
 * writes, deletes, renames and searches, maintains its indexes, and rebuilds itself (empty) when the folder was made
 * for another schema or embedder or cannot be read. Policy (what to index, when to rebuild) is the caller's.
 */
export class LineStore {
  private indexNames = new Set<string>();
  /** Aborted on close(), to stop a vector index build running in a child process. */
  private closing = new AbortController();

  private constructor(
    private readonly lancedb: typeof LanceDb,
    private connection: LanceDb.Connection,
    private table: LanceDb.Table,
    private readonly options: StoreOptions,
    /** The files and content hashes the table holds, read from the marker rows at open. */
    readonly initialFiles: Map<string, string>,
    /** Why the folder was (re)created at open, if it was. */
    readonly rebuiltReason: string | undefined,
  ) {}

  get writable(): boolean {
    return this.options.writable;
  }

  /**
   * Opens the index folder. A writer recreates it, empty, when it is missing, was built with another schema,
   * embedder or dimension, or cannot be read (corrupt files, found by a self-check that queries every index): the
   * reason is in rebuiltReason. A writer never uses a non-empty folder it did not create (ForeignIndexFolderError,
   * see index-folder.ts). A reader never modifies the folder; it rejects with IndexUnavailableError instead, and
   * may try again later.
   */
  static async open(options: StoreOptions): Promise<LineStore> {
    const lancedb = await loadLanceDb();
    const wanted: IndexMeta = {
      schemaVersion: options.schemaVersion,
      embedderId: options.embedderId,
      dimension: options.dimension,
    };
    const existed = await readdir(options.dir).then(
      (entries) => entries.length > 0,
      () => false,
    );
    if (options.writable) await claimIndexFolder(options.dir);
    let reason = metaMismatch(await readMeta(options.dir), wanted);
    if (reason && !options.writable)
      throw new IndexUnavailableError(`index at ${options.dir} is not usable yet (${reason})`);
    const connection = await connect(lancedb, options.dir, options.writable);
    if (!reason) {
      try {
        const table = await connection.openTable(TABLE);
        const files = await readFileHashes(table);
        const store = new LineStore(lancedb, connection, table, options, files, undefined);
        await store.refreshIndexNames();
        await store.selfCheck(files.keys().next().value);
        return store;
      } catch (error) {
        reason = `table unreadable: ${briefErrorMessage(error)}`;
        if (!options.writable) {
          connection.close();
          throw new IndexUnavailableError(`index at ${options.dir} is not usable yet (${reason})`, { cause: error });
        }
      }
    }
    connection.close();
    const fresh = await createEmpty(lancedb, options, wanted);
    // A folder that did not exist (or was empty) is simply new: there is nothing to report.
    return new LineStore(lancedb, fresh.connection, fresh.table, options, new Map(), existed ? reason : undefined);
  }

  /** Drops everything and starts an empty table (used by rebuild() and after corruption found at run time). */
  async reset(): Promise<void> {
    this.assertWritable();
    this.close();
    this.closing = new AbortController();
    const fresh = await createEmpty(this.lancedb, this.options, this.options);
    this.connection = fresh.connection;
    this.table = fresh.table;
    this.indexNames = new Set();
  }

  /** Files and content hashes the table holds now. */
  fileHashes(): Promise<Map<string, string>> {
    return readFileHashes(this.table);
  }

  /**
   * Replaces files: deletes the rows of `remove` (which should include every file of the batch already in the
   * table) and appends the batch. A crash in between leaves those files absent, never half-present, because each
   * file's lines and marker are deleted and added together.
   */
  async write(batch: RowBatch | undefined, remove: Iterable<string>): Promise<void> {
    this.assertWritable();
    await this.deleteFiles(remove);
    if (batch && batch.length > 0) await this.table.add(batch.toArrowTable());
  }

  async deleteFiles(files: Iterable<string>): Promise<void> {
    this.assertWritable();
    const list = [...files];
    for (let i = 0; i < list.length; i += DELETE_CHUNK) {
      const chunk = list.slice(i, i + DELETE_CHUNK);
      await this.table.delete(`${COLUMNS.file} IN (${chunk.map(sqlString).join(", ")})`);
    }
  }

  /** Moves a file's rows to a new path without re-embedding them. */
  async renameFile(from: string, to: string): Promise<void> {
    this.assertWritable();
    await this.table.delete(`${COLUMNS.file} = ${sqlString(to)}`);
    await this.table.update({ values: { [COLUMNS.file]: to }, where: `${COLUMNS.file} = ${sqlString(from)}` });
  }

  /** Nearest lines to a unit vector by cosine distance, among rows matching `where`. */
  async search(vector: Float32Array, options: SearchOptions): Promise<StoredLine[]> {
    let query = this.table
      .vectorSearch(vector)
      .distanceType("cosine")
      .where(`${LINES_ONLY} AND (${options.where})`)
      .select(RESULT_COLUMNS)
      .limit(options.limit);
    if (options.exact) query = query.bypassVectorIndex();
    else if (this.indexNames.has(`${COLUMNS.vector}_idx`))
      query = query.nprobes(ANN_NPROBES).refineFactor(ANN_REFINE_FACTOR);
    if (options.postfilter) query = query.postfilter();
    return storedLinesFrom(await query.toArrow());
  }

  /** The stored lines of one file, in line order (marker row excluded). */
  async linesOf(file: string): Promise<StoredFileLine[]> {
    const result = await this.table
      .query()
      .where(`${COLUMNS.file} = ${sqlString(file)} AND ${LINES_ONLY}`)
      .select([...RESULT_COLUMNS, COLUMNS.fnName, COLUMNS.fnStart, COLUMNS.fnEnd])
      .toArrow();
    const names = result.getChild(COLUMNS.fnName);
    const starts = result.getChild(COLUMNS.fnStart);
    const ends = result.getChild(COLUMNS.fnEnd);
    return storedLinesFrom(result)
      .map((row, i) => {
        const name = String(names?.get(i) ?? "");
        const start = Number(starts?.get(i) ?? -1);
        return {
          ...row,
          functionName: name === "" ? undefined : name,
          functionRange: start < 0 ? undefined : { startLine: start, endLine: Number(ends?.get(i) ?? -1) },
        };
      })
      .sort((a, b) => a.line - b.line);
  }

  /** Names of the table's indexes, e.g. file_idx, norm_idx, vector_idx. */
  get indexes(): string[] {
    return [...this.indexNames].sort();
  }

  /** Whether full-text search is available (its index exists). */
  get hasTextIndex(): boolean {
    return this.indexNames.has(`${COLUMNS.norm}_idx`);
  }

  /**
   * Lines matching the words of `text` by BM25 over the normalised text, with their vectors for re-scoring. There
   * is no SQL filter (a filter over every row would cost more than the search): the caller filters the results.
   */
  async textSearch(text: string, limit: number): Promise<StoredLine[]> {
    const query = this.table
      .query()
      .fullTextSearch(text, { columns: COLUMNS.norm })
      .select([...RESULT_COLUMNS, COLUMNS.vector])
      .limit(limit);
    return storedLinesFrom(await query.toArrow()).filter((row) => row.line >= 0);
  }

  /**
   * Reads every file's marker row, scans every vector once and probes the vector index: rejects if the table files
   * or the index are damaged. Costly on a big table (it reads all vectors), so only run after a failure.
   */
  async verify(): Promise<void> {
    const files = await readFileHashes(this.table);
    await this.search(this.probeVector(), { where: "true", limit: 1, exact: true });
    await this.selfCheck(files.keys().next().value);
  }

  /**
   * A few one-row queries that go through every index the table has: a lookup by file (the BTree), a vector search
   * filtered by that file and one unfiltered (the vector index), and a full-text search for a word of that file.
   * Rejects if any index file cannot be read; cheap enough to run at every open.
   */
  private async selfCheck(someFile: string | undefined): Promise<void> {
    const where = someFile === undefined ? "true" : `${COLUMNS.file} = ${sqlString(someFile)}`;
    const rows = await this.table.query().where(`${LINES_ONLY} AND ${where}`).select([COLUMNS.norm]).limit(1).toArray();
    await this.search(this.probeVector(), { where, limit: 1 });
    await this.search(this.probeVector(), { where: "true", limit: 1 });
    if (this.hasTextIndex) {
      const norm: unknown = (rows[0] as Record<string, unknown> | undefined)?.[COLUMNS.norm];
      const word = (typeof norm === "string" ? /\w+/.exec(norm)?.[0] : undefined) ?? "repair";
      await this.textSearch(word, 1);
    }
  }

  private probeVector(): Float32Array {
    return new Float32Array(this.options.dimension).fill(1 / Math.sqrt(this.options.dimension));
  }

  /**
   * Creates the indexes the table lacks: a BTree on file (filtered searches, deletes), a full-text index on the
   * normalised text when wanted, and an IVF_RQ vector index once the table is large. Index creation is slow on
   * big tables, so callers run it after bulk loading rather than per update.
   */
  async ensureIndexes(options: { fullText: boolean }): Promise<string[]> {
    this.assertWritable();
    const created: string[] = [];
    const rows = await this.table.countRows();
    if (rows === 0) return created;
    const { Index } = this.lancedb;
    if (!this.indexNames.has(`${COLUMNS.file}_idx`)) {
      await this.table.createIndex(COLUMNS.file, { config: Index.btree() });
      created.push("btree(file)");
    }
    if (options.fullText && !this.hasTextIndex) {
      await this.table.createIndex(COLUMNS.norm, {
        config: Index.fts({
          baseTokenizer: "simple",
          lowercase: true,
          stem: false,
          removeStopWords: false,
          withPosition: false,
        }),
      });
      created.push("fts(norm)");
    }
    if (rows >= (this.options.annMinRows ?? ANN_MIN_ROWS) && !this.indexNames.has(`${COLUMNS.vector}_idx`)) {
      const numPartitions = Math.max(16, Math.min(4096, Math.round(Math.sqrt(rows))));
      const where = await buildVectorIndexOutOfProcess(
        this.lancedb,
        this.table,
        this.options.dir,
        TABLE,
        numPartitions,
        this.closing.signal,
      );
      // The child committed a new version; this handle does not look for other writers' versions by itself.
      if (where === "child") await this.reopenTable();
      created.push(`ivf_rq(vector, ${numPartitions} partitions, built ${where})`);
    }
    await this.refreshIndexNames();
    return created;
  }

  /**
   * Compacts small fragments, folds new rows into the indexes, and deletes old versions so the folder stays
   * bounded. After bulk loading (`immediateCleanup`) old versions go at once: they hold a full copy of the data.
   */
  async optimize(immediateCleanup = false): Promise<void> {
    this.assertWritable();
    await this.table.optimize({ cleanupOlderThan: new Date(Date.now() - (immediateCleanup ? 0 : CLEANUP_AGE_MS)) });
  }

  countLines(): Promise<number> {
    return this.table.countRows(LINES_ONLY);
  }

  diskBytes(): Promise<number> {
    return folderBytes(this.options.dir);
  }

  close(): void {
    this.closing.abort();
    try {
      this.table.close();
      this.connection.close();
    } catch {
      // Already closed.
    }
  }

  private async reopenTable(): Promise<void> {
    const fresh = await this.connection.openTable(TABLE);
    this.table.close();
    this.table = fresh;
  }

  private async refreshIndexNames(): Promise<void> {
    this.indexNames = new Set((await this.table.listIndices()).map((i) => i.name));
  }

  private assertWritable(): void {
    if (!this.options.writable) throw new Error("repair-ls index: this instance opened the index read-only");
  }
}

function connect(lancedb: typeof LanceDb, dir: string, writable: boolean): Promise<LanceDb.Connection> {
  const session = new lancedb.Session(INDEX_CACHE_BYTES, METADATA_CACHE_BYTES);
  return lancedb.connect(dir, writable ? {} : { readConsistencyInterval: READER_CONSISTENCY_SECONDS }, session);
}

/** Marker rows: one per file, so this reads a few thousand rows even for a million-line index. */
async function readFileHashes(table: LanceDb.Table): Promise<Map<string, string>> {
  const result = await table
    .query()
    .where(`${COLUMNS.line} = ${FILE_MARKER_LINE}`)
    .select([COLUMNS.file, COLUMNS.hash])
    .toArrow();
  return fileHashesFrom(result);
}

async function createEmpty(
  lancedb: typeof LanceDb,
  options: StoreOptions,
  meta: IndexMeta,
): Promise<{ connection: LanceDb.Connection; table: LanceDb.Table }> {
  // Clear the whole folder rather than dropping the table: after corruption, drop may fail too.
  await clearIndexFolder(options.dir);
  const connection = await connect(lancedb, options.dir, true);
  const table = await connection.createEmptyTable(TABLE, lineSchema(meta.dimension));
  // meta.json last: a crash before this point leaves a folder that the next open recreates.
  await writeMeta(options.dir, meta);
  return { connection, table };
}
