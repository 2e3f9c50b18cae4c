import { createHash } from "node:crypto";
import { readdir, readFile, realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";

/**
 * Folders that hold no source the repair reads or edits: version control, our own index, caches and build
 * outputs. The scratch copy skips them too (dependency folders are symlinked instead, see scratch.ts).
 */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set([
  ".git",
  ".hg",
  ".svn",
  ".repair-ls",
  "node_modules",
  "target",
  "__pycache__",
  ".pytest_cache",
  ".mypy_cache",
  ".ruff_cache",
  ".gradle",
  ".venv",
  "venv",
  ".tox",
  ".idea",
  ".vscode",
  "build",
  "dist",
  "out",
  "coverage",
]);

/** Most files a workspace walk visits; beyond this a workspace is not a repair target for one task. */
export const MAX_WORKSPACE_FILES = 50_000;

/**
 * Absolute paths of the regular files under root, skipping SKIPPED_DIRS, sorted for determinism. Unreadable
 * folders are skipped.
 */
export async function listWorkspaceFiles(root: string, maxFiles = MAX_WORKSPACE_FILES): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    if (files.length >= maxFiles) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (files.length >= maxFiles) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(path);
      } else if (entry.isFile()) {
        files.push(path);
      }
    }
  };
  await walk(root);
  return files;
}

/** The workspace as the pipeline reads it: unsaved editor buffers first, then the disk. */
export class WorkspaceFiles {
  private readonly cache = new Map<string, string | undefined>();

  constructor(
    readonly root: string,
    private readonly overlays: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** The file's text (overlay or disk), or undefined when it cannot be read. Cached: the disk may move on. */
  async read(file: string): Promise<string | undefined> {
    const overlay = this.overlays.get(file);
    if (overlay !== undefined) return overlay;
    if (this.cache.has(file)) return this.cache.get(file);
    let text: string | undefined;
    try {
      text = await readFile(file, "utf8");
    } catch {
      text = undefined;
    }
    this.cache.set(file, text);
    return text;
  }

  relative(file: string): string {
    return relative(this.root, file).split(sep).join("/");
  }

  overlayEntries(): [string, string][] {
    return [...this.overlays];
  }
}

/**
 * The real path of `path`, resolving every symbolic link on the way; for a path that does not exist (yet), the
 * real path of its nearest existing ancestor joined with the rest.
 */
async function realPathOf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(await realPathOf(parent), basename(path));
  }
}

/**
 * Whether `file` really lies inside the workspace `root`, symbolic links resolved: a file reached through a link
 * to a folder outside the workspace does not, and the repair must never edit it.
 */
export async function realPathWithin(root: string, file: string): Promise<boolean> {
  const rel = relative(await realPathOf(root), await realPathOf(file));
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
