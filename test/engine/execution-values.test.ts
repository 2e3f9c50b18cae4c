// Issue 14: execution values. The shipped pytest plugin (repair_ls_values.py) records, in a real pytest run, the
// values the watched lines read; the trace is bounded, runs no user code to read attributes, and masks secrets.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, expect, test } from "vitest";
import {
  executionValueLines,
  parseValueHits,
  recordExecutionValues,
} from "../../server/pipeline/localise/execution-values.js";
import { makeCommand } from "../../server/pipeline/runners/plugins/shared.js";
import type { UnpatchedCopy } from "../../server/pipeline/validate/validator.js";
import { tempDir } from "../support/temp.js";
import { writeFiles } from "../support/workspace-copy.js";

let dir: string;
let root: string;
beforeEach(() => {
  dir = tempDir("repair-values-");
  root = join(dir, "workspace");
  mkdirSync(root);
});

function copyOf(command = makeCommand("pytest", "python3 -m pytest", "test", true)): UnpatchedCopy {
  return {
    root,
    dir,
    displayRoot: root,
    command,
    env: {},
    timeoutMs: 60_000,
    signal: new AbortController().signal,
  };
}

test("a real pytest run records the names a watched line reads, bounded per line, without running properties", async () => {
  writeFiles(root, {
    "bag.py": [
      "class Bag:",
      "    def __init__(self):",
      "        self.items = [3, 1, 2]",
      "",
      "    @property",
      "    def touched(self):",
      "        open('PROPERTY_RAN', 'w').close()",
      "        return 0",
      "",
      "    def total(self, scale):",
      "        t = 0",
      "        for x in self.items:",
      // The line names the property, but the test never reads it: only the plugin could.
      "            t += x * scale if x else self.touched",
      "        return t",
      "",
    ].join("\n"),
    "test_bag.py": "from bag import Bag\n\n\ndef test_total():\n    assert Bag().total(2) == 13\n",
  });
  const values = await recordExecutionValues(
    copyOf(),
    "test_bag.py::test_total",
    new Map([[join(root, "bag.py"), [12]]]),
  );
  expect(values?.test).toBe("test_bag.py::test_total");
  // Three iterations, three hits: the plugin keeps at most three per line.
  expect(values!.hits.map((h) => [h.file, h.line])).toEqual([
    ["bag.py", 12],
    ["bag.py", 12],
    ["bag.py", 12],
  ]);
  expect(values!.hits.map((h) => Object.fromEntries(h.values))).toEqual([
    { t: "0", x: "3", scale: "2" },
    { t: "6", x: "1", scale: "2" },
    { t: "8", x: "2", scale: "2" },
  ]);
  // The property was never read (reading it would run user code): the trace follows instance dictionaries only.
  expect(existsSync(join(root, "PROPERTY_RAN"))).toBe(false);
  expect(executionValueLines(values)).toEqual([
    "Values read on the suspicious lines while test_bag.py::test_total ran (each line's values before it ran):",
    "  bag.py:13  t = 0, x = 3, scale = 2",
    "  bag.py:13  t = 6, x = 1, scale = 2",
    "  bag.py:13  t = 8, x = 2, scale = 2",
  ]);
}, 120_000);

test("other runners, unselectable commands and non-Python files record nothing (no run)", async () => {
  const lines = new Map([[join(root, "a.py"), [0]]]);
  expect(
    await recordExecutionValues(copyOf(makeCommand("go", "go test ./...", "t", true)), "T", lines),
  ).toBeUndefined();
  expect(await recordExecutionValues(copyOf(makeCommand("pytest", "pytest", "t", false)), "T", lines)).toBeUndefined();
  expect(await recordExecutionValues(copyOf(), "T", new Map([[join(root, "a.js"), [0]]]))).toBeUndefined();
});

