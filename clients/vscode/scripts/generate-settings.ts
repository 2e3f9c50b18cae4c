import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { extensionRoot, repositoryRoot } from "./extension-paths.js";
import { configurationContribution, type SchemaSetting } from "./settings-contribution.js";

/**
 * Writes contributes.configuration of the extension's package.json from the server's configuration schema. The
 * schema is TypeScript; this reads the repository's compiled copy (dist/server/core/config-schema.js), so the repository
 * must be built first.
 */
async function main(): Promise<number> {
  const schemaFile = join(repositoryRoot(), "dist", "server", "core", "config-schema.js");
  if (!existsSync(schemaFile)) {
    process.stderr.write(`generate-settings: ${schemaFile} is missing; run "npm run build" in the repository first.\n`);
    return 1;
  }
  const { SETTINGS } = (await import(pathToFileURL(schemaFile).href)) as {
    SETTINGS: Readonly<Record<string, SchemaSetting>>;
  };
  const packageFile = join(extensionRoot(), "package.json");
  const before = readFileSync(packageFile, "utf8");
  const manifest = JSON.parse(before) as { contributes?: Record<string, unknown> };
  manifest.contributes = { ...manifest.contributes, configuration: configurationContribution(SETTINGS) };
  const after = `${JSON.stringify(manifest, null, 2)}\n`;
  if (after === before) {
    process.stdout.write("generate-settings: package.json is up to date\n");
  } else {
    writeFileSync(packageFile, after);
    process.stdout.write("generate-settings: updated contributes.configuration in package.json\n");
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `generate-settings: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
