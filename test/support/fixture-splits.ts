/**
 * The dev/heldout split of the fixture corpus (test/fixtures/splits.json, drawn once with a recorded seed): engine
 * rules are justified on dev, and the benchmark reports heldout separately so that overfitting shows.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./fixture-bugs.js";

export type FixtureSet = "dev" | "heldout";

export interface FixtureSplits {
  readonly seed: number;
  readonly dev: readonly string[];
  readonly heldout: readonly string[];
}

export function readSplits(): FixtureSplits {
  return JSON.parse(readFileSync(join(repoRoot(), "test", "fixtures", "splits.json"), "utf8")) as FixtureSplits;
}

/** The set a bug belongs to; a bug missing from splits.json (verify.sh rejects that) counts as dev. */
export function setOf(splits: FixtureSplits, id: string): FixtureSet {
  return splits.heldout.includes(id) ? "heldout" : "dev";
}
