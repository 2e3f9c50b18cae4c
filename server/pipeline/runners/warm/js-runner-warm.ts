import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { InProcessRun, WarmMode } from "../plugins/plugin.js";
import { workerThreadServerMode } from "./worker-thread-server.js";

/**
 * A word of a test script passed on as it is: no quoting, expansion, globbing (the shell's globs differ from the
 * runner's) or redirection.
 */
const PLAIN_ARGUMENT = /^[\w@%+=:,./-]+$/;

/** The runners js_runner_warm_server.mjs keeps loaded. */
export type WarmJsRunner = "mocha" | "jest" | "vitest";

/** The warm server script, an ES module shipped in the source tree (as node_warm_server.mjs is). */
interface NpmScripts {
  readonly test?: string;
  readonly pretest?: string;
  readonly posttest?: string;
}

/** package.json's scripts in `cwd`, read at each run (a candidate may change package.json); undefined if unreadable. */
export function npmScriptsOf(cwd: string): NpmScripts | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8")) as { scripts?: unknown };
    const scripts = manifest.scripts;
    if (typeof scripts !== "object" || scripts === null) return undefined;
    const text = (name: string): string | undefined => {
      const value = (scripts as Record<string, unknown>)[name];
      return typeof value === "string" ? value : undefined;
    };
    const [test, pretest, posttest] = [text("test"), text("pretest"), text("posttest")];
    return {
      ...(test !== undefined ? { test } : {}),
      ...(pretest !== undefined ? { pretest } : {}),
      ...(posttest !== undefined ? { posttest } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * The in-process form of `npm test -- <extraArgs>` in `cwd` when its script is `<runner> <plain words>` and npm runs
 * nothing around it (no pretest or posttest script): the runner's arguments as npm would pass them. Undefined (the
 * run goes cold) for anything a warm worker would not reproduce: shell syntax, quoting, environment assignments.
 */
export function npmRunnerInProcess(
  cwd: string,
  runner: WarmJsRunner,
  extraArgs: readonly string[],
): InProcessRun | undefined {
  const scripts = npmScriptsOf(cwd);
  if (!scripts?.test || scripts.pretest !== undefined || scripts.posttest !== undefined) return undefined;
  const words = scripts.test.trim().split(/\s+/);
  if (words[0] !== runner || !words.slice(1).every((w) => PLAIN_ARGUMENT.test(w))) return undefined;
  return { interpreter: "node", args: [...words.slice(1), ...extraArgs], module: false };
}

/**
 * mocha, jest or vitest kept warm: one server per scratch copy (see js_runner_warm_server.mjs), which runs the
 * runner in a worker thread that loaded it ahead of the run (a fresh worker per candidate; jest's is reused).
 */
export function jsRunnerWarmMode(runner: WarmJsRunner): WarmMode {
  return workerThreadServerMode("js_runner_warm_server.mjs", { REPAIR_LS_WARM_RUNNER: runner });
}
