import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BuiltinEmbedder } from "../../index/embedders/builtin.js";
import { WorkspaceIndex } from "../../index/workspace-index.js";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import type { Logger, ProgressSink } from "../../server/core/types.js";
import { CountingEmbedder } from "../support/counting-embedder.js";
import {
  CART_JS,
  FIXTURE_MAX_FILE_BYTES,
  INVENTORY_PY,
  REPORT_PY,
  TYPES_TS,
  fixtureFiles,
  lineOf,
} from "../support/index-fixture.js";
import { makeTempWorkspace, type TempWorkspace } from "../support/index-workspace.js";
import { waitFor } from "../support/temp.js";
import { EMBED_MODEL, startOllamaTestServer } from "../support/ollama-test-server.js";

function config(overrides: Partial<Config> = {}): Config {
  return { ...defaultConfig(), "index.maxFileBytes": FIXTURE_MAX_FILE_BYTES, "index.debounceMs": 30, ...overrides };
}

interface Logs {
  readonly lines: string[];
  readonly warnings: string[];
  readonly logger: Logger;
  readonly progress: ProgressSink;
}

function logs(): Logs {
  const lines: string[] = [];
  const warnings: string[] = [];
  const log =
    (level: string) =>
    (m: string): void =>
      void lines.push(`${level} ${m}`);
  return {
    lines,
    warnings,
    logger: { error: log("error"), warn: log("warn"), info: log("info"), debug: log("debug") },
    progress: { report: () => {}, warn: (m) => void warnings.push(m) },
  };
}

let workspace: TempWorkspace;
const open: WorkspaceIndex[] = [];

async function openIndex(
  embedder = new CountingEmbedder(new BuiltinEmbedder()),
  overrides: Partial<Config> = {},
  log = logs(),
) {
  const index = await WorkspaceIndex.open({
    root: workspace.root,
    config: config(overrides),
    embedder,
    logger: log.logger,
    progress: log.progress,
  });
  open.push(index);
  return { index, embedder, log };
}

beforeEach(async () => {
  workspace = await makeTempWorkspace(fixtureFiles());
});

afterEach(async () => {
  for (const index of open.splice(0)) await index.close();
  await workspace.remove();
});

/** The normalised lines of a fixture file, in the order the index stores them. */
async function storedNorms(index: WorkspaceIndex, rel: string): Promise<string[]> {
  return (await index.linesOf(workspace.path(rel))).map((l) => l.norm);
}

