import { join } from "node:path";
import { BUNDLE_FOLDER } from "../src/server-location.js";
import { bundleServer } from "./bundle-server.js";
import { extensionRoot, repositoryRoot } from "./extension-paths.js";

/** Fills dist/repair-ls with the built server, where the extension looks for its bundled server first. */
try {
  const outDir = join(extensionRoot(), BUNDLE_FOLDER);
  const summary = bundleServer({ repoRoot: repositoryRoot(), outDir });
  const megabytes = (summary.bytes / 1024 / 1024).toFixed(1);
  process.stdout.write(
    `bundle-server: ${summary.packages.length} packages, ${summary.files} files, ${megabytes} MB in ${outDir}\n`,
  );
} catch (error) {
  process.stderr.write(`bundle-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
