import { readFile, realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { toWorkspaceRelative } from "../../index/paths.js";
import {
  defaultConfig,
  parseConfig,
  SETTING_KEYS,
  TRUST_REQUIRED,
  USER_ONLY_KEYS,
  type Config,
  type ConfigProblem,
  type SettingKey,
} from "../core/config-schema.js";
import { CONFIG_SECTION, type ConfigProblemParams } from "./protocol-names.js";

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
    return {
      raw: undefined,
      problems: [{ key: "(file)", kind: "unreadable", message: `cannot read: ${String(error)}`, source: path }],
    };
  }
  try {
    return { raw: JSON.parse(text) as unknown, problems: [] };
  } catch (error) {
    return {
      raw: undefined,
      problems: [
        { key: "(file)", kind: "unreadable", message: `invalid JSON: ${(error as Error).message}`, source: path },
      ],
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

/** A problem as the shared protocol sends it to clients (CONFIG_PROBLEM_NOTIFICATION): plain data. */
export function problemParams(problem: SourcedProblem): ConfigProblemParams {
  return { key: problem.key, kind: problem.kind, source: problem.source, message: problem.message };
}

export function describeProblem(problem: SourcedProblem): string {
  return `repair-ls: invalid setting "${problem.key}" in ${problem.source}: ${problem.message}`;
}

/** The folder inside each workspace folder that the server may write to without being told otherwise. */
export const SERVER_FOLDER = ".repair-ls";

/**
 * Where a path really leads: symbolic links resolved for the part that exists, the rest appended as written. A
 * path whose parent is a link to elsewhere therefore resolves to elsewhere, before anything is created there.
 */
export async function realLocation(path: string): Promise<string> {
  const missing: string[] = [];
  let existing = resolve(path);
  for (;;) {
    try {
      return join(await realpath(existing), ...missing);
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return resolve(path);
      missing.unshift(basename(existing));
      existing = parent;
    }
  }
}

function isStrictlyInside(path: string, ancestor: string): boolean {
  return toWorkspaceRelative(ancestor, path) !== undefined;
}

/**
 * Whether an index.path from a workspace's own settings file keeps the index strictly inside the folder's
 * .repair-ls/, both as written and once symbolic links are followed. The index folder is cleared and rewritten, so
 * a repository must not be able to point it at the user's other files (absolute paths, `../`, planted links).
 */
export async function isWorkspaceIndexPathAllowed(folderPath: string, indexPath: string): Promise<boolean> {
  if (isAbsolute(indexPath)) return false;
  const serverFolder = join(resolve(folderPath), SERVER_FOLDER);
  const lexical = join(resolve(folderPath), indexPath);
  if (!isStrictlyInside(lexical, serverFolder)) return false;
  const realServerFolder = join(await realLocation(folderPath), SERVER_FOLDER);
  return isStrictlyInside(await realLocation(lexical), realServerFolder);
}

export interface SettingsLayer {
  readonly raw: unknown;
  readonly source: string;
}

export interface FolderSettings {
  readonly config: Config;
  /** Invalid values from any layer, each with its source (the CLI refuses to run with any). */
  readonly problems: SourcedProblem[];
  /** Keys of the workspace file ignored because the folder is not trusted; trusting it would honour them. */
  readonly untrustedKeys: SettingKey[];
  /** Values of the workspace file that no trust allows, one message each (key, source and what is used instead). */
  readonly refusals: string[];
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * One folder's configuration: the user's layers (initializationOptions, then the editor's settings), then the
 * folder's .repair-ls.json on top, except where the workspace file oversteps. A repository's file may tune the
 * repair freely, but may not trust itself (user-only keys), move the index out of its .repair-ls/ folder, or,
 * until the user trusts the folder, set the keys of TRUST_REQUIRED: those fall back to the user's value.
 */
export async function resolveFolderSettings(input: {
  readonly folderPath: string;
  readonly userLayers: readonly SettingsLayer[];
  readonly workspaceFile: SettingsLayer;
  readonly isTrusted: (userConfig: Config) => Promise<boolean>;
}): Promise<FolderSettings> {
  const user = layerSettings(input.userLayers);
  const file = layerSettings([...input.userLayers, input.workspaceFile]);
  const config: Record<string, unknown> = { ...file.config };
  const source = input.workspaceFile.source;
  const refusals: string[] = [];
  const untrustedKeys: SettingKey[] = [];
  let trusted: boolean | undefined;
  for (const key of SETTING_KEYS) {
    const value = file.config[key];
    const userValue = user.config[key];
    if (sameValue(value, userValue)) continue;
    if (USER_ONLY_KEYS.includes(key)) {
      config[key] = userValue;
      refusals.push(`repair-ls: ignored "${key}" in ${source}: only your own settings can trust a folder.`);
    } else if (key === "index.path" && !(await isWorkspaceIndexPathAllowed(input.folderPath, value as string))) {
      config[key] = userValue;
      refusals.push(
        `repair-ls: ignored "index.path" in ${source}: ${JSON.stringify(value)} leads outside ${SERVER_FOLDER}/ of the folder; ` +
          `the index stays at ${JSON.stringify(userValue)} (set index.path in your editor settings to keep it elsewhere).`,
      );
    } else if ((TRUST_REQUIRED[key] as ((v: unknown) => boolean) | undefined)?.(value)) {
      trusted ??= await input.isTrusted(user.config);
      if (trusted) continue;
      config[key] = userValue;
      untrustedKeys.push(key);
    }
  }
  const indexPath = config["index.path"] as string;
  if (config["index.enabled"] === true && (await indexPathLeavesFolder(input.folderPath, indexPath))) {
    // The default path (or the user's relative one) reached through a link the repository planted: no index.
    config["index.enabled"] = false;
    refusals.push(
      `repair-ls: indexing is off in ${input.folderPath}: ${JSON.stringify(indexPath)} is a symbolic link leading outside the folder.`,
    );
  }
  return { config: config as Config, problems: file.problems, untrustedKeys, refusals };
}

/** Whether a relative index path that lies inside the folder as written leads outside it through a link. */
async function indexPathLeavesFolder(folderPath: string, indexPath: string): Promise<boolean> {
  if (isAbsolute(indexPath)) return false;
  const lexical = join(resolve(folderPath), indexPath);
  if (!isStrictlyInside(lexical, resolve(folderPath))) return false;
  return !isStrictlyInside(await realLocation(lexical), await realLocation(folderPath));
}
