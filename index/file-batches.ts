import type { LanguageId } from "../grammars/languages.js";
import type { IndexContext } from "./index-context.js";
import { extractLines, type ExtractedLine } from "./lines.js";
import { RowBatch } from "./rows.js";
import { yieldNow } from "./time-slicer.js";
import type { WriterRole } from "./writer-role.js";

/** Lines embedded per slice during bulk indexing, so one slice never holds the event loop for long. */
const EMBED_SLICE_LINES = 1_000;

/**
 * A file read (or given) and extracted, waiting for its vectors and its commit. Bulk indexing and incremental
 * updates both write files this way: prepare, embed, commit.
 */
export interface PreparedFile {
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

export async function prepareFile(
  context: IndexContext,
  file: { readonly rel: string; readonly language: LanguageId; readonly text: string; readonly hash: string },
  generation: number,
): Promise<PreparedFile> {
  const extracted = await extractLines(file.text, file.language, context.warnQueryFallback(file.language));
  const { rel, language, hash } = file;
  return { rel, language, hash, lines: extracted.lines, lineCount: extracted.lineCount, generation };
}

/** Embeds the lines of prepared files in slices, yielding between slices. */
export async function embedPrepared(
  context: IndexContext,
  prepared: PreparedFile[],
  signal?: AbortSignal,
): Promise<void> {
  const { embedder } = context;
  const norms: string[] = [];
  for (const p of prepared) for (const l of p.lines) norms.push(l.norm);
  const dim = embedder.dimension;
  const all = new Float32Array(norms.length * dim);
  for (let start = 0; start < norms.length; start += EMBED_SLICE_LINES) {
    const slice = norms.slice(start, start + EMBED_SLICE_LINES);
    // A repair asking the same Ollama for candidates comes first: Ollama serves one request at a time.
    if (!embedder.local) await context.modelWork.whenFree(signal);
    all.set(await embedder.embed(slice, signal), start * dim);
    if (norms.length > EMBED_SLICE_LINES) await yieldNow();
  }
  let offset = 0;
  for (const p of prepared) {
    p.vectors = all.subarray(offset * dim, (offset + p.lines.length) * dim);
    offset += p.lines.length;
  }
}

/**
 * Commits prepared files (call it inside the write queue): versions made obsolete by a newer update of the same
 * file are dropped, every file already present is replaced, and the file list is updated after the commit.
 * Resolves to the rows written.
 */
export async function commitPrepared(
  context: IndexContext,
  role: WriterRole,
  prepared: PreparedFile[],
): Promise<number> {
  const store = role.store;
  if (!store?.writable) return 0;
  const current = prepared.filter((p) => context.generationOf(p.rel) === p.generation);
  if (current.length === 0) return 0;
  const batch = new RowBatch(context.embedder.dimension);
  for (const p of current) batch.addFile(p.rel, p.language, p.hash, p.lines, p.vectors ?? new Float32Array(0));
  await store.write(
    batch,
    current.filter((p) => role.files.has(p.rel)).map((p) => p.rel),
  );
  for (const p of current) role.files.set(p.rel, p.hash);
  return batch.length - current.length;
}
