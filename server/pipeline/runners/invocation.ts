import type { Invocation, InvocationOptions } from "./plugins/plugin.js";
import { runnerFor } from "./plugins/table.js";
import type { TestCommand } from "./test-command.js";

export type { Invocation, InvocationOptions } from "./plugins/plugin.js";
export { shellQuote } from "./plugins/shared.js";

/**
 * Builds the command line, environment and parser for one run of a detected test command, by the command's
 * runner plug-in: machine-readable reporters where the runner has them (JUnit XML, go test -json, TAP,
 * jest/vitest/mocha JSON), and a selection of tests when `only` is given and the runner can select.
 */
export function invocationFor(command: TestCommand, options: InvocationOptions): Invocation {
  return runnerFor(command.kind).invocation(command, options);
}
