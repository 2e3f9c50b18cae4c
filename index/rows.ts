import { createRequire } from "node:module";
import type * as ArrowModule from "apache-arrow";
import type { LanguageId } from "../grammars/languages.js";
import type { ExtractedLine } from "./lines.js";

// LanceDB is CommonJS and loads apache-arrow with require(); loading it the same way gives one Arrow instance, so
// LanceDB's instanceof checks hold for the tables built here.
const arrow = createRequire(import.meta.url)("apache-arrow") as typeof ArrowModule;

/**
 * Bump when the columns or their meaning change: stored indexes with another version rebuild. Version 2 leaves out
 * lines that look like credentials, so indexes written before hold some and must not be kept.
 */
export const SCHEMA_VERSION = 2;

/**
 * Each file also gets one marker row with this line number. It carries the file's content hash even when the file
 * has no meaningful lines, and because it is written and deleted in the same commit as the file's lines, the set of
 * marker rows is always exactly the set of indexed files: the index needs no separate manifest that could disagree.
 */
export const FILE_MARKER_LINE = -1;

/** Column names, shared by writers and queries. */
export const COLUMNS = {
  file: "file",
  line: "line",
  text: "text",
  norm: "norm",
  language: "language",
  fnName: "fn_name",
  fnStart: "fn_start",
  fnEnd: "fn_end",
  hash: "hash",
  vector: "vector",
} as const;

export function lineSchema(dimension: number): ArrowModule.Schema {
  const { Field, Utf8, Int32, Float32, FixedSizeList, Schema } = arrow;
  return new Schema([
    new Field(COLUMNS.file, new Utf8(), false),
    new Field(COLUMNS.line, new Int32(), false),
    new Field(COLUMNS.text, new Utf8(), false),
    new Field(COLUMNS.norm, new Utf8(), false),
    new Field(COLUMNS.language, new Utf8(), false),
    // "" and -1 stand for "no enclosing function", which keeps the columns free of null bitmaps.
    new Field(COLUMNS.fnName, new Utf8(), false),
    new Field(COLUMNS.fnStart, new Int32(), false),
    new Field(COLUMNS.fnEnd, new Int32(), false),
    new Field(COLUMNS.hash, new Utf8(), false),
    new Field(COLUMNS.vector, new FixedSizeList(dimension, new Field("item", new Float32(), true)), false),
  ]);
}

/** A UTF-8 Arrow column built in one buffer, far faster than Arrow's generic builders for many short strings. */
function utf8Data(values: readonly string[]): ArrowModule.Data<ArrowModule.Utf8> {
  const offsets = new Int32Array(values.length + 1);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    total += Buffer.byteLength(values[i] ?? "", "utf8");
    offsets[i + 1] = total;
  }
  const bytes = Buffer.allocUnsafe(total);
  for (let i = 0; i < values.length; i++) bytes.write(values[i] ?? "", offsets[i] ?? 0, "utf8");
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset, total);
  return arrow.makeData({ type: new arrow.Utf8(), length: values.length, nullCount: 0, valueOffsets: offsets, data });
}

function int32Data(values: readonly number[]): ArrowModule.Data<ArrowModule.Int32> {
  return arrow.makeData({
    type: new arrow.Int32(),
    length: values.length,
    nullCount: 0,
    data: Int32Array.from(values),
  });
}

/** Rows for LanceDB, collected column by column; vectors are appended as packed blocks. */
export class RowBatch {
  readonly files: string[] = [];
  readonly lines: number[] = [];
  readonly texts: string[] = [];
  readonly norms: string[] = [];
  readonly languages: string[] = [];
  readonly fnNames: string[] = [];
  readonly fnStarts: number[] = [];
  readonly fnEnds: number[] = [];
  readonly hashes: string[] = [];
  private readonly vectorBlocks: Float32Array[] = [];
  /** Workspace-relative files whose rows this batch holds (each with its marker row). */
  readonly fileSet = new Set<string>();

  constructor(readonly dimension: number) {}

  get length(): number {
    return this.files.length;
  }

