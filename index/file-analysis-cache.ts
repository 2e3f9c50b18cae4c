import type { ExtractedFile } from "./lines.js";

/** A file's extracted lines, plus (lazily) their vectors, for one exact content. */
export interface FileAnalysis {
  readonly hash: string;
  readonly extracted: ExtractedFile;
  vectors?: Float32Array;
}

/**
 * A small least-recently-used cache of file analyses keyed by content hash. Retrieval asks about the same file
 * text again and again (several hunks, many candidates), and parsing it each time would cost more than the search.
 */
export class FileAnalysisCache {
  private readonly entries = new Map<string, FileAnalysis>();

  constructor(private readonly capacity: number) {}

  get(hash: string): FileAnalysis | undefined {
    const entry = this.entries.get(hash);
    if (entry) {
      this.entries.delete(hash);
      this.entries.set(hash, entry);
    }
    return entry;
  }

  set(entry: FileAnalysis): void {
    this.entries.delete(entry.hash);
    this.entries.set(entry.hash, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
