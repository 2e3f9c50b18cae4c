import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, realpath, stat, symlink, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { realPathWithin } from "../workspace-files.js";
import { IncludedFiles, stampFresh } from "./build-stamps.js";
import { confinedPath } from "./confined-path.js";
import { DependencyCopies } from "./dependency-copies.js";
import { removeScratchFolder, scratchRoot, trackScratchFolder } from "./scratch-folders.js";
import { copyTree } from "./tree-copy.js";
import { isDependencyFolder, SCRATCH_COPY_POLICY } from "../../../index/skip-policy.js";

export { removeStaleScratch, scratchRoot } from "./scratch-folders.js";

/** Most files one scratch copy may hold; a larger workspace is refused rather than copied for minutes. */
export const MAX_SCRATCH_FILES = 50_000;

/** Writes a path that confinedPath returned, creating its missing folders. */
async function writeConfined(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** Whether a path (links followed) is a folder. */
async function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

/**
 * Whether a package.json declares any dependency. A missing one declares none; one that cannot be parsed counts as
 * declaring some, so that a project is never deprived of the packages it may need.
 */
async function declaresDependencies(packageJson: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(packageJson, "utf8");
  } catch {
    return false;
  }
  try {
    const manifest = JSON.parse(text) as Record<string, unknown>;
    return ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"].some((key) => {
      const declared = manifest[key];
      return typeof declared === "object" && declared !== null && Object.keys(declared).length > 0;
    });
  } catch {
    return true;
  }
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
  /** The job's copies of dependency folders, shared by its scratch copies; without it the copy makes its own. */
  readonly dependencies?: DependencyCopies;
}

/**
 * A private copy of the workspace for one validation worker. Files are copied with copy-on-write where the file
 * system supports it (FICLONE) and plainly otherwise; never hard-linked, because a test that writes a file would
 * then write into the user's workspace. Dependency folders link to the job's private copies of them. Nothing is
 * ever written through a symbolic link to the user's files: overlays and candidates unfold such links first (see
 * confinedPath). The copy is reused across candidates: apply, run, restore.
 */
export class ScratchCopy {
  /** Originals of the files changed since the copy was made, to restore after each candidate. */
  private readonly originals = new Map<string, string>();
  /** Which C and C++ files other files include (see IncludedFiles), read on the first candidate that needs it. */
  private readonly includes: IncludedFiles;
  private disposed = false;

  private constructor(
    /** The worker's private folder (holds the copy, caches and reports). */
    readonly dir: string,
    /** The copy of the workspace root: the working directory of test runs. */
    readonly root: string,
    /** The user's workspace root that this copies. */
    readonly source: string,
    /** Real paths of the folders writes may land in: this copy's and the dependency copies'. */
    private readonly own: readonly string[],
    /** Dependency copies this copy made for itself (none when the job shares its own). */
    private readonly privateDependencies: DependencyCopies | undefined,
    /** The job's private folder (the dependency copies' holder), for build caches all its copies share. */
    private readonly jobDir: string,
  ) {
    this.includes = new IncludedFiles(root);
  }

  static async create(source: string, options: ScratchCopyOptions = {}): Promise<ScratchCopy> {
    const parent = options.root ?? scratchRoot();
    await mkdir(parent, { recursive: true });
    const dir = join(parent, `${process.pid}-${randomBytes(6).toString("hex")}`);
    const dependencies = options.dependencies ?? new DependencyCopies(join(dir, "deps"));
    const privateDependencies = options.dependencies ? undefined : dependencies;
    trackScratchFolder(dir);
    let copy: ScratchCopy | undefined;
    try {
      await mkdir(join(dir, "workspace"), { recursive: true });
      await mkdir(join(dir, "cache"), { recursive: true });
      await mkdir(dependencies.dir, { recursive: true });
      const own = [await realpath(dir), await realpath(dependencies.dir)];
      copy = new ScratchCopy(dir, join(dir, "workspace"), source, own, privateDependencies, dependencies.dir);
      const linkDependency = async (folder: string, link: string): Promise<void> => {
        await symlink(await dependencies.copyOf(folder, options.signal), link, "dir");
      };
      await copyTree(source, copy.root, {
        maxFiles: MAX_SCRATCH_FILES,
        what: "the workspace",
        preserveTimes: true,
        ...(options.signal ? { signal: options.signal } : {}),
        policy: SCRATCH_COPY_POLICY,
        dependency: linkDependency,
        // A dependency folder that is itself a link (to a shared checkout's) is copied like a real one.
        link: async (name, src, dst) => {
          if (!isDependencyFolder(name) || !(await isFolder(src))) return "copy";
          await linkDependency(await realpath(src), dst);
          return "handled";
        },
      });
      // Node resolves packages from ancestor folders too: a project that declares dependencies gets them.
      if (!existsSync(join(source, "node_modules")) && (await declaresDependencies(join(source, "package.json")))) {
        const inherited = ancestorNodeModules(source);
        if (inherited) await linkDependency(inherited, join(copy.root, "node_modules"));
      }
      for (const [file, text] of options.overlays ?? []) {
        const target = copy.toScratch(file);
        if (target === undefined) continue;
        await copy.write(target, text);
      }
    } catch (error) {
      if (copy) await copy.dispose();
      else await removeScratchFolder(dir);
      throw error;
    }
    return copy;
  }

  /** Writes a file of the copy, never through a link to the user's files (see confinedPath). */
  private async write(target: string, text: string): Promise<void> {
    await writeConfined(await confinedPath(this.root, target, this.own), text);
  }

  /**
   * Environment that keeps the build caches private to the job and incremental across its runs. Go's build cache
   * is keyed by content and safe for concurrent use, so the job's copies share one; cargo's target folder holds
   * a lock and file times, so each copy has its own.
   */
  get env(): Record<string, string> {
    const cache = join(this.dir, "cache");
    return {
      CARGO_TARGET_DIR: join(cache, "cargo-target"),
      GOCACHE: join(this.jobDir, "go-build"),
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

  /**
   * Writes new texts for user files into the copy, remembering the originals for restore(). A file whose real path
   * lies outside the workspace (reached through a symbolic link) is refused: its repair would edit a file outside
   * the workspace.
   */
  async apply(texts: ReadonlyMap<string, string>): Promise<void> {
    const written: string[] = [];
    for (const [file, text] of texts) {
      const target = this.toScratch(file);
      if (target === undefined) throw new Error(`${file} is outside the workspace`);
      if (!(await realPathWithin(this.source, file))) {
        throw new Error(`${file} resolves to a file outside the workspace (through a symbolic link): not edited`);
      }
      const path = await confinedPath(this.root, target, this.own);
      if (!this.originals.has(path)) {
        let original: string;
        try {
          original = await readFile(path, "utf8");
        } catch {
          original = "";
        }
        this.originals.set(path, original);
      }
      await writeConfined(path, text);
      written.push(path);
    }
    await this.stampWritten(written);
  }

  /** Puts back every file apply() changed. */
  async restore(): Promise<void> {
    for (const [target, text] of this.originals) await writeFile(target, text);
    await this.stampWritten([...this.originals.keys()]);
    this.originals.clear();
  }

  /**
   * Incremental builds (make, cargo) rebuild what is older than its sources: a written file (a candidate, or an
   * original put back) gets a time later than every object built before, and a changed header makes every C and
   * C++ file new, so that no stale object ever reaches a verdict.
   */
  private async stampWritten(paths: readonly string[]): Promise<void> {
    await stampFresh(paths);
    await this.includes.stampDependents(paths);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.privateDependencies?.dispose();
    await removeScratchFolder(this.dir);
  }
}
