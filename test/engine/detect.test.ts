// Test-command detection per ecosystem, on the fixture projects and on small hand-made workspaces.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import { detectTestCommand } from "../../server/pipeline/repair.js";
import { invocationFor } from "../../server/pipeline/runners/invocation.js";
import { kindOfCommand } from "../../server/pipeline/runners/detect.js";
import { projectDir } from "../support/fixture-bugs.js";
import { writeFiles } from "../support/workspace-copy.js";
import { tempDir } from "../support/temp.js";

const config = defaultConfig();
let dir: string;
beforeEach(() => {
  dir = tempDir("repair-detect-");
});

function write(files: Record<string, string>): void {
  writeFiles(dir, files);
}

describe("on the fixture projects of each language", () => {
  test.each([
    ["py-wrap-text", "pytest", "python3 -m pytest"],
    ["js-pad", "node-test", "node --test test/"],
    ["ts-paginate", "npm", "npm test"],
    ["go-minmax", "go", "go test -json -count=1 ./..."],
    ["rust-rpn", "cargo", "cargo test --no-fail-fast"],
    ["java-palindrome", "make", "make test"],
    ["c-strtrim", "make", "make test"],
  ])("%s: %s", async (bug, kind, command) => {
    const detected = await detectTestCommand(projectDir(bug), config);
    expect(detected?.kind).toBe(kind);
    expect(detected?.command).toBe(command);
  });
});

describe("on hand-made workspaces", () => {
  test("package.json runners get machine-readable reporters", async () => {
    write({ "package.json": JSON.stringify({ scripts: { test: "vitest run" } }) });
    const vitest = (await detectTestCommand(dir, config))!;
    expect(vitest.kind).toBe("vitest");
    expect(invocationFor(vitest, { cwd: dir, reportDir: "/r" }).shell).toBe(
      "npm test --silent -- --reporter=json --outputFile=/r/report.json",
    );
    write({ "package.json": JSON.stringify({ scripts: { test: "jest --ci" } }) });
    expect((await detectTestCommand(dir, config))?.kind).toBe("jest");
    write({ "package.json": JSON.stringify({ scripts: { test: "mocha" } }) });
    expect((await detectTestCommand(dir, config))?.kind).toBe("mocha");
  });

  test("npm's placeholder test script is not a test command", async () => {
    write({ "package.json": JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }) });
    expect(await detectTestCommand(dir, config)).toBeUndefined();
  });

  test("build files of Maven, Gradle and CMake", async () => {
    write({ "pom.xml": "<project/>" });
    expect((await detectTestCommand(dir, config))?.kind).toBe("maven");
    rmSync(join(dir, "pom.xml"));
    write({ "build.gradle": "" });
    expect((await detectTestCommand(dir, config))?.command).toBe("gradle test --offline");
    rmSync(join(dir, "build.gradle"));
    write({ "CMakeLists.txt": "enable_testing()\nadd_test(NAME t COMMAND t)\n" });
    expect((await detectTestCommand(dir, config))?.kind).toBe("ctest");
  });

  test("plain Java with JUnit 4 tests compiles with javac and runs JUnitCore on the test classes", async () => {
    write({
      "src/com/ex/Calc.java":
        "package com.ex;\npublic class Calc { public static int add(int a, int b) { return a + b; } }\n",
      "test/com/ex/CalcTest.java":
        "package com.ex;\nimport org.junit.Test;\npublic class CalcTest { @Test public void adds() {} }\n",
    });
    const java = (await detectTestCommand(dir, config))!;
    expect(java.kind).toBe("javac-junit");
    expect(java.java?.testClasses).toEqual(["com.ex.CalcTest"]);
    expect(java.command).toContain("org.junit.runner.JUnitCore com.ex.CalcTest");
  });

  test("bare test files: pytest, then node:test", async () => {
    write({ "test_thing.py": "def test_x():\n    pass\n" });
    expect((await detectTestCommand(dir, config))?.kind).toBe("pytest");
    rmSync(join(dir, "test_thing.py"));
    write({ "thing.test.js": "import test from 'node:test';\n" });
    expect((await detectTestCommand(dir, config))?.command).toBe("node --test");
  });

  test("a workspace without tests has no test command", async () => {
    write({ "README.md": "nothing here\n", "main.py": "print(1)\n" });
    expect(await detectTestCommand(dir, config)).toBeUndefined();
  });

  test("the test.command setting wins, and its runner is still recognised", async () => {
    write({ "go.mod": "module x\n" });
    const configured: Config = { ...config, "test.command": "python3 -m pytest tests/" };
    const command = (await detectTestCommand(dir, configured))!;
    expect(command).toMatchObject({
      kind: "pytest",
      command: "python3 -m pytest tests/",
      source: "test.command setting",
    });
    expect(kindOfCommand("go test ./pkg/...")).toBe("go");
    expect(kindOfCommand("./run-my-tests.sh")).toBe("custom");
  });
});

describe("selecting failing tests", () => {
  const only = [
    {
      name: "example.com/m.TestA",
      status: "failed" as const,
      message: "",
      selector: { test: "TestA", unit: "example.com/m" },
    },
  ];

  test("go test -run with an anchored pattern", () => {
    const shell = invocationFor(
      { kind: "go", command: "go test ./...", source: "", canSelect: true },
      { cwd: dir, reportDir: "/r", only },
    ).shell;
    expect(shell).toBe("go test -count=1 -json -run '^(TestA)$' ./...");
  });

  test("cargo test with exact filters after --", () => {
    const shell = invocationFor(
      { kind: "cargo", command: "cargo test --no-fail-fast", source: "", canSelect: true },
      {
        cwd: dir,
        reportDir: "/r",
        only: [{ name: "tests::a", status: "failed", message: "", selector: { test: "tests::a" } }],
      },
    ).shell;
    expect(shell).toBe("cargo test --no-fail-fast -- tests::a --exact");
  });

  test("pytest with node ids and a JUnit XML report", () => {
    const shell = invocationFor(
      { kind: "pytest", command: "python3 -m pytest", source: "", canSelect: true },
      { cwd: dir, reportDir: "/r", only: [{ name: "t/test_a.py::test_x[1]", status: "failed", message: "" }] },
    ).shell;
    expect(shell).toBe(
      "python3 -m pytest -p no:cacheprovider -o junit_family=xunit1 --junitxml=/r/pytest.xml -q 't/test_a.py::test_x[1]'",
    );
  });

  test("runners that cannot select run everything", () => {
    const shell = invocationFor(
      { kind: "make", command: "make test", source: "", canSelect: false },
      { cwd: dir, reportDir: "/r", only },
    ).shell;
    expect(shell).toBe("make test");
  });
});
