import { randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { JobReportPatch } from "../lsp/job-report.js";
import { replaceLineRanges } from "../pipeline/combine/patch.js";
import { sha256 } from "../pipeline/workspace-files.js";

/**
 * Writes patches to the user's files: every file is checked against the hash its patch was computed from before
 * any is written, and each is replaced atomically (a temporary file beside it, then a rename), so an interrupted
 * apply leaves each file either old or new, never half-written.
 */
export async function applyPatches(root: string, patches: readonly JobReportPatch[]): Promise<string[]> {
  const planned: { path: string; text: string }[] = [];
  for (const patch of patches) {
    for (const file of patch.files) {
      const path = join(root, file);
      const current = await readFile(path, "utf8");
      if (sha256(current) !== patch.baseHashes[file]) {
        throw new Error(`${file} changed since the repair was computed; nothing was written`);
      }
      planned.push({
        path,
        text: replaceLineRanges(
          current,
          patch.edits.filter((e) => e.file === file),
        ),
      });
    }
  }
  for (const { path, text } of planned) {
    const temporary = `${path}.repair-ls-${randomBytes(4).toString("hex")}.tmp`;
    try {
      await writeFile(temporary, text, "utf8");
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
  return planned.map((p) => p.path);
}
