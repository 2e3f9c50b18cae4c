import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { listWorkspaceFiles } from "../../workspace-files.js";

/** Most files listed for detection (bare test files, Java sources). */
const MAX_DETECTION_FILES = 20_000;
/** npm's placeholder script when `npm init` was run without a test command. */
const NPM_PLACEHOLDER = /no test specified/;

/** Reads a file's text; undefined when it cannot be read. */
export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * A workspace as the detection rules see it. Reads are cached, and the file listing is made only when a rule
 * needs it (most workspaces are recognised by a build file first).
 */
export class WorkspaceProbe {
  private files_: Promise<string[]> | undefined;
  private readonly texts = new Map<string, Promise<string | undefined>>();

  constructor(readonly root: string) {}

  exists(relative: string): boolean {
    return existsSync(join(this.root, relative));
  }

  read(relative: string): Promise<string | undefined> {
    let text = this.texts.get(relative);
    if (!text) {
      text = readText(join(this.root, relative));
      this.texts.set(relative, text);
    }
    return text;
  }

  /** Absolute paths of the workspace's files (ignored folders left out). */
  files(): Promise<string[]> {
    this.files_ ??= listWorkspaceFiles(this.root, MAX_DETECTION_FILES);
    return this.files_;
  }

  /** package.json's `scripts.test`, unless missing, empty or npm's placeholder. */
  async npmTestScript(): Promise<string | undefined> {
    const text = await this.read("package.json");
    if (text === undefined) return undefined;
    let script: unknown;
    try {
      script = (JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts?.test;
    } catch {
      return undefined;
    }
    if (typeof script !== "string" || script.trim() === "" || NPM_PLACEHOLDER.test(script)) return undefined;
    return script;
  }

  /** The test script when it is a single command (no `;`, `&&` or pipes), which a runner may take over. */
  async singleNpmTestScript(): Promise<string | undefined> {
    const script = await this.npmTestScript();
    return script !== undefined && !/[;&|]/.test(script) ? script : undefined;
  }
}
