import { cpSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { spawnSync } from "node:child_process";
import { REPO_ROOT } from "./lsp-client.js";
import { tempDir } from "./temp.js";

/**
 * Copies a fixture project into a fresh temporary folder (tests never touch the repository's fixtures), removed as
 * tempDir's folders are.
 */
export function copyFixture(relative: string): string {
  const dir = tempDir("repair-ls-ws-");
  cpSync(join(REPO_ROOT, relative), dir, { recursive: true });
  return dir;
}

/** Writes a small project: each key is a path relative to `dir`, created with its parent folders. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** Runs a project's tests; resolves with the exit status and output. */
export function runTests(command: string, cwd: string): { status: number | null; output: string } {
  const run = spawnSync("sh", ["-c", command], { cwd, encoding: "utf8", timeout: 120_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Scratch folders a server process left behind (the engine names them <pid>-<random> under this root). */
export function scratchDirsOf(pid: number): string[] {
  const root = join(tmpdir(), "repair-ls-scratch");
  try {
    return readdirSync(root).filter((name) => name.startsWith(`${pid}-`));
  } catch {
    return [];
  }
}
