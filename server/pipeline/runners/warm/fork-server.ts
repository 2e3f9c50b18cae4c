import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { killMarkedProcesses, newRunMark, RUN_MARK_VARIABLE } from "../../leftovers/marked-processes.js";
import { killGroup, noProcessRan, type ProcessResult } from "../process.js";
import { releaseGroup, trackGroup } from "./process-groups.js";
import type { InProcessRun } from "../plugins/plugin.js";
import type { ExecutionOptions } from "../run-tests.js";

/** Bytes of a child's output kept per stream, as the cold path keeps (head and tail). */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
/** How long the server may take to import the runner before it counts as broken. */
const START_TIMEOUT_MS = 60_000;

interface ServerMessage {
  readonly ready?: boolean;
  readonly id?: string;
  readonly pid?: number;
  readonly exit?: number;
  readonly signal?: number;
  /** Why the run cannot be judged by the server (e.g. a candidate that ends the worker): the caller runs it cold. */
  readonly cold?: string;
  /** Sent with a run's end by a server that cannot serve another run (it exits; the next run starts a new one). */
  readonly retire?: boolean;
  /** Set locally (never sent) when the server itself has exited. */
  readonly gone?: boolean;
}

async function readCapped(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return "";
  }
  if (text.length <= MAX_OUTPUT_BYTES) return text;
  const half = MAX_OUTPUT_BYTES / 2;
  return `${text.slice(0, half)}\n[repair-ls: ${text.length - MAX_OUTPUT_BYTES} bytes of output elided]\n${text.slice(-half)}`;
}

export interface ForkServerOptions {
  /** The server script (a Python file for pytest, an ES module for node --test), or the main class of a JVM server. */
  readonly script: string;
  readonly interpreter: string;
  /** Arguments of the interpreter before the script (JVM options). */
  readonly interpreterArgs?: readonly string[];
  /**
   * Whether runs happen inside the server itself rather than in a forked child (the warm JVM): a run's timeout
   * or cancellation then kills the server, which the pool replaces on the next run.
   */
  readonly runsInServer?: boolean;
  /** Folders whose modules the server must never import: the workspace and its scratch copies. */
  readonly forbiddenRoots: readonly string[];
  /** Third-party modules to import once in the server. */
  readonly preload: readonly string[];
  /** Where the server itself runs (a folder it may not import modules from). */
  readonly cwd: string;
  /** Extra environment of the server process. */
  readonly env?: Record<string, string>;
}

/**
 * A fork server (see pytest_fork_server.py, node_warm_server.mjs): a long-lived process that has the runner loaded
 * and runs one candidate at a time, in a forked child (which reports its pid and leads its own process group, killed
 * on timeout and cancellation) or in a thread of its own (then a run stopped for a timeout or a cancellation takes
 * the whole server with it, and the pool starts a new one). The server's group is killed by close() and when this
 * process exits.
 */