describe("indexing a workspace", () => {
  it("indexes the meaningful lines of source files and leaves out ignored, excluded, binary, huge and invalid files", async () => {
    const { index, embedder } = await openIndex();
    const progress: [number, number][] = [];
    const result = await index.indexAll((done, total) => progress.push([done, total]));

    // The huge file is left out by the walk already (its size), the binary and invalid ones once read.
    expect(result).toMatchObject({ files: 6, indexedFiles: 4, unchangedFiles: 0, cancelled: false, readOnly: false });
    expect(result.skipped).toEqual({ "too-large": 1, binary: 1, "invalid-utf8": 1 });
    expect(progress.at(0)).toEqual([0, 6]);
    expect(progress.at(-1)).toEqual([6, 6]);
    const stats = await index.stats();
    expect(stats).toMatchObject({ files: 4, writable: true, embedderId: "builtin-v1", dimension: 256 });
    expect(stats.rebuiltReason).toBeUndefined();
    expect(stats.lines).toBe(result.rows);

    const inventory = await index.linesOf(workspace.path("src/inventory.py"));
    expect(inventory.map((l) => l.norm)).toEqual([
      '"""Stock keeping."""',
      "from decimal import Decimal",
      "def restock(stock, item, quantity):",
      "if quantity <= 0:",
      'raise ValueError("quantity must be positive")',
      "stock[item] = stock.get(item, 0) + quantity",
      "return stock",
      "def remove_item(stock, item, quantity):",
      "current = stock.get(item, 0)",
      "if quantity > current:",
      'raise ValueError("not enough stock")',
      "stock[item] = current - quantity",
      "def total_value(stock, prices):",
      "return sum(prices[item] * count for item, count in stock.items())",
    ]);
    const restock = inventory.find((l) => l.norm.startsWith("stock[item] = stock.get"));
    expect(restock).toMatchObject({
      line: lineOf(INVENTORY_PY, "stock[item] = stock.get"),
      text: "    stock[item] = stock.get(item, 0) + quantity",
      language: "python",
      functionName: "restock",
      functionRange: {
        startLine: lineOf(INVENTORY_PY, "def restock"),
        endLine: lineOf(INVENTORY_PY, "return stock") + 1,
      },
    });
    expect(inventory[0]?.functionName).toBeUndefined();
    expect(await storedNorms(index, "web/types.ts")).toEqual([
      "export interface Item {",
      "name: string;",
      "price: number;",
      "export function priceOf(item: Item): number {",
      "return item.price;",
    ]);
    expect(
      (await index.linesOf(workspace.path("web/cart.js"))).find((l) => l.norm === "return cart;")?.functionName,
    ).toBe("addToCart");
    for (const rel of [
      "build/generated.py",
      "node_modules/dep/index.js",
      "src/blob.py",
      "src/huge.py",
      "src/latin.py",
    ]) {
      expect(await index.linesOf(workspace.path(rel))).toEqual([]);
    }
    // Every stored line was embedded exactly once.
    expect(embedder.texts.length).toBe(result.rows);

    expect(await readFile(workspace.path(".repair-ls/.gitignore"), "utf8")).toBe("*\n");
    expect(existsSync(workspace.path(".repair-ls/index.lock"))).toBe(true);
    await index.close();
    expect(existsSync(workspace.path(".repair-ls/index.lock"))).toBe(false);
  });

  it("re-embeds only the edited file, from the buffer text or from the disk", async () => {
    const { index, embedder } = await openIndex();
    await index.indexAll();
    embedder.reset();

    const edited = REPORT_PY.replace("json.dump(report, handle)", "json.dump(report, handle, indent=2)");
    expect(await index.updateFile(workspace.path("src/report.py"), edited)).toBe(true);
    expect(embedder.texts.sort()).toEqual((await storedNorms(index, "src/report.py")).sort());
    expect(await storedNorms(index, "src/report.py")).toContain("json.dump(report, handle, indent=2)");

    // The same text again changes nothing; a full pass keeps the buffer's version and embeds nothing.
    embedder.reset();
    expect(await index.updateFile(workspace.path("src/report.py"), edited)).toBe(false);
    const again = await index.indexAll();
    expect(again).toMatchObject({ indexedFiles: 0, unchangedFiles: 4 });
    expect(embedder.calls).toEqual([]);

    // Without text the disk wins again (didSave / didClose).
    await index.updateFile(workspace.path("src/report.py"));
    expect(await storedNorms(index, "src/report.py")).toContain("json.dump(report, handle)");
    embedder.reset();
    await workspace.write("web/types.ts", TYPES_TS.replace("return item.price;", "return item.price * 2;"));
    expect(await index.updateFile(workspace.path("web/types.ts"))).toBe(true);
    expect(embedder.texts).toContain("return item.price * 2;");
    expect(embedder.texts).not.toContain("def render(report):");
  });

  it("debounces scheduled updates into one re-index of the last text", async () => {
    const { index, embedder } = await openIndex();
    await index.indexAll();
    embedder.reset();
    // A fake clock for the debounce timer alone: the re-index it starts runs on real time.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      index.scheduleUpdate(workspace.path("web/cart.js"), CART_JS + "export const first = 1;\n");
      index.scheduleUpdate(workspace.path("web/cart.js"), CART_JS + "export const second = 2;\n");
      expect((await index.stats()).pendingUpdates).toBe(1);
      vi.advanceTimersByTime(29);
      expect((await index.stats()).pendingUpdates).toBe(1);
      vi.advanceTimersByTime(1);
      expect((await index.stats()).pendingUpdates).toBe(0);
    } finally {
      vi.useRealTimers();
    }
    await index.flush();
    expect(embedder.calls).toHaveLength(1);
    const norms = await storedNorms(index, "web/cart.js");
    expect(norms).toContain("export const second = 2;");
    expect(norms).not.toContain("export const first = 1;");
  });

  it("reuses the persisted index after a restart and re-embeds only what changed meanwhile", async () => {
    const first = await openIndex();
    await first.index.indexAll();
    await first.index.close();

    const second = await openIndex();
    const unchanged = await second.index.indexAll();
    expect(unchanged).toMatchObject({ indexedFiles: 0, unchangedFiles: 4, removedFiles: 0, rows: 0 });
    expect(second.embedder.calls).toEqual([]);
    await second.index.close();

    await workspace.write("src/report.py", REPORT_PY + "\n\ndef size(report):\n    return len(report)\n");
    await rm(workspace.path("web/types.ts"));
    await workspace.write("src/extra.py", "def extra():\n    return 42\n");
    const third = await openIndex();
    const changed = await third.index.indexAll();
    expect(changed).toMatchObject({ indexedFiles: 2, unchangedFiles: 2, removedFiles: 1 });
    expect(new Set(third.embedder.texts)).toEqual(
      new Set([...(await storedNorms(third.index, "src/report.py")), "def extra():", "return 42"]),
    );
    expect(await third.index.linesOf(workspace.path("web/types.ts"))).toEqual([]);
    expect((await third.index.stats()).files).toBe(4);
  });

  it("removes files and folders, and follows renames without re-embedding", async () => {
    const { index, embedder } = await openIndex();
    await index.indexAll();
    embedder.reset();

    await workspace.write("lib/cart.js", CART_JS);
    await rm(workspace.path("web/cart.js"));
    await index.renameFile(workspace.path("web/cart.js"), workspace.path("lib/cart.js"));
    expect(embedder.calls).toEqual([]);
    expect(await index.linesOf(workspace.path("web/cart.js"))).toEqual([]);
    expect(await storedNorms(index, "lib/cart.js")).toContain("cart[item] = current - quantity;");

    await index.removeFile(workspace.path("src"));
    expect(await index.linesOf(workspace.path("src/inventory.py"))).toEqual([]);
    expect(await index.linesOf(workspace.path("src/report.py"))).toEqual([]);
    expect((await index.stats()).files).toBe(2);
  });

  it("can be cancelled, keeping what was committed, and a later pass completes", async () => {
    const { index } = await openIndex();
    const controller = new AbortController();
    controller.abort();
    const cancelled = await index.indexAll(undefined, controller.signal);
    expect(cancelled.cancelled).toBe(true);
    const completed = await index.indexAll();
    expect(completed).toMatchObject({ cancelled: false, indexedFiles: 4 });
  });

  it("rebuild() drops everything and embeds every file again", async () => {
    const { index, embedder } = await openIndex();
    const first = await index.indexAll();
    embedder.reset();
    const rebuilt = await index.rebuild();
    expect(rebuilt).toMatchObject({ indexedFiles: 4, rows: first.rows });
    expect(embedder.texts.length).toBe(first.rows);
    expect((await index.stats()).rebuiltReason).toBe("rebuild requested");
  });

  it("skips files that cannot be read, with the rest of the index intact", async () => {
    const { index } = await openIndex();
    await index.indexAll();
    await workspace.write("odd.py/inside.txt", "a folder whose name looks like a Python file\n");
    expect(await index.updateFile(workspace.path("odd.py"))).toBe(false);
    expect(await index.updateFile(workspace.path("missing.py"))).toBe(false);
    expect(await index.updateFile("/outside/the/workspace.py", "x = 1\n")).toBe(false);
    expect(await index.updateFile(workspace.path("src/binary.py"), "a\u0000b\n")).toBe(false);
    expect((await index.stats()).files).toBe(4);
  });

  it("keeps the event loop responsive while indexing", async () => {
    const body = Array.from(
      { length: 300 },
      (_, i) => `def f${i}(value_${i}, other):\n    return value_${i} * ${i} + other\n`,
    ).join("\n");
    for (let f = 0; f < 60; f++) await workspace.write(`many/module_${f}.py`, body.replaceAll("value_", `v${f}_`));
    const { index } = await openIndex(undefined, { "index.maxFileBytes": 1_000_000 });
    let last = performance.now();
    let worstGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 5);
    try {
      const result = await index.indexAll();
      expect(result.rows).toBeGreaterThan(30_000);
    } finally {
      clearInterval(timer);
    }
    // Each slice of work is a few milliseconds; the bound is generous for a busy shared machine.
    expect(worstGap).toBeLessThan(250);
  });
});

