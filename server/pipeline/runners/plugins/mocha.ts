import { parseMochaJson } from "../parse/json-reporters.js";
import type { RunnerPlugin } from "./plugin.js";
import { RANK, escapeRegExp, genericBuildFailed, leafNames, makeCommand, selection, shellQuote } from "./shared.js";

/** mocha through `npm test`, with its JSON reporter and `--grep` selection. */
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
  invocation(command, options) {
    const only = selection(command, options);
    const filter = only ? `--grep ${shellQuote(leafNames(only).map(escapeRegExp).join("|"))}` : "";
    return {
      shell: `${command.command} --silent -- --reporter json ${filter}`.trim(),
      env: { ...(options.env ?? {}) },
      parse: (stdout) => {
        const tests = parseMochaJson(stdout);
        return Promise.resolve(tests.length > 0 ? { tests } : undefined);
      },
      buildFailed: genericBuildFailed,
    };
  },
};
