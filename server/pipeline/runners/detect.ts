import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Config } from "../../config/schema.js";
import { listWorkspaceFiles } from "../workspace-files.js";
import type { JavaJUnitPlan, RunnerKind, TestCommand } from "./test-command.js";

/** Where Debian's junit4 and hamcrest packages put their jars; a workspace's lib/ folder is searched first. */
const SYSTEM_JAVA_DIRS = ["/usr/share/java"];
const JUNIT_JARS = ["junit4.jar", "junit-4.13.2.jar", "junit.jar"];
const HAMCREST_JARS = ["hamcrest-core.jar", "hamcrest-core-1.3.jar", "hamcrest.jar"];
/** npm's placeholder script when `npm init` was run without a test command. */
const NPM_PLACEHOLDER = /no test specified/;

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Infers the runner of a command the user configured, so that its output can still be parsed per test. */
export function kindOfCommand(command: string): RunnerKind {
  const c = command.trim();
  if (/(^|\s|\/)(py\.test|pytest)(\s|$)|-m\s+pytest\b/.test(c)) return "pytest";
  if (/^go\s+test\b/.test(c)) return "go";
  if (/^cargo\s+test\b/.test(c)) return "cargo";
  if (/^node\s+(.*\s)?--test\b/.test(c) && !/[;&|]/.test(c)) return "node-test";
  if (/^make\b.*\btest\b/.test(c)) return "make";
  if (/^ctest\b/.test(c)) return "ctest";
  return "custom";
}

function selectable(kind: RunnerKind): boolean {
  return ["pytest", "node-test", "go", "cargo", "vitest", "jest", "mocha", "maven", "javac-junit", "ctest"].includes(
    kind,
  );
}

function make(kind: RunnerKind, command: string, source: string, java?: JavaJUnitPlan): TestCommand {
  return { kind, command, source, canSelect: selectable(kind), ...(java ? { java } : {}) };
}

async function hasMakeTarget(root: string, target: string): Promise<boolean> {
  for (const name of ["GNUmakefile", "Makefile", "makefile"]) {
    const text = await readText(join(root, name));
    if (text !== undefined) return new RegExp(`^${target}\\s*:`, "m").test(text);
  }
  return false;
}

async function fromPackageJson(root: string): Promise<TestCommand | undefined> {
  const text = await readText(join(root, "package.json"));
  if (text === undefined) return undefined;
  let script: unknown;
  try {
    script = (JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts?.test;
  } catch {
    return undefined;
  }
  if (typeof script !== "string" || script.trim() === "" || NPM_PLACEHOLDER.test(script)) return undefined;
  const single = !/[;&|]/.test(script);
  const source = "package.json scripts.test";
  if (single && /^\s*vitest\b/.test(script)) return make("vitest", "npm test", source);
  if (single && /^\s*jest\b/.test(script)) return make("jest", "npm test", source);
  if (single && /^\s*mocha\b/.test(script)) return make("mocha", "npm test", source);
  // A script that is exactly `node --test ...` is run directly so that failing tests can be selected by name.
  if (single && /^\s*node\s+(.*\s)?--test\b/.test(script)) return make("node-test", script.trim(), source);
  return make("npm", "npm test", source);
}

async function pythonUsesPytest(root: string, files: readonly string[]): Promise<boolean> {
  if (["pytest.ini", "conftest.py", "tox.ini"].some((f) => existsSync(join(root, f)))) return true;
  const pyproject = await readText(join(root, "pyproject.toml"));
  if (pyproject?.includes("[tool.pytest")) return true;
  const setupCfg = await readText(join(root, "setup.cfg"));
  if (setupCfg?.includes("[tool:pytest]")) return true;
  return files.some((f) => /^(test_.*|.*_test)\.py$/.test(basename(f)));
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

async function javaPlan(root: string, files: readonly string[]): Promise<JavaJUnitPlan | undefined> {
  const javaFiles = files.filter((f) => f.endsWith(".java"));
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

/**
 * Detects how a workspace runs its tests. The `test.command` setting wins; then, in order: package.json's test
 * script, a pytest configuration, go.mod, Cargo.toml, Maven, Gradle, CMake with tests (ctest), a Makefile `test`
 * target, plain Java with JUnit 4 tests, Python test files, node:test files. Undefined when nothing is found.
 */
export async function detectTestCommand(root: string, config: Config): Promise<TestCommand | undefined> {
  const configured = config["test.command"].trim();
  if (configured !== "") return make(kindOfCommand(configured), configured, "test.command setting");

  const npm = await fromPackageJson(root);
  if (npm) return npm;

  const files = await listWorkspaceFiles(root, 20_000);
  const pytestConfigured = ["pytest.ini", "conftest.py"].some((f) => existsSync(join(root, f)));
  if (pytestConfigured) return make("pytest", "python3 -m pytest", "pytest configuration");
  if (existsSync(join(root, "go.mod"))) return make("go", "go test -json -count=1 ./...", "go.mod");
  if (existsSync(join(root, "Cargo.toml"))) return make("cargo", "cargo test --no-fail-fast", "Cargo.toml");
  if (existsSync(join(root, "pom.xml"))) return make("maven", "mvn -o -q test", "pom.xml");
  for (const gradle of ["build.gradle", "build.gradle.kts"]) {
    if (existsSync(join(root, gradle))) {
      const wrapper = existsSync(join(root, "gradlew")) ? "./gradlew" : "gradle";
      return make("gradle", `${wrapper} test --offline`, gradle);
    }
  }
  const cmake = await readText(join(root, "CMakeLists.txt"));
  if (cmake && /\b(enable_testing|add_test)\s*\(/.test(cmake)) {
    return make(
      "ctest",
      "cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug > /dev/null && cmake --build build && ctest --test-dir build --output-on-failure",
      "CMakeLists.txt",
    );
  }
  if (await hasMakeTarget(root, "test")) return make("make", "make test", "Makefile");
  const java = await javaPlan(root, files);
  if (java) return make("javac-junit", javaCommand(java, java.testClasses), "JUnit 4 test classes", java);
  if (await pythonUsesPytest(root, files)) return make("pytest", "python3 -m pytest", "Python test files");
  const nodeTests = files.filter((f) => /\.test\.(m?js|cjs)$/.test(f) || /\/test\/.*\.(m?js|cjs)$/.test(f));
  if (nodeTests.length > 0) return make("node-test", "node --test", "node:test files");
  return undefined;
}
