import { basename, join } from "node:path";
import { existsSync } from "node:fs";
import { javaWarmMode, RUNNER_CLASS, runnerSource } from "../java/java-warm.js";
import type { TestOutcome } from "../outcomes.js";
import { parseJUnitCore } from "../parse/junitcore.js";
import type { JavaJUnitPlan } from "../test-command.js";
import { javaCoverageHook } from "./java-coverage-hook.js";
import { formatSeconds, type InProcessRun, type InvocationOptions, type RunnerPlugin } from "./plugin.js";
import type { WorkspaceProbe } from "./probe.js";
import { readText } from "./probe.js";
import { RANK, genericBuildFailed, makeCommand, selection, unique } from "./shared.js";

/** Where Debian's junit4 and hamcrest packages put their jars; a workspace's lib/ folder is searched first. */
const SYSTEM_JAVA_DIRS = ["/usr/share/java"];
const JUNIT_JARS = ["junit4.jar", "junit-4.13.2.jar", "junit.jar"];
const HAMCREST_JARS = ["hamcrest-core.jar", "hamcrest-core-1.3.jar", "hamcrest.jar"];

/** The output folder of plain-javac builds, inside the workspace's own .repair-ls folder (ignored by git). */
export const JAVA_CLASSES_DIR = ".repair-ls/build/classes";

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The shell command that compiles every Java file and runs JUnitCore on the given classes; with runner arguments,
 * repair-ls's runner (RepairJUnitRunner.java, compiled along) runs them instead: the same output, plus per-test
 * deadlines, stopping at the first failure and method selection.
 */
export function javaCommand(plan: JavaJUnitPlan, classes: readonly string[], runnerArgs?: readonly string[]): string {
  const cp = plan.classpath.join(":");
  const sources = [...plan.sourceFiles, ...(runnerArgs ? [runnerSource()] : [])];
  const main = runnerArgs ? `${RUNNER_CLASS} ${runnerArgs.map(quote).join(" ")}` : "org.junit.runner.JUnitCore";
  return [
    `rm -rf ${JAVA_CLASSES_DIR} && mkdir -p ${JAVA_CLASSES_DIR}`,
    `javac -nowarn -encoding UTF-8 -d ${JAVA_CLASSES_DIR} -cp ${quote(cp)} ${sources.map(quote).join(" ")}`,
    `java -cp ${quote(`${JAVA_CLASSES_DIR}:${cp}`)} ${main}${runnerArgs ? "" : ` ${classes.join(" ")}`}`,
  ].join(" && ");
}

/**
 * What RepairJUnitRunner runs: the selected tests as Class#method in the order given (whole classes for tests
 * without a method), or every test class; then the deadline and the stop at the first failure.
 */
function runnerArguments(
  plan: JavaJUnitPlan,
  only: readonly TestOutcome[] | undefined,
  options: InvocationOptions,
): string[] {
  const specs = only
    ? unique(
        only.flatMap((t) =>
          t.selector?.unit ? [t.selector.test ? `${t.selector.unit}#${t.selector.test}` : t.selector.unit] : [],
        ),
      )
    : [...plan.testClasses];
  return [
    ...(options.testDeadlineSeconds !== undefined ? ["--deadline", formatSeconds(options.testDeadlineSeconds)] : []),
    ...(options.stopAtFirstFailure ? ["--stop-first"] : []),
    ...(specs.length > 0 ? specs : plan.testClasses),
  ];
}

/**
 * A jar of the workspace's lib/ folder (named relative to the workspace, so that a run in a scratch copy uses the
 * copy's jar and never the user's), else a system one.
 */
function findJar(root: string, names: readonly string[]): string | undefined {
  for (const name of names) if (existsSync(join(root, "lib", name))) return join("lib", name);
  for (const dir of SYSTEM_JAVA_DIRS) {
    for (const name of names) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}

async function javaPlan(workspace: WorkspaceProbe): Promise<JavaJUnitPlan | undefined> {
  const root = workspace.root;
  const javaFiles = (await workspace.files()).filter((f) => f.endsWith(".java"));
  if (javaFiles.length === 0) return undefined;
  const testClasses: string[] = [];
  for (const file of javaFiles) {
    const text = await readText(file);
    if (!text || !/org\.junit\b/.test(text) || !/@Test\b/.test(text) || /\babstract\s+class\b/.test(text)) continue;
    const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(text)?.[1];
    const name = basename(file, ".java");
    testClasses.push(pkg ? `${pkg}.${name}` : name);
  }
  const junit = findJar(root, JUNIT_JARS);
  const hamcrest = findJar(root, HAMCREST_JARS);
  if (testClasses.length === 0 || !junit) return undefined;
  return {
    sourceFiles: javaFiles.map((f) => f.slice(root.length + 1)),
    testClasses: testClasses.sort(),
    classpath: hamcrest ? [junit, hamcrest] : [junit],
  };
}

/**
 * Plain Java with JUnit 4 and no build tool: javac, then JUnitCore on the test classes; repair-ls's runner when a
 * run selects tests, has a per-test deadline or stops at its first failure. Warm: one JVM per scratch copy that
 * compiles only the changed files (runners/java/).
 */
export const javacJUnitRunner: RunnerPlugin = {
  kind: "javac-junit",
  canSelect: true,
  perTestDeadline: true,
  stopsAtFirstFailure: true,
  detection: [
    {
      rank: RANK.javaJUnit,
      detect: async (workspace) => {
        const java = await javaPlan(workspace);
        return java
          ? makeCommand("javac-junit", javaCommand(java, java.testClasses), "JUnit 4 test classes", true, { java })
          : undefined;
      },
    },
  ],
  invocation(command, options) {
    const only = selection(command, options);
    const plan = command.java;
    // A plain full run stays JUnitCore's (the command the user sees); anything more needs the runner.
    const needsRunner = only !== undefined || options.testDeadlineSeconds !== undefined || options.stopAtFirstFailure;
    const runnerArgs = plan ? runnerArguments(plan, only, options) : undefined;
    const shell = plan ? javaCommand(plan, plan.testClasses, needsRunner ? runnerArgs : undefined) : command.command;
    const inProcess: InProcessRun | undefined = plan &&
      runnerArgs && {
        interpreter: "java",
        module: false,
        args: [
          "--classpath",
          plan.classpath.join(":"),
          ...plan.sourceFiles.flatMap((f) => ["--source", f]),
          ...runnerArgs,
        ],
      };
    return {
      ...(inProcess ? { inProcess } : {}),
      shell,
      env: { ...(options.env ?? {}) },
      parse: (stdout) => {
        const parsed = parseJUnitCore(stdout);
        return Promise.resolve(parsed.total === undefined && parsed.tests.length === 0 ? undefined : parsed);
      },
      buildFailed: genericBuildFailed,
    };
  },
  coverage: javaCoverageHook,
  warm: javaWarmMode,
};
