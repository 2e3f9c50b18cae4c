import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { defaultConfig, parseConfig, type Config, type ConfigProblem } from "../config/schema.js";
import { CONFIG_SECTION } from "./protocol-names.js";

/** The project's own settings file, read from the root of each workspace folder. */
export const PROJECT_SETTINGS_FILE = ".repair-ls.json";

export interface SourcedProblem extends ConfigProblem {
  /** Where the bad value came from, so the user knows which file or settings page to fix. */
  readonly source: string;
}

/** Settings objects may arrive wrapped in our section name or bare; both mean the same. */
function unwrapSection(raw: unknown): unknown {
  if (typeof raw === "object" && raw !== null && CONFIG_SECTION in raw) {
    return (raw as Record<string, unknown>)[CONFIG_SECTION];
  }
  return raw;
}

/** Reads a folder's .repair-ls.json: absent is fine, unreadable or invalid JSON is a problem to report. */
export async function readProjectSettings(folderPath: string): Promise<{ raw: unknown; problems: SourcedProblem[] }> {
  const path = join(folderPath, PROJECT_SETTINGS_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { raw: undefined, problems: [] };
    return { raw: undefined, problems: [{ key: "(file)", message: `cannot read: ${String(error)}`, source: path }] };
  }
  try {
    return { raw: JSON.parse(text) as unknown, problems: [] };
  } catch (error) {
    return {
      raw: undefined,
      problems: [{ key: "(file)", message: `invalid JSON: ${(error as Error).message}`, source: path }],
    };
  }
}

/**
 * Layers the configuration sources, lowest priority first: defaults, initializationOptions, the client's
 * workspace/configuration for the folder, then the folder's .repair-ls.json (the project's own file is the most
 * specific statement). Each layer falls back key by key to the layer below when a value is invalid.
 */
export function layerSettings(layers: ReadonlyArray<{ readonly raw: unknown; readonly source: string }>): {
  config: Config;
  problems: SourcedProblem[];
} {
  let config = defaultConfig();
  const problems: SourcedProblem[] = [];
  for (const layer of layers) {
    const result = parseConfig(unwrapSection(layer.raw), config);
    config = result.config;
    problems.push(...result.problems.map((p) => ({ ...p, source: layer.source })));
  }
  return { config, problems };
}

export function describeProblem(problem: SourcedProblem): string {
  return `repair-ls: invalid setting "${problem.key}" in ${problem.source}: ${problem.message}`;
}
