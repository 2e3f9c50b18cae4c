// A small JavaScript project whose `npm test` is mocha or jest, runnable offline: the runner's package is linked
// from the repository's own node_modules (its pinned development dependency), with its bin, as npm would install it.
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./lsp-client.js";
import { writeFiles } from "./workspace-copy.js";

export type JsRunner = "mocha" | "jest";

/** Where each runner's executable lives inside its package. */
const BIN: Record<JsRunner, string> = { mocha: "bin/mocha.js", jest: "bin/jest.js" };

/** Writes `files` and a package.json whose test script is `script` (by default the bare runner), and links the runner. */
export function writeRunnerProject(
  dir: string,
  runner: JsRunner,
  files: Record<string, string>,
  script: string = runner,
): void {
  writeFiles(dir, {
    "package.json": JSON.stringify({
      name: `warm-${runner}`,
      private: true,
      scripts: { test: script },
      devDependencies: { [runner]: "*" },
    }),
    ...files,
  });
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  symlinkSync(join(REPO_ROOT, "node_modules", runner), join(dir, "node_modules", runner));
  symlinkSync(join("..", runner, BIN[runner]), join(dir, "node_modules", ".bin", runner));
}
