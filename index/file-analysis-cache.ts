import { BoundedCache, textBytes } from "./bounded-cache.js";
import type { ExtractedFile } from "./lines.js";

/** A file's extracted lines, plus (lazily) their vectors, for one exact content. */
export interface FileAnalysis {
  readonly hash: string;
  readonly extracted: ExtractedFile;
  vectors?: Float32Array;
}

/** Estimated bytes of an analysis: each line's text twice (raw and normalised), the stripped lines, the vectors. */
function analysisBytes(analysis: FileAnalysis): number {
  let bytes = analysis.vectors?.byteLength ?? 0;
  for (const line of analysis.extracted.lines) bytes += textBytes(line.text) + textBytes(line.norm);
  for (const line of analysis.extracted.strippedLines) bytes += textBytes(line);
  return bytes;
}

/**
 * Recently analysed file texts keyed by content hash. Retrieval asks about the same file text again and again
 * (several hunks, many candidates), and parsing it each time would cost more than the search. Bounded in files and
 * in bytes; call set() again once vectors are added, so that they count.
 */
export class FileAnalysisCache {
  private readonly cache: BoundedCache<string, FileAnalysis>;

  constructor(maxFiles: number, maxBytes: number) {
    this.cache = new BoundedCache({ maxEntries: maxFiles, maxBytes, sizeOf: analysisBytes });
  }

  get(hash: string): FileAnalysis | undefined {
    return this.cache.get(hash);
  }

  set(entry: FileAnalysis): void {
    this.cache.set(entry.hash, entry);
  }

  clear(): void {
    this.cache.clear();
  }
}
