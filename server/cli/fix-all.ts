import { spawn } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from "vscode-languageserver-protocol/node.js";
import type { JobReport } from "../lsp/job-report.js";
import {
  COMMANDS,
  CONFIG_PROBLEM_NOTIFICATION,
  JOB_FINISHED_NOTIFICATION,
  REPORT_REQUEST,
  type ConfigProblemParams,
} from "../lsp/protocol-names.js";
import { applyAndConfirm, DEFAULT_CONFIRM_SECONDS } from "./apply.js";
import { parseFixAllArgs, FIX_ALL_USAGE, shardFromEnvironment, type FixAllOptions } from "./fix-all-args.js";
import { formatDiff, formatJson, formatSarif, formatText, patchesToApply } from "./formats.js";
import { packageVersion } from "./version.js";
import { errorMessage } from "../core/error-message.js";

/** How long a closed connection waits for the server's exit, to report how it died. */
const SERVER_EXIT_GRACE_MS = 3000;

/** Progress on stderr: a redrawn bar on a terminal, plain lines (only when the message changes) elsewhere. */
class ProgressPrinter {
  private lastPhase = "";
  private lastPrintedPercentage = -5;
  constructor(private readonly tty: boolean) {}

  update(title: string, message: string | undefined, percentage: number | undefined): void {
    const text = `${title}${message ? `: ${message}` : ""}`;
    if (this.tty) {
      const pct = percentage ?? 0;
      const filled = Math.round(pct / 5);
      const bar = `[${"#".repeat(filled)}${".".repeat(20 - filled)}] ${String(pct).padStart(3)}% `;
      process.stderr.write(`\r\x1b[K${bar}${text}`.slice(0, (process.stderr.columns || 100) + 4));
    } else {
      // A log is read later: one line per phase, then one per five percent, not one per candidate.
      const phase = text.replace(/\d+/g, "#");
      const advanced = percentage !== undefined && percentage >= this.lastPrintedPercentage + 5;
      if (phase !== this.lastPhase || advanced) {
        process.stderr.write(`${percentage !== undefined ? `[${percentage}%] ` : ""}${text}\n`);
        this.lastPhase = phase;
        if (percentage !== undefined) this.lastPrintedPercentage = percentage;
      }
    }
  }

  line(text: string): void {
    if (this.tty) process.stderr.write("\r\x1b[K");
    process.stderr.write(`${text}\n`);
  }
}

/**
 * The configuration problems the server reported, as data. A value the schema refuses, or a settings source that
 * cannot be read, stops the run (the user meant something the run would not do); an unknown key changes nothing,
 * so the run goes on with the other settings and the key is named once on stderr.
 */
class ConfigIssues {
  private readonly seen = new Set<string>();
  private readonly stopping: ConfigProblemParams[] = [];
  constructor(private readonly printer: ProgressPrinter) {}

  add(issue: ConfigProblemParams): void {
    const id = JSON.stringify([issue.key, issue.kind, issue.source, issue.message]);
    if (this.seen.has(id)) return;
    this.seen.add(id);
    if (issue.kind !== "unknown-key") this.stopping.push(issue);
    else this.printer.line(`repair-ls fix-all: ignored the unknown setting "${issue.key}" in ${issue.source}`);
  }

  errors(): readonly ConfigProblemParams[] {
    return this.stopping;
  }
}

/** The server process died before the job ended: CI must not read that as "nothing failing". */
class ServerDied extends Error {}

/** Keeps the last few kilobytes a stream printed, to name the cause when the server dies. */
function tailOf(stream: NodeJS.ReadableStream, into: (chunk: string) => void): () => string {
  let tail = "";
  stream.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    into(text);
    tail = (tail + text).slice(-4000);
  });
  return () => tail;
}

