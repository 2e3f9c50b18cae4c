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
import { COMMANDS, JOB_FINISHED_NOTIFICATION, REPORT_REQUEST } from "../lsp/protocol-names.js";
import { applyPatches } from "./apply.js";
import { parseFixAllArgs, FIX_ALL_USAGE, type FixAllOptions } from "./fix-all-args.js";
import { formatDiff, formatJson, formatSarif, formatText, patchesToApply } from "./formats.js";
import { packageVersion } from "./version.js";

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

/** Spawns this same executable as a server over stdio: the headless client takes exactly an editor's path. */
function spawnServer(): { connection: MessageConnection; exited: Promise<number | null>; kill: () => void } {
  const main = fileURLToPath(new URL("./main.js", import.meta.url));
  const child = spawn(process.execPath, [main, "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  return { connection, exited, kill: () => child.kill("SIGTERM") };
}

async function drive(
  options: FixAllOptions,
  root: string,
  printer: ProgressPrinter,
): Promise<{ report?: JobReport; configErrors: string[] }> {
  const server = spawnServer();
  const { connection } = server;
  const titles = new Map<string | number, string>();
  const configErrors: string[] = [];
  let finished: ((jobId: string) => void) | undefined;
  const finishedJobs = new Set<string>();
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
  connection.onNotification("window/showMessage", (params: { message: string }) => {
    if (params.message.includes("invalid setting")) configErrors.push(params.message);
    printer.line(params.message);
  });
  connection.onNotification("window/logMessage", () => undefined);
  connection.onNotification(JOB_FINISHED_NOTIFICATION, (params: { jobId: string }) => {
    finishedJobs.add(params.jobId);
    finished?.(params.jobId);
  });
  connection.listen();
  try {
    await connection.sendRequest("initialize", {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      workspaceFolders: [{ uri: pathToFileURL(root).href, name: "workspace" }],
      capabilities: { window: { workDoneProgress: true }, workspace: { configuration: true, workspaceFolders: true } },
      initializationOptions: {},
    });
    await connection.sendNotification("initialized", {});
    const status = await connection.sendRequest<{ configProblems: string[] }>("workspace/executeCommand", {
      command: COMMANDS.status,
      arguments: [],
    });
    configErrors.push(...status.configProblems.filter((p) => !configErrors.includes(p)));
    if (configErrors.length > 0) return { configErrors };
    const { jobId } = await connection.sendRequest<{ jobId: string }>("workspace/executeCommand", {
      command: COMMANDS.fixAllFailing,
      arguments: [
        {
          folder: pathToFileURL(root).href,
          allowRun: true,
          testCommand: options.testCommand,
          engine: options.engine,
          budgetSeconds: options.budgetSeconds,
        },
      ],
    });
    await new Promise<void>((res) => {
      if (finishedJobs.has(jobId)) res();
      finished = (id) => id === jobId && res();
    });
    const report = await connection.sendRequest<JobReport>(REPORT_REQUEST, { jobId });
    return { report, configErrors };
  } finally {
    await connection.sendRequest("shutdown").catch(() => undefined);
    await connection.sendNotification("exit").catch(() => undefined);
    const timer = setTimeout(server.kill, 5000);
    await server.exited;
    clearTimeout(timer);
    connection.dispose();
  }
}

/** `repair-ls fix-all`: returns the process exit code (0 all fixed or nothing failing, 1 unfixed remain, 2 usage). */
export async function runFixAll(argv: readonly string[]): Promise<number> {
  const parsed = parseFixAllArgs(argv);
  if ("help" in parsed) {
    process.stdout.write(`${FIX_ALL_USAGE}\n`);
    return 0;
  }
  if ("error" in parsed) {
    process.stderr.write(`repair-ls fix-all: ${parsed.error}\n${FIX_ALL_USAGE}\n`);
    return 2;
  }
  const root = resolve(parsed.dir);
  try {
    if (!statSync(root).isDirectory()) throw new Error("not a directory");
  } catch {
    process.stderr.write(`repair-ls fix-all: ${parsed.dir} is not a directory\n`);
    return 2;
  }
  const printer = new ProgressPrinter(process.stderr.isTTY === true);
  let outcome: Awaited<ReturnType<typeof drive>>;
  try {
    outcome = await drive(parsed, root, printer);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    printer.line(`repair-ls fix-all: ${message}`);
    return 2;
  }
  if (!outcome.report) {
    for (const e of outcome.configErrors) printer.line(e);
    printer.line(
      "repair-ls fix-all: configuration errors (see above); fix them or pass the setting on the command line",
    );
    return 2;
  }
  const report = outcome.report;
  const rendered = {
    text: () => formatText(report),
    diff: () => formatDiff(report),
    json: () => formatJson(report),
    sarif: () => formatSarif(report, packageVersion()),
  }[parsed.format]();
  if (parsed.output) writeFileSync(parsed.output, rendered);
  else process.stdout.write(rendered);
  if (report.status === "error") return 2;
  if (parsed.apply && report.patches.length > 0) {
    try {
      const written = await applyPatches(root, patchesToApply(report));
      printer.line(`applied the validated repair to ${written.length} file${written.length === 1 ? "" : "s"}`);
    } catch (error) {
      printer.line(`repair-ls fix-all: --apply failed: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
  }
  // No detectable test command is a configuration problem: the user must say how to run the tests.
  if (report.status === "no-tests") return 2;
  return report.unfixed.length === 0 ? 0 : 1;
}