  /**
   * Adds a file's marker row and its lines; `vectors` holds one packed vector per line, in order. A file already in
   * the batch is ignored, so one commit never carries two versions of a file.
   */
  addFile(
    file: string,
    language: LanguageId,
    hash: string,
    lines: readonly ExtractedLine[],
    vectors: Float32Array,
  ): void {
    if (this.fileSet.has(file)) return;
    if (vectors.length !== lines.length * this.dimension) {
      throw new Error(
        `repair-ls index: ${lines.length} lines of ${file} came with ${vectors.length / this.dimension} vectors`,
      );
    }
    this.fileSet.add(file);
    this.push(file, FILE_MARKER_LINE, "", "", language, "", -1, -1, hash);
    // The marker needs some unit vector; it is filtered out of every search.
    this.vectorBlocks.push(new Float32Array(this.dimension).fill(1 / Math.sqrt(this.dimension)));
    for (const l of lines)
      this.push(
        file,
        l.line,
        l.text,
        l.norm,
        language,
        l.fn?.name ?? "",
        l.fn?.startLine ?? -1,
        l.fn?.endLine ?? -1,
        hash,
      );
    if (vectors.length > 0) this.vectorBlocks.push(vectors);
  }

  private push(
    file: string,
    line: number,
    text: string,
    norm: string,
    language: string,
    fnName: string,
    fnStart: number,
    fnEnd: number,
    hash: string,
  ): void {
    this.files.push(file);
    this.lines.push(line);
    this.texts.push(text);
    this.norms.push(norm);
    this.languages.push(language);
    this.fnNames.push(fnName);
    this.fnStarts.push(fnStart);
    this.fnEnds.push(fnEnd);
    this.hashes.push(hash);
  }

  toArrowTable(): ArrowModule.Table {
    const schema = lineSchema(this.dimension);
    const n = this.length;
    const packed = new Float32Array(n * this.dimension);
    let offset = 0;
    for (const block of this.vectorBlocks) {
      packed.set(block, offset);
      offset += block.length;
    }
    const vectorType = schema.fields[9]?.type as ArrowModule.FixedSizeList<ArrowModule.Float32>;
    const vectors = arrow.makeData({
      type: vectorType,
      length: n,
      nullCount: 0,
      child: arrow.makeData({ type: new arrow.Float32(), length: n * this.dimension, nullCount: 0, data: packed }),
    });
    const columns = [
      utf8Data(this.files),
      int32Data(this.lines),
      utf8Data(this.texts),
      utf8Data(this.norms),
      utf8Data(this.languages),
      utf8Data(this.fnNames),
      int32Data(this.fnStarts),
      int32Data(this.fnEnds),
      utf8Data(this.hashes),
      vectors,
    ];
    const struct = arrow.makeData({
      type: new arrow.Struct(schema.fields),
      length: n,
      nullCount: 0,
      children: columns,
    });
    return new arrow.Table([new arrow.RecordBatch(schema, struct)]);
  }
}

/** A row read back from the index (marker rows excluded by the queries that produce these). */
export interface StoredLine {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly norm: string;
  readonly language: string;
  /** Cosine distance (1 - cosine) from a vector search, when the query was one. */
  readonly distance?: number;
  /** The stored vector, when the query selected it. */
  readonly vector?: Float32Array;
}

function column(table: ArrowModule.Table, name: string): ArrowModule.Vector | null {
  return table.getChild(name);
}

/** Reads query results column by column (faster than Arrow's row proxies) into plain objects. */
export function storedLinesFrom(table: ArrowModule.Table): StoredLine[] {
  const files = column(table, COLUMNS.file);
  const lines = column(table, COLUMNS.line);
  const texts = column(table, COLUMNS.text);
  const norms = column(table, COLUMNS.norm);
  const languages = column(table, COLUMNS.language);
  const distances = column(table, "_distance");
  const vectors = column(table, COLUMNS.vector);
  const out: StoredLine[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const vector = vectors?.get(i) as ArrowModule.Vector<ArrowModule.Float32> | null | undefined;
    const distance = distances?.get(i) as number | null | undefined;
    out.push({
      file: String(files?.get(i) ?? ""),
      line: Number(lines?.get(i) ?? -1),
      text: String(texts?.get(i) ?? ""),
      norm: String(norms?.get(i) ?? ""),
      language: String(languages?.get(i) ?? ""),
      ...(typeof distance === "number" ? { distance } : {}),
      ...(vector ? { vector: vector.toArray() } : {}),
    });
  }
  return out;
}

/** The (file, hash) pairs of a marker-row query. */
export function fileHashesFrom(table: ArrowModule.Table): Map<string, string> {
  const files = column(table, COLUMNS.file);
  const hashes = column(table, COLUMNS.hash);
  const out = new Map<string, string>();
  for (let i = 0; i < table.numRows; i++) out.set(String(files?.get(i) ?? ""), String(hashes?.get(i) ?? ""));
  return out;
}

export { arrow };
