import { parseAnyTextOutput } from "../parse/auto.js";
import { v8CoverageHook } from "./node-coverage-hook.js";
import type { RunnerPlugin } from "./plugin.js";
import { RANK, genericBuildFailed, makeCommand, parseTapOutcomes } from "./shared.js";

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
  invocation: (command, options) => ({
    shell: command.command,
    env: { ...(options.env ?? {}) },
    parse: (stdout, stderr) => Promise.resolve(parseTapOutcomes(stdout) ?? parseAnyTextOutput(`${stdout}\n${stderr}`)),
    buildFailed: genericBuildFailed,
  }),
  coverage: v8CoverageHook,
};
