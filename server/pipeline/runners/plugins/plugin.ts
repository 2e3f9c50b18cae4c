import type { SpectrumEntity } from "../../localise/coverage.js";
import type { SourceFiles } from "../../localise/source-files.js";
import type { ParsedOutcomes, TestOutcome, TestRunResult } from "../outcomes.js";
import type { ProcessResult } from "../process.js";
import type { ExecutionOptions } from "../run-tests.js";
import type { RunnerKind, TestCommand } from "../test-command.js";
import type { WorkspaceProbe } from "./probe.js";

/** Everything needed to run one test command once and read its results. */
export interface Invocation {
  readonly shell: string;
  readonly env: Record<string, string>;
  /** Reads the per-test results (from the output or a report file); undefined when none were found. */
  parse(stdout: string, stderr: string): Promise<ParsedOutcomes | undefined>;
  /** Whether the output says the code did not compile (so no test ran). */
  buildFailed(output: string): boolean;
  /** The same run as arguments of the runner's own entry point, for warm workers that run it in-process. */
  readonly inProcess?: InProcessRun;
}

/** A run as a warm worker performs it: the interpreter, the runner's arguments (unquoted), how it was started. */
export interface InProcessRun {
  /** The interpreter the cold command starts, e.g. `python3`. */
  readonly interpreter: string;
  readonly args: readonly string[];
  /** Whether the cold command starts the runner as a module (`python -m pytest`, which puts the cwd on sys.path). */
  readonly module: boolean;
  /**
   * For a `tsc -p <project> && node --test ...` command: the project (tsconfig) whose changed sources are transpiled,
   * without a type-check, before the tests run.
   */
  readonly transpile?: string;
}

export interface InvocationOptions {
  /** The folder the run happens in (a scratch copy). */
  readonly cwd: string;
  /** A private folder for report files. */
  readonly reportDir: string;
  /** Run only these tests (ignored by runners that cannot select). */
  readonly only?: readonly TestOutcome[];
  /** Extra environment for this run (e.g. coverage hooks). */
  readonly env?: Record<string, string>;
  /** Extra pytest arguments (e.g. `-p plugin`). */
  readonly pytestArgs?: readonly string[];
  /**
   * Seconds after which a single test counts as failed ("did not finish"), for runners with `perTestDeadline`;
   * others ignore it (their whole run is bounded by the run's timeout only).
   */
  readonly testDeadlineSeconds?: number;
  /**
   * Stop at the first failing test, running the selected tests in the order given (runners with
   * `stopsAtFirstFailure`; others run everything selected).
   */
  readonly stopAtFirstFailure?: boolean;
  /**
   * For runners with `runsOracleFirst`: the first this many tests of `only` (the target failing tests) all run; the
   * run ends after them when any of them failed, and otherwise goes on with the rest of `only`, in its order,
   * stopping at the first failure. One run then does what a run of the failing tests followed by a run of the rest
   * stopping at the first failure would do. `stopAtFirstFailure` is not needed with it.
   */
  readonly oracleFirst?: number;
}

/**
 * One detection rule of a runner. Rules of every runner are tried in ascending `rank` (the first command found
 * wins), so that a runner's rules can sit anywhere in the global order: package.json before build files, build
 * files before bare test files.
 */
export interface DetectionRule {
  readonly rank: number;
  detect(workspace: WorkspaceProbe): Promise<TestCommand | undefined>;
}

/** Where the baseline run happens, for coverage hooks. */
export interface CoverageContext {
  readonly command: TestCommand;
  /** The scratch copy's workspace folder and its private parent folder (for report and coverage files). */
  readonly scratchRoot: string;
  readonly scratchDir: string;
  /** The user's workspace root: coverage is reported against it. */
  readonly userRoot: string;
  /** The scratch copy's own environment (caches). */
  readonly env: Record<string, string>;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly sources: SourceFiles;
}

/** What the baseline learnt before coverage is read: its run and its consistent failures. */
export interface CoverageInputs {
  readonly run: TestRunResult;
  readonly oracle: readonly TestOutcome[];
  readonly oracleNames: ReadonlySet<string>;
  readonly flaky: readonly string[];
}

/** How a runner collects per-test (or per-file) coverage cheaply during, or right after, the baseline run. */
export interface CoverageHook {
  /** Environment and runner arguments that make the baseline run record coverage. */
  prepare(context: CoverageContext): Promise<{ env: Record<string, string>; pytestArgs?: readonly string[] }>;
  /**
   * Whether a run with the hooks looks broken by them (so the baseline runs again without): coverage must never
   * cost the user their results.
   */
  brokeTheRun?(run: TestRunResult): boolean;
  /** Reads (or computes) the coverage; undefined or empty when none is available. */
  collect(context: CoverageContext, inputs: CoverageInputs): Promise<readonly SpectrumEntity[] | undefined>;
  /** Removes what prepare() created. */
  cleanup?(context: CoverageContext): Promise<void>;
}

/**
 * A runner kind as one plug-in: how it is detected and recognised, how one run is invoked and parsed, and, where
 * the runner supports them, coverage hooks and per-test deadlines. Registered in ./table.ts.
 */
export interface RunnerPlugin {
  readonly kind: RunnerKind;
  /** Whether the runner can run a chosen subset of tests (otherwise every run is a full run). */
  readonly canSelect: boolean;
  /** Whether the runner can fail a single test that runs too long and go on with the others. */
  readonly perTestDeadline: boolean;
  /**
   * Whether that deadline bounds a whole test binary rather than each test (go test -timeout: a package's selected
   * tests together), so that candidates' deadline derives from the slowest binary of the baseline.
   */
  readonly deadlinePerBinary?: boolean;
  /** Whether the runner can stop at the first failing test and runs selected tests in the order given. */
  readonly stopsAtFirstFailure?: boolean;
  /** Whether the runner can run the failing tests and then the rest in one run (`InvocationOptions.oracleFirst`). */
  readonly runsOracleFirst?: boolean;
  /** Recognises a command the user configured (`test.command`), so that its output can be parsed per test. */
  matchesCommand?(command: string): boolean;
  readonly detection: readonly DetectionRule[];
  invocation(command: TestCommand, options: InvocationOptions): Invocation;
  readonly coverage?: CoverageHook;
  /** How to keep the runner loaded across runs (see runners/warm/); runners without one always run cold. */
  readonly warm?: WarmMode;
}

/** Where a warm server works: the workspace and the scratch copy it serves. */
export interface WarmContext {
  /** The user's workspace root and the scratch copy's folders: the server never imports modules from them. */
  readonly userRoot: string;
  readonly scratchRoot: string;
  readonly scratchDir: string;
}

/** A runner kept loaded: it runs invocations that have an in-process form (`Invocation.inProcess`). */
export interface WarmServer {
  readonly alive: boolean;
  run(run: InProcessRun, options: ExecutionOptions): Promise<ProcessResult>;
  close(): void;
}

export interface WarmMode {
  start(context: WarmContext, run: InProcessRun): Promise<WarmServer>;
}

/** The message of a test that was stopped by its per-test deadline (the same words in every runner). */
export function deadlineMessage(seconds: number): string {
  return `did not finish within ${formatSeconds(seconds)} s`;
}

export function formatSeconds(seconds: number): string {
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1);
}
