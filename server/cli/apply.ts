import { randomBytes } from "node:crypto";
import { open, readFile, realpath, rename, rm, stat } from "node:fs/promises";
import { dirname, join, relative, isAbsolute, basename } from "node:path";
import type { JobReportPatch } from "../lsp/job-report.js";
import { replaceLineRanges } from "../pipeline/combine/patch.js";
import { sha256 } from "../pipeline/workspace-files.js";
import { editableFile } from "./file-bytes.js";

/** One file `--apply` will write: its bytes and mode before, and the bytes after. */
export interface PlannedWrite {
  readonly path: string;
  readonly before: Buffer;
  readonly after: Buffer;
  readonly mode: number;
}

/** Whether `path` (resolved through links) lies inside `root` (resolved too). */
async function insideRoot(root: string, path: string): Promise<boolean> {
  const [realRoot, realPath] = await Promise.all([realpath(root), realpath(path)]);
  const rel = relative(realRoot, realPath);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/**
 * Plans the writes of `--apply` without writing anything: every file must lie inside the workspace (links
 * resolved), still hash as it did when the patch was computed, and be editable in its own encoding. Throws with a
 * reason naming the file otherwise.
 */
export async function planWrites(root: string, patches: readonly JobReportPatch[]): Promise<PlannedWrite[]> {
  const planned: PlannedWrite[] = [];
  for (const patch of patches) {
    for (const file of patch.files) {
      const path = join(root, file);
      if (!(await insideRoot(root, path)))
        throw new Error(`${file} resolves outside the workspace; nothing was written`);
      const before = await readFile(path);
      const editable = editableFile(before);
      if (typeof editable === "string") throw new Error(`${file}: ${editable}; nothing was written`);
      if (sha256(editable.serverText) !== patch.baseHashes[file]) {
        throw new Error(`${file} changed since the repair was computed; nothing was written`);
      }
      let after: Buffer;
      try {
        after = editable.encode(
          replaceLineRanges(
            editable.spliceText,
            patch.edits.filter((e) => e.file === file),
          ),
        );
      } catch (error) {
        throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}; nothing was written`);
      }
      planned.push({ path, before, after, mode: (await stat(path)).mode & 0o7777 });
    }
  }
  return planned;
}

/**
 * Replaces a file atomically: a temporary file beside it gets the bytes and the mode, is flushed to disk, and is
 * renamed over the original, so that a crash leaves the old or the new file, never half of one.
 */
async function writeAtomically(path: string, bytes: Buffer, mode: number): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.repair-ls-${randomBytes(4).toString("hex")}.tmp`);
  try {
    const handle = await open(temporary, "wx", mode);
    try {
      await handle.writeFile(bytes);
      // The process umask narrows the mode given to open(); chmod sets exactly the original.
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes every planned file; if one write fails, the files already written are restored before rethrowing. */
export async function writePlanned(writes: readonly PlannedWrite[]): Promise<void> {
  const done: PlannedWrite[] = [];
  try {
    for (const write of writes) {
      await writeAtomically(write.path, write.after, write.mode);
      done.push(write);
    }
  } catch (error) {
    await restorePlanned(done);
    throw error;
  }
}

/** Puts back every file's bytes and mode as they were before the write. */
export async function restorePlanned(writes: readonly PlannedWrite[]): Promise<void> {
  for (const write of [...writes].reverse()) await writeAtomically(write.path, write.before, write.mode);
}
