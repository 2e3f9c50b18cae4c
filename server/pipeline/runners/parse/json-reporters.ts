import type { TestOutcome, TestStatus } from "../outcomes.js";

interface JestAssertion {
  readonly ancestorTitles?: readonly string[];
  readonly title?: string;
  readonly fullName?: string;
  readonly status?: string;
  readonly failureMessages?: readonly string[];
}

interface JestReport {
  readonly testResults?: readonly {
    readonly name?: string;
    readonly message?: string;
    readonly status?: string;
    readonly assertionResults?: readonly JestAssertion[];
  }[];
}

function jestStatus(status: string | undefined): TestStatus {
  if (status === "passed") return "passed";
  if (status === "failed") return "failed";
  return "skipped";
}

/**
 * Parses the JSON report of jest (`--json`) and vitest (`--reporter=json`, jest-compatible). A test file that
 * failed to load (no assertions, status failed) becomes one failed test named after the file.
 */
export function parseJestJson(json: string, root: string): TestOutcome[] {
  let report: JestReport;
  try {
    report = JSON.parse(json) as JestReport;
  } catch {
    return [];
  }
  const tests: TestOutcome[] = [];
  for (const file of report.testResults ?? []) {
    const relative = file.name?.startsWith(root + "/") ? file.name.slice(root.length + 1) : (file.name ?? "");
    const assertions = file.assertionResults ?? [];
    if (assertions.length === 0 && file.status === "failed") {
      tests.push({ name: relative, status: "failed", message: file.message ?? "", file: relative });
      continue;
    }
    for (const a of assertions) {
      const title = a.title ?? a.fullName ?? "test";
      const name = [...(a.ancestorTitles ?? []), title].join(" > ");
      tests.push({
        name,
        status: jestStatus(a.status),
        message: (a.failureMessages ?? []).join("\n"),
        file: relative,
        selector: { test: title, unit: relative },
      });
    }
  }
  return tests;
}

interface MochaTest {
  readonly title?: string;
  readonly fullTitle?: string;
  readonly file?: string;
  readonly err?: { readonly message?: string; readonly stack?: string };
}

interface MochaReport {
  readonly passes?: readonly MochaTest[];
  readonly failures?: readonly MochaTest[];
  readonly pending?: readonly MochaTest[];
}

/** Parses mocha's `--reporter json` output (the JSON object may follow other lines the test code printed). */
export function parseMochaJson(output: string): TestOutcome[] {
  const start = output.indexOf('{\n  "stats"');
  let report: MochaReport;
  try {
    report = JSON.parse(start >= 0 ? output.slice(start) : output) as MochaReport;
  } catch {
    return [];
  }
  const convert = (t: MochaTest, status: TestStatus): TestOutcome => ({
    name: t.fullTitle ?? t.title ?? "test",
    status,
    message: status === "failed" ? `${t.err?.message ?? ""}\n${t.err?.stack ?? ""}`.trim() : "",
    ...(t.file ? { file: t.file } : {}),
    selector: { test: t.fullTitle ?? t.title ?? "" },
  });
  return [
    ...(report.passes ?? []).map((t) => convert(t, "passed")),
    ...(report.failures ?? []).map((t) => convert(t, "failed")),
    ...(report.pending ?? []).map((t) => convert(t, "skipped")),
  ];
}