export class ForkServer {
  private readonly waiting = new Map<string, (message: ServerMessage) => void>();
  private nextId = 0;
  private busy = false;
  private closed = false;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly runsInServer: boolean,
  ) {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(line) as ServerMessage;
      } catch {
        return;
      }
      this.waiting.get(message.id ?? "ready")?.(message);
    });
    // The server's stderr (import warnings) is not a run's output; it is drained so that the pipe never fills.
    child.stderr.resume();
    // Writing to a server that has just died fails with EPIPE; the exit handler reports the loss.
    child.stdin.on("error", () => undefined);
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    void this.exited.then(() => {
      this.closed = true;
      if (child.pid !== undefined) releaseGroup(child.pid);
      for (const resolve of this.waiting.values()) resolve({ gone: true });
      this.waiting.clear();
    });
  }

  /** Starts a server and waits until it has the runner imported; rejects when it cannot. */
  static async start(options: ForkServerOptions): Promise<ForkServer> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    // The server outlives runs; it must not carry the mark of a run that encloses this process.
    delete env[RUN_MARK_VARIABLE];
    const child = spawn(options.interpreter, [...(options.interpreterArgs ?? []), options.script], {
      cwd: options.cwd,
      env: {
        ...env,
        PYTHONDONTWRITEBYTECODE: "1",
        REPAIR_LS_WARM_ROOTS: JSON.stringify(options.forbiddenRoots),
        REPAIR_LS_WARM_PRELOAD: JSON.stringify(options.preload),
        ...options.env,
      },
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    if (child.pid !== undefined) trackGroup(child.pid);
    const server = new ForkServer(child, options.runsInServer ?? false);
    let timer: NodeJS.Timeout | undefined;
    const ready = await new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), START_TIMEOUT_MS);
      child.once("error", () => resolve(false));
      server.waiting.set("ready", (message) => resolve(message.ready === true));
    });
    clearTimeout(timer);
    server.waiting.delete("ready");
    if (!ready) {
      server.close();
      throw new Error(`the warm ${options.interpreter} server did not start`);
    }
    return server;
  }

  get alive(): boolean {
    return !this.closed;
  }

  /**
   * Runs one in-process run in a fresh child. Resolves like runProcess: "timeout" and "cancelled" when the child
   * was killed for that, "spawn-error" when the server is gone (the caller then runs cold). Never rejects.
   */
  async run(run: InProcessRun, options: ExecutionOptions): Promise<ProcessResult> {
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    const broken = (error: string): ProcessResult => noProcessRan("spawn-error", seconds(), error);
    if (this.closed) return broken("the warm server is gone");
    if (this.busy) return broken("the warm server is busy");
    if (options.signal?.aborted) return noProcessRan("cancelled", seconds());
    this.busy = true;
    const id = String(this.nextId++);
    const stdoutFile = join(options.reportDir, "warm-stdout.txt");
    const stderrFile = join(options.reportDir, "warm-stderr.txt");
    // The run's mark goes to whatever the child starts (subprocesses, daemons), as on the cold path.
    const mark = newRunMark();
    let childPid: number | undefined;
    let killedFor: "timeout" | "cancelled" | undefined;
    const kill = (reason: "timeout" | "cancelled"): void => {
      killedFor ??= reason;
      if (childPid !== undefined) killGroup(childPid);
      // A run inside the server (a thread, the JVM itself) stops only with the server.
      else if (this.runsInServer) this.close();
    };
    const timer = setTimeout(() => kill("timeout"), options.timeoutMs);
    const onAbort = (): void => kill("cancelled");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const end = await new Promise<ServerMessage>((resolve) => {
        this.waiting.set(id, (message) => {
          if (message.pid !== undefined && message.exit === undefined && message.signal === undefined) {
            childPid = message.pid;
            trackGroup(childPid);
            if (killedFor) killGroup(childPid);
            return;
          }
          resolve(message);
        });
        const request = {
          id,
          cwd: options.cwd,
          args: run.args,
          env: { ...options.env, [RUN_MARK_VARIABLE]: mark },
          stdout: stdoutFile,
          stderr: stderrFile,
          module: run.module,
          ...(run.transpile !== undefined ? { transpile: run.transpile } : {}),
        };
        this.child.stdin.write(`${JSON.stringify(request)}\n`);
      });
      if (end.cold !== undefined) return broken(end.cold);
      if (end.retire) this.close();
      if (!killedFor && (end.gone || (end.exit === undefined && end.signal === undefined))) {
        if (childPid !== undefined) killGroup(childPid);
        return broken("the warm server stopped");
      }
      const leftovers = killMarkedProcesses(mark);
      const [stdout, stderr] = await Promise.all([readCapped(stdoutFile), readCapped(stderrFile)]);
      const common = { stdout, stderr, seconds: seconds(), leftovers };
      if (killedFor) return { end: killedFor, exitCode: null, signal: "SIGKILL", ...common };
      if (end.signal !== undefined) return { end: "exited", exitCode: null, signal: signalName(end.signal), ...common };
      return { end: "exited", exitCode: end.exit ?? null, signal: null, ...common };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      this.waiting.delete(id);
      // Whatever the child left behind (daemons, grandchildren) goes with its group, as after a cold run.
      if (childPid !== undefined) releaseGroup(childPid);
      this.busy = false;
    }
  }

  /** Kills the server (and a child still running). */
  close(): void {
    this.closed = true;
    if (this.child.pid !== undefined) releaseGroup(this.child.pid);
    this.child.stdin.destroy();
  }

  /** Resolves once the server process has exited. */
  whenExited(): Promise<void> {
    return this.exited;
  }
}

function signalName(signal: number): NodeJS.Signals | null {
  const names: Record<number, NodeJS.Signals> = {
    2: "SIGINT",
    6: "SIGABRT",
    9: "SIGKILL",
    11: "SIGSEGV",
    15: "SIGTERM",
  };
  return names[signal] ?? null;
}
