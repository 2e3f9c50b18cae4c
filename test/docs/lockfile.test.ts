import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { REPO_ROOT } from "../support/lsp-client.js";

/**
 * `npm ci` refuses a lockfile that lacks any optional dependency of a locked package. LanceDB lists a native package
 * per platform, and the registry this project installs from lacks some of them, so `npm install` leaves them out of
 * the lock; they are kept there by hand, marked for their platforms so that npm skips them here. This test catches
 * a regenerated lockfile that dropped them (which would break `npm ci` on a clean machine).
 */
test("the lockfile lists every optional native package of LanceDB", () => {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { optionalDependencies?: Record<string, string> }>;
  };
  const lancedb = lock.packages["node_modules/@lancedb/lancedb"];
  const optional = Object.keys(lancedb?.optionalDependencies ?? {}).filter((name) => name.startsWith("@lancedb/"));
  expect(optional.length).toBeGreaterThan(3);
  for (const name of optional) expect(lock.packages[`node_modules/${name}`], name).toBeDefined();
});
