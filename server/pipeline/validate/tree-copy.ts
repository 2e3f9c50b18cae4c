import { constants } from "node:fs";
import { copyFile, mkdir, readlink, stat, symlink, utimes } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { toAbsolute } from "../../../index/paths.js";
import type { SkipPolicy } from "../../../index/skip-policy.js";
import { walkTree } from "../../../index/tree-walk.js";

/** File copies in flight at once: enough to keep the disk busy, few enough for libuv's small thread pool. */
const COPY_CONCURRENCY = 16;

export interface TreeCopyOptions {
  /** Which folders to copy (index/skip-policy.ts): the scratch copy's policy, or everything for a dependency. */
  readonly policy: SkipPolicy;
  /** Called for each dependency folder the policy hands over; the caller makes `dst`. */
  readonly dependency?: (src: string, dst: string) => Promise<void>;
  /** Decides per symbolic link: "handled" when the caller made `dst`; otherwise the link is copied (copyLink). */
  readonly link?: (name: string, src: string, dst: string) => Promise<"copy" | "handled">;
  /** Most regular files to copy; beyond it the copy fails with a message naming `what`. */
  readonly maxFiles: number;
  /** What is copied, for that message ("the workspace", "node_modules"). */
  readonly what: string;
  readonly signal?: AbortSignal;
  /**
   * Gives each copied file its original's modification time (never later than the copy's start), as `cp -p`
   * does: make decides what to rebuild by comparing times, so a copy whose times follow the copying order could
   * take a stale object file for an up-to-date one.
   */
  readonly preserveTimes?: boolean;
}

/** Whether `path` is `folder` or lies below it (both absolute and normalised). */
export function isWithin(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * Recreates a symbolic link of the tree `from` at `dst` in the copy `to`. A link whose target lies inside the
 * copied tree points to the copy's file (relatively), so that writes through it stay in the copy; a link to
 * anything outside keeps pointing to that absolute place, as it does in the original.
 */
export async function copyLink(src: string, dst: string, from: string, to: string): Promise<void> {
  const target = resolve(dirname(src), await readlink(src));
  if (isWithin(from, target)) {
    const inCopy = join(to, relative(from, target));
    await symlink(relative(dirname(dst), inCopy) || ".", dst);
  } else {
    await symlink(target, dst);
  }
}

/** Sets `target`'s access and modification times to `source`'s, clamped to `latestMs` (a future time would win every later comparison). */
async function copyTimes(source: string, target: string, latestMs: number): Promise<void> {
  const times = await stat(source);
  // Seconds as fractions keep sub-millisecond differences that a Date would round away.
  await utimes(target, Math.min(times.atimeMs, latestMs) / 1000, Math.min(times.mtimeMs, latestMs) / 1000);
}

/**
 * Copies the tree `from` into the existing folder `to` through the one walker (index/tree-walk.ts) under the
 * caller's skip policy: folders are created, files copied with copy-on-write where
 * the file system supports it (FICLONE, e.g. btrfs and XFS) and plainly otherwise, never hard-linked (a test that
 * writes a file would then write the user's). Returns how many files were copied.
 */
export async function copyTree(from: string, to: string, options: TreeCopyOptions): Promise<number> {
  const files: [string, string][] = [];
  const walk = walkTree(from, { policy: options.policy, ...(options.signal ? { signal: options.signal } : {}) });
  for await (const entry of walk) {
    const target = toAbsolute(to, entry.relPath);
    if (entry.kind === "folder") {
      await mkdir(target);
    } else if (entry.kind === "dependency") {
      if (options.dependency) await options.dependency(entry.absPath, target);
    } else if (entry.kind === "link") {
      const choice = options.link ? await options.link(entry.name, entry.absPath, target) : "copy";
      if (choice === "copy") await copyLink(entry.absPath, target, from, to);
    } else {
      if (files.length >= options.maxFiles) {
        throw new Error(`${options.what} has more than ${options.maxFiles} files to copy`);
      }
      files.push([entry.absPath, target]);
    }
  }
  let next = 0;
  const started = Date.now();
  const copier = async (): Promise<void> => {
    while (next < files.length) {
      if (options.signal?.aborted) throw new Error("cancelled");
      const [source, target] = files[next++]!;
      await copyFile(source, target, constants.COPYFILE_FICLONE);
      if (options.preserveTimes) await copyTimes(source, target, started);
    }
  };
  await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, files.length) }, copier));
  return files.length;
}
