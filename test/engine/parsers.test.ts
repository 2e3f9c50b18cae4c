// Runner output parsers and stack-trace parsing, on output captured from the real tools (test/engine/captured/,
// paths rewritten to /work/ws). The mocha sample is written by hand in mocha's documented JSON shape: mocha is not
// installed here.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parseFrames } from "../../server/pipeline/localise/frames.js";
import { SourceFiles } from "../../server/pipeline/localise/source-files.js";
import { parseAnyTextOutput } from "../../server/pipeline/runners/parse/auto.js";
import { cargoBuildFailed, parseCargoTest } from "../../server/pipeline/runners/parse/cargo.js";
import { goBuildFailed, parseGoTestJson } from "../../server/pipeline/runners/parse/go-json.js";
import { parseJestJson, parseMochaJson } from "../../server/pipeline/runners/parse/json-reporters.js";
import { parseJUnitCore } from "../../server/pipeline/runners/parse/junitcore.js";
import { decodeXmlEntities, parseJUnitXml } from "../../server/pipeline/runners/parse/junit-xml.js";
import { parsePytestJUnit } from "../../server/pipeline/runners/parse/pytest.js";
import { parseTap } from "../../server/pipeline/runners/parse/tap.js";

const captured = (name: string): string => readFileSync(new URL(`./captured/${name}`, import.meta.url), "utf8");
const statusOf = (tests: readonly { name: string; status: string }[]): Record<string, string> =>
  Object.fromEntries(tests.map((t) => [t.name, t.status]));

describe("pytest JUnit XML", () => {
  const tests = parsePytestJUnit(captured("pytest-junit.xml"));

  test("names tests by node id, classes and parameters included", () => {
    expect(statusOf(tests)).toEqual({
      "tests/test_m.py::test_last": "failed",
      "tests/test_m.py::TestK::test_eq": "failed",
      "tests/test_m.py::TestK::test_p[1]": "passed",
      "tests/test_m.py::TestK::test_p[2]": "failed",
      "tests/test_m.py::test_ok": "passed",
    });
  });

  test("keeps the traceback, entities decoded, as the message", () => {
    const last = tests.find((t) => t.name.endsWith("test_last"))!;
    expect(last.message).toContain("IndexError: list index out of range");
    expect(last.message).toContain(">       return xs[i]");
    expect(last.selector).toEqual({ test: "tests/test_m.py::test_last", unit: "tests/test_m.py" });
  });

  test("the traceback yields frames innermost first", () => {
    const frames = parseFrames(tests.find((t) => t.name.endsWith("test_last"))!.message);
    expect(frames.map((f) => `${f.path}:${f.line}`)).toEqual(["pkg/m.py:2", "pkg/m.py:5", "tests/test_m.py:5"]);
  });
});

describe("JUnit XML", () => {
  test("decodes entities, CDATA, skipped and error cases, and survives truncation", () => {
    const xml = `<testsuite><testcase classname="a.B" name="ok"/><testcase classname="a.B" name="bad">
      <error message="x &lt; y"><![CDATA[trace <raw> & more]]></error></testcase>
      <testcase classname="a.B" name="skip"><skipped/></testcase><testcase classname="a.B" name="cut"><failure`;
    const cases = parseJUnitXml(xml);
    expect(cases.map((c) => [c.name, c.status])).toEqual([
      ["ok", "passed"],
      ["bad", "failed"],
      ["skip", "skipped"],
    ]);
    expect(cases[1]!.message).toBe("x < y\ntrace <raw> & more");
    expect(decodeXmlEntities("&#65;&#x42;&amp;&unknown;")).toBe("AB&&unknown;");
  });
});

describe("TAP", () => {
  test("node --test: leaves only, nested names, YAML diagnostics as messages", () => {
    const tests = parseTap(captured("node-tap.txt"));
    expect(statusOf(tests)).toEqual({
      "adds numbers": "failed",
      passes: "passed",
      "suite > inner ok": "passed",
      "suite > inner bad": "failed",
      "b ok": "passed",
    });
    const adds = tests.find((t) => t.name === "adds numbers")!;
    expect(adds.file).toBe("/work/ws/test/a.test.js");
    expect(adds.message).toContain("-1 !== 3");
    expect(parseFrames(adds.message)).toContainEqual({
      path: "/work/ws/test/a.test.js",
      line: 4,
      function: "TestContext.<anonymous>",
    });
  });

  test("C harness output from make test", () => {
    const tests = parseTap(captured("c-make-tap.txt"));
    expect(tests.filter((t) => t.status === "failed").map((t) => t.name)).toEqual([
      "last_n takes the tail",
      "last_n of a short string is the whole string",
      "last_n of the exact length",
    ]);
    expect(tests).toHaveLength(6);
  });

  test("SKIP and TODO directives are skipped, not passed", () => {
    const tests = parseTap("ok 1 - a # SKIP no\nnot ok 2 - b # TODO later\nok 3 - c\n");
    expect(statusOf(tests)).toEqual({ a: "skipped", b: "skipped", c: "passed" });
  });
});

