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
const recentHashes = new Map<string, string>();

/**
 * The pipeline's own hash, so that a repair's base hash and the current text's hash are always comparable.
 * Editors ask for code actions on every cursor move, each asking whether the same unchanged buffers are still the
 * repairs' bases: the hash of a recent text is remembered rather than recomputed over the whole buffer.
 */
export function hashText(text: string): string {
  const known = recentHashes.get(text);
  if (known !== undefined) return known;
  const hash = sha256(text);
  if (recentHashes.size >= RECENT_HASHES) recentHashes.delete(recentHashes.keys().next().value!);
  recentHashes.set(text, hash);
  return hash;
}

/**
 * Validated repairs by id and by file. A new job's results replace the earlier results that touch the same files,
 * and a file whose text changes loses the repairs computed against its old text.
 */
export class RepairCache {
  private readonly repairs = new Map<string, CachedRepair>();
  private readonly retired = new Map<string, CachedRepair>();

  /** Stores a job's repairs; returns the paths whose cached repairs changed (their diagnostics need republishing). */
  replace(repairs: readonly CachedRepair[]): Set<string> {
    const touched = new Set(repairs.flatMap((r) => r.files.map((f) => f.path)));
    for (const [id, repair] of this.repairs) {
      if (repair.files.some((f) => touched.has(f.path))) {
        for (const f of repair.files) touched.add(f.path);
        this.drop(id, repair);
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

  private drop(id: string, repair: CachedRepair): void {
    this.repairs.delete(id);
    this.retired.delete(id);
    this.retired.set(id, repair);
    if (this.retired.size > RETIRED_REPAIRS) this.retired.delete(this.retired.keys().next().value!);
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
    for (const [id, repair] of this.repairs) {
      const file = repair.files.find((f) => f.path === path);
      if (file && file.baseHash !== (hash ??= hashText(currentText))) {
        this.drop(id, repair);
        for (const f of repair.files) affected.add(f.path);
      }
    }
    return affected;
  }

  clearFolder(folder: string): Set<string> {
    const affected = new Set<string>();
    for (const [id, repair] of this.repairs) {
      if (repair.folder === folder) {
        this.repairs.delete(id);
        for (const f of repair.files) affected.add(f.path);
      }
    }
    return affected;
  }
}
