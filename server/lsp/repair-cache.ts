import { sha256 } from "../pipeline/workspace-files.js";

/** One replaced line range of one file, as the pipeline computed it (0-based, half-open). */
export interface CachedEdit {
  readonly startLine: number;
  readonly endLine: number;
  /** The replacement lines, line terminators included ("" deletes the lines). */
  readonly newText: string;
}

export interface CachedFilePatch {
  readonly path: string;
  /** Hash of the exact text the patch was computed against: the guard against applying to a changed file. */
  readonly baseHash: string;
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
  readonly regressions: number;
  readonly fixedTests: readonly string[];
  /** 0 is the best repair of its job. */
  readonly rank: number;
}

/** The pipeline's own hash, so that a repair's base hash and the current text's hash are always comparable. */
export const hashText = sha256;

/**
 * Validated repairs by id and by file. A new job's results replace the earlier results that touch the same files,
 * and a file whose text changes loses the repairs computed against its old text.
 */
export class RepairCache {
  private readonly repairs = new Map<string, CachedRepair>();

  /** Stores a job's repairs; returns the paths whose cached repairs changed (their diagnostics need republishing). */
  replace(repairs: readonly CachedRepair[]): Set<string> {
    const touched = new Set(repairs.flatMap((r) => r.files.map((f) => f.path)));
    for (const [id, repair] of this.repairs) {
      if (repair.files.some((f) => touched.has(f.path))) {
        for (const f of repair.files) touched.add(f.path);
        this.repairs.delete(id);
      }
    }
    for (const repair of repairs) this.repairs.set(repair.id, repair);
    return touched;
  }

  get(id: string): CachedRepair | undefined {
    return this.repairs.get(id);
  }

  forFile(path: string): CachedRepair[] {
    return [...this.repairs.values()]
      .filter((r) => r.files.some((f) => f.path === path))
      .sort((a, b) => a.rank - b.rank);
  }

  /** Drops repairs computed against a text of `path` other than `currentText`; returns the paths affected. */
  invalidate(path: string, currentText: string): Set<string> {
    const affected = new Set<string>();
    const hash = hashText(currentText);
    for (const [id, repair] of this.repairs) {
      const file = repair.files.find((f) => f.path === path);
      if (file && file.baseHash !== hash) {
        this.repairs.delete(id);
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
