import type { ParsedOutcomes, TestOutcome } from "../outcomes.js";

/**
 * Parses JUnit 4's JUnitCore text output. JUnitCore names only the failures (`1) method(pkg.Class)` followed by
 * the trace), so passing tests are counted from `OK (N tests)` or `Tests run: N, Failures: F` rather than named.
 */
export function parseJUnitCore(output: string): ParsedOutcomes {
  const tests: TestOutcome[] = [];
  const lines = output.split(/\r?\n/);
  let current: { name: string; method: string; klass: string; body: string[] } | undefined;
  const flush = (): void => {
    if (!current) return;
    tests.push({
      name: current.name,
      status: "failed",
      message: current.body.join("\n").trim(),
      selector: { test: current.method, unit: current.klass },
    });
    current = undefined;
  };
  let total: number | undefined;
  for (const line of lines) {
    const failure = /^\d+\) (.+?)\(([\w.$]+)\)\s*$/.exec(line);
    if (failure) {
      flush();
      const method = failure[1]!;
      const klass = failure[2]!;
      current = { name: `${klass}.${method}`, method, klass, body: [] };
      continue;
    }
    const ok = /^OK \((\d+) tests?\)/.exec(line);
    const summary = /^Tests run: (\d+),\s+Failures: (\d+)/.exec(line);
    if (ok || summary || line === "FAILURES!!!") {
      flush();
      if (ok) total = Number(ok[1]);
      if (summary) total = Number(summary[1]);
      continue;
    }
    current?.body.push(line);
  }
  flush();
  return total === undefined ? { tests } : { tests, total };
}

export function looksLikeJUnitCore(output: string): boolean {
  return /^JUnit version \d/m.test(output) && /^(OK \(\d+ tests?\)|Tests run: \d+)/m.test(output);
}