test("the plugin's JSON is parsed defensively, and credential-looking values are masked in the prompt lines", () => {
  expect(parseValueHits("not json")).toEqual([]);
  expect(parseValueHits('{"hits": 3}')).toEqual([]);
  expect(parseValueHits('{"hits": [{"file": "a.py", "line": 0, "values": []}, {"file": 1}]}')).toEqual([]);
  const hits = parseValueHits(
    JSON.stringify({
      hits: [{ file: "a.py", line: 2, values: [["password", "'hunter2-but-longer'"], ["n", "4"], ["bad"]] }],
    }),
  );
  expect(hits).toEqual([
    {
      file: "a.py",
      line: 1,
      values: [
        ["password", "'hunter2-but-longer'"],
        ["n", "4"],
      ],
    },
  ]);
  expect(executionValueLines({ test: "t", hits })[1]).toBe("  a.py:2  password = <masked>, n = 4");
  expect(executionValueLines(undefined)).toEqual([]);
});

// The Node preload (repair_ls_values.mjs) under a real `node --test`: a worker thread debugs the test's process.
const nodeTest = () => makeCommand("node-test", "node --test", "node:test files", true);

test("a real node --test run records the names a watched line reads, in ESM and CommonJS, without running getters or proxy traps", async () => {
  writeFiles(root, {
    "package.json": '{ "type": "module" }\n',
    "shapes.js": [
      'import { writeFileSync } from "node:fs";',
      "",
      "// Reading any of these runs code that leaves a file behind: only the recorder could read them.",
      'export const box = { w: 2, get touched() { writeFileSync("GETTER_RAN", ""); return 0; } };',
      'const trap = new Proxy({}, { get() { writeFileSync("TRAP_RAN", ""); return 1; } });',
      'Object.defineProperty(globalThis, "ambient", { get() { writeFileSync("GLOBAL_RAN", ""); return 1; } });',
      "",
      "export function scaled(xs, scale) {",
      "  let t = 0;",
      "  for (const x of xs) {",
      "    t += x * scale + box.w * 0 + (trap ? 0 : ambient);",
      "  }",
      "  return t;",
      "}",
      "",
    ].join("\n"),
    "count.cjs": "exports.count = function count(words) {\n  const n = words.length;\n  return n + 1;\n};\n",
    "shapes.test.js": [
      'import test from "node:test";',
      'import assert from "node:assert";',
      'import { createRequire } from "node:module";',
      'import { scaled } from "./shapes.js";',
      'const { count } = createRequire(import.meta.url)("./count.cjs");',
      "",
      'test("scaled", () => assert.equal(scaled([3, 1, 2, 5], 2) + count(["a", "b"]), 100));',
      'test("other", () => assert.equal(count(["z"]), 2));',
      "",
    ].join("\n"),
  });
  const values = await recordExecutionValues(
    copyOf(nodeTest()),
    "scaled",
    new Map([
      [join(root, "shapes.js"), [10]],
      [join(root, "count.cjs"), [2]],
    ]),
  );
  expect(values?.test).toBe("scaled");
  // Four iterations, three hits: the preload keeps at most three per line. The test named "other" did not run (it
  // would have added a hit of count.cjs), and the global accessor `ambient` was left out: evaluating it has effects.
  expect(values!.hits.map((h) => [h.file, h.line, Object.fromEntries(h.values)])).toEqual([
    ["shapes.js", 10, { t: "0", x: "3", scale: "2", box: "{w: 2, touched: <getter>}", trap: "Proxy(Object)" }],
    ["shapes.js", 10, { t: "6", x: "1", scale: "2", box: "{w: 2, touched: <getter>}", trap: "Proxy(Object)" }],
    ["shapes.js", 10, { t: "8", x: "2", scale: "2", box: "{w: 2, touched: <getter>}", trap: "Proxy(Object)" }],
    ["count.cjs", 2, { n: "2" }],
  ]);
  expect(existsSync(join(root, "GETTER_RAN"))).toBe(false);
  expect(existsSync(join(root, "TRAP_RAN"))).toBe(false);
  expect(existsSync(join(root, "GLOBAL_RAN"))).toBe(false);
  expect(executionValueLines(values)[1]).toBe(
    "  shapes.js:11  t = 0, x = 3, scale = 2, box = {w: 2, touched: <getter>}, trap = Proxy(Object)",
  );
}, 120_000);

