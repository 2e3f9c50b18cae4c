import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { languageForPath, type LanguageId } from "../grammars/languages.js";
import type { IgnoreRules } from "./ignore-rules.js";
import { toAbsolute } from "./paths.js";
import { TimeSlicer } from "./time-slicer.js";

export interface WalkedFile {
  readonly absPath: string;
  /** Workspace-relative, posix separators. */
  readonly relPath: string;
  readonly language: LanguageId;
  readonly size: number;
}

export type SkipReason = "too-large" | "unreadable" | "binary" | "invalid-utf8" | "vanished";

export interface WalkOptions {
  readonly rules: IgnoreRules;
  readonly maxFileBytes: number;
  readonly signal?: AbortSignal;
  /** Called for every file left out for a reason the user may want to know (not for ignored or foreign files). */
  readonly onSkip?: (relPath: string, reason: SkipReason, detail?: string) => void;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Lists the files of a workspace folder that the index covers: not ignored (configured excludes plus nested
 * .gitignore files), in a language of the grammar table, and within the size limit. Symbolic links are not followed,
 * so the walk cannot loop or leave the folder. Folders and files that vanish or cannot be read mid-walk are skipped;
 * an unreadable root rejects.
 * Files come back sorted by path so that indexing order (and so the index) is reproducible.
 */
export async function walkWorkspace(root: string, options: WalkOptions): Promise<WalkedFile[]> {
  const files: WalkedFile[] = [];
  const slicer = new TimeSlicer(10);
  const pending: string[] = [""];
  while (pending.length > 0) {
    options.signal?.throwIfAborted();
    const folder = pending.pop() ?? "";
    let entries: Dirent[];
    try {
      entries = await readdir(folder === "" ? root : toAbsolute(root, folder), { withFileTypes: true });
    } catch (error) {
      // Without the root there is no walk: failing (rather than returning nothing) keeps callers from taking an
      // unreachable folder for an empty one and dropping its whole index. A sub-folder deleted mid-walk is normal.
      if (folder === "") throw error;
      if (errorCode(error) !== "ENOENT") options.onSkip?.(folder, "unreadable", String(error));
      continue;
    }
    for (const entry of entries) {
      await slicer.maybeYield();
      const relPath = folder === "" ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!(await options.rules.matches(relPath, true))) pending.push(relPath);
        continue;
      }
      if (!entry.isFile()) continue;
      const language = languageForPath(entry.name);
      if (!language || (await options.rules.matches(relPath, false))) continue;
      const absPath = toAbsolute(root, relPath);
      let size: number;
      try {
        size = (await stat(absPath)).size;
      } catch (error) {
        options.onSkip?.(relPath, errorCode(error) === "ENOENT" ? "vanished" : "unreadable", String(error));
        continue;
      }
      if (size > options.maxFileBytes) {
        options.onSkip?.(relPath, "too-large", `${size} bytes`);
        continue;
      }
      files.push({ absPath, relPath, language: language.id, size });
    }
  }
  return files.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}
