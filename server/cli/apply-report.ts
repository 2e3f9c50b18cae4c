import { statSync } from "node:fs";
import { defaultConfig } from "../core/config-schema.js";
import { detectTestCommand } from "../pipeline/runners/detect.js";
import { resolve } from "node:path";
import { applyAndConfirm, DEFAULT_CONFIRM_SECONDS } from "./apply.js";
import { patchesToApply } from "./formats.js";
import { readArgs } from "./options.js";
import { readReportFile } from "./report-file.js";

export const APPLY_USAGE = `Usage: repair-ls apply REPORT.json [DIR] [--timeout-seconds N] [--test-command CMD]
Writes the repairs of a JSON report (from \`fix-all --format json\` or \`merge-reports --format json\`) into DIR
(default: the current folder), exactly as \`fix-all --apply\` does: every file must still hash as it did when the
repair was computed, the tests then run once in place, and every written file is restored if the outcome differs
from the validated one. The tests that confirm are the ones detected in DIR; a report whose test command differs
(one set by \`test.command\`, say) is refused unless --test-command repeats it: a report file never chooses by
itself what runs on this machine.
Exit codes:
  0  the test command passes in place at the end
  1  failing tests remain (nothing to apply, a changed file, or the write was rolled back)
  2  usage error or a report that cannot be read`;

/** Parses apply's arguments; pure. */
export function parseApplyArgs(
  argv: readonly string[],
): { report: string; dir: string; timeoutSeconds: number; testCommand?: string } | { error: string } | { help: true } {
  const written = readArgs(argv, {
    help: { type: "boolean", short: "h" },
    "timeout-seconds": { type: "string" },
    "test-command": { type: "string" },
  });
  if ("error" in written) return written;
  let timeoutSeconds = DEFAULT_CONFIRM_SECONDS;
  let testCommand: string | undefined;
  for (const { name, value } of written.options) {
    if (name === "help") return { help: true };
    if (name === "timeout-seconds") {
      const seconds = Number(value);
      if (!Number.isInteger(seconds) || seconds <= 0)
        return { error: "--timeout-seconds needs a positive whole number" };
      timeoutSeconds = seconds;
    } else if (name === "test-command") {
      if (!value?.trim()) return { error: "--test-command needs the command" };
      testCommand = value;
    }
  }
  const positional = written.positionals;
  const [report, dir, extra] = positional;
  if (!report) return { error: "give the JSON report to apply" };
  if (extra !== undefined) return { error: `unexpected argument: ${extra}` };
  return { report, dir: dir ?? ".", timeoutSeconds, ...(testCommand !== undefined ? { testCommand } : {}) };
}

/** `repair-ls apply`: see APPLY_USAGE for the exit codes. */
export async function runApply(argv: readonly string[]): Promise<number> {
  const parsed = parseApplyArgs(argv);
  if ("help" in parsed) {
    process.stdout.write(`${APPLY_USAGE}\n`);
    return 0;
  }
  if ("error" in parsed) {
    process.stderr.write(`repair-ls apply: ${parsed.error}\n${APPLY_USAGE}\n`);
    return 2;
  }
  const report = readReportFile(parsed.report);
  if (typeof report === "string") {
    process.stderr.write(`repair-ls apply: ${report}\n`);
    return 2;
  }
  const root = resolve(parsed.dir);
  try {
    if (!statSync(root).isDirectory()) throw new Error("not a directory");
  } catch {
    process.stderr.write(`repair-ls apply: ${parsed.dir} is not a directory\n`);
    return 2;
  }
  const chosen = patchesToApply(report);
  if (chosen.length === 0) {
    process.stderr.write(`repair-ls apply: ${parsed.report} holds no repair to apply; nothing was written\n`);
    return 1;
  }
  // The command that confirms comes from this side: detected in DIR, or repeated by the user. A report naming a
  // different one is refused, so that a report file alone never decides what runs here.
  const detected = await detectTestCommand(root, defaultConfig());
  const wanted = report.testRunner?.command;
  if (parsed.testCommand === undefined && wanted !== undefined && wanted !== detected?.command) {
    process.stderr.write(
      `repair-ls apply: the report's test command (${wanted}) is not the one detected in ${parsed.dir} (${detected?.command ?? "none"}); repeat it with --test-command to confirm with it; nothing was written\n`,
    );
    return 2;
  }
  if (parsed.testCommand !== undefined && parsed.testCommand !== wanted) {
    process.stderr.write(
      `repair-ls apply: --test-command differs from the report's test command (${wanted ?? "none"}); nothing was written\n`,
    );
    return 2;
  }
  return applyAndConfirm(root, report, chosen, {
    timeoutMs: parsed.timeoutSeconds * 1000,
    say: (line) => process.stderr.write(`${line}\n`),
    command: "apply",
  });
}
