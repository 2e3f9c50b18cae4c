import type { RunnerKind } from "../test-command.js";
import { cargoRunner } from "./cargo.js";
import { ctestRunner } from "./ctest.js";
import { goRunner } from "./go.js";
import { gradleRunner } from "./gradle.js";
import { javacJUnitRunner } from "./javac-junit.js";
import { jestRunner, vitestRunner } from "./jest-like.js";
import { customRunner, makeRunner } from "./make.js";
import { mavenRunner } from "./maven.js";
import { mochaRunner } from "./mocha.js";
import { nodeTestRunner } from "./node-test.js";
import { npmRunner } from "./npm.js";
import type { DetectionRule, RunnerPlugin } from "./plugin.js";
import { pytestRunner } from "./pytest.js";

/**
 * Every runner kind, one plug-in each. The order is the order in which a configured command is recognised
 * (matchesCommand); detection follows the rules' ranks instead. Adding a runner: one module and one line here
 * (and its kind in RunnerKind).
 */
export const RUNNERS: readonly RunnerPlugin[] = [
  pytestRunner,
  goRunner,
  cargoRunner,
  nodeTestRunner,
  makeRunner,
  ctestRunner,
  vitestRunner,
  jestRunner,
  mochaRunner,
  npmRunner,
  mavenRunner,
  gradleRunner,
  javacJUnitRunner,
  customRunner,
];

const BY_KIND = new Map<RunnerKind, RunnerPlugin>(RUNNERS.map((r) => [r.kind, r]));

export function runnerFor(kind: RunnerKind): RunnerPlugin {
  const runner = BY_KIND.get(kind);
  if (!runner) throw new Error(`no runner plug-in for ${kind}`);
  return runner;
}

/** Every runner's detection rules in the order they are tried (stable: equal ranks keep the table's order). */
export function detectionRules(): readonly DetectionRule[] {
  return RUNNERS.flatMap((r) => r.detection)
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => a.rule.rank - b.rule.rank || a.index - b.index)
    .map((e) => e.rule);
}
