import { createHash } from "node:crypto";
import { readFile, realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";
import { IgnoreRules } from "../../index/ignore-rules.js";
import { READER_POLICY } from "../../index/skip-policy.js";
import { walkTree } from "../../index/tree-walk.js";

/** Most files a workspace walk visits; beyond this a workspace is not a repair target for one task. */
export const MAX_WORKSPACE_FILES = 50_000;

/**
 * Absolute paths of the regular files under root, as the index sees them: the reader skip policy
 * (index/skip-policy.ts) and the workspace's ignore files (.gitignore, .git/info/exclude), sorted for determinism.
 * Unreadable folders are skipped; at most `maxFiles` paths.
 */
export async function listWorkspaceFiles(root: string, maxFiles = MAX_WORKSPACE_FILES): Promise<string[]> {
  const files: string[] = [];
  if (maxFiles <= 0) return files;
  const policy = { ...READER_POLICY, rules: new IgnoreRules(root, []) };
  try {
    for await (const entry of walkTree(root, { policy, onUnreadable: () => {} })) {
      if (entry.kind !== "file") continue;
      files.push(entry.absPath);
      if (files.length >= maxFiles) break;
    }
  } catch {
    // An unreadable root lists no files, as an empty folder does: the caller reports that no tests were found.
  }
  return files.sort();
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
