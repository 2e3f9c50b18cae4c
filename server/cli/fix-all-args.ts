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
}

export const FIX_ALL_USAGE = `Usage: repair-ls fix-all [DIR] [--test-cmd CMD] [--apply] [--apply-partial] [--format text|diff|json|sarif]
                        [--output FILE] [--engine auto|builtin|ollama] [--budget-seconds N]
Runs the tests in DIR (default: the current folder), repairs every failing test, and reports the validated patches.
A repair makes every failing test pass and breaks no test that passed; a partial patch fixes some and breaks none.
--apply writes the repairs (--apply-partial: also the best partial patch when there is no repair), then runs the
tests in place and restores every written file if the outcome differs from the validated one.
Exit codes:
  0  the test command passes in place at the end (after --apply, or nothing was failing)
  1  failing tests remain (nothing was applied, no repair was found, or the write was rolled back)
  2  usage or configuration error (no test command, tests not allowed to run, a bad setting), or the server died`;

const FORMATS: readonly OutputFormat[] = ["text", "diff", "json", "sarif"];
const ENGINES: readonly EngineChoice[] = ["auto", "builtin", "ollama"];

/** Parses fix-all's arguments; `--flag=value` and `--flag value` are both accepted. Pure, so it is unit-tested. */
export function parseFixAllArgs(argv: readonly string[]): FixAllOptions | { error: string } | { help: true } {
  let dir: string | undefined;
  let testCommand: string | undefined;
  let apply = false;
  let applyPartial = false;
  let format: OutputFormat = "text";
  let output: string | undefined;
  let engine: EngineChoice | undefined;
  let budgetSeconds: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string | undefined => (eq > 0 && arg.startsWith("--") ? arg.slice(eq + 1) : argv[++i]);
    switch (name) {
      case "--help":
      case "-h":
        return { help: true };
      case "--apply":
        apply = true;
        break;
      case "--apply-partial":
        applyPartial = true;
        break;
      case "--test-cmd": {
        const value = takeValue();
        if (!value) return { error: "--test-cmd needs a command" };
        testCommand = value;
        break;
      }
      case "--format": {
        const value = takeValue();
        if (!FORMATS.includes(value as OutputFormat)) return { error: `--format must be one of ${FORMATS.join(", ")}` };
        format = value as OutputFormat;
        break;
      }
      case "--output": {
        const value = takeValue();
        if (!value) return { error: "--output needs a file" };
        output = value;
        break;
      }
      case "--engine": {
        const value = takeValue();
        if (!ENGINES.includes(value as EngineChoice)) return { error: `--engine must be one of ${ENGINES.join(", ")}` };
        engine = value as EngineChoice;
        break;
      }
      case "--budget-seconds": {
        const value = Number(takeValue());
        if (!Number.isInteger(value) || value <= 0) return { error: "--budget-seconds needs a positive whole number" };
        budgetSeconds = value;
        break;
      }
      default:
        if (arg.startsWith("-")) return { error: `unknown option: ${arg}` };
        if (dir !== undefined) return { error: `unexpected argument: ${arg} (only one DIR)` };
        dir = arg;
    }
  }
  return { dir: dir ?? ".", testCommand, apply, applyPartial, format, output, engine, budgetSeconds };
}
