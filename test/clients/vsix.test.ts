import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { REPO_ROOT } from "../support/lsp-client.js";

// The test script packages the extension (npm run package:vscode) before the tests run; this checks the result.
test("the VS Code extension is packaged as a .vsix holding the extension, its settings and the bundled server", () => {
  const dir = join(REPO_ROOT, "clients", "vscode");
  const version = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
  const vsix = readdirSync(dir).find((f) => f.startsWith(`repair-ls-${version}`) && f.endsWith(".vsix"));
  expect(vsix, "run npm run package:vscode first").toBeDefined();
  const listing = spawnSync(
    "python3",
    ["-c", "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", join(dir, vsix!)],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  expect(listing.status, listing.stderr).toBe(0);
  const entries = listing.stdout.split("\n");
  expect(entries).toContain("extension/package.json");
  expect(entries.some((e) => e === "extension/dist/repair-ls/dist/server/cli/main.js")).toBe(true);
  expect(entries.some((e) => /extension\/dist\/repair-ls\/node_modules\/@lancedb\/lancedb-linux-/.test(e))).toBe(true);
});
