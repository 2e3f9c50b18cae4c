import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { packageRoot } from "../../../../grammars/paths.js";
import { parsePythonCoverage } from "../../localise/coverage.js";
import { parsePytestJUnit } from "../parse/pytest.js";
import type { TestCommand } from "../test-command.js";
import type { CoverageContext, InProcessRun, Invocation, InvocationOptions, RunnerPlugin } from "./plugin.js";
import type { WorkspaceProbe } from "./probe.js";
import { pytestWarmMode } from "../warm/pytest-warm.js";
import { RANK, makeCommand, readIfExists, selection, shellQuote, unique } from "./shared.js";

/** The pytest plugin shipped in the source tree: per-test line coverage and per-test deadlines. */
const PLUGIN_MODULE = "repair_ls_line_coverage";

/** The folder holding the pytest plugin (a .py file shipped in the source tree). */
function pluginDir(): string {
  return join(packageRoot(), "server", "pipeline", "localise");
}

/** PYTHONPATH with the plugin's folder first (once), keeping whatever the run or the user already had. */
export function pythonPathWithPlugin(current: string | undefined): string {
  const parts = (current ?? process.env.PYTHONPATH ?? "").split(":").filter(Boolean);
  return [pluginDir(), ...parts.filter((p) => p !== pluginDir())].join(":");
}

function coverageFile(context: CoverageContext): string {
  return join(context.scratchDir, "python-coverage.json");
}

async function usesPytest(workspace: WorkspaceProbe): Promise<boolean> {
  if (["pytest.ini", "conftest.py", "tox.ini"].some((f) => workspace.exists(f))) return true;
  if ((await workspace.read("pyproject.toml"))?.includes("[tool.pytest")) return true;
  if ((await workspace.read("setup.cfg"))?.includes("[tool:pytest]")) return true;
  return (await workspace.files()).some((f) => /^(test_.*|.*_test)\.py$/.test(basename(f)));
}

/**
 * The cold command as an interpreter and pytest arguments, when it is plain enough to run in-process: `python3 -m
 * pytest [args]` or `pytest [args]`, with no shell syntax in the arguments.
 */
function inProcessCommand(command: string): (Omit<InProcessRun, "args"> & { args: string[] }) | undefined {
  const m = /^\s*(?:(python3?(?:\.\d+)?)\s+-m\s+pytest|(pytest|py\.test))((?:\s+[\w@%+=:,./-]+)*)\s*$/.exec(command);
  if (!m) return undefined;
  const args = (m[3] ?? "").split(/\s+/).filter(Boolean);
  return m[1] ? { interpreter: m[1], module: true, args } : { interpreter: "python3", module: false, args };
}

function invocation(command: TestCommand, options: InvocationOptions): Invocation {
  const env: Record<string, string> = { ...(options.env ?? {}) };
  const only = selection(command, options);
  const report = join(options.reportDir, "pytest.xml");
  const oracleFirst = options.oracleFirst !== undefined && only !== undefined ? options.oracleFirst : undefined;
  const stopAtFirstFailure = options.stopAtFirstFailure && oracleFirst === undefined;
  const pluginArgs = [...(options.pytestArgs ?? []), ...(stopAtFirstFailure ? ["-x"] : [])];
  const usePlugin = (): void => {
    env.PYTHONPATH = pythonPathWithPlugin(env.PYTHONPATH);
    if (!pluginArgs.includes(PLUGIN_MODULE)) pluginArgs.push("-p", PLUGIN_MODULE);
  };
  if (options.testDeadlineSeconds !== undefined) {
    // The plugin fails a test that runs past the deadline and lets the session go on with the next one.
    env.REPAIR_LS_TEST_DEADLINE = String(options.testDeadlineSeconds);
    usePlugin();
  }
  if (oracleFirst !== undefined) {
    // The plugin stops the session after the failing tests when one still fails, else at the first failure.
    env.REPAIR_LS_ORACLE_FIRST = String(oracleFirst);
    usePlugin();
  }
  const args = [
    "-p no:cacheprovider",
    "-o junit_family=xunit1",
    `--junitxml=${shellQuote(report)}`,
    "-q",
    ...pluginArgs,
    ...(only ? unique(only.map((t) => t.name)).map(shellQuote) : []),
  ];
  env.PYTHONDONTWRITEBYTECODE = "1";
  const cold = inProcessCommand(command.command);
  const inProcess: InProcessRun | undefined = cold && {
    ...cold,
    args: [
      ...cold.args,
      "-p",
      "no:cacheprovider",
      "-o",
      "junit_family=xunit1",
      `--junitxml=${report}`,
      "-q",
      ...pluginArgs,
      ...(only ? unique(only.map((t) => t.name)) : []),
    ],
  };
  return {
    ...(inProcess ? { inProcess } : {}),
    shell: `${command.command} ${args.join(" ")}`,
    env,
    async parse() {
      const xml = await readIfExists(report);
      return xml === undefined ? undefined : { tests: parsePytestJUnit(xml) };
    },
    buildFailed: () => false,
  };
}

/** pytest: JUnit XML reports, node-id selection, the shipped plugin for line coverage and per-test deadlines. */
export const pytestRunner: RunnerPlugin = {
  kind: "pytest",
  canSelect: true,
  perTestDeadline: true,
  stopsAtFirstFailure: true,
  runsOracleFirst: true,
  matchesCommand: (command) => /(^|\s|\/)(py\.test|pytest)(\s|$)|-m\s+pytest\b/.test(command),
  detection: [
    {
      rank: RANK.pytestConfiguration,
      detect: (workspace) =>
        Promise.resolve(
          ["pytest.ini", "conftest.py"].some((f) => workspace.exists(f))
            ? makeCommand("pytest", "python3 -m pytest", "pytest configuration", true)
            : undefined,
        ),
    },
    {
      rank: RANK.pythonTestFiles,
      detect: async (workspace) =>
        (await usesPytest(workspace))
          ? makeCommand("pytest", "python3 -m pytest", "Python test files", true)
          : undefined,
    },
  ],
  invocation,
  warm: pytestWarmMode,
  coverage: {
    prepare: (context) =>
      Promise.resolve({
        env: {
          PYTHONPATH: pythonPathWithPlugin(undefined),
          REPAIR_LS_COVERAGE_ROOT: context.scratchRoot,
          REPAIR_LS_COVERAGE_OUT: coverageFile(context),
        },
        pytestArgs: ["-p", PLUGIN_MODULE],
      }),
    brokeTheRun: (run) => run.kind === "completed" && !run.perTest,
    async collect(context, inputs) {
      const json = await readFile(coverageFile(context), "utf8").catch(() => undefined);
      if (!json) return undefined;
      return parsePythonCoverage(json, context.userRoot)
        .filter((e) => !inputs.flaky.includes(e.name))
        .map((e) => ({ ...e, failed: inputs.oracleNames.has(e.name) }));
    },
  },
};
