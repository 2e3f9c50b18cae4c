/**
 * `npm run bench`: runs every benchmark in turn, each in its own process so that one's memory does not skew the
 * next one's peak RSS. Benchmarks print numbers; none asserts a target (targets are judged by people, not CI).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const BENCHES = ["index.bench.js", "generate.bench.js", "lsp.bench.js", "repair.bench.js"];

let failed = 0;
for (const name of BENCHES) {
  const path = fileURLToPath(new URL(`./${name}`, import.meta.url));
  if (!existsSync(path)) {
    process.stderr.write(`bench: ${name} is missing (did the build run?)\n`);
    failed++;
    continue;
  }
  process.stdout.write(`\n=== ${name} ===\n`);
  const run = spawnSync(process.execPath, ["--expose-gc", path], { stdio: "inherit" });
  if (run.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
