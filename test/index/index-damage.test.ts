// Damage and foreign folders: a damaged file under the index's _indices/ is found by the self-check at open and
// the index rebuilt; a garbage lock file is stale; a folder the server did not create is never cleared.
import { existsSync } from "node:fs";
import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { BuiltinEmbedder } from "../../index/embedders/builtin.js";
import { INDEX_MARKER } from "../../index/index-folder.js";
import { WorkspaceIndex } from "../../index/workspace-index.js";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import { FIXTURE_MAX_FILE_BYTES, INVENTORY_PY, fixtureFiles, lineOf } from "../support/index-fixture.js";
import { makeTempWorkspace, type TempWorkspace } from "../support/index-workspace.js";

let workspace: TempWorkspace;
const open: WorkspaceIndex[] = [];

function config(overrides: Partial<Config> = {}): Config {
  return { ...defaultConfig(), "index.maxFileBytes": FIXTURE_MAX_FILE_BYTES, ...overrides };
}

async function openIndex(overrides: Partial<Config> = {}, warnings: string[] = []): Promise<WorkspaceIndex> {
  const index = await WorkspaceIndex.open({
    root: workspace.root,
    config: config(overrides),
    embedder: new BuiltinEmbedder(),
    logger: { error: () => {}, warn: (m) => void warnings.push(m), info: () => {}, debug: () => {} },
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

/** Every file below a folder, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

/** Whether both kinds of retrieval find lines: for a hunk (filtered by file) and for a free query. */
async function retrievalWorks(index: WorkspaceIndex): Promise<boolean> {
  const line = lineOf(INVENTORY_PY, "stock[item] = current - quantity");
  const hunk = { file: workspace.path("src/inventory.py"), startLine: line, endLine: line + 1 };
  const forHunk = await index.retrieveForHunk(hunk, INVENTORY_PY, { threshold: 0.3 });
  const similar = await index.similarLines("stock[item] = current - quantity", { topK: 3, threshold: 0.3 });
  return forHunk.length > 0 && similar.length > 0;
}

test.each([
  ["the file BTree", /^page_(data|lookup)\.lance$/],
  ["the full-text index", /^part_\d+_(tokens|invert|docs)\.lance$/],
])("a damaged file of %s under _indices/ is found at open and the index is rebuilt", async (_name, damaged) => {
  const first = await openIndex();
  await first.indexAll();
  expect(await retrievalWorks(first)).toBe(true);
  await first.close();
  const indexFiles = await filesUnder(workspace.path(".repair-ls/index/lines.lance/_indices"));
  const targets = indexFiles.filter((file) => damaged.test(basename(file)));
  expect(targets.length).toBeGreaterThan(0);
  for (const file of targets) await writeFile(file, Buffer.alloc((await stat(file)).size, 0x5a));

  const second = await openIndex();
  expect((await second.stats()).rebuiltReason).toMatch(/^table unreadable/);
  expect((await second.indexAll()).indexedFiles).toBe(4);
  expect(await retrievalWorks(second)).toBe(true);
});

test("a garbage lock file is stale: the next instance writes the index instead of reading nothing", async () => {
  await workspace.write(".repair-ls/index.lock", "\u0000garbage{");
  const index = await openIndex();
  expect(index.writable).toBe(true);
  expect((await index.indexAll()).indexedFiles).toBe(4);
});

test("the server marks the index folder it creates, and adopts an index of an earlier version without the mark", async () => {
  const first = await openIndex();
  await first.indexAll();
  await first.close();
  expect(existsSync(workspace.path(`.repair-ls/index/${INDEX_MARKER}`))).toBe(true);
  await rm(workspace.path(`.repair-ls/index/${INDEX_MARKER}`));
  const second = await openIndex();
  expect((await second.stats()).rebuiltReason).toBeUndefined();
  expect((await second.stats()).files).toBe(4);
  expect(existsSync(workspace.path(`.repair-ls/index/${INDEX_MARKER}`))).toBe(true);
});

test("a folder the server did not create is never cleared, even when it looks like an outdated index", async () => {
  await workspace.write("notes/meta.json", "{ not an index");
  await workspace.write("notes/todo.txt", "the user's notes\n");
  const warnings: string[] = [];
  const index = await openIndex({ "index.path": "notes" }, warnings);
  expect(await readFile(workspace.path("notes/todo.txt"), "utf8")).toBe("the user's notes\n");
  expect(await readFile(workspace.path("notes/meta.json"), "utf8")).toBe("{ not an index");
  expect(existsSync(workspace.path(`notes/${INDEX_MARKER}`))).toBe(false);
  expect(warnings.join("\n")).toMatch(/refusing to use .*notes as the index folder/);
  // Rebuilding (repair.reindex) deletes nothing there either.
  await index.rebuild();
  expect((await readdir(workspace.path("notes"))).sort()).toEqual(["meta.json", "todo.txt"]);
});
