import type { ParsedOutcomes, TestOutcome, TestStatus } from "../outcomes.js";

interface GoEvent {
  readonly Action?: string;
  readonly Package?: string;
  readonly Test?: string;
  readonly Output?: string;
  /** Seconds the test ran, on pass and fail events. */
  readonly Elapsed?: number;
}

/** Whether `go test` output reports a package that failed to build (compile errors, vet failures). */
export function goBuildFailed(output: string): boolean {
  return /^FAIL\s+\S+\s+\[(build|setup) failed\]/m.test(output) || /^# \S+/m.test(output);
}

/**
 * Parses `go test -json` events. Each test is named `<import path>.<Test>`; subtests are reported as their own
 * tests (`pkg.TestX/case`) and a parent whose subtests were reported is left out so that counts are not doubled.
 * Non-JSON lines (build errors print as plain text in Go 1.19) are ignored here; see goBuildFailed.
 */
export function parseGoTestJson(output: string): ParsedOutcomes {
  const statuses = new Map<
    string,
    { pkg: string; test: string; status: TestStatus; output: string[]; seconds?: number }
  >();
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    let event: GoEvent;
    try {
      event = JSON.parse(line) as GoEvent;
    } catch {
      continue;
    }
    if (!event.Test || !event.Package) continue;
    const key = `${event.Package}.${event.Test}`;
    let entry = statuses.get(key);
    if (!entry) {
      entry = { pkg: event.Package, test: event.Test, status: "failed", output: [] };
      statuses.set(key, entry);
    }
    if (event.Action === "output" && event.Output !== undefined) entry.output.push(event.Output);
    else if (event.Action === "pass") entry.status = "passed";
    else if (event.Action === "fail") entry.status = "failed";
    else if (event.Action === "skip") entry.status = "skipped";
    if ((event.Action === "pass" || event.Action === "fail") && typeof event.Elapsed === "number") {
      entry.seconds = event.Elapsed;
    }
  }
  const parents = new Set<string>();
  for (const { pkg, test } of statuses.values()) {
    const slash = test.lastIndexOf("/");
    if (slash > 0) parents.add(`${pkg}.${test.slice(0, slash)}`);
  }
  const tests: TestOutcome[] = [];
  for (const [name, entry] of statuses) {
    if (parents.has(name)) continue;
    const top = entry.test.split("/")[0] ?? entry.test;
    tests.push({
      name,
      status: entry.status,
      message: entry.status === "failed" ? entry.output.join("").trim() : "",
      ...(entry.seconds !== undefined ? { seconds: entry.seconds } : {}),
      selector: { test: top, unit: entry.pkg },
    });
  }
  return { tests };
}
