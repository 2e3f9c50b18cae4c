import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../grammars/paths.js";

/** The version in package.json, read once; the single source of truth for --version and serverInfo. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version?: string };
  return pkg.version ?? "0.0.0";
}
