import type { TestOutcome, TestStatus } from "../outcomes.js";

/** Whether cargo output shows that the crate or its tests did not compile. */
export function cargoBuildFailed(output: string): boolean {
  return /^error(\[E\d+\])?:/m.test(output) && /could not compile|aborting due to/.test(output);
}

/**
 * Parses libtest's human output (`test path::name ... ok|FAILED|ignored`) across every test binary cargo runs,
 * attaching each failure's `---- name stdout ----` section (the panic message and backtrace) as its message.
 */
export function parseCargoTest(output: string): TestOutcome[] {
  const results = new Map<string, { status: TestStatus; unit: string | undefined }>();
  const messages = new Map<string, string[]>();
  let unit: string | undefined;
  let section: string[] | undefined;
  for (const line of output.split(/\r?\n/)) {
    const running = /^\s*Running\s+(?:unittests\s+)?(\S+)/.exec(line);
    if (running) {
      unit = running[1];
      section = undefined;
      continue;
    }
    const result = /^test (\S+?)(?: - should panic)? \.\.\. (ok|FAILED|ignored)/.exec(line);
    if (result) {
      const status: TestStatus = result[2] === "ok" ? "passed" : result[2] === "FAILED" ? "failed" : "skipped";
      const previous = results.get(result[1]!);
      if (!previous || previous.status !== "failed") results.set(result[1]!, { status, unit });
      continue;
    }
    const header = /^---- (\S+) stdout ----$/.exec(line);
    if (header) {
      section = [];
      messages.set(header[1]!, section);
      continue;
    }
    if (/^(failures:|test result:)/.test(line)) {
      section = undefined;
      continue;
    }
    section?.push(line);
  }
  return [...results].map(([name, { status, unit: binary }]) => ({
    name,
    status,
    message: status === "failed" ? (messages.get(name) ?? []).join("\n").trim() : "",
    selector: { test: name, ...(binary ? { unit: binary } : {}) },
  }));
}

export function looksLikeCargoTest(output: string): boolean {
  return /^test \S+ \.\.\. (ok|FAILED|ignored)/m.test(output);
}
