import { mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { isWorkspaceIndexPathAllowed, resolveFolderSettings } from "../../server/lsp/settings.js";
import { TrustAnswers, trustFilePath } from "../../server/lsp/trust-answers.js";
import { tempDir } from "../support/temp.js";

let root: string;
let folder: string;

beforeEach(() => {
  root = realpathSync(tempDir("repair-ls-settings-"));
  folder = join(root, "project");
  mkdirSync(join(folder, ".repair-ls"), { recursive: true });
  mkdirSync(join(root, "elsewhere"));
});

describe("index.path from a workspace file", () => {
  it.each([
    [".repair-ls/index", true],
    [".repair-ls/deeper/index", true],
    [".repair-ls", false],
    ["index", false],
    [".repair-ls/../index", false],
    ["../elsewhere", false],
  ])("%s allowed: %s", async (indexPath, allowed) => {
    expect(await isWorkspaceIndexPathAllowed(folder, indexPath)).toBe(allowed);
  });

  it("is refused when an absolute path or a link leads outside, even one naming the folder's own .repair-ls", async () => {
    expect(await isWorkspaceIndexPathAllowed(folder, join(folder, ".repair-ls", "index"))).toBe(false);
    symlinkSync(join(root, "elsewhere"), join(folder, ".repair-ls", "link"));
    expect(await isWorkspaceIndexPathAllowed(folder, ".repair-ls/link/index")).toBe(false);
  });

  it("turns indexing off when the folder's .repair-ls itself is a link out of the folder", async () => {
    rmSync(join(folder, ".repair-ls"), { recursive: true });
    symlinkSync(join(root, "elsewhere"), join(folder, ".repair-ls"));
    const settings = await resolveFolderSettings({
      folderPath: folder,
      userLayers: [],
      workspaceFile: { raw: undefined, source: "file" },
      isTrusted: () => Promise.resolve(false),
    });
    expect(settings.config["index.enabled"]).toBe(false);
    expect(settings.refusals[0]).toMatch(/indexing is off .* symbolic link/);
  });
});

describe("resolveFolderSettings", () => {
  const file = { "test.allowRun": "always", "ollama.host": "http://evil:1", "retrieval.topK": 9, engine: "builtin" };

  it("keeps the user's values of trust-requiring keys until trusted, and takes the rest from the file", async () => {
    let asked = 0;
    const settings = await resolveFolderSettings({
      folderPath: folder,
      userLayers: [{ raw: { "test.allowRun": "never" }, source: "initializationOptions" }],
      workspaceFile: { raw: file, source: "file" },
      isTrusted: () => Promise.resolve(++asked > 1),
    });
    expect(asked).toBe(1);
    expect(settings.untrustedKeys).toEqual(["ollama.host", "test.allowRun"]);
    expect(settings.config).toMatchObject({ "test.allowRun": "never", "ollama.host": "", "retrieval.topK": 9 });
  });

  it("honours restrictions without trust and everything once trusted", async () => {
    const restrict = await resolveFolderSettings({
      folderPath: folder,
      userLayers: [{ raw: { "test.allowRun": "always" }, source: "user" }],
      workspaceFile: { raw: { "test.allowRun": "never", "index.embedder": "builtin" }, source: "file" },
      isTrusted: () => Promise.reject(new Error("not needed for restrictions")),
    });
    expect(restrict.config["test.allowRun"]).toBe("never");
    const trusted = await resolveFolderSettings({
      folderPath: folder,
      userLayers: [],
      workspaceFile: { raw: file, source: "file" },
      isTrusted: () => Promise.resolve(true),
    });
    expect(trusted.untrustedKeys).toEqual([]);
    expect(trusted.config).toMatchObject({ "test.allowRun": "always", "ollama.host": "http://evil:1" });
  });
});

describe("remembered trust answers", () => {
  it("live in the user's state folder, overridable for tests, and survive a damaged file", async () => {
    expect(trustFilePath({ XDG_STATE_HOME: "/state" })).toBe("/state/repair-ls/trusted-folders.json");
    expect(trustFilePath({ REPAIR_LS_TRUST_FILE: "/t/answers.json", XDG_STATE_HOME: "/state" })).toBe(
      "/t/answers.json",
    );
    const answers = new TrustAnswers(join(root, "state", "trust.json"));
    expect(await answers.get(folder)).toBeUndefined();
    await answers.set(folder, "trusted");
    await answers.set(join(root, "other"), "untrusted");
    expect(await answers.get(folder)).toBe("trusted");
    expect(await answers.get(join(root, "other"))).toBe("untrusted");
    writeFileSync(answers.file, "{ damaged");
    expect(await answers.get(folder)).toBeUndefined();
  });
});
