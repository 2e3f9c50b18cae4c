import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import { folderByName, type SkipPolicy } from "./skip-policy.js";
import { toAbsolute } from "./paths.js";
import { TimeSlicer } from "./time-slicer.js";

/** One entry met by the walk. Folders come before what they hold; dependency folders are not entered. */
export interface TreeEntry {
  readonly kind: "folder" | "file" | "link" | "dependency";
  /** Root-relative, posix separators. */
  readonly relPath: string;
  readonly absPath: string;
  readonly name: string;
}

export interface TreeWalkOptions {
  readonly policy: SkipPolicy;
  readonly signal?: AbortSignal;
  /** Files whose names this rejects are left out before any ignore rule is asked (a cheap pre-filter). */
  readonly wantsFile?: (name: string) => boolean;
  /**
   * Called for a folder below the root that cannot be read; without it the walk rejects. A folder that vanished
   * mid-walk is not reported. An unreadable root always rejects: no caller may take it for an empty folder.
   */
  readonly onUnreadable?: (relPath: string, error: unknown) => void;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The one workspace walker: depth first, entries of each folder in name order, symbolic links reported and never
 * followed (so the walk cannot loop or leave the root), folders skipped by the policy's names and ignore rules.
 * Cancelled by the signal between folders; long walks yield to the event loop every few milliseconds.
 */
export async function* walkTree(root: string, options: TreeWalkOptions): AsyncGenerator<TreeEntry> {
  const { policy } = options;
  const slicer = new TimeSlicer(10);
  const pending: string[] = [""];
  while (pending.length > 0) {
    options.signal?.throwIfAborted();
    const folder = pending.pop()!;
    let entries: Dirent[];
    try {
      entries = await readdir(folder === "" ? root : toAbsolute(root, folder), { withFileTypes: true });
    } catch (error) {
      if (folder === "" || !options.onUnreadable) throw error;
      if (errorCode(error) !== "ENOENT") options.onUnreadable(folder, error);
      continue;
    }
    const below: string[] = [];
    for (const entry of entries.sort(byName)) {
      await slicer.maybeYield();
      const relPath = folder === "" ? entry.name : `${folder}/${entry.name}`;
      const absPath = toAbsolute(root, relPath);
      if (entry.isDirectory()) {
        const action = folderByName(entry.name, policy);
        if (action === "skip" || (await policy.rules?.matches(relPath, true))) continue;
        yield { kind: action === "dependency" ? "dependency" : "folder", relPath, absPath, name: entry.name };
        if (action === "walk") below.push(relPath);
      } else if (entry.isSymbolicLink()) {
        if (!(await policy.rules?.matches(relPath, false))) yield { kind: "link", relPath, absPath, name: entry.name };
      } else if (entry.isFile()) {
        if (options.wantsFile && !options.wantsFile(entry.name)) continue;
        if (!(await policy.rules?.matches(relPath, false))) yield { kind: "file", relPath, absPath, name: entry.name };
      }
    }
    // Pushed in reverse so that the stack pops sub-folders in name order.
    for (let i = below.length - 1; i >= 0; i--) pending.push(below[i]!);
  }
}
