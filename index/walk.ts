import { stat } from "node:fs/promises";
import { languageForPath, type LanguageId } from "../grammars/languages.js";
import type { IgnoreRules } from "./ignore-rules.js";
import { READER_POLICY } from "./skip-policy.js";
import { walkTree } from "./tree-walk.js";

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
 * Lists the files of a workspace folder that the index covers: not skipped by the reader policy (index/skip-policy.ts)
 * nor ignored (configured excludes, .git/info/exclude and nested .gitignore files), in a language of the grammar
 * table, and within the size limit. Symbolic links are not followed, so the walk cannot loop or leave the folder.
 * Folders and files that vanish or cannot be read mid-walk are skipped; an unreadable root rejects.
 * Files come back sorted by path so that indexing order (and so the index) is reproducible.
 */
export async function walkWorkspace(root: string, options: WalkOptions): Promise<WalkedFile[]> {
  const files: WalkedFile[] = [];
  const walk = walkTree(root, {
    policy: { ...READER_POLICY, rules: options.rules },
    wantsFile: (name) => languageForPath(name) !== undefined,
    onUnreadable: (relPath, error) => options.onSkip?.(relPath, "unreadable", String(error)),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for await (const entry of walk) {
    if (entry.kind !== "file") continue;
    const language = languageForPath(entry.name)!;
    let size: number;
    try {
      size = (await stat(entry.absPath)).size;
    } catch (error) {
      options.onSkip?.(entry.relPath, errorCode(error) === "ENOENT" ? "vanished" : "unreadable", String(error));
      continue;
    }
    if (size > options.maxFileBytes) {
      options.onSkip?.(entry.relPath, "too-large", `${size} bytes`);
      continue;
    }
    files.push({ absPath: entry.absPath, relPath: entry.relPath, language: language.id, size });
  }
  return files.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}
