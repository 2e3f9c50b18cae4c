/**
 * Every sentence a repair task says to people: report summaries, progress titles and notes. They live together so
 * that their wording and their pluralisation stay consistent, and so that a step reads as what it does.
 */
import type { RepairPatch, RepairStatus } from "../report.js";

/** "test" for one, "tests" otherwise; `many` for words whose plural is not the word plus "s". */
export function noun(n: number, word: string, many = `${word}s`): string {
  return n === 1 ? word : many;
}

/** "1 test", "2 tests". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${noun(n, word, many)}`;
}

/** Why a task ends early, as the report says it. */
export interface Stop {
  readonly status: RepairStatus;
  readonly message: string;
}

export const CANCELLED: Stop = { status: "cancelled", message: "The repair was cancelled." };

export const RUNS_REFUSED: Stop = {
  status: "misconfigured",
  message: 'Running tests is disabled (test.allowRun is "never"), so no repair can be validated.',
};

export const NO_TEST_COMMAND: Stop = {
  status: "no-tests",
  message: "No test command was found; set test.command to the command that runs the tests.",
};

export const NOTHING_SUSPICIOUS: Stop = {
  status: "unfixed",
  message: "No suspicious code was found for the failing tests.",
};

export function failedTask(reason: string): Stop {
  return { status: "error", message: `The repair failed: ${reason}.` };
}

export function commandNotRunnable(command: string, problem: string | undefined): Stop {
  return {
    status: "misconfigured",
    message: `The test command \`${command}\` could not run: ${problem ?? "not found"}.`,
  };
}

export function suiteTimedOut(command: string, timeoutMs: number): Stop {
  return {
    status: "error",
    message: `The test command \`${command}\` did not finish within ${Math.round(timeoutMs / 1000)} s, and the hanging tests could not be singled out.`,
  };
}

export function buildFailed(problem: string | undefined): Stop {
  return { status: "error", message: `The code does not build, so no test ran: ${problem ?? "build error"}.` };
}

export function noTestsRan(command: string): Stop {
  return { status: "no-tests", message: `The test command \`${command}\` ran no tests.` };
}

export function nothingFailing(total: number, flaky: number): Stop {
  const all = total === 1 ? "The only test passes" : `All ${total} tests pass`;
  const reran = flaky > 0 ? ` (${plural(flaky, "flaky test")} passed on a re-run)` : "";
  return { status: "nothing-failing", message: `${all}${reran}: there is nothing to repair.` };
}

export function otherShards(index: number, total: number, groups: number, failing: number): Stop {
  return {
    status: "other-shards",
    message: `Shard ${index}/${total} owns none of the ${plural(groups, "repair group")} of the ${plural(failing, "failing test")}: the other shards repair them.`,
  };
}

/** What the tests left running, for the log and the report's notes. */
export function leftoversNote(n: number): string {
  return `the tests left ${plural(n, "process", "processes")} running (daemons they started); repair-ls killed ${n === 1 ? "it" : "them"}`;
}

export function testCodeNote(files: readonly string[]): string {
  return `${files.join(", ")}: test code, never edited`;
}

export const FALLBACK_LOCALISATION_NOTE =
  "localisation: a fallback (no coverage, test body or stack frame pointed at any line): the statements the tests run are ranked by fix-pattern priors";

export function syntaxErrorNote(where: string): string {
  return `${where}: the parser reports a syntax error here`;
}

export function coldOverruledNote(n: number): string {
  return `validation: cold runs overruled ${plural(n, "warm verdict")} (the cold verdict is reported)`;
}

export const BUDGET_SPENT_NOTE = "budget: the search stopped when the budget ran out";

export function groupsNote(groups: number, failing: number): string {
  return `groups: the ${plural(failing, "failing test")} form ${plural(groups, "independent repair group")}, each repaired as its own task; their patches were validated together`;
}

export const GROUPS_FELL_BACK_NOTE =
  "groups: the groups' patches together were no repair (a passing test may tie their code together), so all the failing tests were then repaired as one task";

/** Progress titles, in the order a task reports them. */
export const progressTitles = {
  baseline: (command: string) => `Running the tests (${command})`,
  localising: (failing: number) => `Localising ${plural(failing, "failing test")}`,
  searching: "Generating and validating candidates",
  group: (index: number, total: number, failing: number) =>
    `Repair group ${index}/${total}: ${plural(failing, "failing test")}`,
  validated: (done: number, plausible: number) => `Validated ${plural(done, "candidate")} (${plausible} plausible)`,
  joint: "Validating the groups' patches together",
  done: "Done",
} as const;

/** The report's one sentence once the search ran. */
export function summary(
  status: RepairStatus,
  found: { readonly repairs: readonly RepairPatch[]; readonly partials: readonly RepairPatch[] },
  failing: number,
  validations: number,
  seconds: number,
): string {
  const spent = `${plural(validations, "validation")}, ${seconds.toFixed(1)} s`;
  const where = (patch: RepairPatch): string => patch.files.map((f) => f.relativePath).join(", ");
  const best = found.repairs[0];
  const partial = found.partials[0];
  switch (status) {
    case "fixed":
      return best
        ? `Found ${found.repairs.length === 1 ? "a repair" : `${found.repairs.length} repairs`} for ${plural(failing, "failing test")} (${spent}); best: ${best.description} in ${where(best)}.`
        : "";
    case "partial":
      return partial
        ? `No repair found; a partial patch fixes ${partial.fixedTests.length} of ${plural(failing, "failing test")} without breaking others (${spent}): ${partial.description} in ${where(partial)}.`
        : "";
    case "cancelled":
      return `The repair was cancelled after ${spent}.`;
    default:
      return `No patch made the ${plural(failing, "failing test")} pass without breaking another (${spent}).`;
  }
}
