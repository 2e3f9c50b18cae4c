import type { IgnoreRules } from "./ignore-rules.js";

/**
 * The one skip policy of every workspace walk (the index, the pipeline's reads, the scratch copy). Folders are
 * sorted into kinds once, here; each walk differs only in the options below, never in a list of its own.
 */

/** Version control, our own index, tool caches and build outputs: no walk ever enters them. */
export const NEVER_WALKED: readonly string[] = [
  ".git",
  ".hg",
  ".svn",
  ".repair-ls",
  "__pycache__",
  ".pytest_cache",
  ".mypy_cache",
  ".ruff_cache",
  ".gradle",
  ".tox",
  "target",
  "build",
  "coverage",
];

/** Installed dependencies: readers skip them; the scratch copy links a private copy of each instead. */
export const DEPENDENCY_FOLDERS: readonly string[] = ["node_modules", ".venv", "venv"];

/**
 * Editor settings and distribution outputs: readers skip them (no source to repair there); the scratch copy keeps
 * them, because a test command may run a built file or read a setting.
 */
export const EDITOR_AND_DIST_FOLDERS: readonly string[] = [".idea", ".vscode", "dist", "out"];

export interface SkipPolicy {
  /** "skip" for readers; "dependency" hands each dependency folder to the caller (the scratch copy links it). */
  readonly dependencies: "skip" | "dependency";
  /** "skip" for readers; "walk" for the scratch copy. */
  readonly editorAndDist: "skip" | "walk";
  /**
   * The workspace's ignore rules (.gitignore files, .git/info/exclude, configured excludes). Readers honour them;
   * the scratch copy has none, because tests may read ignored files (generated fixtures, local settings).
   */
  readonly rules?: IgnoreRules;
  /** When false, nothing is skipped by name (a dependency folder's own copy takes everything in it). */
  readonly byName?: boolean;
}

/** What the index and the pipeline read: sources only. Add `rules` for the workspace's ignore files. */
export const READER_POLICY: SkipPolicy = { dependencies: "skip", editorAndDist: "skip" };

/** What a scratch copy takes: everything a test run may need, dependencies handed to the caller. */
export const SCRATCH_COPY_POLICY: SkipPolicy = { dependencies: "dependency", editorAndDist: "walk" };

/** Takes everything: the private copy of one dependency folder. */
export const COPY_EVERYTHING_POLICY: SkipPolicy = { dependencies: "dependency", editorAndDist: "walk", byName: false };

const neverWalked = new Set(NEVER_WALKED);
const dependencyFolders = new Set(DEPENDENCY_FOLDERS);
const editorAndDist = new Set(EDITOR_AND_DIST_FOLDERS);

/** What a walk under `policy` does with a folder called `name`, before any ignore rule is asked. */
export function folderByName(name: string, policy: SkipPolicy): "walk" | "skip" | "dependency" {
  if (policy.byName === false) return "walk";
  if (neverWalked.has(name)) return "skip";
  if (dependencyFolders.has(name)) return policy.dependencies;
  if (editorAndDist.has(name)) return policy.editorAndDist === "walk" ? "walk" : "skip";
  return "walk";
}

export function isDependencyFolder(name: string): boolean {
  return dependencyFolders.has(name);
}

/**
 * The folders `policy` skips by name as gitignore patterns, for ignore rules that must answer for single files
 * (editor events) exactly as the walk does.
 */
export function skippedFolderPatterns(policy: SkipPolicy): string[] {
  const names = [...NEVER_WALKED, ...DEPENDENCY_FOLDERS, ...EDITOR_AND_DIST_FOLDERS];
  return names.filter((name) => folderByName(name, policy) !== "walk").map((name) => `${name}/`);
}
