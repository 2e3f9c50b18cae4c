/**
 * The fixture bug corpus (test/fixtures/bugs/<id>/{project,fixed,heldout,bug.json}) for the engine's tests and
 * benchmark: metadata, and the "correct" check (apply a patch to a copy of the project, add the held-out tests,
 * and run the bug's test command).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RepairPatch } from "../../server/pipeline/report.js";
import { runProcess } from "../../server/pipeline/runners/process.js";
import { makeTempDir, removeTempDir } from "./temp.js";

export interface BugHunk {
  readonly file: string;
  readonly startLine: number;
  readonly endLine: number;
}

export interface BugMeta {
  readonly id: string;
  readonly language: string;
  readonly description: string;
  readonly kind: readonly string[];
  readonly multiHunk: boolean;
  readonly interdependent: boolean;
  readonly sameText?: boolean;
  readonly hunks: readonly BugHunk[];
  readonly testCommand: string;
  readonly failingTests: readonly string[];
}

/** The repository root, found from this file whether it runs from test/ (vitest) or dist/test/ (the bench). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "test", "fixtures"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the repository root");
    dir = parent;
  }
  return dir;
}

export function bugsDir(): string {
  return join(repoRoot(), "test", "fixtures", "bugs");
}

export function listBugs(): BugMeta[] {
  const dir = bugsDir();
  return readdirSync(dir)
    .filter((id) => existsSync(join(dir, id, "bug.json")))
    .sort()
    .map((id) => JSON.parse(readFileSync(join(dir, id, "bug.json"), "utf8")) as BugMeta);
}

export function bug(id: string): BugMeta {
  return JSON.parse(readFileSync(join(bugsDir(), id, "bug.json"), "utf8")) as BugMeta;
}

export function projectDir(id: string): string {
  return join(bugsDir(), id, "project");
}

/**
 * A throwaway copy of a bug's project. TypeScript projects get the two dependencies their test script needs (tsc
 * and Node's types) linked in: the engine copies a workspace's node_modules once per job, and the repository's
 * whole folder is large.
 */
export function copyProject(id: string): { dir: string; dispose(): void } {
  const scratch = makeTempDir("repair-bug-");
  const dir = join(scratch, "project");
  cpSync(projectDir(id), dir, { recursive: true });
  const meta = bug(id);
  if (meta.language === "typescript") {
    mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
    symlinkSync(join(repoRoot(), "node_modules", "typescript"), join(dir, "node_modules", "typescript"), "dir");
    symlinkSync("../typescript/bin/tsc", join(dir, "node_modules", ".bin", "tsc"));
    mkdirSync(join(dir, "node_modules", "@types"));
    symlinkSync(join(repoRoot(), "node_modules", "@types", "node"), join(dir, "node_modules", "@types", "node"), "dir");
  }
  return { dir, dispose: () => removeTempDir(scratch) };
}

function copyTree(from: string, to: string): void {
  if (!existsSync(from)) return;
  cpSync(from, to, { recursive: true });
}

/** Writes a patch's edits into a copy (paths are relative to the project root). */
export function applyPatchTo(dir: string, patch: RepairPatch): void {
  for (const file of patch.files) {
    const lines = file.baseText.match(/[^\n]*\n|[^\n]+$/g) ?? [];
    const edits = [...file.edits].sort((a, b) => b.startLine - a.startLine);
    for (const edit of edits) {
      lines.splice(edit.startLine, edit.endLine - edit.startLine, ...(edit.newText === "" ? [] : [edit.newText]));
    }
    const target = join(dir, file.relativePath);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, lines.join(""));
  }
}

/**
 * Whether a patch is correct by the corpus's definition: with the patch applied and the held-out tests added, the
 * bug's test command passes.
 */
export async function isCorrect(id: string, patch: RepairPatch, timeoutMs = 300_000): Promise<boolean> {
  const copy = copyProject(id);
  try {
    applyPatchTo(copy.dir, patch);
    copyTree(join(bugsDir(), id, "heldout"), copy.dir);
    const result = await runProcess(bug(id).testCommand, {
      cwd: copy.dir,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", CI: "1", NO_COLOR: "1" },
      timeoutMs,
    });
    return result.end === "exited" && result.exitCode === 0;
  } finally {
    copy.dispose();
  }
}
