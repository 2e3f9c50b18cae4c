import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The extension's folder (clients/vscode), found from the compiled script's location in dist/out/scripts. */
export function extensionRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "src", "extension.ts"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the extension's folder above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** The repository root: the extension lives in clients/vscode. */
export function repositoryRoot(): string {
  return resolve(extensionRoot(), "..", "..");
}