test("node --test: a nested test is selected, strings, arrays and class instances are shown, a credential-looking value is masked, and no hit gives undefined", async () => {
  writeFiles(root, {
    "login.mjs": [
      "export function check(user, words) {",
      '  const password = "correct-horse-battery-staple";',
      "  return user.length > words.length && password.length > 1e3 && account;",
      "}",
      "export function unused(y) {",
      "  return y * 2;",
      "}",
      "class Account {",
      "  constructor(id) {",
      "    this.id = id;",
      "  }",
      "}",
      "const account = new Account(0x2a);",
      "",
    ].join("\n"),
    "login.test.mjs": [
      'import { describe, test } from "node:test";',
      'import assert from "node:assert";',
      'import { check } from "./login.mjs";',
      'describe("login", () => test("check", () => assert.ok(check("al", ["a", "b", "c"]))));',
      "",
    ].join("\n"),
  });
  const values = await recordExecutionValues(
    copyOf(nodeTest()),
    "login > check",
    new Map([[join(root, "login.mjs"), [2]]]),
  );
  expect(values!.hits.map((h) => Object.fromEntries(h.values))).toEqual([
    { user: '"al"', words: '["a", "b", "c"]', password: '"correct-horse-battery-staple"', account: "Account {id: 42}" },
  ]);
  expect(executionValueLines(values)[1]).toBe(
    '  login.mjs:3  user = "al", words = ["a", "b", "c"], password = <masked>, account = Account {id: 42}',
  );
  // The watched line of a function the test never calls: the run completes with nothing to show.
  expect(
    await recordExecutionValues(copyOf(nodeTest()), "login > check", new Map([[join(root, "login.mjs"), [5]]])),
  ).toBeUndefined();
}, 120_000);

test("node --test: a test that hangs after the watched line is stopped at the copy's timeout and keeps its hits", async () => {
  writeFiles(root, {
    "spin.mjs": "export function spin(limit) {\n  const start = limit * 2;\n  for (;;) {}\n}\n",
    "spin.test.mjs":
      'import test from "node:test";\nimport { spin } from "./spin.mjs";\ntest("spin", () => spin(21));\n',
  });
  const began = Date.now();
  const values = await recordExecutionValues(
    { ...copyOf(nodeTest()), timeoutMs: 4_000 },
    "spin",
    new Map([[join(root, "spin.mjs"), [1]]]),
  );
  expect(Date.now() - began).toBeLessThan(30_000);
  expect(values?.hits.map((h) => Object.fromEntries(h.values))).toEqual([{ limit: "21" }]);
}, 60_000);

test("node --test: a watched line in a hot loop costs three pauses, not one per iteration", async () => {
  writeFiles(root, {
    "sum.mjs":
      "export function total(n) {\n  let t = 0;\n  for (let i = 0; i < n; i++) {\n    t += i;\n  }\n  return t;\n}\n",
    "sum.test.mjs":
      'import test from "node:test";\nimport { total } from "./sum.mjs";\ntest("total", () => total(200000));\n',
  });
  const began = Date.now();
  const values = await recordExecutionValues(copyOf(nodeTest()), "total", new Map([[join(root, "sum.mjs"), [3]]]));
  // Pausing on every iteration takes minutes; once a line has its three hits its breakpoint is removed.
  expect(Date.now() - began).toBeLessThan(20_000);
  expect(values?.hits.map((h) => Object.fromEntries(h.values))).toEqual([
    { t: "0", i: "0" },
    { t: "0", i: "1" },
    { t: "1", i: "2" },
  ]);
}, 120_000);
