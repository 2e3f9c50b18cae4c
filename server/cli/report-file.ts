import { readFileSync } from "node:fs";
import { z } from "zod";
import type { JobReport } from "../lsp/job-report.js";
import type { RunnerKind } from "../pipeline/runners/test-command.js";
import { errorMessage } from "../core/error-message.js";

/**
 * Reading a JSON report written by `fix-all --format json` (or `merge-reports --format json`) back in. The file is
 * untrusted input (a CI artifact): the fields that merging and applying rely on are checked, and a bad file gets
 * one clear sentence instead of a crash deep inside.
 */

const RUNNER_KINDS = [
  "pytest",
  "node-test",
  "npm",
  "vitest",
  "jest",
  "mocha",
  "go",
  "cargo",
  "maven",
  "gradle",
  "javac-junit",
  "make",
  "ctest",
  "custom",
] as const satisfies readonly RunnerKind[];

const edit = z.object({
  file: z.string().min(1),
  startLine: z.number().int().nonnegative(),
  endLine: z.number().int().nonnegative(),
  oldText: z.string(),
  newText: z.string(),
});

const patch = z.looseObject({
  id: z.string(),
  description: z.string(),
  files: z.array(z.string().min(1)),
  diff: z.string(),
  edits: z.array(edit),
  baseHashes: z.record(z.string(), z.string()),
  verdict: z.enum(["repair", "partial"]),
  fixedTests: z.array(z.string()),
  stillFailing: z.array(z.string()),
});

const group = z.object({
  id: z.string().min(1),
  tests: z.array(z.string()),
  shard: z.number().int().positive(),
  files: z.array(z.string()),
});

const report = z.looseObject({
  folder: z.string(),
  status: z.string(),
  message: z.string(),
  // `repair-ls apply` confirms with this command, in place: it must be one repair-ls itself would run.
  testRunner: z
    .looseObject({
      kind: z.enum(RUNNER_KINDS),
      command: z.string().min(1),
      source: z.string(),
      canSelect: z.boolean(),
    })
    .optional(),
  testsAtBaseline: z.number().int().nonnegative(),
  failingBefore: z.array(z.string()),
  flaky: z.array(z.string()),
  patches: z.array(patch),
  partials: z.array(patch),
  unfixed: z.array(z.string()),
  testFiles: z.array(z.string()),
  notes: z.array(z.string()),
  validations: z.number(),
  seconds: z.number(),
  failureSites: z.array(z.object({ test: z.string(), file: z.string(), line: z.number() })),
  shard: z
    .object({
      shard: z.object({ index: z.number().int().positive(), total: z.number().int().positive() }),
      groups: z.array(group),
      owned: z.array(z.string()),
    })
    .optional(),
});

/** Reads and checks a JSON report; a string result says why the file cannot be used. */
export function readReportFile(path: string): JobReport | string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return `${path}: cannot be read (${errorMessage(error)})`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return `${path}: not JSON (write reports with --format json)`;
  }
  const parsed = report.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "the top level";
    return `${path}: not a repair-ls JSON report (${where}: ${issue?.message ?? "invalid"})`;
  }
  // The checked fields are JobReport's; the rest passes through as written (counts, the runner, outcomes).
  return parsed.data as unknown as JobReport;
}
