import { spawn, type ChildProcess } from "node:child_process";
import { killMarkedProcesses, newRunMark, RUN_MARK_VARIABLE } from "../leftovers/marked-processes.js";
import { errorMessage } from "../../core/error-message.js";

/** How a spawned command ended. */
export type ProcessEnd = "exited" | "timeout" | "cancelled" | "spawn-error";

/** The result of a run that never started: cancelled before it began, or a command that could not be spawned. */
export function noProcessRan(end: "cancelled" | "spawn-error", seconds: number, error?: string): ProcessResult {
  return {
    end,
    exitCode: null,
    signal: null,
    stdout: "",
    stderr: "",
    seconds,
    ...(error !== undefined ? { error } : {}),
    leftovers: 0,
  };
}

export interface ProcessResult {
  readonly end: ProcessEnd;
  /** Exit code when the process exited on its own; null when it was killed or never started. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Standard output, capped (see `maxOutputBytes`): the head and the tail are kept, the middle is elided. */
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  /** Why the command could not start, for spawn errors. */
  readonly error?: string;
  /**
   * Processes the command left running when its shell ended (daemons, `setsid` children, double forks), found by
   * the run's environment mark and killed.
   */
  readonly leftovers: number;
}

export interface RunProcessOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Bytes kept per stream; the default keeps 4 MB (2 MB head + 2 MB tail). */
  readonly maxOutputBytes?: number;
}

const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
/** After the shell exits, how long to wait for stray holders of its pipes before giving up on them. */
const PIPE_DRAIN_MS = 500;

/** Keeps the head and the tail of a stream so that both a runner's header and its final summary survive. */
class CappedBuffer {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private dropped = 0;

  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    const half = Math.floor(this.cap / 2);
    if (this.headBytes < half) {
      const take = Math.min(half - this.headBytes, chunk.length);
      this.head.push(chunk.subarray(0, take));
      this.headBytes += take;
      chunk = chunk.subarray(take);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes > half && this.tail.length > 0) {
      const first = this.tail[0]!;
      const excess = this.tailBytes - half;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
        this.dropped += first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailBytes -= excess;
        this.dropped += excess;
      }
    }
  }

  toString(): string {
    const head = Buffer.concat(this.head).toString("utf8");
    const tail = Buffer.concat(this.tail).toString("utf8");
    if (this.dropped === 0) return head + tail;
    return `${head}\n[repair-ls: ${this.dropped} bytes of output elided]\n${tail}`;
  }
}

/**
 * The shell script every command runs under. It starts a watcher in the background, then marks the environment
 * with the run's mark and execs the command (so the command keeps the shell's pid, which leads the process group).
 * The watcher blocks reading a pipe whose only writer is this server: when the server dies, even by SIGKILL, the
 * pipe reaches end-of-file and the watcher kills every process carrying the mark (daemons that left the group
 * included) and then the whole group, itself last. The watcher does not carry the mark, so it never kills itself
 * before it is done. Arguments: $1 the mark, $2 the command.
 */
const SUPERVISED = [
  "exec 3<&0",
  "( while read -r _ <&3; do :; done",
  `  for f in $(grep -lsFxz "${RUN_MARK_VARIABLE}=$1" /proc/[0-9]*/environ); do p=\${f#/proc/}; kill -KILL "\${p%/environ}"; done`,
  "  kill -KILL 0 ) >/dev/null 2>&1 &",
  `${RUN_MARK_VARIABLE}=$1; export ${RUN_MARK_VARIABLE}`,
  'exec /bin/sh -c "$2" </dev/null 3<&-',
].join("\n");

/** Runs started by this process and still alive, by process group; killed on exit so that no test run outlives us. */
const liveRuns = new Map<number, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const [pid, mark] of liveRuns) {
      killGroup(pid);
      killMarkedProcesses(mark);
    }
  });
}

/** Sends SIGKILL to a whole process group; a group that is already gone is not an error. */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: the group has already exited. EPERM cannot happen for a group we created.
  }
}

/** The environment without a run mark inherited from an enclosing run: the watcher must not carry any mark. */
function unmarked(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy[RUN_MARK_VARIABLE];
  return copy;
}

/**
 * Runs a shell command in its own process group with a timeout, under a watcher that kills it if this server dies
 * (see SUPERVISED). On timeout or cancellation the whole group gets SIGKILL (test runs that loop forever, and the
 * children they spawned, must not survive). When the command's shell ends, every process still carrying the run's
 * mark is killed and counted (`leftovers`), and so is the group. Never rejects: a missing binary, a timeout and a
 * cancellation are all results.
 */
export function runProcess(command: string, options: RunProcessOptions): Promise<ProcessResult> {
  installExitHook();
  const started = performance.now();
  const cap = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const stdout = new CappedBuffer(cap);
  const stderr = new CappedBuffer(cap);
  const seconds = (): number => (performance.now() - started) / 1000;

  if (options.signal?.aborted) return Promise.resolve(noProcessRan("cancelled", 0));

  return new Promise<ProcessResult>((resolve) => {
    const mark = newRunMark();
    let child: ChildProcess;
    try {
      child = spawn("/bin/sh", ["-c", SUPERVISED, "repair-ls-run", mark, command], {
        cwd: options.cwd,
        env: unmarked(options.env ?? process.env),
        detached: true,
        stdio: ["pipe", "pipe", "pipe"],
      });
    } catch (error) {
      resolve(noProcessRan("spawn-error", seconds(), errorMessage(error)));
      return;
    }
    // Nothing is ever written to the watcher's pipe; it only has to stay open while this process lives.
    child.stdin?.on("error", () => undefined);
    const pid = child.pid;
    if (pid !== undefined) liveRuns.set(pid, mark);
    let killedFor: ProcessEnd | undefined;
    let settled = false;
    let leftovers = 0;

    const kill = (reason: ProcessEnd): void => {
      if (killedFor || pid === undefined) return;
      killedFor = reason;
      killGroup(pid);
      killMarkedProcesses(mark);
    };
    const timer = setTimeout(() => kill("timeout"), options.timeoutMs);
    const onAbort = (): void => kill("cancelled");
    options.signal?.addEventListener("abort", onAbort, { once: true });

    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));

    const finish = (result: Omit<ProcessResult, "stdout" | "stderr" | "seconds" | "leftovers">): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      if (pid !== undefined) {
        killGroup(pid);
        liveRuns.delete(pid);
      }
      child.stdin?.destroy();
      resolve({ ...result, stdout: stdout.toString(), stderr: stderr.toString(), seconds: seconds(), leftovers });
    };

    child.on("error", (error) => {
      finish({ end: "spawn-error", exitCode: null, signal: null, error: error.message });
    });
    child.on("exit", (code, signal) => {
      // Daemons and grandchildren may still run and hold the pipes open: kill every marked process and the group
      // now, then give the pipes a moment to drain.
      if (pid !== undefined) {
        leftovers = killMarkedProcesses(mark);
        killGroup(pid);
      }
      const done = (): void =>
        finish(
          killedFor
            ? { end: killedFor, exitCode: null, signal }
            : { end: "exited", exitCode: code, signal: signal ?? null },
        );
      const open = [child.stdout, child.stderr].filter((s) => s !== null && !s.closed);
      if (open.length === 0) {
        done();
        return;
      }
      let remaining = open.length;
      for (const stream of open) {
        stream?.once("close", () => {
          remaining -= 1;
          if (remaining === 0) done();
        });
      }
      setTimeout(done, PIPE_DRAIN_MS).unref();
    });
  });
}