describe("retrieval", () => {
  it("builds the file, full-text and vector indexes, and still finds rows written after them", async () => {
    const body = Array.from(
      { length: 200 },
      (_, i) => `def handler_${i}(request_${i}):\n    return respond(request_${i}, code=${i})\n`,
    ).join("\n");
    for (let f = 0; f < 20; f++) await workspace.write(`handlers/h${f}.py`, body.replaceAll("request_", `req${f}_`));
    const index = await WorkspaceIndex.open({
      root: workspace.root,
      config: config({ "index.maxFileBytes": 1_000_000 }),
      embedder: new BuiltinEmbedder(),
      annMinRows: 1_000,
    });
    open.push(index);
    const result = await index.indexAll();
    expect(result.rows).toBeGreaterThan(8_000);
    expect((await index.stats()).indexes).toEqual(["file_idx", "norm_idx", "vector_idx"]);

    const found = await index.similarLines("cart[item] = current - quantity", { topK: 3, threshold: 0.3 });
    expect(found[0]?.text).toBe("  cart[item] = current - quantity;");
    // A line written after the vector index was built is found too (LanceDB scans rows the index lacks).
    await index.updateFile(
      workspace.path("web/cart.js"),
      CART_JS + "export const restockThreshold = lowWaterMark * safetyFactor;\n",
    );
    const fresh = await index.similarLines("const restockThreshold = lowWaterMark * safetyFactor", {
      topK: 1,
      threshold: 0.3,
    });
    expect(fresh[0]?.text).toBe("export const restockThreshold = lowWaterMark * safetyFactor;");
  });

  it("returns same-file lines outside the enclosing function first, then workspace lines, never the hunk itself", async () => {
    const { index } = await openIndex();
    await index.indexAll();
    const file = workspace.path("src/inventory.py");
    const line = lineOf(INVENTORY_PY, "stock[item] = current - quantity");
    const results = await index.retrieveForHunk({ file, startLine: line, endLine: line + 1 }, INVENTORY_PY, {
      topK: 6,
      threshold: 0.3,
    });

    expect(results[0]).toMatchObject({
      file,
      scope: "same-file",
      text: "    stock[item] = stock.get(item, 0) + quantity",
    });
    const firstWorkspace = results.findIndex((r) => r.scope === "workspace");
    expect(firstWorkspace).toBeGreaterThan(0);
    expect(results.slice(firstWorkspace).every((r) => r.scope === "workspace")).toBe(true);
    expect(results.slice(firstWorkspace).map((r) => r.text)).toContain("  cart[item] = current - quantity;");
    expect(results.find((r) => r.scope === "workspace")?.file).toBe(workspace.path("web/cart.js"));
    // Nothing from inside remove_item (the enclosing function), nothing identical to the hunk.
    const fnStart = lineOf(INVENTORY_PY, "def remove_item");
    const fnEnd = fnStart + 6;
    expect(results.filter((r) => r.file === file && r.line >= fnStart && r.line < fnEnd)).toEqual([]);
    expect(results.some((r) => r.text.trim() === "stock[item] = current - quantity")).toBe(false);
    for (const scope of ["same-file", "workspace"] as const) {
      const scores = results.filter((r) => r.scope === scope).map((r) => r.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
    expect(results.every((r) => r.score >= 0.3 * 0.8 && r.score <= 1)).toBe(true);
    expect(results.length).toBeLessThanOrEqual(6);
  });

  it("retrieves nothing for an empty hunk and honours the threshold and k", async () => {
    const { index } = await openIndex();
    await index.indexAll();
    const file = workspace.path("src/inventory.py");
    const line = lineOf(INVENTORY_PY, "stock[item] = current - quantity");
    expect(await index.retrieveForHunk({ file, startLine: line, endLine: line }, INVENTORY_PY)).toEqual([]);
    const one = await index.retrieveForHunk({ file, startLine: line, endLine: line + 1 }, INVENTORY_PY, {
      topK: 1,
      threshold: 0.3,
    });
    expect(one).toHaveLength(1);
    const strict = await index.retrieveForHunk({ file, startLine: line, endLine: line + 1 }, INVENTORY_PY, {
      topK: 10,
      threshold: 0.99,
    });
    expect(strict).toEqual([]);
  });

  it("uses the current text of the hunk's file when the index holds an older version", async () => {
    const { index } = await openIndex();
    await index.indexAll();
    const file = workspace.path("src/inventory.py");
    const current =
      INVENTORY_PY + "\n\ndef audit(stock, item, quantity):\n    stock[item] = current_level - quantity\n";
    const line = lineOf(current, "stock[item] = current - quantity");
    const results = await index.retrieveForHunk({ file, startLine: line, endLine: line + 1 }, current, {
      topK: 3,
      threshold: 0.3,
    });
    expect(results[0]).toMatchObject({
      scope: "same-file",
      text: "    stock[item] = current_level - quantity",
      line: lineOf(current, "current_level"),
    });
  });

  it("finds similar lines for a free query, filtered by language and excluded file", async () => {
    const { index } = await openIndex();
    await index.indexAll();
    const all = await index.similarLines("cart[item] = current - quantity", { topK: 5, threshold: 0.3 });
    expect(all.every((r) => r.scope === "workspace")).toBe(true);
    expect(all.map((r) => r.text)).toContain("    stock[item] = current - quantity");
    // A line identical to the query is not a donor.
    expect(all.some((r) => r.text.trim() === "cart[item] = current - quantity")).toBe(false);
    const python = await index.similarLines("cart[item] = current - quantity", {
      topK: 5,
      threshold: 0.3,
      language: "python",
    });
    expect(python.length).toBeGreaterThan(0);
    expect(python.every((r) => r.file.endsWith(".py"))).toBe(true);
    const elsewhere = await index.similarLines("stock[item] = current - quantity", {
      topK: 5,
      threshold: 0.3,
      excludeFile: workspace.path("src/inventory.py"),
    });
    expect(elsewhere.length).toBeGreaterThan(0);
    expect(elsewhere.every((r) => r.file !== workspace.path("src/inventory.py"))).toBe(true);
    expect(await index.similarLines("   });  ")).toEqual([]);
  });
});

describe("index folder lifecycle", () => {
  it("rebuilds when the embedder changes", async () => {
    const first = await openIndex();
    await first.index.indexAll();
    await first.index.close();
    const other = new CountingEmbedder(new BuiltinEmbedder(), "builtin-experimental");
    const second = await openIndex(other);
    expect((await second.index.stats()).rebuiltReason).toBe("embedder builtin-v1 -> builtin-experimental");
    expect((await second.index.stats()).files).toBe(0);
    const result = await second.index.indexAll();
    expect(result.indexedFiles).toBe(4);
    expect(other.texts.length).toBe(result.rows);
  });

  it("rebuilds a corrupt index folder (garbage in the table files) instead of failing", async () => {
    const first = await openIndex();
    await first.index.indexAll();
    await first.index.close();
    const dataDir = workspace.path(".repair-ls/index/lines.lance/data");
    const dataFiles = await readdir(dataDir);
    expect(dataFiles.length).toBeGreaterThan(0);
    for (const name of dataFiles) {
      const size = (await stat(join(dataDir, name))).size;
      await writeFile(join(dataDir, name), Buffer.alloc(size, 0x5a));
    }
    const log = logs();
    const second = await openIndex(undefined, {}, log);
    expect((await second.index.stats()).rebuiltReason).toMatch(/^table unreadable/);
    expect(log.warnings).toHaveLength(1);
    const result = await second.index.indexAll();
    expect(result.indexedFiles).toBe(4);
    expect(result.error).toBeUndefined();
    const line = lineOf(INVENTORY_PY, "stock[item] = current - quantity");
    const results = await second.index.retrieveForHunk(
      { file: workspace.path("src/inventory.py"), startLine: line, endLine: line + 1 },
      INVENTORY_PY,
      { threshold: 0.3 },
    );
    expect(results.length).toBeGreaterThan(0);
  });

  it("rebuilds in the background when the table is damaged while the index is open", async () => {
    const log = logs();
    const { index } = await openIndex(undefined, {}, log);
    await index.indexAll();
    const dataDir = workspace.path(".repair-ls/index/lines.lance/data");
    for (const name of await readdir(dataDir)) await writeFile(join(dataDir, name), "garbage");
    const line = lineOf(INVENTORY_PY, "stock[item] = current - quantity");
    const hunk = { file: workspace.path("src/inventory.py"), startLine: line, endLine: line + 1 };
    expect(await index.retrieveForHunk(hunk, INVENTORY_PY, { threshold: 0.3 })).toEqual([]);
    await waitFor(async () => (await index.stats()).rebuiltReason?.startsWith("table unreadable"), {
      timeoutMs: 5000,
      intervalMs: 50,
    });
    expect((await index.stats()).rebuiltReason).toMatch(/^table unreadable/);
    await index.indexAll(); // joins the rebuild's indexing pass if it is still running
    expect((await index.retrieveForHunk(hunk, INVENTORY_PY, { threshold: 0.3 })).length).toBeGreaterThan(0);
    expect(log.warnings).toHaveLength(1);
  });

  it("rebuilds when meta.json is garbage or the folder was deleted", async () => {
    const first = await openIndex();
    await first.index.indexAll();
    await first.index.close();
    await writeFile(workspace.path(".repair-ls/index/meta.json"), "{ not json");
    const second = await openIndex();
    expect((await second.index.stats()).rebuiltReason).toBe("no readable meta.json");
    expect((await second.index.indexAll()).indexedFiles).toBe(4);
    await second.index.close();
    await rm(workspace.path(".repair-ls"), { recursive: true });
    const third = await openIndex();
    expect((await third.index.stats()).rebuiltReason).toBeUndefined();
    expect((await third.index.indexAll()).indexedFiles).toBe(4);
    expect(await readFile(workspace.path(".repair-ls/.gitignore"), "utf8")).toBe("*\n");
  });

  it("honours a custom index.path without hiding the user's files in its parent folder", async () => {
    await workspace.write("cache/notes.py", "note = 'user file'\n");
    const { index } = await openIndex(undefined, { "index.path": "cache/repair-index", "index.exclude": [] });
    const result = await index.indexAll();
    expect(existsSync(workspace.path("cache/repair-index/meta.json"))).toBe(true);
    expect(await readFile(workspace.path("cache/repair-index/.gitignore"), "utf8")).toBe("*\n");
    expect(existsSync(workspace.path("cache/.gitignore"))).toBe(false);
    // The user's file beside the index is indexed; the index folder itself is not walked.
    expect(await storedNorms(index, "cache/notes.py")).toEqual(["note = 'user file'"]);
    expect(result.skipped).not.toHaveProperty("unreadable");
    // 4 sources + cache/notes.py: with no excludes configured, node_modules is still never walked (skip policy).
    expect((await index.stats()).files).toBe(5);
  });

  it("allows one writer: a second instance reads the index and writes nothing", async () => {
    const writer = await openIndex();
    await writer.index.indexAll();
    const reader = await openIndex();
    expect(reader.index.writable).toBe(false);
    expect((await reader.index.stats()).writer).toMatchObject({ pid: process.pid });
    expect(await reader.index.indexAll()).toMatchObject({ readOnly: true, indexedFiles: 0 });
    expect(await reader.index.updateFile(workspace.path("src/report.py"), "x = 1\n")).toBe(false);
    await reader.index.removeFile(workspace.path("src/report.py"));
    expect(reader.embedder.calls.filter((c) => c.length > 1)).toEqual([]);
    expect((await writer.index.stats()).files).toBe(4);
    // The reader serves retrieval from the writer's index, with the same results.
    const line = lineOf(INVENTORY_PY, "stock[item] = current - quantity");
    const hunk = { file: workspace.path("src/inventory.py"), startLine: line, endLine: line + 1 };
    const options = { topK: 8, threshold: 0.3 };
    const fromReader = await reader.index.retrieveForHunk(hunk, INVENTORY_PY, options);
    expect(fromReader.some((r) => r.scope === "workspace")).toBe(true);
    expect(fromReader).toEqual(await writer.index.retrieveForHunk(hunk, INVENTORY_PY, options));
    await writer.index.close();
    const next = await openIndex();
    expect(next.index.writable).toBe(true);
  });

  it("takes over a stale lock left by a process that is gone", async () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    await workspace.write(
      ".repair-ls/index.lock",
      JSON.stringify({ pid: dead, hostname: hostname(), token: "stale", startedAt: new Date(0).toISOString() }),
    );
    const { index } = await openIndex();
    expect(index.writable).toBe(true);
    expect((await index.indexAll()).indexedFiles).toBe(4);
  });
});

describe("with the Ollama embedder", () => {
  it("indexes and retrieves through /api/embed, and keeps the Ollama-built index when Ollama is gone", async () => {
    const server = await startOllamaTestServer({ embedDimension: 96 });
    const ollamaConfig = config({
      "index.embedder": "ollama",
      "ollama.host": server.url,
      "index.embeddingModel": EMBED_MODEL.name,
    });
    try {
      const first = await WorkspaceIndex.open({ root: workspace.root, config: ollamaConfig });
      open.push(first);
      const result = await first.indexAll();
      // The identity names the model's weights (its digest), not only its name.
      expect(await first.stats()).toMatchObject({
        embedderId: `ollama:${EMBED_MODEL.name}@${EMBED_MODEL.digest}`,
        dimension: 96,
        files: 4,
      });
      const embedded = server.requests.filter((r) => r.path === "/api/embed").flatMap((r) => r.body.input as string[]);
      expect(embedded.length).toBe(result.rows + 1); // every line once, plus the dimension probe
      const found = await first.similarLines("stock[item] = current - quantity - reserved", {
        threshold: 0.3,
        topK: 3,
      });
      expect(found[0]?.text).toBe("    stock[item] = current - quantity");
      await first.close();
    } finally {
      await server.close();
    }

    // Ollama is down now: a warning naming the command, and the Ollama-built index is kept, never rebuilt over.
    const meta = readFileSync(join(workspace.root, ".repair-ls", "index", "meta.json"), "utf8");
    const log = logs();
    const second = await WorkspaceIndex.open({
      root: workspace.root,
      config: ollamaConfig,
      logger: log.logger,
      progress: log.progress,
    });
    open.push(second);
    const stats = await second.stats();
    expect(stats.embedderFallback).toContain("ollama serve");
    expect(stats.rebuiltReason).toBeUndefined();
    expect(log.warnings.some((w) => w.includes("is kept as it is"))).toBe(true);
    expect((await second.indexAll()).indexedFiles).toBe(0);
    expect(await second.similarLines("stock[item] = current - quantity", { threshold: 0.3 })).toEqual([]);
    expect(readFileSync(join(workspace.root, ".repair-ls", "index", "meta.json"), "utf8")).toBe(meta);
  });
});

describe("reconfigure", () => {
  it("applies retrieval and exclude settings at once and asks for a new instance when the embedder changes", async () => {
    const { index } = await openIndex();
    await index.indexAll();
    expect(index.reconfigure(config({ "index.exclude": ["web/"] }))).toBe("applied");
    const result = await index.indexAll();
    expect(result.removedFiles).toBe(2);
    expect(await index.linesOf(workspace.path("web/cart.js"))).toEqual([]);
    expect(index.reconfigure(config({ "index.exclude": ["web/"], "index.embedder": "ollama" }))).toBe(
      "reopen-required",
    );
  });
});
