import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder that holds package.json. Sources run both from the checkout (vitest) and from dist/ (the built
 * server), so assets such as queries are located from the package root rather than from this file.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "grammars"))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error("repair-ls: cannot find the package root above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
}
