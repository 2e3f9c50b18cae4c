import { basename, dirname, join } from "node:path";
import { packageRoot } from "../../../../grammars/paths.js";
import { listWorkspaceFiles } from "../../workspace-files.js";
import { readText } from "../plugins/probe.js";
import type { WarmMode } from "../plugins/plugin.js";
import { ForkServer } from "./fork-server.js";

/** Most Python files read for the imports worth preloading. */
const MAX_SCANNED_FILES = 500;

/** The fork server script, a .py file shipped in the source tree (as the pytest plugin is). */
function serverScript(): string {
  return join(packageRoot(), "server", "pipeline", "runners", "warm", "pytest_fork_server.py");
}

/**
 * Top-level modules the workspace's tests import that are not the workspace's own: worth importing once in the
 * server. A name that is also a module or package of the workspace is left out (it must come from the workspace,
 * fresh, in every child); the server checks again that each resolves outside the workspace.
 */
export async function thirdPartyImports(root: string): Promise<string[]> {
  const files = (await listWorkspaceFiles(root, 20_000)).filter((f) => f.endsWith(".py"));
  const local = new Set<string>();
  for (const file of files) {
    local.add(basename(file, ".py"));
    for (let dir = dirname(file); dir.length > root.length; dir = dirname(dir)) local.add(basename(dir));
  }
  const imported = new Set<string>();
  const tests = files.filter((f) => /^(test_.*|.*_test|conftest)\.py$/.test(basename(f))).slice(0, MAX_SCANNED_FILES);
  for (const file of tests) {
    const text = (await readText(file)) ?? "";
    for (const m of text.matchAll(/^\s*(?:import|from)\s+([A-Za-z_]\w*)/gm)) imported.add(m[1]!);
  }
  return [...imported].filter((name) => !local.has(name)).sort();
}

/** pytest kept loaded: a fork server per scratch copy (see pytest_fork_server.py). */
export const pytestWarmMode: WarmMode = {
  async start(context, run) {
    return ForkServer.start({
      script: serverScript(),
      interpreter: run.interpreter,
      forbiddenRoots: [context.userRoot, context.scratchRoot, context.scratchDir],
      preload: await thirdPartyImports(context.scratchRoot),
      cwd: context.scratchDir,
    });
  },
};
