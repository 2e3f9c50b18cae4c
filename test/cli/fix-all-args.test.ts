import { expect, test } from "vitest";
import { parseFixAllArgs } from "../../server/cli/fix-all-args.js";

const defaults = {
  dir: ".",
  testCommand: undefined,
  apply: false,
  applyPartial: false,
  format: "text",
  output: undefined,
  engine: undefined,
  budgetSeconds: undefined,
};

test.each([
  [[], defaults],
  [["proj", "--apply"], { ...defaults, dir: "proj", apply: true }],
  [["--apply-partial"], { ...defaults, applyPartial: true }],
  [["--format", "sarif", "--output=out.sarif"], { ...defaults, format: "sarif", output: "out.sarif" }],
  [
    ["--test-cmd", "pytest -x", "--engine=builtin", "--budget-seconds", "30"],
    { ...defaults, testCommand: "pytest -x", engine: "builtin", budgetSeconds: 30 },
  ],
  [["--help"], { help: true }],
  [["--format", "xml"], { error: "--format must be one of text, diff, json, sarif" }],
  [["--engine", "gpt"], { error: "--engine must be one of auto, builtin, ollama" }],
  [["--budget-seconds", "-1"], { error: "--budget-seconds needs a positive whole number" }],
  [["--test-cmd"], { error: "--test-cmd needs a command" }],
  [["a", "b"], { error: "unexpected argument: b (only one DIR)" }],
  [["--frobnicate"], { error: "unknown option: --frobnicate" }],
  [["--frobnicate=1"], { error: "unknown option: --frobnicate=1" }],
  [["--apply=yes"], { error: "--apply takes no value" }],
  [["-h"], { help: true }],
  // After `--` everything is positional: a folder may start with a dash.
  [["--apply", "--", "-proj"], { ...defaults, dir: "-proj", apply: true }],
])("parseFixAllArgs(%j)", (argv, expected) => {
  expect(parseFixAllArgs(argv)).toEqual(expected);
});
