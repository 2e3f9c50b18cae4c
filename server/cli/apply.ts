import { randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { JobReportEdit, JobReportPatch } from "../lsp/job-report.js";
import { sha256 } from "../pipeline/workspace-files.js";

/**
 * Replaces whole-line ranges [startLine, endLine) by newText (line terminators included). Edits are applied
 * bottom-up so that earlier line numbers stay valid.
 */
export function applyLineEdits(
  text: string,
  edits: readonly Pick<JobReportEdit, "startLine" | "endLine" | "newText">[],
): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const offset = (line: number): number => (line < lineStarts.length ? (lineStarts[line] ?? text.length) : text.length);
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.startLine - a.startLine)) {
    result = result.slice(0, offset(edit.startLine)) + edit.newText + result.slice(offset(edit.endLine));
  }
  return result;
}

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
        text: applyLineEdits(
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
