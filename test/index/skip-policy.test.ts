import { existsSync, lstatSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { IgnoreRules } from "../../index/ignore-rules.js";
import {
  DEPENDENCY_FOLDERS,
  EDITOR_AND_DIST_FOLDERS,
  NEVER_WALKED,
  READER_POLICY,
  skippedFolderPatterns,
} from "../../index/skip-policy.js";
import { walkWorkspace } from "../../index/walk.js";
import { ScratchCopy } from "../../server/pipeline/validate/scratch.js";
import { listWorkspaceFiles } from "../../server/pipeline/workspace-files.js";
import { makeTempWorkspace, type TempWorkspace } from "../support/index-workspace.js";
import { tempDir } from "../support/temp.js";

let workspace: TempWorkspace | undefined;

afterEach(async () => {
  await workspace?.remove();
  workspace = undefined;
});

/** One Python file in every folder the policy knows by name, plus a source file that every walk keeps. */
async function workspaceWithEveryKnownFolder(extra: Record<string, string> = {}): Promise<TempWorkspace> {
  const files: Record<string, string> = { "src/main.py": "x = 1\n", ...extra };
  for (const name of [...NEVER_WALKED, ...DEPENDENCY_FOLDERS, ...EDITOR_AND_DIST_FOLDERS]) {
    files[`${name}/inside.py`] = "y = 2\n";
    files[`src/${name}/nested.py`] = "z = 3\n";
  }
  return makeTempWorkspace(files);
}

function relativeTo(root: string, paths: readonly string[]): string[] {
  return paths
    .map((p) =>
      p
        .slice(root.length + 1)
        .split("\\")
        .join("/"),
    )
    .sort();
}

describe("the one skip policy", () => {
  it("makes the index walk and the pipeline's file list skip the same folders, at any depth", async () => {
    workspace = await workspaceWithEveryKnownFolder();
    const indexed = await walkWorkspace(workspace.root, {
      rules: new IgnoreRules(workspace.root, []),
      maxFileBytes: 1_000_000,
    });
    const listed = await listWorkspaceFiles(workspace.root);
    expect(indexed.map((f) => f.relPath)).toEqual(["src/main.py"]);
    expect(relativeTo(workspace.root, listed)).toEqual(["src/main.py"]);
  });

  it("makes the scratch copy skip the same never-walked folders and differ only by its options", async () => {
    workspace = await workspaceWithEveryKnownFolder();
    const copy = await ScratchCopy.create(workspace.root, { root: tempDir("repair-ls-policy-") });
    try {
      for (const name of NEVER_WALKED) {
        expect(existsSync(join(copy.root, name)), name).toBe(false);
        expect(existsSync(join(copy.root, "src", name)), `src/${name}`).toBe(false);
      }
      // Option dependencies: "dependency": each dependency folder is handed over and linked to a private copy.
      for (const name of DEPENDENCY_FOLDERS) expect(lstatSync(join(copy.root, name)).isSymbolicLink(), name).toBe(true);
      // Option editorAndDist: "walk": a test command may run a built file or read a setting.
      for (const name of EDITOR_AND_DIST_FOLDERS)
        expect(existsSync(join(copy.root, name, "inside.py")), name).toBe(true);
      expect(existsSync(join(copy.root, "src/main.py"))).toBe(true);
    } finally {
      await copy.dispose();
    }
  });

  it("honours .git/info/exclude as .gitignore is honoured, with .gitignore able to re-include", async () => {
    workspace = await makeTempWorkspace({
      ".git/info/exclude": "# local only\nscratch/\n*.local.py\n",
      ".gitignore": "!keep.local.py\n",
      "src/main.py": "x = 1\n",
      "src/try.local.py": "y = 2\n",
      "keep.local.py": "z = 3\n",
      "scratch/notes.py": "w = 4\n",
    });
    const rules = new IgnoreRules(workspace.root, []);
    const indexed = await walkWorkspace(workspace.root, { rules, maxFileBytes: 1_000_000 });
    expect(indexed.map((f) => f.relPath)).toEqual(["keep.local.py", "src/main.py"]);
    expect(relativeTo(workspace.root, await listWorkspaceFiles(workspace.root))).toEqual([
      ".gitignore",
      "keep.local.py",
      "src/main.py",
    ]);
    expect(await rules.isIgnored("scratch/notes.py", false)).toBe(true);
    // A changed exclude file applies once its rules are invalidated.
    await workspace.write(".git/info/exclude", "");
    expect(await rules.isIgnored("scratch/notes.py", false)).toBe(true);
    rules.invalidate(".git/info");
    expect(await rules.isIgnored("scratch/notes.py", false)).toBe(false);
  });

  it("answers single-file questions as the walk does when the skipped names are given as patterns", async () => {
    workspace = await makeTempWorkspace({ "src/main.py": "x = 1\n" });
    const rules = new IgnoreRules(workspace.root, skippedFolderPatterns(READER_POLICY));
    for (const name of [...NEVER_WALKED, ...DEPENDENCY_FOLDERS, ...EDITOR_AND_DIST_FOLDERS]) {
      expect(await rules.isIgnored(`src/${name}/a.py`, false), name).toBe(true);
    }
    expect(await rules.isIgnored("src/main.py", false)).toBe(false);
  });
});
