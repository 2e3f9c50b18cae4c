// A small JavaScript project whose `npm test` is mocha, jest or vitest, runnable offline: the runner's package is
// linked from the repository's own node_modules (its pinned development dependency), with its bin, as npm would
// install it.
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./lsp-client.js";
import { writeFiles } from "./workspace-copy.js";

export type JsRunner = "mocha" | "jest" | "vitest";

/** Where each runner's executable lives inside its package. */
const BIN: Record<JsRunner, string> = { mocha: "bin/mocha.js", jest: "bin/jest.js", vitest: "vitest.mjs" };

/** Writes `files` and a package.json whose test script is `script`, and links the runner. */
export function writeRunnerProject(dir: string, runner: JsRunner, script: string, files: Record<string, string>): void {
  writeFiles(dir, {
    "package.json": JSON.stringify({
      name: `warm-${runner}`,
      private: true,
      scripts: { test: script },
      devDependencies: { [runner]: "*" },
    }),
    ...files,
  });
  linkRunner(dir, runner);
}

/** Links the runner's package and its bin into the project's node_modules. */
export function linkRunner(dir: string, runner: JsRunner): void {
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  symlinkSync(join(REPO_ROOT, "node_modules", runner), join(dir, "node_modules", runner));
  symlinkSync(join("..", runner, BIN[runner]), join(dir, "node_modules", ".bin", runner));
}

/** A node:test import line of a test file, as the fixture corpus writes them. */
const NODE_TEST_IMPORT = /^import (test|\{ test \}) from "node:test";$/m;

/**
 * Turns a project whose `npm test` is `node --test` over `test/` (tests written as `test(name, fn)` with
 * node:assert) into the same project run by mocha: `test` becomes mocha's `it`, the script `mocha`. Returns
 * whether the project could be turned (its test files all import node:test that way).
 */
export function swapNodeTestForMocha(dir: string): boolean {
  const manifestPath = join(dir, "package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { scripts?: Record<string, string> };
  if (manifest.scripts?.test !== "node --test test/") return false;
  const tests = readdirSync(join(dir, "test")).filter((f) => f.endsWith(".js"));
  const texts = tests.map((f) => readFileSync(join(dir, "test", f), "utf8"));
  if (tests.length === 0 || !texts.every((t) => NODE_TEST_IMPORT.test(t))) return false;
  tests.forEach((f, i) =>
    writeFileSync(join(dir, "test", f), texts[i]!.replace(NODE_TEST_IMPORT, "const test = globalThis.it;")),
  );
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, scripts: { ...manifest.scripts, test: "mocha" } }));
  linkRunner(dir, "mocha");
  return true;
}
