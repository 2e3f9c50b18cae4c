import type { SpectrumEntity } from "../localise/coverage.js";
import type { TestOutcome } from "./outcomes.js";

/** Lines a candidate changes: absolute file path -> 0-based line numbers (of the unmodified file). */
export type ChangedLines = ReadonlyMap<string, readonly number[]>;

export interface SelectionInput {
  /** The target failing tests (the oracle). */
  readonly oracle: readonly TestOutcome[];
  /** Every test of the baseline run. */
  readonly tests: readonly TestOutcome[];
  /** The baseline's per-test coverage, when it was collected. */
  readonly coverage?: readonly SpectrumEntity[];
  readonly changed: ChangedLines;
}

function covers(entity: SpectrumEntity, changed: ChangedLines): boolean {
  for (const [file, lines] of changed) {
    const covered = entity.lines.get(file);
    if (covered && lines.some((line) => covered.has(line))) return true;
  }
  return false;
}

/**
 * The order in which a candidate's tests run, so that a run that stops at the first failure stops as early as it
 * can: the target failing tests first (a candidate most often fails there), then the tests whose baseline coverage
 * touches the changed lines (the likeliest regressions), then the rest, each group in the baseline's order. Every
 * test appears once; skipped tests are left out.
 */
export function orderTestsForCandidate(input: SelectionInput): TestOutcome[] {
  const seen = new Set<string>();
  const ordered: TestOutcome[] = [];
  const add = (test: TestOutcome): void => {
    if (seen.has(test.name) || test.status === "skipped") return;
    seen.add(test.name);
    ordered.push(test);
  };
  for (const test of input.oracle) add(test);
  const covering = new Set(
    (input.coverage ?? []).filter((entity) => covers(entity, input.changed)).map((entity) => entity.name),
  );
  for (const test of input.tests) if (covering.has(test.name)) add(test);
  for (const test of input.tests) add(test);
  return ordered;
}
