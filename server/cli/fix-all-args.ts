import type { ShardSpec } from "../pipeline/shard.js";
import { readArgs, type OptionTable } from "./options.js";

export type OutputFormat = "text" | "diff" | "json" | "sarif";
export type EngineChoice = "auto" | "builtin" | "ollama";

export interface FixAllOptions {
  readonly dir: string;
  readonly testCommand: string | undefined;
  readonly apply: boolean;
  /** Also write the best partial patch when no repair exists (never without asking for it). */
  readonly applyPartial: boolean;
  readonly format: OutputFormat;
  readonly output: string | undefined;
  readonly engine: EngineChoice | undefined;
  readonly budgetSeconds: number | undefined;
  /** `--shard i/n` (1-based), or "auto" to read it from the CI's variables (see shardFromEnvironment). */
  readonly shard: ShardSpec | "auto" | undefined;
}

export const FIX_ALL_USAGE = `Usage: repair-ls fix-all [DIR] [--test-cmd CMD] [--apply] [--apply-partial] [--format text|diff|json|sarif]
                        [--output FILE] [--engine auto|builtin|ollama] [--budget-seconds N] [--shard i/n|auto]
Runs the tests in DIR (default: the current folder), repairs every failing test, and reports the validated patches.
A repair makes every failing test pass and breaks no test that passed; a partial patch fixes some and breaks none.
--apply writes the repairs (--apply-partial: also the best partial patch when there is no repair), then runs the
tests in place and restores every written file if the outcome differs from the validated one.
--shard i/n repairs only this shard's share (1-based: 1/4 .. 4/4) of the independent groups of failing tests;
every shard computes the same groups, and \`repair-ls merge-reports\` joins their JSON reports. --shard auto reads
CI_NODE_INDEX and CI_NODE_TOTAL (1-based, GitLab's parallel), else BUILDKITE_PARALLEL_JOB (0-based) and
BUILDKITE_PARALLEL_JOB_COUNT. A shard never writes: apply the merged report with \`repair-ls apply\`.
Exit codes:
  0  the test command passes in place at the end (after --apply, or nothing was failing)
  1  failing tests remain (nothing was applied, no repair was found, or the write was rolled back)
  2  usage or configuration error (no test command, tests not allowed to run, a bad setting), or the server died`;

const FORMATS: readonly OutputFormat[] = ["text", "diff", "json", "sarif"];
const ENGINES: readonly EngineChoice[] = ["auto", "builtin", "ollama"];

const FIX_ALL_OPTIONS: OptionTable = {
  help: { type: "boolean", short: "h" },
  apply: { type: "boolean" },
  "apply-partial": { type: "boolean" },
  "test-cmd": { type: "string" },
  format: { type: "string" },
  output: { type: "string" },
  engine: { type: "string" },
  "budget-seconds": { type: "string" },
  shard: { type: "string" },
};

/** Parses fix-all's arguments; `--flag=value` and `--flag value` are both accepted. Pure, so it is unit-tested. */
export function parseFixAllArgs(argv: readonly string[]): FixAllOptions | { error: string } | { help: true } {
  const written = readArgs(argv, FIX_ALL_OPTIONS);
  if ("error" in written) return written;
  let testCommand: string | undefined;
  let apply = false;
  let applyPartial = false;
  let format: OutputFormat = "text";
  let output: string | undefined;
  let engine: EngineChoice | undefined;
  let budgetSeconds: number | undefined;
  let shard: ShardSpec | "auto" | undefined;
  for (const { name, value } of written.options) {
    switch (name) {
      case "help":
        return { help: true };
      case "apply":
        apply = true;
        break;
      case "apply-partial":
        applyPartial = true;
        break;
      case "test-cmd":
        if (!value) return { error: "--test-cmd needs a command" };
        testCommand = value;
        break;
      case "format":
        if (!FORMATS.includes(value as OutputFormat)) return { error: `--format must be one of ${FORMATS.join(", ")}` };
        format = value as OutputFormat;
        break;
      case "output":
        if (!value) return { error: "--output needs a file" };
        output = value;
        break;
      case "engine":
        if (!ENGINES.includes(value as EngineChoice)) return { error: `--engine must be one of ${ENGINES.join(", ")}` };
        engine = value as EngineChoice;
        break;
      case "budget-seconds": {
        const seconds = Number(value);
        if (!Number.isInteger(seconds) || seconds <= 0)
          return { error: "--budget-seconds needs a positive whole number" };
        budgetSeconds = seconds;
        break;
      }
      case "shard": {
        const parsed = value === "auto" ? value : parseShard(value ?? "");
        if (typeof parsed === "string" && parsed !== "auto") return { error: `--shard: ${parsed}` };
        shard = parsed;
        break;
      }
    }
  }
  const [dir, extra] = written.positionals;
  if (extra !== undefined) return { error: `unexpected argument: ${extra} (only one DIR)` };
  if (shard && (apply || applyPartial)) {
    return {
      error: "--shard repairs a share of the failing tests: merge the shards' reports and apply the merged one",
    };
  }
  return { dir: dir ?? ".", testCommand, apply, applyPartial, format, output, engine, budgetSeconds, shard };
}

/** Parses "i/n" (1 <= i <= n); a string result says what is wrong. */
export function parseShard(text: string): ShardSpec | string {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return `expected i/n (e.g. 2/4) or auto, got "${text}"`;
  const index = Number(match[1]);
  const total = Number(match[2]);
  if (total < 1 || index < 1 || index > total) return `the shard ${text} must have 1 <= i <= n`;
  return { index, total };
}

/**
 * The shard a CI job is, from its environment: GitLab's CI_NODE_INDEX (1-based) and CI_NODE_TOTAL, else
 * Buildkite's BUILDKITE_PARALLEL_JOB (0-based) and BUILDKITE_PARALLEL_JOB_COUNT. A string result says what is
 * missing or wrong. GitHub Actions has no such variables: pass `--shard ${{ matrix.shard }}/N` instead.
 */
export function shardFromEnvironment(env: Readonly<Record<string, string | undefined>>): ShardSpec | string {
  const read = (indexVar: string, totalVar: string, base: 0 | 1): ShardSpec | string | undefined => {
    const index = env[indexVar];
    const total = env[totalVar];
    if (index === undefined && total === undefined) return undefined;
    if (!index || !total || !/^\d+$/.test(index) || !/^\d+$/.test(total)) {
      return `${indexVar} and ${totalVar} must both be whole numbers (got "${index ?? ""}" and "${total ?? ""}")`;
    }
    const parsed = parseShard(`${Number(index) + 1 - base}/${total}`);
    return typeof parsed === "string" ? `${indexVar}=${index}, ${totalVar}=${total}: ${parsed}` : parsed;
  };
  return (
    read("CI_NODE_INDEX", "CI_NODE_TOTAL", 1) ??
    read("BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0) ??
    "--shard auto needs CI_NODE_INDEX and CI_NODE_TOTAL (or BUILDKITE_PARALLEL_JOB and BUILDKITE_PARALLEL_JOB_COUNT)"
  );
}
