import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type InitializeResult,
} from "vscode-languageserver-protocol/node.js";
import { bundleServer, type BundleSummary } from "../../clients/vscode/scripts/bundle-server.js";
import { REPO_ROOT } from "../support/lsp-client.js";
import { tempDir } from "../support/temp.js";

/**
 * The .vsix ships the server as a folder made by bundleServer. These tests build that folder outside the
 * repository (so that nothing can be resolved from the repository's node_modules by accident) and run the server
 * from it, as the extension would.
 */
describe("the server bundled into the VS Code extension", () => {
  let outDir: string;
  let summary: BundleSummary;

  beforeAll(() => {
    outDir = join(tempDir("repair-ls-bundle-"), "repair-ls");
    summary = bundleServer({ repoRoot: REPO_ROOT, outDir });
  });

  it("holds the production dependencies, with LanceDB's native binary, and no development tools", () => {
    const packages = summary.packages.map((p) => p.replace(/\\/g, "/"));
    for (const name of ["vscode-languageserver", "web-tree-sitter", "@lancedb/lancedb", "zod", "ollama"]) {
      expect(packages).toContain(`node_modules/${name}`);
    }
    expect(packages.some((p) => /^node_modules\/@lancedb\/lancedb-[a-z0-9-]+$/.test(p))).toBe(true);
    for (const dev of ["typescript", "vitest", "eslint", "prettier"])
      expect(packages).not.toContain(`node_modules/${dev}`);
  });

  it("keeps only the wasm, manifest and license of each grammar package", () => {
    const files = readdirSync(join(outDir, "node_modules", "tree-sitter-python")).sort();
    expect(files).toEqual(["LICENSE", "package.json", "tree-sitter-python.wasm"]);
  });

  it("marks its code as ES modules and carries the tree-sitter queries", () => {
    const manifest = JSON.parse(readFileSync(join(outDir, "package.json"), "utf8")) as {
      type: string;
      version: string;
    };
    const root = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    expect(manifest).toMatchObject({ type: "module", version: root.version });
    expect(existsSync(join(outDir, "grammars", "queries", "python.scm"))).toBe(true);
    expect(existsSync(join(outDir, "dist", "test"))).toBe(false);
    // Scripts that other runtimes run are read from the package root's source tree, so they ship there.
    expect(existsSync(join(outDir, "server", "pipeline", "runners", "warm", "pytest_fork_server.py"))).toBe(true);
    expect(readdirSync(join(outDir, "server", "pipeline", "localise")).some((f) => f.endsWith(".py"))).toBe(true);
  });

  it("loads LanceDB's native module from the bundle alone", () => {
    const result = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "const l = await import('@lancedb/lancedb'); process.stdout.write(typeof l.connect)",
      ],
      { cwd: outDir, encoding: "utf8", timeout: 30_000 },
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("function");
  });

  it("runs the server from the bundle: --version, then an initialize handshake over stdio", async () => {
    const main = join(outDir, "dist", "server", "cli", "main.js");
    const version = spawnSync(process.execPath, [main, "--version"], { encoding: "utf8", timeout: 30_000 });
    expect(version.stderr).toBe("");
    expect(version.stdout).toMatch(/^repair-ls \d+\.\d+\.\d+/);

    const child = spawn(process.execPath, [main, "--stdio"], { cwd: outDir, stdio: ["pipe", "pipe", "pipe"] });
    const stderr: string[] = [];
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const connection = createMessageConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    );
    connection.onRequest(() => null);
    connection.listen();
    try {
      const result = await connection.sendRequest<InitializeResult>("initialize", {
        processId: process.pid,
        rootUri: pathToFileURL(outDir).href,
        capabilities: {},
        workspaceFolders: null,
      });
      expect(result.serverInfo?.name).toBe("repair-ls");
      await connection.sendRequest("shutdown");
      await connection.sendNotification("exit");
      expect(await exited).toBe(0);
    } finally {
      connection.dispose();
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    expect(stderr.join("")).not.toMatch(/Cannot find (module|package)/);
  });
});
