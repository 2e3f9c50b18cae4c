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
