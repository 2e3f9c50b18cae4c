import { parseAnyTextOutput } from "../parse/auto.js";
import { npmScriptsOf } from "../warm/js-runner-warm.js";
import { nodeTestWarmMode, npmScriptInProcess } from "../warm/node-test-warm.js";
import { v8CoverageHook } from "./node-coverage-hook.js";
import type { InProcessRun, RunnerPlugin } from "./plugin.js";
import { RANK, genericBuildFailed, makeCommand, parseTapOutcomes } from "./shared.js";

/**
 * The in-process form of `npm test` in `cwd` when its script is one a warm node --test server runs (`node --test`,
 * `tsc && node --test`); read at each run, since a candidate may change package.json.
 */
function inProcessOf(command: string, cwd: string): InProcessRun | undefined {
  if (command.trim() !== "npm test") return undefined;
  const script = npmScriptsOf(cwd)?.test;
  return script !== undefined ? npmScriptInProcess(script) : undefined;
}

/** `npm test` with a script no runner plug-in takes over: TAP when it prints TAP, any known text format else. */
export const npmRunner: RunnerPlugin = {
  kind: "npm",
  canSelect: false,
  perTestDeadline: false,
  detection: [
    {
      rank: RANK.packageJsonNpm,
      detect: async (workspace) =>
        (await workspace.npmTestScript()) !== undefined
          ? makeCommand("npm", "npm test", "package.json scripts.test", false)
          : undefined,
    },
  ],
  invocation: (command, options) => {
    const inProcess = inProcessOf(command.command, options.cwd);
    return {
      shell: command.command,
      env: { ...(options.env ?? {}) },
      parse: (stdout, stderr) =>
        Promise.resolve(parseTapOutcomes(stdout) ?? parseAnyTextOutput(`${stdout}\n${stderr}`)),
      buildFailed: genericBuildFailed,
      ...(inProcess ? { inProcess } : {}),
    };
  },
  coverage: v8CoverageHook,
  warm: nodeTestWarmMode,
};
