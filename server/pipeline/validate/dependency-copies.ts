import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { removeScratchFolder, trackScratchFolder } from "./scratch-folders.js";
import { COPY_EVERYTHING_POLICY } from "../../../index/skip-policy.js";
import { copyTree } from "./tree-copy.js";

/** Most files one dependency folder may hold (a large node_modules has ~100k). */
export const MAX_DEPENDENCY_FILES = 400_000;

/**
 * Private copies of the user's dependency folders (node_modules, .venv), made lazily, once per repair job, and
 * shared by the job's scratch copies, which link to them. Tests run in a scratch copy may write into their
 * dependencies (caches, builds, a careless `npm install`): with a link to the user's folder they would write the
 * user's files, so the link goes to this copy instead. The copy is copy-on-write where the file system supports it.
 */
export class DependencyCopies {
  private readonly copies = new Map<string, Promise<string>>();
  private disposed = false;

  /** `dir` is a folder of its own (named like a scratch copy, so stale-copy removal also finds it). */
  constructor(readonly dir: string) {
    trackScratchFolder(dir);
  }

  /** A fresh holder in `parent`, named `<pid>-<random>-deps`. */
  static in(parent: string): DependencyCopies {
    return new DependencyCopies(join(parent, `${process.pid}-${randomBytes(6).toString("hex")}-deps`));
  }

  /** The path of the private copy of the dependency folder `source`, copying it on first use. */
  copyOf(source: string, signal?: AbortSignal): Promise<string> {
    if (this.disposed) return Promise.reject(new Error("the dependency copies were removed"));
    let pending = this.copies.get(source);
    if (!pending) {
      pending = this.copy(source, join(this.dir, String(this.copies.size), basename(source)), signal);
      // A failed or cancelled copy is retried by the next caller rather than remembered.
      pending.catch(() => this.copies.delete(source));
      this.copies.set(source, pending);
    }
    return pending;
  }

  private async copy(source: string, target: string, signal?: AbortSignal): Promise<string> {
    await mkdir(target, { recursive: true });
    await copyTree(source, target, {
      policy: COPY_EVERYTHING_POLICY,
      maxFiles: MAX_DEPENDENCY_FILES,
      what: source,
      ...(signal ? { signal } : {}),
    });
    return target;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.allSettled(this.copies.values());
    await removeScratchFolder(this.dir);
  }
}
