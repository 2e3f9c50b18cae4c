import { randomBytes } from "node:crypto";
import { open, readFile, realpath, rename, rm, stat } from "node:fs/promises";
import { dirname, join, relative, isAbsolute, basename, resolve } from "node:path";
import { defaultConfig } from "../core/config-schema.js";
import type { JobReport, JobReportPatch } from "../lsp/job-report.js";
import { replaceLineRanges } from "../core/line-text.js";
import { confirmInPlace } from "../pipeline/confirm-in-place.js";
import { rememberAppliedRepair } from "../pipeline/memory/memory-store.js";
import { sha256 } from "../pipeline/workspace-files.js";
import { editableFile } from "./file-bytes.js";
import { errorMessage } from "../core/error-message.js";

/** Timeout of the confirming in-place run when no budget was given: the test.timeoutSeconds default. */
export const DEFAULT_CONFIRM_SECONDS = 120;

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
 * resolved), still hash as it did when the patch was computed, and be editable in its own encoding. Patches that
 * touch one file (repairs merged from several shards) are spliced into it together, so they must agree on its
 * hash and must not overlap. Throws with a reason naming the file otherwise.
 */
export async function planWrites(root: string, patches: readonly JobReportPatch[]): Promise<PlannedWrite[]> {
  const byFile = new Map<string, { hash: string | undefined; edits: JobReportPatch["edits"][number][] }>();
  for (const patch of patches) {
    for (const file of patch.files) {
      const hash = patch.baseHashes[file];
      const entry = byFile.get(file) ?? { hash, edits: [] };
      if (entry.hash !== hash) throw new Error(`${file}: the patches were computed against different versions`);
      entry.edits.push(...patch.edits.filter((e) => e.file === file));
      byFile.set(file, entry);
    }
  }
  const planned: PlannedWrite[] = [];
  for (const [file, { hash, edits }] of byFile) {
    const path = join(root, file);
    if (!(await insideRoot(root, path))) throw new Error(`${file} resolves outside the workspace; nothing was written`);
    const before = await readFile(path);
    const editable = editableFile(before);
    if (typeof editable === "string") throw new Error(`${file}: ${editable}; nothing was written`);
    if (sha256(editable.serverText) !== hash) {
      throw new Error(`${file} changed since the repair was computed; nothing was written`);
    }
    let after: Buffer;
    try {
      after = editable.encode(replaceLineRanges(editable.spliceText, edits));
    } catch (error) {
      throw new Error(`${file}: ${errorMessage(error)}; nothing was written`);
    }
    planned.push({ path, before, after, mode: (await stat(path)).mode & 0o7777 });
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

/**
 * Writes the chosen patches, runs the test command once in place, and restores every written file byte for byte
 * (content and mode) when the outcome is not the validated one. Returns the exit code: 0 when the tests pass in
 * place at the end, 1 otherwise. `fix-all --apply` and `repair-ls apply` both write through here.
 */
export async function applyAndConfirm(
  root: string,
  report: JobReport,
  chosen: readonly JobReportPatch[],
  options: { readonly timeoutMs: number; readonly say: (line: string) => void; readonly command: string },
): Promise<number> {
  const { say, command } = options;
  const runner = report.testRunner;
  if (!runner) {
    say(`repair-ls ${command}: the report names no test command to confirm with; nothing was written`);
    return 1;
  }
  let writes: PlannedWrite[];
  try {
    writes = await planWrites(root, chosen);
    await writePlanned(writes);
  } catch (error) {
    say(`repair-ls ${command}: failed: ${errorMessage(error)}`);
    return 1;
  }
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.on("SIGINT", abort);
  process.on("SIGTERM", abort);
  try {
    say(`wrote ${writes.length} file${writes.length === 1 ? "" : "s"}; confirming with the tests in place`);
    const result = await confirmInPlace(
      root,
      runner,
      {
        failingBefore: report.failingBefore,
        flaky: report.flaky,
        testsAtBaseline: report.testsAtBaseline,
        fixedTests: [...new Set(chosen.flatMap((p) => p.fixedTests))],
      },
      { timeoutMs: options.timeoutMs, signal: controller.signal },
    );
    if (!result.confirmed || controller.signal.aborted) {
      await restorePlanned(writes);
      say(
        `repair-ls ${command}: rolled back: ${controller.signal.aborted ? "interrupted" : result.summary}; every written file is as it was`,
      );
      return 1;
    }
    say(`applied ${chosen.map((p) => p.description).join("; ")}: ${result.summary}`);
    // An applied repair is an example for later ones (the repair memory, in the workspace's own .repair-ls/).
    for (const patch of chosen) {
      const problem = await rememberAppliedRepair(
        root,
        defaultConfig()["index.path"],
        patch.edits.map((e) => ({ file: resolve(root, e.file), oldText: e.oldText, newText: e.newText })),
        patch.description,
        patch.fixedTests,
      );
      if (problem) say(`repair-ls ${command}: the repair memory was not updated: ${problem}`);
    }
    return result.allPass ? 0 : 1;
  } catch (error) {
    await restorePlanned(writes);
    say(`repair-ls ${command}: rolled back: ${errorMessage(error)}; every written file is as it was`);
    return 1;
  } finally {
    process.off("SIGINT", abort);
    process.off("SIGTERM", abort);
  }
}
