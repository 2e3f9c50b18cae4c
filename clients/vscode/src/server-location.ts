import { delimiter, isAbsolute, join, resolve } from "node:path";

/**
 * Where the server comes from, in the order the extension looks:
 * 1. the repairLs.server.path setting (a file, or a command name looked up on PATH) — when it is set, nothing else
 *    is tried, so a typo is reported instead of silently running some other server;
 * 2. the server bundled in the .vsix (dist/repair-ls inside the extension);
 * 3. the repository's own build, when the extension runs from a checkout (clients/vscode, with ../../dist built);
 * 4. `repair-ls` on PATH (installed with npm install -g).
 */
export type ServerSource = "setting" | "bundled" | "repository" | "path";

export type ServerLaunch =
  /** A JavaScript entry point, run by Node.js (`runtime`, else VS Code's own runtime). */
  | { readonly kind: "node-module"; readonly module: string; readonly runtime?: string; readonly source: ServerSource }
  /** An executable (a native wrapper, or npm's `repair-ls` shim). */
  | { readonly kind: "executable"; readonly command: string; readonly source: ServerSource };

export type LocateResult =
  | { readonly found: true; readonly launch: ServerLaunch; readonly tried: readonly string[] }
  | { readonly found: false; readonly tried: readonly string[] };

export interface LocateInput {
  /** repairLs.server.path, possibly empty. */
  readonly configuredPath: string;
  /** repairLs.server.nodePath, possibly empty. */
  readonly nodePath: string;
  readonly extensionPath: string;
  readonly homeDir: string;
  readonly platform: NodeJS.Platform;
  /** The PATH environment variable. */
  readonly envPath: string | undefined;
  /** Whether a regular file exists at this absolute path (injected so that the rules are unit-tested). */
  readonly isFile: (path: string) => boolean;
}

/** The server's entry point relative to a folder holding the built project (the repository, or the bundle). */
export const SERVER_ENTRY = join("dist", "server", "cli", "main.js");

/** The folder inside the extension that the packaging script fills with the bundled server. */
export const BUNDLE_FOLDER = join("dist", "repair-ls");

export const EXECUTABLE_NAME = "repair-ls";

function isJavaScript(path: string): boolean {
  return /\.(c|m)?js$/i.test(path);
}

function expandHome(path: string, homeDir: string): string {
  if (path === "~") return homeDir;
  if (path.startsWith("~/") || path.startsWith("~\\")) return join(homeDir, path.slice(2));
  return path;
}

/** Finds a command on PATH the way a shell would, including Windows' executable suffixes. */
export function findOnPath(
  name: string,
  envPath: string | undefined,
  platform: NodeJS.Platform,
  isFile: (path: string) => boolean,
): { found: string | undefined; tried: string[] } {
  const suffixes = platform === "win32" ? [".cmd", ".exe", ".bat", ""] : [""];
  const sep = platform === "win32" ? ";" : delimiter;
  const tried: string[] = [];
  for (const dir of (envPath ?? "").split(sep)) {
    if (!dir) continue;
    for (const suffix of suffixes) {
      const candidate = join(dir, name + suffix);
      tried.push(candidate);
      if (isFile(candidate)) return { found: candidate, tried };
    }
  }
  return { found: undefined, tried };
}

function launchFile(file: string, source: ServerSource, nodePath: string): ServerLaunch {
  if (!isJavaScript(file)) return { kind: "executable", command: file, source };
  return nodePath
    ? { kind: "node-module", module: file, runtime: nodePath, source }
    : { kind: "node-module", module: file, source };
}

export function locateServer(input: LocateInput): LocateResult {
  const nodePath = expandHome(input.nodePath.trim(), input.homeDir);
  const configured = expandHome(input.configuredPath.trim(), input.homeDir);
  if (configured) {
    const looksLikePath = isAbsolute(configured) || /[\\/]/.test(configured);
    if (looksLikePath) {
      const file = resolve(configured);
      return input.isFile(file)
        ? { found: true, launch: launchFile(file, "setting", nodePath), tried: [file] }
        : { found: false, tried: [file] };
    }
    const onPath = findOnPath(configured, input.envPath, input.platform, input.isFile);
    return onPath.found
      ? { found: true, launch: launchFile(onPath.found, "setting", nodePath), tried: [`${configured} on PATH`] }
      : { found: false, tried: [`${configured} on PATH`] };
  }

  const tried: string[] = [];
  const bundled = join(input.extensionPath, BUNDLE_FOLDER, SERVER_ENTRY);
  tried.push(bundled);
  if (input.isFile(bundled)) return { found: true, launch: launchFile(bundled, "bundled", nodePath), tried };

  // Only a checkout has the repository's package.json two levels up; an installed extension skips this step.
  const repositoryRoot = resolve(input.extensionPath, "..", "..");
  if (input.isFile(join(repositoryRoot, "package.json"))) {
    const repository = join(repositoryRoot, SERVER_ENTRY);
    tried.push(repository);
    if (input.isFile(repository)) return { found: true, launch: launchFile(repository, "repository", nodePath), tried };
  }

  const onPath = findOnPath(EXECUTABLE_NAME, input.envPath, input.platform, input.isFile);
  tried.push(`${EXECUTABLE_NAME} on PATH`);
  if (onPath.found) return { found: true, launch: launchFile(onPath.found, "path", nodePath), tried };
  return { found: false, tried };
}

/** One line naming what runs, for messages and the output channel. */
export function describeLaunch(launch: ServerLaunch): string {
  if (launch.kind === "executable") return launch.command;
  return launch.runtime ? `${launch.runtime} ${launch.module}` : launch.module;
}