/** Spawns this same executable as a server over stdio: the headless client takes exactly an editor's path. */
function spawnServer(): {
  connection: MessageConnection;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderrTail: () => string;
  kill: () => void;
} {
  const main = fileURLToPath(new URL("./main.js", import.meta.url));
  const child = spawn(process.execPath, [main, "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
  // The server's own log lines still reach the user's terminal; the tail names the cause if it dies.
  const stderrTail = tailOf(child.stderr, (text) => process.stderr.write(text));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on("exit", (code, signal) => res({ code, signal })),
  );
  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  return { connection, exited, stderrTail, kill: () => child.kill("SIGTERM") };
}

/** What the session with the server produced: the report, or why there is none. */
interface DriveOutcome {
  readonly report?: JobReport;
  /** Configuration values that stop the run (unknown keys are only warned about). */
  readonly configErrors: readonly ConfigProblemParams[];
  /** Set when SIGINT or SIGTERM cancelled the job (the server cleaned up before this returned). */
  readonly interrupted?: NodeJS.Signals;
}

async function drive(options: FixAllOptions, root: string, printer: ProgressPrinter): Promise<DriveOutcome> {
  const server = spawnServer();
  const { connection } = server;
  const titles = new Map<string | number, string>();
  const configIssues = new ConfigIssues(printer);
  let finished: ((jobId: string) => void) | undefined;
  const finishedJobs = new Set<string>();
  let jobId: string | undefined;
  let interrupted: NodeJS.Signals | undefined;
  // Ctrl-C and CI cancellation: cancel the job and let the server remove its scratch copies and test processes
  // before this process exits. A second signal while waiting is ignored: cleanup is bounded by the server.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = signal;
    printer.line(`repair-ls fix-all: ${signal}: cancelling the repair and cleaning up`);
    sendCancel(connection, jobId);
    if (!jobId) finished?.("");
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const died = server.exited.then(({ code, signal }) => {
    const how = signal ? `was killed by ${signal}` : `exited with code ${String(code)}`;
    const cause = server.stderrTail().trim().split("\n").slice(-3).join(" | ");
    throw new ServerDied(`the repair-ls server ${how} before the job ended${cause ? `: ${cause}` : ""}`);
  });
  // Until the session is over, the server's death is the answer to whatever is awaited.
  const orDeath = <T>(work: Promise<T>): Promise<T> => Promise.race([work, died]);
  died.catch(() => undefined);
  connection.onRequest("window/workDoneProgress/create", () => null);
  connection.onRequest("client/registerCapability", () => null);
  connection.onRequest("workspace/configuration", (params: { items: unknown[] }) => params.items.map(() => null));
  connection.onRequest("window/showMessageRequest", () => null);
  connection.onNotification(
    "$/progress",
    (params: {
      token: string | number;
      value: { kind: string; title?: string; message?: string; percentage?: number };
    }) => {
      if (params.value.kind === "begin" && params.value.title) titles.set(params.token, params.value.title);
      if (params.value.kind !== "end")
        printer.update(titles.get(params.token) ?? "working", params.value.message, params.value.percentage);
    },
  );
  connection.onNotification("window/showMessage", (params: { message: string }) => printer.line(params.message));
  connection.onNotification(CONFIG_PROBLEM_NOTIFICATION, (params: ConfigProblemParams) => configIssues.add(params));
  connection.onNotification("window/logMessage", () => undefined);
  connection.onNotification(JOB_FINISHED_NOTIFICATION, (params: { jobId: string }) => {
    finishedJobs.add(params.jobId);
    finished?.(params.jobId);
  });
  connection.listen();
  try {
    await orDeath(
      connection.sendRequest("initialize", {
        processId: process.pid,
        rootUri: pathToFileURL(root).href,
        workspaceFolders: [{ uri: pathToFileURL(root).href, name: "workspace" }],
        capabilities: {
          window: { workDoneProgress: true },
          workspace: { configuration: true, workspaceFolders: true },
        },
        // Invoking fix-all on DIR is the user's consent for DIR: its own settings file may name the test command.
        initializationOptions: { "security.trustedFolders": [root] },
      }),
    );
    await connection.sendNotification("initialized", {});
    const status = await orDeath(
      connection.sendRequest<{ configIssues?: ConfigProblemParams[] }>("workspace/executeCommand", {
        command: COMMANDS.status,
        arguments: [],
      }),
    );
    for (const issue of status.configIssues ?? []) configIssues.add(issue);
    const configErrors = configIssues.errors();
    if (configErrors.length > 0) return { configErrors };
    if (interrupted) return { configErrors: [], interrupted };
    const started = await orDeath(
      connection.sendRequest<{ jobId: string }>("workspace/executeCommand", {
        command: COMMANDS.fixAllFailing,
        arguments: [
          {
            folder: pathToFileURL(root).href,
            allowRun: true,
            // The report printed below carries the summary: the server need not announce it too.
            announce: false,
            testCommand: options.testCommand,
            engine: options.engine,
            budgetSeconds: options.budgetSeconds,
            shard: options.shard === "auto" ? undefined : options.shard,
          },
        ],
      }),
    );
    jobId = started.jobId;
    if (interrupted) sendCancel(connection, jobId);
    const id = jobId;
    await orDeath(
      new Promise<void>((res) => {
        if (finishedJobs.has(id)) res();
        finished = (done) => (done === id || done === "") && res();
      }),
    );
    if (interrupted) return { configErrors: [], interrupted };
    const report = await orDeath(connection.sendRequest<JobReport>(REPORT_REQUEST, { jobId: id }));
    return { report, configErrors: [] };
  } catch (error) {
    // A dying server first closes its pipe ("Connection is closed"), then exits: name the death, not the pipe.
    const death = await Promise.race([
      died.then(
        () => undefined,
        (e: unknown) => e,
      ),
      new Promise((res) => setTimeout(res, SERVER_EXIT_GRACE_MS)),
    ]);
    throw death instanceof ServerDied ? death : error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    // On a closed connection the library throws before it returns a promise: both calls are guarded twice.
    await Promise.resolve()
      .then(() => connection.sendRequest("shutdown"))
      .catch(() => undefined);
    await Promise.resolve()
      .then(() => connection.sendNotification("exit"))
      .catch(() => undefined);
    const timer = setTimeout(server.kill, 5000);
    await server.exited;
    clearTimeout(timer);
    connection.dispose();
  }
}

/** Asks the server to cancel the job (every job before its id is known); a closed connection is no error. */
function sendCancel(connection: MessageConnection, jobId: string | undefined): void {
  void Promise.resolve()
    .then(() =>
      connection.sendRequest("workspace/executeCommand", {
        command: COMMANDS.cancel,
        arguments: jobId ? [{ jobId }] : [],
      }),
    )
    .catch(() => undefined);
}

/** The exit code a signal asks for, as shells report it (128 + the signal's number). */
function signalExitCode(signal: NodeJS.Signals): number {
  return signal === "SIGINT" ? 130 : 143;
}

/**
 * `repair-ls fix-all`. Exit codes mean one thing each: 0 the test command passes in place at the end (after
 * --apply, or because nothing was failing); 1 failing tests remain (nothing applied, no repair, or a rolled-back
 * write); 2 usage or configuration errors, or a server that died.
 */
export async function runFixAll(argv: readonly string[]): Promise<number> {
  let parsed = parseFixAllArgs(argv);
  if ("help" in parsed) {
    process.stdout.write(`${FIX_ALL_USAGE}\n`);
    return 0;
  }
  if ("error" in parsed) {
    process.stderr.write(`repair-ls fix-all: ${parsed.error}\n${FIX_ALL_USAGE}\n`);
    return 2;
  }
  if (parsed.shard === "auto") {
    const shard = shardFromEnvironment(process.env);
    if (typeof shard === "string") {
      process.stderr.write(`repair-ls fix-all: ${shard}\n`);
      return 2;
    }
    parsed = { ...parsed, shard };
  }
  const root = resolve(parsed.dir);
  try {
    if (!statSync(root).isDirectory()) throw new Error("not a directory");
  } catch {
    process.stderr.write(`repair-ls fix-all: ${parsed.dir} is not a directory\n`);
    return 2;
  }
  const printer = new ProgressPrinter(process.stderr.isTTY === true);
  let outcome: DriveOutcome;
  try {
    outcome = await drive(parsed, root, printer);
  } catch (error) {
    const message = errorMessage(error);
    printer.line(`repair-ls fix-all: ${message}`);
    return 2;
  }
  if (outcome.interrupted) {
    printer.line("repair-ls fix-all: cancelled; nothing was written");
    return signalExitCode(outcome.interrupted);
  }
  if (!outcome.report) {
    for (const e of outcome.configErrors)
      printer.line(`repair-ls fix-all: invalid setting "${e.key}" in ${e.source}: ${e.message}`);
    printer.line(
      "repair-ls fix-all: configuration errors (see above); fix them or pass the setting on the command line",
    );
    return 2;
  }
  const report = outcome.report;
  const applyOptions = { partial: parsed.applyPartial };
  const rendered = {
    text: () => formatText(report),
    diff: () => formatDiff(report, applyOptions),
    json: () => formatJson(report),
    sarif: () => formatSarif(report, packageVersion()),
  }[parsed.format]();
  if (parsed.output) writeFileSync(parsed.output, rendered);
  else process.stdout.write(rendered);
  switch (report.status) {
    case "misconfigured":
    case "no-tests":
      // The user must say how the tests run (or allow them to): a configuration problem, not a verdict.
      return 2;
    case "nothing-failing":
      return 0;
    default:
      break;
  }
  const chosen = parsed.apply || parsed.applyPartial ? patchesToApply(report, applyOptions) : [];
  if (chosen.length === 0) return 1;
  return applyAndConfirm(root, report, chosen, {
    timeoutMs: (parsed.budgetSeconds ?? DEFAULT_CONFIRM_SECONDS) * 1000,
    say: (line) => printer.line(line),
    command: "fix-all --apply",
  });
}
