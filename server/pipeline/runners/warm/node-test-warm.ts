import type { InProcessRun, WarmMode } from "../plugins/plugin.js";
import { workerThreadServerMode } from "./worker-thread-server.js";

/** The warm server script, an ES module shipped in the source tree (as pytest_fork_server.py is). */
/** Flags of a `node --test` command that a warm run reproduces faithfully in its workers. */
const SUPPORTED_FLAG = /^--test(-name-pattern=.*)?$/;
/** A plain word of a shell command: no quoting, expansion, globbing, redirection or environment assignment. */
const PLAIN_WORD = /^[\w@%+:,./-]+$/;

/**
 * The in-process form of a `node --test ...` command (with `extraFlags`, e.g. name patterns, put first), or undefined
 * when the command does something a warm run would not reproduce (other Node flags, shell syntax): it then runs cold.
 */
export function nodeTestInProcess(
  command: string,
  extraFlags: readonly string[],
  transpile?: string,
): InProcessRun | undefined {
  const words = command.trim().split(/\s+/);
  if (words[0] !== "node" || !words.includes("--test")) return undefined;
  const rest = words.slice(1);
  if (!rest.every((w) => PLAIN_WORD.test(w) && (!w.startsWith("-") || SUPPORTED_FLAG.test(w)))) return undefined;
  return {
    interpreter: "node",
    args: ["--test-reporter=tap", ...extraFlags, ...rest],
    module: false,
    ...(transpile !== undefined ? { transpile } : {}),
  };
}

/**
 * The in-process form of an npm test script: `node --test ...`, or `tsc [-p project] && node --test ...` (whose
 * changed sources the server transpiles, without tsc's type-check: cold confirmation runs tsc on the patches about
 * to be reported).
 */
export function npmScriptInProcess(script: string): InProcessRun | undefined {
  const compiled = /^\s*tsc(?:\s+(?:-p|--project)\s+([\w@%+:,./-]+))?\s*&&\s*(.+)$/.exec(script);
  if (compiled) return nodeTestInProcess(compiled[2]!, [], compiled[1] ?? ".");
  return nodeTestInProcess(script, []);
}

/**
 * node --test kept warm: one server per scratch copy (see node_warm_server.mjs), which runs each test file of a
 * candidate in a fresh worker thread.
 */
export const nodeTestWarmMode: WarmMode = workerThreadServerMode("node_warm_server.mjs");