describe("go test -json", () => {
  test("per-test results named by package, panics kept as messages", () => {
    const { tests } = parseGoTestJson(captured("go-test.jsonl"));
    expect(statusOf(tests)).toEqual({
      "example.com/calc/calc.TestMax": "failed",
      "example.com/calc/calc.TestIdx": "failed",
    });
    const idx = tests.find((t) => t.name.endsWith("TestIdx"))!;
    expect(idx.selector).toEqual({ test: "TestIdx", unit: "example.com/calc/calc" });
    const frames = parseFrames(idx.message).filter((f) => f.path.startsWith("/work/ws"));
    expect(frames.map((f) => `${f.path}:${f.line}`)).toEqual([
      "/work/ws/calc/calc.go:10",
      "/work/ws/calc/calc_test.go:10",
    ]);
    const max = tests.find((t) => t.name.endsWith("TestMax"))!;
    expect(parseFrames(max.message)).toEqual([{ path: "calc_test.go", line: 7 }]);
  });

  test("a build failure is recognised", () => {
    expect(goBuildFailed(captured("go-build-error.txt"))).toBe(true);
    expect(goBuildFailed(captured("go-test.jsonl"))).toBe(false);
  });
});

describe("cargo test", () => {
  const output = captured("cargo-test.txt");

  test("results of every test binary, with panic sections as messages", () => {
    const tests = parseCargoTest(output);
    expect(statusOf(tests)).toEqual({ "tests::ok": "passed", "tests::max_works": "failed", idx_panics: "failed" });
    const max = tests.find((t) => t.name === "tests::max_works")!;
    expect(max.message).toContain("left: 1");
    expect(parseFrames(max.message)[0]).toEqual({ path: "src/lib.rs", line: 10 });
  });

  test("compile errors are told apart from failing tests", () => {
    expect(cargoBuildFailed(output)).toBe(false);
    expect(cargoBuildFailed("error[E0425]: cannot find value `c`\nerror: could not compile `calc`")).toBe(true);
  });
});

describe("JUnitCore", () => {
  test("failures named Class.method with Java frames; totals from the summary", () => {
    const parsed = parseJUnitCore(captured("junitcore.txt"));
    expect(parsed.total).toBe(9);
    expect(parsed.tests.map((t) => t.name)).toEqual([
      "AccountTest.depositOfZeroIsRejected",
      "BankTest.transferOfZeroIsRejected",
    ]);
    expect(parsed.tests[0]!.selector).toEqual({ test: "depositOfZeroIsRejected", unit: "AccountTest" });
    const frames = parseFrames(parsed.tests[1]!.message);
    expect(frames[0]).toEqual({
      path: "ExpectException.java",
      line: 35,
      function: "org.junit.internal.runners.statements.ExpectException.evaluate",
    });
  });

  test("auto-detection recognises it in make output", () => {
    expect(parseAnyTextOutput(captured("junitcore.txt"))?.total).toBe(9);
  });
});

describe("JSON reporters", () => {
  test("vitest's jest-compatible JSON", () => {
    const tests = parseJestJson(captured("vitest-report.json"), "/work/ws");
    expect(statusOf(tests)).toEqual({
      "math > subtracts": "failed",
      "math > zero": "passed",
      "skipped one": "skipped",
    });
    const sub = tests.find((t) => t.name === "math > subtracts")!;
    expect(sub.file).toBe("sum.test.ts");
    expect(parseFrames(sub.message)[0]).toEqual({ path: "/work/ws/sum.test.ts", line: 4 });
  });

  test("mocha's JSON after other output", () => {
    const report = {
      stats: { tests: 2 },
      passes: [{ title: "a", fullTitle: "s a", file: "/w/t.js" }],
      failures: [
        {
          title: "b",
          fullTitle: "s b",
          file: "/w/t.js",
          err: { message: "boom", stack: "Error: boom\n    at f (/w/src/x.js:3:9)" },
        },
      ],
      pending: [],
    };
    const tests = parseMochaJson(`console noise\n${JSON.stringify(report, null, 2)}`);
    expect(statusOf(tests)).toEqual({ "s a": "passed", "s b": "failed" });
    expect(parseFrames(tests[1]!.message)).toEqual([{ path: "/w/src/x.js", line: 3, function: "f" }]);
  });
});

describe("stack frames of other runtimes", () => {
  test("C sanitizer and assert output", () => {
    const frames = parseFrames(captured("c-asan-assert.txt"));
    expect(frames[0]).toEqual({ path: "/work/ws/asan.c", line: 3, function: "get" });
    expect(frames.some((f) => f.path === "asan.c" && f.line === 4 && f.function === "main")).toBe(true);
  });

  test("Rust backtraces name the location lines", () => {
    const frames = parseFrames(captured("cargo-test.txt"));
    expect(frames.some((f) => f.path === "./src/lib.rs" && f.line === 10)).toBe(true);
  });

  test("resolution maps printed paths to workspace files and drops the rest", () => {
    const sources = new SourceFiles("/w", [
      "/w/src/Bank.java",
      "/w/test/BankTest.java",
      "/w/pkg/m.py",
      "/w/calc/calc.go",
    ]);
    expect(sources.resolve("Bank.java", "com.Bank.transfer")).toBe("/w/src/Bank.java");
    expect(sources.resolve("pkg/m.py")).toBe("/w/pkg/m.py");
    expect(sources.resolve("calc.go")).toBe("/w/calc/calc.go");
    expect(sources.resolve("/usr/lib/go/src/testing/testing.go")).toBeUndefined();
    expect(sources.isTest("/w/test/BankTest.java")).toBe(true);
    expect(sources.isTest("/w/src/Bank.java")).toBe(false);
  });
});
