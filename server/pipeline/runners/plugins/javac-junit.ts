import { basename, join } from "node:path";
import { existsSync } from "node:fs";
import { parseJUnitCore } from "../parse/junitcore.js";
import type { JavaJUnitPlan } from "../test-command.js";
import { javaCoverageHook } from "./java-coverage-hook.js";
import type { RunnerPlugin } from "./plugin.js";
import type { WorkspaceProbe } from "./probe.js";
import { readText } from "./probe.js";
import { RANK, genericBuildFailed, makeCommand, selection, unique } from "./shared.js";

/** Where Debian's junit4 and hamcrest packages put their jars; a workspace's lib/ folder is searched first. */
const SYSTEM_JAVA_DIRS = ["/usr/share/java"];
const JUNIT_JARS = ["junit4.jar", "junit-4.13.2.jar", "junit.jar"];
const HAMCREST_JARS = ["hamcrest-core.jar", "hamcrest-core-1.3.jar", "hamcrest.jar"];

/** The output folder of plain-javac builds, inside the workspace's own .repair-ls folder (ignored by git). */
export const JAVA_CLASSES_DIR = ".repair-ls/build/classes";

/** The shell command that compiles every Java file and runs JUnitCore on the given classes. */
export function javaCommand(plan: JavaJUnitPlan, classes: readonly string[]): string {
  const cp = plan.classpath.join(":");
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    `rm -rf ${JAVA_CLASSES_DIR} && mkdir -p ${JAVA_CLASSES_DIR}`,
    `javac -nowarn -encoding UTF-8 -d ${JAVA_CLASSES_DIR} -cp ${quote(cp)} ${plan.sourceFiles.map(quote).join(" ")}`,
    `java -cp ${quote(`${JAVA_CLASSES_DIR}:${cp}`)} org.junit.runner.JUnitCore ${classes.join(" ")}`,
  ].join(" && ");
}

function findJar(root: string, names: readonly string[]): string | undefined {
  for (const dir of [join(root, "lib"), ...SYSTEM_JAVA_DIRS]) {
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

/** Plain Java with JUnit 4 and no build tool: javac, then JUnitCore on the test classes (selected by class). */
export const javacJUnitRunner: RunnerPlugin = {
  kind: "javac-junit",
  canSelect: true,
  perTestDeadline: false,
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
    const classes = only ? unique(only.map((t) => t.selector?.unit ?? "").filter(Boolean)) : undefined;
    const shell = plan
      ? javaCommand(plan, classes && classes.length > 0 ? classes : plan.testClasses)
      : command.command;
    return {
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
};
