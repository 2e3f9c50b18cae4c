import { BoundedCache, textBytes } from "../../index/bounded-cache.js";
import { sha256 } from "../pipeline/workspace-files.js";

/** One replaced line range of one file, as the pipeline computed it (0-based, half-open). */
export interface CachedEdit {
  readonly startLine: number;
  readonly endLine: number;
  /** The replacement lines, line terminators included ("" deletes the lines). */
  readonly newText: string;
  /** The lines replaced, line terminators included ("" for an insertion): what the repair memory learns from. */
  readonly oldText: string;
}

export interface CachedFilePatch {
  readonly path: string;
  /** Hash of the exact text the patch was computed against: the guard against applying to a changed file. */
  readonly baseHash: string;
  /** Hash of the text with the repair applied: how the server knows that a client really applied it. */
  readonly appliedHash: string;
  readonly edits: readonly CachedEdit[];
}

/** A validated repair as the LSP layer keeps it between the job that found it and the code action that applies it. */
export interface CachedRepair {
  readonly id: string;
  readonly folder: string;
  readonly description: string;
  readonly files: readonly CachedFilePatch[];
  readonly passed: number;
  readonly total: number;
  /** A repair, or a partial patch (never preferred, titled as partial, never applied by source.fixAll). */
  readonly verdict: "repair" | "partial";
  readonly fixedTests: readonly string[];
  readonly stillFailing: readonly string[];
  /** 0 is the best repair of its job; partial patches rank after every repair. */
  readonly rank: number;
}

/**
 * Repairs dropped from the cache that a client may still report as applied: applying a repair changes its files,
 * which drops it, before the client runs the action's command that says so.
 */
const RETIRED_REPAIRS = 32;

/** How many recent texts keep their hash: the open buffers a burst of code-action requests looks at. */
const RECENT_HASHES = 8;
/** Keyed by whole buffers: bounded in bytes too, so that a few huge buffers cannot pin their texts. */
const recentHashes = new BoundedCache<string, string>({
  maxEntries: RECENT_HASHES,
  maxBytes: 64 * 1024 * 1024,
  sizeOf: (hash, text) => textBytes(text) + textBytes(hash),
});

/**
 * The pipeline's own hash, so that a repair's base hash and the current text's hash are always comparable.
 * Editors ask for code actions on every cursor move, each asking whether the same unchanged buffers are still the
 * repairs' bases: the hash of a recent text is remembered rather than recomputed over the whole buffer.
 */
export function hashText(text: string): string {
  const known = recentHashes.get(text);
  if (known !== undefined) return known;
  const hash = sha256(text);
  recentHashes.set(text, hash);
  return hash;
}

/** Repairs kept at most, and their estimated bytes at most. */
const MAX_CACHED_REPAIRS = 2000;
const MAX_CACHED_REPAIR_BYTES = 64 * 1024 * 1024;

function repairBytes(repair: CachedRepair): number {
  let bytes = textBytes(repair.description) + 256;
  for (const file of repair.files) {
    bytes += textBytes(file.path) + textBytes(file.baseHash);
    for (const edit of file.edits) bytes += textBytes(edit.newText) + 32;
  }
  return bytes + 64 * (repair.fixedTests.length + repair.stillFailing.length);
}

/**
 * Validated repairs by id and by file. A new job's results replace the earlier results that touch the same files,
 * and a file whose text changes loses the repairs computed against its old text.
 */
export class RepairCache {
  /**
   * Bounded like every cache of texts: a long session that repairs many files without editing them would
   * otherwise keep every repair it ever found. The least recently offered repairs go first.
   */
  private readonly repairs = new BoundedCache<string, CachedRepair>({
    maxEntries: MAX_CACHED_REPAIRS,
    maxBytes: MAX_CACHED_REPAIR_BYTES,
    sizeOf: repairBytes,
  });
  /** The last repairs dropped, bounded the same way: a repair just applied is dropped by its own edit. */
  private readonly retired = new BoundedCache<string, CachedRepair>({
    maxEntries: RETIRED_REPAIRS,
    maxBytes: MAX_CACHED_REPAIR_BYTES / 8,
    sizeOf: repairBytes,
  });

  /** Stores a job's repairs; returns the paths whose cached repairs changed (their diagnostics need republishing). */
  replace(repairs: readonly CachedRepair[]): Set<string> {
    const touched = new Set(repairs.flatMap((r) => r.files.map((f) => f.path)));
    for (const repair of [...this.repairs.values()]) {
      if (repair.files.some((f) => touched.has(f.path))) {
        for (const f of repair.files) touched.add(f.path);
        this.drop(repair);
      }
    }
    for (const repair of repairs) this.repairs.set(repair.id, repair);
    return touched;
  }

  get(id: string): CachedRepair | undefined {
    return this.repairs.get(id);
  }

  /** A repair by id, also among the last ones dropped (a repair just applied is dropped by its own edit). */
  recent(id: string): CachedRepair | undefined {
    return this.repairs.get(id) ?? this.retired.get(id);
  }

  private drop(repair: CachedRepair): void {
    this.repairs.delete(repair.id);
    this.retired.set(repair.id, repair);
  }

  forFile(path: string): CachedRepair[] {
    return [...this.repairs.values()]
      .filter((r) => r.files.some((f) => f.path === path))
      .sort((a, b) => a.rank - b.rank);
  }

  /** Drops repairs computed against a text of `path` other than `currentText`; returns the paths affected. */
  invalidate(path: string, currentText: string): Set<string> {
    const affected = new Set<string>();
    // Most edits touch files without repairs: the text is hashed only once a repair of this path is found.
    let hash: string | undefined;
    for (const repair of [...this.repairs.values()]) {
      const file = repair.files.find((f) => f.path === path);
      if (file && file.baseHash !== (hash ??= hashText(currentText))) {
        this.drop(repair);
        for (const f of repair.files) affected.add(f.path);
      }
    }
    return affected;
  }

  clearFolder(folder: string): Set<string> {
    const affected = new Set<string>();
    for (const repair of [...this.repairs.values()]) {
      if (repair.folder === folder) {
        this.repairs.delete(repair.id);
        for (const f of repair.files) affected.add(f.path);
      }
    }
    return affected;
  }
}
