import { rm } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BuiltinEmbedder } from "../../index/embedders/builtin.js";
import { changesIndexedFiles, WorkspaceIndex } from "../../index/workspace-index.js";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import { FIXTURE_MAX_FILE_BYTES, fixtureFiles } from "../support/index-fixture.js";
import { makeTempWorkspace, type TempWorkspace } from "../support/index-workspace.js";

function config(overrides: Partial<Config> = {}): Config {
  return { ...defaultConfig(), "index.maxFileBytes": FIXTURE_MAX_FILE_BYTES, "index.debounceMs": 30, ...overrides };
}

let workspace: TempWorkspace;
const open: WorkspaceIndex[] = [];

async function openIndex(overrides: Partial<Config> = {}): Promise<WorkspaceIndex> {
  const index = await WorkspaceIndex.open({
    root: workspace.root,
    config: config(overrides),
    embedder: new BuiltinEmbedder(),
  });
  open.push(index);
  return index;
}

beforeEach(async () => {
  workspace = await makeTempWorkspace(fixtureFiles());
});

afterEach(async () => {
  for (const index of open.splice(0)) await index.close();
  await workspace.remove();
});

describe("ignore files", () => {
  it("a changed .gitignore drops the files it now ignores at the next walk, and a deleted one lets them back in", async () => {
    const index = await openIndex();
    await index.indexAll();
    expect((await index.linesOf(workspace.path("web/cart.js"))).length).toBeGreaterThan(0);

    // The rules of a folder are cached: without the notice the walk would still use the old ones.
    await workspace.write("web/.gitignore", "cart.js\n");
    expect(await index.ignoreFileChanged(workspace.path("web/.gitignore"))).toBe(true);
    const afterIgnore = await index.indexAll();
    expect(afterIgnore.removedFiles).toBe(1);
    expect(await index.linesOf(workspace.path("web/cart.js"))).toEqual([]);

    await rm(workspace.path("web/.gitignore"));
    expect(await index.ignoreFileChanged(workspace.path("web/.gitignore"))).toBe(true);
    const afterDelete = await index.indexAll();
    expect(afterDelete.indexedFiles).toBe(1);
    expect((await index.linesOf(workspace.path("web/cart.js"))).length).toBeGreaterThan(0);
  });

  it("a changed root .gitignore applies to the whole folder", async () => {
    const index = await openIndex();
    await index.indexAll();
    await workspace.write(".gitignore", "build/\nweb/\n");
    expect(await index.ignoreFileChanged(workspace.path(".gitignore"))).toBe(true);
    expect((await index.indexAll()).removedFiles).toBe(2);
    expect(await index.linesOf(workspace.path("web/types.ts"))).toEqual([]);
    expect((await index.linesOf(workspace.path("src/report.py"))).length).toBeGreaterThan(0);
  });

  it("an ignore file inside an ignored folder or outside the workspace asks for no walk", async () => {
    const index = await openIndex();
    await index.indexAll();
    expect(await index.ignoreFileChanged(workspace.path(".repair-ls/.gitignore"))).toBe(false);
    expect(await index.ignoreFileChanged(workspace.path("node_modules/dep/.gitignore"))).toBe(false);
    expect(await index.ignoreFileChanged(workspace.path("src/inventory.py"))).toBe(false);
    expect(await index.ignoreFileChanged("/elsewhere/.gitignore")).toBe(false);
  });
});

describe("settings", () => {
  it("say when a walk is due: excludes and the size limit change which files belong in the index", () => {
    const base = config();
    expect(changesIndexedFiles(base, config())).toBe(false);
    expect(changesIndexedFiles(base, config({ "retrieval.topK": base["retrieval.topK"] + 1 }))).toBe(false);
    expect(changesIndexedFiles(base, config({ "index.exclude": ["web/"] }))).toBe(true);
    expect(changesIndexedFiles(base, config({ "index.maxFileBytes": FIXTURE_MAX_FILE_BYTES * 4 }))).toBe(true);
  });

  it("a larger size limit applied to an open index lets a file in at the next walk", async () => {
    const index = await openIndex();
    await index.indexAll();
    expect(await index.linesOf(workspace.path("src/huge.py"))).toEqual([]);
    expect(index.reconfigure(config({ "index.maxFileBytes": FIXTURE_MAX_FILE_BYTES * 4 }))).toBe("applied");
    expect(index.config["index.maxFileBytes"]).toBe(FIXTURE_MAX_FILE_BYTES * 4);
    expect((await index.indexAll()).indexedFiles).toBe(1);
    expect((await index.linesOf(workspace.path("src/huge.py"))).length).toBeGreaterThan(0);
  });

  it("retrieval settings applied to an open index change what it returns", async () => {
    const index = await openIndex();
    await index.indexAll();
    const query = "stock[item] = current - quantity";
    const before = await index.similarLines(query, { threshold: 0 });
    expect(before.length).toBeGreaterThan(1);
    index.reconfigure(config({ "retrieval.topK": 1 }));
    expect(await index.similarLines(query, { threshold: 0 })).toHaveLength(1);
  });
});
