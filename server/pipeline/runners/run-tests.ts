import { realpathSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { invocationFor, type Invocation, type InvocationOptions } from "./invocation.js";
import type { TestOutcome, TestRunResult } from "./outcomes.js";
import { runProcess, type ProcessResult } from "./process.js";
import type { TestCommand } from "./test-command.js";

/** What a candidate's run adds to the test command, as the baseline found it necessary (see Baseline). */
export interface CandidateRunSettings {
  /** Per-test deadline in seconds, for runners that have one: a test running longer fails. */
  readonly testDeadlineSeconds?: number;
  /**
   * The name of a synthetic test that passes in every completed run: the oracle of a baseline whose whole command
   * did not finish ("terminates"), on runners without per-test deadlines.
   */
  readonly terminationTest?: string;
}

export interface RunTestsOptions extends CandidateRunSettings {
  /** Where to run (a scratch copy of the workspace). */
  readonly cwd: string;
  /**
   * The user's workspace root: paths under `cwd` in names, messages and output are rewritten to it, so that
   * results from any scratch copy name the user's files and compare equal across copies.
   */
  readonly displayRoot: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly only?: readonly TestOutcome[];
  /** Environment for the run, on top of process.env (worker caches, coverage hooks). */
  readonly env?: Record<string, string>;
  readonly pytestArgs?: readonly string[];
  /** Folder for report files (a worker's private folder); the system temp folder by default. */
  readonly reportParent?: string;
  /** Stop at the first failing test, running `only` in its order (runners that can; see RunnerPlugin). */
  readonly stopAtFirstFailure?: boolean;
  /** The failing tests first, then the rest stopping at the first failure, in one run (see InvocationOptions). */
  readonly oracleFirst?: number;
  /** What runs the invocation: a warm worker; a cold shell process by default. */
  readonly executor?: TestExecutor;
}

/** Where and how long one invocation runs. */
export interface ExecutionOptions {
  readonly cwd: string;
  /** The run's whole environment (process.env, the quiet-runner variables, the invocation's own). */
  readonly env: Record<string, string>;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** The run's private folder for report and output files. */
  readonly reportDir: string;
}

/**
 * Runs an invocation once and reports how it ended, as runProcess does for the cold path; warm workers implement
 * it to run the same invocation in a process that has the runner loaded already. Never rejects.
 */
export type TestExecutor = (invocation: Invocation, options: ExecutionOptions) => Promise<ProcessResult>;

/** The cold path: the invocation's shell command in a new process group. */
export const coldExecutor: TestExecutor = (invocation, options) =>
  runProcess(invocation.shell, {
    cwd: options.cwd,
    env: options.env,
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

/** Variables that make runners quiet, deterministic and non-interactive. */
const RUN_ENV: Record<string, string> = {
  CI: "1",
  NO_COLOR: "1",
  FORCE_COLOR: "0",
  TERM: "dumb",
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
};

const OUTPUT_TAIL_CHARS = 4000;

function tail(text: string, chars = OUTPUT_TAIL_CHARS): string {
  return text.length <= chars ? text : text.slice(text.length - chars);
}

function firstMeaningfulLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim());
  return (
    lines.find((l) => /error|not found|No such file|cannot|undefined/i.test(l)) ??
    lines.find((l) => l !== "") ??
    ""
  ).slice(0, 300);
}

/** Rewrites every spelling of the scratch folder to the user's folder. */
function pathRewriter(cwd: string, displayRoot: string): (text: string) => string {
  const spellings = new Set([cwd]);
  try {
    spellings.add(realpathSync(cwd));
  } catch {
    // The folder may be gone after a cancellation; the plain spelling is enough then.
  }
  const ordered = [...spellings].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const s of ordered) if (out.includes(s)) out = out.split(s).join(displayRoot);
    return out;
  };
}

/**
 * Runs a test command once and classifies the result: per-test outcomes when the runner reports them, a build
 * error when nothing ran because the code does not compile, a timeout, a cancellation, or a command that does not
 * exist. Never throws for anything the command does.
 */
