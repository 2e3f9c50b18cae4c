import { symlink } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { IgnoreRules } from "../../index/ignore-rules.js";
import { checkSourceText, decodeSource, readSourceFile } from "../../index/read-source.js";
import { walkWorkspace, type SkipReason } from "../../index/walk.js";
import { makeTempWorkspace, type TempWorkspace } from "../support/index-workspace.js";

let workspace: TempWorkspace | undefined;

afterEach(async () => {
  await workspace?.remove();
  workspace = undefined;
});

describe("walkWorkspace", () => {
  it("honours configured excludes and nested .gitignore files, including negation, and only takes known languages", async () => {
    workspace = await makeTempWorkspace({
      ".gitignore": "*.gen.js\nlogs/\n",
      "src/main.py": "print(1)\n",
      "src/notes.txt": "not code\n",
      "src/deep/more/util.go": "package more\n",
      "web/.gitignore": "!keep.gen.js\nlocal.ts\n",
      "web/app.ts": "export const a = 1;\n",
      "web/local.ts": "export const b = 2;\n",
      "web/keep.gen.js": "var kept = 1;\n",
      "web/drop.gen.js": "var dropped = 1;\n",
      "logs/x.py": "x = 1\n",
      "node_modules/pkg/index.js": "module.exports = 1;\n",
      "vendor/lib.c": "int x;\n",
      "other/local.ts": "export const c = 3;\n",
    });
    const rules = new IgnoreRules(workspace.root, ["node_modules", "vendor"]);
    const files = await walkWorkspace(workspace.root, { rules, maxFileBytes: 1_000_000 });
    expect(files.map((f) => [f.relPath, f.language])).toEqual([
      ["other/local.ts", "typescript"],
      ["src/deep/more/util.go", "go"],
      ["src/main.py", "python"],
      ["web/app.ts", "typescript"],
      ["web/keep.gen.js", "javascript"],
    ]);
    expect(files[0]?.absPath).toBe(workspace.path("other/local.ts"));
    // The same rules answer for single files (editor events).
    expect(await rules.isIgnored("web/local.ts", false)).toBe(true);
    expect(await rules.isIgnored("node_modules/pkg/index.js", false)).toBe(true);
    expect(await rules.isIgnored("web/app.ts", false)).toBe(false);
  });

  it("skips files over the size limit and does not follow symbolic links", async () => {
    workspace = await makeTempWorkspace({ "big.py": "x = 1\n".repeat(100), "small.py": "y = 2\n" });
    await symlink(workspace.path("small.py"), workspace.path("link.py"));
    await symlink("/", workspace.path("rootlink"));
    const skipped: [string, SkipReason][] = [];
    const files = await walkWorkspace(workspace.root, {
      rules: new IgnoreRules(workspace.root, []),
      maxFileBytes: 100,
      onSkip: (rel, reason) => skipped.push([rel, reason]),
    });
    expect(files.map((f) => f.relPath)).toEqual(["small.py"]);
    expect(skipped).toEqual([["big.py", "too-large"]]);
  });

  it("rejects when the root itself cannot be read, rather than reporting an empty workspace", async () => {
    const walking = walkWorkspace("/nonexistent/repair-ls-walk", {
      rules: new IgnoreRules("/nonexistent/repair-ls-walk", []),
      maxFileBytes: 100,
    });
    await expect(walking).rejects.toThrow(/ENOENT/);
  });
});

describe("readSourceFile", () => {
  it("reads text and names the reason for binary, invalid UTF-8, vanished and unreadable files", async () => {
    workspace = await makeTempWorkspace({
      "ok.py": "a = 'é'\n",
      "blob.py": new Uint8Array([0x61, 0x00, 0x62]),
      "latin.py": new Uint8Array([0x61, 0x3d, 0x27, 0xe9, 0x27, 0x0a]),
      "folder.py/inner.txt": "a folder named like a source file\n",
    });
    expect(await readSourceFile(workspace.path("ok.py"), 1000)).toEqual({ ok: true, text: "a = 'é'\n" });
    expect(await readSourceFile(workspace.path("blob.py"), 1000)).toMatchObject({ ok: false, reason: "binary" });
    expect(await readSourceFile(workspace.path("latin.py"), 1000)).toMatchObject({ ok: false, reason: "invalid-utf8" });
    expect(await readSourceFile(workspace.path("gone.py"), 1000)).toMatchObject({ ok: false, reason: "vanished" });
    expect(await readSourceFile(workspace.path("folder.py"), 1000)).toMatchObject({ ok: false, reason: "unreadable" });
    expect(decodeSource(Buffer.from("x = 1\n".repeat(10)), 20)).toMatchObject({ ok: false, reason: "too-large" });
  });

  it("editor buffers get the same size and binary checks, counted in UTF-8 bytes", () => {
    expect(checkSourceText("a = 'é'\n", 9)).toEqual({ ok: true, text: "a = 'é'\n" });
    expect(checkSourceText("a = 'é'\n", 8)).toMatchObject({ ok: false, reason: "too-large", detail: "9 bytes" });
    expect(checkSourceText("x\0y", 1000)).toMatchObject({ ok: false, reason: "binary" });
  });
});
