/**
 * `npm run example`: repairs a throwaway copy of the example project (test/fixtures/example, a small Python library
 * with two failing tests) with the built-in engine and `fix-all --apply`, so that the whole path runs, write and
 * in-place confirmation included, without touching the repository. Exits with fix-all's own code: 0 when the tests
 * pass in the copy at the end.
 */
import { spawnSync } from "node:child_process";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeTempDir, removeTempDir } from "../support/temp.js";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const copy = makeTempDir("repair-ls-example-");
try {
  cpSync(join(repo, "test", "fixtures", "example"), copy, { recursive: true });
  process.stdout.write(`repairing a copy of test/fixtures/example in ${copy}\n`);
  const run = spawnSync(
    process.execPath,
    [join(repo, "dist", "server", "cli", "main.js"), "fix-all", copy, "--engine", "builtin", "--apply"],
    { stdio: "inherit" },
  );
  process.exitCode = run.status ?? 2;
} finally {
  removeTempDir(copy);
}
