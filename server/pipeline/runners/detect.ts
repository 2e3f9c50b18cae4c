import type { Config } from "../../core/config-schema.js";
import { WorkspaceProbe } from "./plugins/probe.js";
import { RUNNERS, detectionRules, runnerFor } from "./plugins/table.js";
import type { RunnerKind, TestCommand } from "./test-command.js";

export { JAVA_CLASSES_DIR, javaCommand } from "./plugins/javac-junit.js";

/** Infers the runner of a command the user configured, so that its output can still be parsed per test. */
export function kindOfCommand(command: string): RunnerKind {
  const c = command.trim();
  return RUNNERS.find((r) => r.matchesCommand?.(c))?.kind ?? "custom";
}

/**
 * Detects how a workspace runs its tests. The `test.command` setting wins; then the runner plug-ins' detection
 * rules in rank order (see RANK in plugins/shared.ts): package.json's test script, a pytest configuration, go.mod,
 * Cargo.toml, Maven, Gradle, CMake with tests (ctest), a Makefile `test` target, plain Java with JUnit 4 tests,
 * Python test files, node:test files. Undefined when nothing is found.
 */
export async function detectTestCommand(root: string, config: Config): Promise<TestCommand | undefined> {
  const configured = config["test.command"].trim();
  if (configured !== "") {
    const kind = kindOfCommand(configured);
    return { kind, command: configured, source: "test.command setting", canSelect: runnerFor(kind).canSelect };
  }
  const workspace = new WorkspaceProbe(root);
  for (const rule of detectionRules()) {
    const command = await rule.detect(workspace);
    if (command) return command;
  }
  return undefined;
}