export async function runTests(command: TestCommand, options: RunTestsOptions): Promise<TestRunResult> {
  const reportDir = await mkdtemp(join(options.reportParent ?? tmpdir(), "repair-ls-report-"));
  try {
    const invocationOptions: InvocationOptions = {
      cwd: options.cwd,
      reportDir,
      ...(options.only ? { only: options.only } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.pytestArgs ? { pytestArgs: options.pytestArgs } : {}),
      ...(options.testDeadlineSeconds !== undefined ? { testDeadlineSeconds: options.testDeadlineSeconds } : {}),
      ...(options.stopAtFirstFailure ? { stopAtFirstFailure: true } : {}),
      ...(options.oracleFirst !== undefined ? { oracleFirst: options.oracleFirst } : {}),
    };
    const invocation = invocationFor(command, invocationOptions);
    const result = await (options.executor ?? coldExecutor)(invocation, {
      cwd: options.cwd,
      env: { ...definedEnv(process.env), ...RUN_ENV, ...invocation.env },
      timeoutMs: options.timeoutMs,
      reportDir,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const rewrite = pathRewriter(options.cwd, options.displayRoot);
    const stdout = rewrite(result.stdout);
    const stderr = rewrite(result.stderr);
    const output = stderr.trim() === "" ? stdout : `${stdout}\n${stderr}`;
    const base = {
      exitCode: result.exitCode,
      seconds: result.seconds,
      output,
      ...(result.leftovers > 0 ? { leftovers: result.leftovers } : {}),
    };
    const empty = { tests: [], perTest: false, counts: { total: 0, failed: 0 } };

    if (result.end === "cancelled") return { kind: "cancelled", ...base, ...empty };
    if (result.end === "timeout") {
      return {
        kind: "timeout",
        ...base,
        ...empty,
        problem: `the tests did not finish within ${Math.round(options.timeoutMs / 1000)} s`,
      };
    }
    if (result.end === "spawn-error") {
      return { kind: "not-found", ...base, ...empty, problem: result.error ?? "the test command could not start" };
    }

    let parsed;
    try {
      parsed = await invocation.parse(result.stdout, result.stderr);
    } catch {
      parsed = undefined;
    }
    const tests: TestOutcome[] = (parsed?.tests ?? []).map((t) => ({
      ...t,
      name: rewrite(t.name).split(`${options.displayRoot}/`).join(""),
      message: rewrite(t.message),
      ...(t.file ? { file: rewrite(t.file) } : {}),
    }));
    const terminated: TestOutcome[] =
      options.terminationTest === undefined ? [] : [{ name: options.terminationTest, status: "passed", message: "" }];
    const ran = tests.length > 0 || (parsed?.total ?? 0) > 0;
    const failedExit = result.exitCode !== 0;
    if (
      !ran &&
      failedExit &&
      (result.exitCode === 127 || result.exitCode === 126) &&
      /not found|No such file|Permission denied/i.test(stderr)
    ) {
      return { kind: "not-found", ...base, ...empty, problem: firstMeaningfulLine(stderr) };
    }
    if (!ran && failedExit && invocation.buildFailed(output)) {
      return { kind: "build-error", ...base, ...empty, problem: firstMeaningfulLine(output) };
    }
    // pytest exits 5 when it collected no test: a run with nothing in it, not a failure.
    const noTestsCollected = command.kind === "pytest" && result.exitCode === 5;
    if (parsed && (ran || !failedExit || noTestsCollected)) {
      const failed = tests.filter((t) => t.status === "failed").length;
      const total = (parsed.total ?? tests.filter((t) => t.status !== "skipped").length) + terminated.length;
      return { kind: "completed", ...base, tests: [...tests, ...terminated], perTest: true, counts: { total, failed } };
    }
    // No per-test output: the whole command is one test, judged by its exit code.
    const pseudo: TestOutcome = {
      name: command.command,
      status: failedExit ? "failed" : "passed",
      message: failedExit ? tail(output) : "",
    };
    return {
      kind: "completed",
      ...base,
      tests: [pseudo, ...terminated],
      perTest: false,
      counts: { total: 1 + terminated.length, failed: failedExit ? 1 : 0 },
    };
  } finally {
    await rm(reportDir, { recursive: true, force: true });
  }
}
