import { randomBytes } from "node:crypto";
import { constants, existsSync, readdirSync, rmSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, sep } from "node:path";

/** Where every scratch copy lives: os.tmpdir()/repair-ls-scratch/<pid>-<random>/. */
export function scratchRoot(): string {
  return join(tmpdir(), "repair-ls-scratch");
}

/**
 * Folders never copied: version control, our index, caches and build outputs that the test command rebuilds.
 * (dist/ and out/ are copied: a test command may run prebuilt code without rebuilding it.)
 */
const NOT_COPIED: ReadonlySet<string> = new Set([
  ".git",
  ".hg",
  ".svn",
  ".repair-ls",
  "target",
  "build",
  "__pycache__",
  ".pytest_cache",
  ".mypy_cache",
  ".ruff_cache",
  ".gradle",
  ".tox",
  "coverage",
]);

/** Dependency folders: large, read-only for tests, so they are symlinked rather than copied. */
const LINKED: ReadonlySet<string> = new Set(["node_modules", ".venv", "venv"]);

/** Most files one scratch copy may hold; a larger workspace is refused rather than copied for minutes. */
export const MAX_SCRATCH_FILES = 50_000;

const liveDirs = new Set<string>();
let hooksInstalled = false;

function removeAllSync(): void {
  for (const dir of liveDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Best effort at exit: nothing more can be done.
    }
  }
  liveDirs.clear();
}

/**
 * Removes scratch copies when the process ends: normally, by an uncaught exception (both emit "exit"), or by a
 * terminating signal. A signal handler re-raises the signal when no one else listens, so the default action
 * (termination) still happens.
 */
function installCleanupHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", removeAllSync);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const handler = (): void => {
      removeAllSync();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, handler);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, handler);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes scratch copies left by processes that died without cleaning up (their pid is the name's prefix). */
export function removeStaleScratch(root = scratchRoot()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || pidAlive(pid)) continue;
    try {
      rmSync(join(root, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Someone else's files we cannot remove: leave them.
    }
  }
  return removed;
}

/** The nearest ancestor folder of `dir` (excluding dir itself) that has a node_modules folder. */
function ancestorNodeModules(dir: string): string | undefined {
  let current = dirname(dir);
  for (;;) {
    const candidate = join(current, "node_modules");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

export interface ScratchCopyOptions {
  /** Unsaved editor buffers (absolute path in the workspace -> text), written over the copied files. */
  readonly overlays?: ReadonlyMap<string, string>;
  readonly signal?: AbortSignal;
  readonly root?: string;
}

/**
 * A private copy of the workspace for one validation worker. Files are copied with copy-on-write where the file
 * system supports it (FICLONE) and plainly otherwise; never hard-linked, because a test that writes a file would
 * then write into the user's workspace. The copy is reused across candidates: apply, run, restore.
 */
export class ScratchCopy {
  /** Originals of the files changed since the copy was made, to restore after each candidate. */
  private readonly originals = new Map<string, string>();
  private disposed = false;

  private constructor(
    /** The worker's private folder (holds the copy, caches and reports). */
    readonly dir: string,
    /** The copy of the workspace root: the working directory of test runs. */
    readonly root: string,
    /** The user's workspace root that this copies. */
    readonly source: string,
  ) {}

  static async create(source: string, options: ScratchCopyOptions = {}): Promise<ScratchCopy> {
    installCleanupHooks();
    const parent = options.root ?? scratchRoot();
    await mkdir(parent, { recursive: true });
    const dir = join(parent, `${process.pid}-${randomBytes(6).toString("hex")}`);
    liveDirs.add(dir);
    const copy = new ScratchCopy(dir, join(dir, "workspace"), source);
    try {
      await mkdir(copy.root, { recursive: true });
      await mkdir(join(dir, "cache"), { recursive: true });
      let count = 0;
      const walk = async (from: string, to: string): Promise<void> => {
        if (options.signal?.aborted) throw new Error("cancelled");
        const entries = await readdir(from, { withFileTypes: true });
        for (const entry of entries) {
          const src = join(from, entry.name);
          const dst = join(to, entry.name);
          if (entry.isDirectory()) {
            if (NOT_COPIED.has(entry.name)) continue;
            if (LINKED.has(entry.name)) {
              await symlink(src, dst, "dir");
              continue;
            }
            await mkdir(dst);
            await walk(src, dst);
          } else if (entry.isSymbolicLink()) {
            await symlink(await readlink(src), dst);
          } else if (entry.isFile()) {
            if (++count > MAX_SCRATCH_FILES) {
              throw new Error(`the workspace has more than ${MAX_SCRATCH_FILES} files to copy`);
            }
            await copyFile(src, dst, constants.COPYFILE_FICLONE);
          }
        }
      };
      await walk(source, copy.root);
      if (!existsSync(join(source, "node_modules"))) {
        const inherited = ancestorNodeModules(source);
        if (inherited) await symlink(inherited, join(copy.root, "node_modules"), "dir");
      }
      for (const [file, text] of options.overlays ?? []) {
        const target = copy.toScratch(file);
        if (target === undefined) continue;
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, text);
      }
    } catch (error) {
      await copy.dispose();
      throw error;
    }
    return copy;
  }

  /** Environment that keeps this worker's build caches private and incremental across its runs. */
  get env(): Record<string, string> {
    const cache = join(this.dir, "cache");
    return {
      CARGO_TARGET_DIR: join(cache, "cargo-target"),
      GOCACHE: join(cache, "go-build"),
      GOFLAGS: "-buildvcs=false",
      PYTHONDONTWRITEBYTECODE: "1",
      TMPDIR: join(cache, "tmp"),
    };
  }

  /** Creates the folders the environment points to. */
  async prepareEnv(): Promise<void> {
    await mkdir(join(this.dir, "cache", "tmp"), { recursive: true });
  }

  /** The copy's path of a user file, or undefined for files outside the workspace. */
  toScratch(file: string): string | undefined {
    const rel = relative(this.source, file);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return undefined;
    return join(this.root, rel);
  }

  /** The user's path of a file in the copy. */
  fromScratch(file: string): string {
    const rel = relative(this.root, file);
    return rel.startsWith("..") ? file : join(this.source, rel.split(sep).join("/"));
  }

  /** Writes new texts for user files into the copy, remembering the originals for restore(). */
  async apply(texts: ReadonlyMap<string, string>): Promise<void> {
    for (const [file, text] of texts) {
      const target = this.toScratch(file);
      if (target === undefined) throw new Error(`${file} is outside the workspace`);
      if (!this.originals.has(target)) {
        let original: string;
        try {
          original = await readFile(target, "utf8");
        } catch {
          original = "";
        }
        this.originals.set(target, original);
      }
      await writeFile(target, text);
    }
  }

  /** Puts back every file apply() changed. */
  async restore(): Promise<void> {
    for (const [target, text] of this.originals) await writeFile(target, text);
    this.originals.clear();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      await rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
    } finally {
      liveDirs.delete(this.dir);
    }
  }
}
