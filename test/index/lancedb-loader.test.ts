import { describe, expect, it, vi } from "vitest";

// Simulates a machine where LanceDB's native binary cannot load (wrong architecture, missing optional package).
vi.mock("@lancedb/lancedb", () => {
  throw new Error("lancedb.linux-x64-gnu.node: cannot open shared object file: No such file or directory");
});

describe("loading LanceDB", () => {
  it("turns a native binary load failure into one clear IndexUnavailableError", async () => {
    const { loadLanceDb, IndexUnavailableError } = await import("../../index/lancedb-loader.js");
    const failure = await loadLanceDb().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IndexUnavailableError);
    const text = (failure as Error).message;
    expect(text).toContain("LanceDB's native library could not be loaded");
    expect(text).toContain(`${process.platform}-${process.arch}`);
    expect(text).toContain("--omit=optional");
    expect(process.env.LANCEDB_LOG).toBeDefined();
  });

  it("makes WorkspaceIndex.open reject with that error instead of crashing later", async () => {
    const { WorkspaceIndex, IndexUnavailableError } = await import("../../index/workspace-index.js");
    const { BuiltinEmbedder } = await import("../../index/embedders/builtin.js");
    const { defaultConfig } = await import("../../server/core/config-schema.js");
    const { makeTempWorkspace } = await import("../support/index-workspace.js");
    const workspace = await makeTempWorkspace({ "a.py": "x = 1\n" });
    try {
      const failure = await WorkspaceIndex.open({
        root: workspace.root,
        config: defaultConfig(),
        embedder: new BuiltinEmbedder(),
      }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(IndexUnavailableError);
    } finally {
      await workspace.remove();
    }
  });
});
