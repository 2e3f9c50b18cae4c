import { parseMochaJson } from "../parse/json-reporters.js";
import { jsRunnerWarmMode, npmRunnerInProcess } from "../warm/js-runner-warm.js";
import type { RunnerPlugin } from "./plugin.js";
import { RANK, escapeRegExp, genericBuildFailed, leafNames, makeCommand, selection, shellQuote } from "./shared.js";

/**
 * mocha through `npm test`, with its JSON reporter and `--grep` selection; kept warm (a worker thread per candidate
 * that loaded mocha ahead) when the script is plain `mocha <arguments>`.
 */
export const mochaRunner: RunnerPlugin = {
  kind: "mocha",
  canSelect: true,
  perTestDeadline: false,
  detection: [
    {
      rank: RANK.packageJsonRunner,
      detect: async (workspace) => {
        const single = await workspace.singleNpmTestScript();
        return single !== undefined && /^\s*mocha\b/.test(single)
          ? makeCommand("mocha", "npm test", "package.json scripts.test", true)
          : undefined;
      },
    },
  ],
  warm: jsRunnerWarmMode("mocha"),
  invocation(command, options) {
    const only = selection(command, options);
    const pattern = only ? leafNames(only).map(escapeRegExp).join("|") : undefined;
    const filter = pattern !== undefined ? `--grep ${shellQuote(pattern)}` : "";
    const inProcess =
      command.command.trim() === "npm test"
        ? npmRunnerInProcess(options.cwd, "mocha", [
            "--reporter",
            "json",
            ...(pattern !== undefined ? ["--grep", pattern] : []),
          ])
        : undefined;
    return {
      shell: `${command.command} --silent -- --reporter json ${filter}`.trim(),
      env: { ...(options.env ?? {}) },
      parse: (stdout) => {
        const tests = parseMochaJson(stdout);
        return Promise.resolve(tests.length > 0 ? { tests } : undefined);
      },
      buildFailed: genericBuildFailed,
      ...(inProcess ? { inProcess } : {}),
    };
  },
};
