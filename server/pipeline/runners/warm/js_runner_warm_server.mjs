// Warm server of repair-ls for mocha, jest and vitest: the runner loaded ahead, a fresh module graph per candidate.
//
// A long-lived Node process that serves one scratch copy (it runs in that folder, as `npm test` does); the runner
// runs in a worker_threads Worker, never in the parent, which imports nothing of the workspace or of the runner.
//   mocha loads every test file into its own process: each candidate runs in a fresh worker (its own module graph,
//   so module-level state never crosses candidates). The next worker is started ahead (a standby) and loads mocha
//   while the previous candidate's results are read; it imports nothing of the workspace until its run starts.
//   jest isolates each test file itself (a fresh module registry and global context per file and run, the isolation
//   its own cold runs rely on): one worker keeps jest loaded and calls runCLI once per candidate. It is replaced
//   after a candidate that calls process.exit, a run that leaves handles open (a cold jest would not end), or a
//   configuration with forceExit.
//   vitest runs test files in a pool of its own (child processes or threads, isolated per file): each candidate
//   runs vitest's CLI in a fresh worker that loaded vitest's modules ahead, as mocha's does.
//
// The runner is named by REPAIR_LS_WARM_RUNNER ("mocha", "jest" or "vitest"). Protocol (as node_warm_server.mjs):
//   start:   {"ready": true, "pid": n}
//   request: {"id": s, "cwd": dir, "args": [...], "env": {...}, "stdout": file, "stderr": file}
//   replies: {"id": s, "exit": code}, or {"id": s, "cold": reason} when the run cannot be judged here (a candidate
//            that calls process.exit, a runner that would start a process with other Node flags, a runner that
//            cannot be loaded): the caller runs it cold.
// A run that hangs is stopped by the caller, which kills this process's group.

import { createWriteStream } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { serveRequests } from "./warm_server_protocol.mjs";

const RUNNER = process.env.REPAIR_LS_WARM_RUNNER;

/** The error a worker throws when its run must go cold; its message is the reason. */
const COLD_PREFIX = "repair-ls-cold: ";

/** Runners whose worker serves one run after another (see above). */
const REUSED = new Set(["jest"]);

/**
 * Starts a worker. Its flags, shared with the parent: [0] whether the candidate called process.exit, [1] whether
 * the runner's run has ended. A reused worker reports each run's end as a message: {done: code} or {cold: reason}.
 */
function startWorker() {
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { runner: RUNNER, flags },
    stdout: true,
    stderr: true,
    argv: [],
    env: { ...process.env },
  });
  const state = { worker, flags, failure: undefined, exited: false };
  worker.on("error", (error) => {
    const message = String((error && error.message) || error);
    state.failure = message.startsWith(COLD_PREFIX)
      ? message.slice(COLD_PREFIX.length)
      : `the run threw outside a test: ${message}`;
  });
  state.ended = new Promise((resolve) =>
    worker.once("exit", (code) => {
      state.exited = true;
      resolve(code);
    }),
  );
  return state;
}

/** The worker of the next run: a standby started ahead, or the reused worker. */
let next;

function prepareNext() {
  if (next !== undefined) return;
  try {
    next = startWorker();
  } catch {
    next = undefined;
  }
}

/** A marker a reused worker writes on stdout and stderr at the end of each run, so that its output is split by run. */
const END_MARK = "\u0000repair-ls-warm-run-end\u0000\n";

/** Copies a worker stream to a file until the stream ends or, for a reused worker, the end mark passes. */
function copyRun(stream, file, reused) {
  let held = "";
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  const onData = (chunk) => {
    held += chunk.toString();
    const at = held.indexOf(END_MARK);
    if (reused && at >= 0) {
      file.write(held.slice(0, at));
      held = "";
      done();
      return;
    }
    // Keep a tail that could be the start of the mark.
    const keep = reused ? END_MARK.length - 1 : 0;
    if (held.length > keep) {
      file.write(held.slice(0, held.length - keep));
      held = held.slice(held.length - keep);
    }
  };
  const onEnd = () => {
    file.write(held);
    done();
  };
  const done = () => {
    stream.off("data", onData);
    stream.off("end", onEnd);
    finish();
  };
  stream.on("data", onData);
  if (stream.readableEnded) onEnd();
  else stream.once("end", onEnd);
  return finished;
}

async function serve(request) {
  if (resolve(request.cwd) !== resolve(process.cwd())) return { cold: "the run is not in the server's scratch copy" };
  if ((request.env.NODE_OPTIONS ?? "").trim() !== "") return { cold: "NODE_OPTIONS applies to new processes only" };
  const reused = REUSED.has(RUNNER);
  let state = next;
  next = undefined;
  if (!state || state.failure !== undefined || state.exited) {
    try {
      state = startWorker();
    } catch (error) {
      return { cold: `the runner could not be started in a worker: ${error.message}` };
    }
  }
  const out = createWriteStream(request.stdout, { mode: 0o600 });
  const err = createWriteStream(request.stderr, { mode: 0o600 });
  let keep = false;
  try {
    const { worker, flags } = state;
    Atomics.store(flags, 0, 0);
    Atomics.store(flags, 1, 0);
    const copies = [copyRun(worker.stdout, out, reused), copyRun(worker.stderr, err, reused)];
    const reply = new Promise((resolve) => {
      const onMessage = (message) => resolve(message);
      worker.once("message", onMessage);
      void state.ended.then((code) => {
        worker.off("message", onMessage);
        resolve({ exit: code });
      });
    });
    worker.postMessage({ env: request.env, args: request.args });
    const end = await reply;
    await Promise.all(copies);
    if (state.failure) return { cold: state.failure };
    if (Atomics.load(flags, 0) === 1) return { cold: "the candidate called process.exit" };
    if (end.cold !== undefined) return { cold: end.cold };
    keep = reused && end.done !== undefined && end.retire !== true;
    return { exit: end.done ?? end.exit };
  } catch (error) {
    return { cold: `the warm server failed: ${error && error.message}` };
  } finally {
    await Promise.all([out, err].map((s) => new Promise((r) => s.end(r))));
    if (keep) next = state;
    else if (!state.exited) void state.worker.terminate();
    prepareNext();
  }
}

async function main() {
  prepareNext();
  await serveRequests(serve);
}

// ---- In a worker: one run of the runner. ----

function cold(reason) {
  return new Error(`${COLD_PREFIX}${reason}`);
}

/** A require function resolving from the scratch copy, as `npm test` finds the runner (its node_modules upwards). */
function workspaceRequire() {
  return createRequire(join(process.cwd(), "package.json"));
}

/**
 * mocha as bin/mocha runs it: its options loaded from the arguments and the configuration files, then the CLI's
 * main(). Options that make bin/mocha start a second Node process (Node flags, --node-option, inspect) go cold.
 */
async function loadMocha() {
  const require = workspaceRequire();
  const root = dirname(require.resolve("mocha/package.json"));
  const { main: cliMain } = await import(pathToFileURL(join(root, "lib", "cli", "cli.js")).href);
  const { loadOptions } = require(join(root, "lib", "cli", "options.cjs"));
  const { isNodeFlag } = require(join(root, "lib", "cli", "node-flags.cjs"));
  const Mocha = require(join(root, "lib", "mocha.cjs"));
  return async (args, finished) => {
    const options = loadOptions(args);
    if (Object.keys(options).some((o) => isNodeFlag(o)) || options["node-option"] || options._?.includes("inspect")) {
      throw cold("the mocha options need a Node process of their own");
    }
    // The end of mocha's run is marked, so that its own process.exit (with --exit) is told from a candidate's.
    const run = Mocha.prototype.run;
    Mocha.prototype.run = function (callback) {
      return run.call(this, (...results) => {
        finished();
        return callback?.(...results);
      });
    };
    await cliMain([], options);
  };
}

/** jest's packages a run loads after its configuration is read (jest-config resolves them, so they load from there). */
const JEST_RUN_MODULES = ["babel-jest", "jest-circus/runner", "jest-environment-node", "jest-runtime", "jest-snapshot"];

/** jest as bin/jest runs it: jest-cli's argument parsing, @jest/core's runCLI, then its exit code rule. */
function loadJest() {
  const require = workspaceRequire();
  const jestRoot = dirname(require.resolve("jest/package.json"));
  const fromJest = createRequire(join(jestRoot, "package.json"));
  const cliPath = fromJest.resolve("jest-cli");
  const cli = fromJest(cliPath);
  const fromCli = createRequire(cliPath);
  const { runCLI } = fromCli("@jest/core");
  // The modules every run loads later (the test runner, the environment, the transformer and Babel): loaded here,
  // in the standby's head start, they are in the worker's module cache when the run asks for them.
  const fromConfig = createRequire(fromCli.resolve("jest-config"));
  // A jest without one of them loads what it needs during the run.
  const preload = (load) => {
    try {
      load();
    } catch {
      // Loaded (or not) by the run itself.
    }
  };
  for (const name of JEST_RUN_MODULES) preload(() => fromConfig(name));
  preload(() => createRequire(fromConfig.resolve("babel-jest"))("@babel/core"));
  // One run: its exit code by jest-cli's rule, and whether the configuration asks for the process to end after it.
  return async (args, finished) => {
    if (process.env.NODE_ENV == null) process.env.NODE_ENV = "test";
    try {
      // In band: test files run one after the other in this worker, each still in its own module registry and
      // global context (jest's isolation), rather than in worker processes started afresh for every run.
      const argv = await cli.buildArgv([...args, "--runInBand"]);
      const projects = argv.projects ?? [];
      if (projects.length === 0) projects.push(process.cwd());
      const { results, globalConfig } = await runCLI(argv, projects);
      const code = !results || results.success ? 0 : globalConfig.testFailureExitCode;
      return { code: typeof code === "number" ? code : 1, retire: globalConfig.forceExit === true };
    } catch (error) {
      process.stderr.write(`${error?.stack ?? String(error)}\n`);
      return { code: 1, retire: true };
    } finally {
      finished();
    }
  };
}

/**
 * vitest as its bin runs it: the CLI module, imported with the run's arguments on the command line (it parses them
 * when imported). The standby loads vitest's programmatic API first, the modules the CLI imports when it starts a
 * run. Test files run in vitest's own pool (child processes or threads it starts), as on the cold path.
 */
async function loadVitest() {
  const require = workspaceRequire();
  const root = dirname(require.resolve("vitest/package.json"));
  const bin = join(root, "vitest.mjs");
  await import(pathToFileURL(join(root, "dist", "node.js")).href);
  return async (args) => {
    process.argv.splice(1, process.argv.length - 1, bin, ...args);
    await import(pathToFileURL(join(root, "dist", "cli.js")).href);
  };
}

const LOADERS = { mocha: loadMocha, jest: loadJest, vitest: loadVitest };

/** Kinds of resources that are requests in flight or the worker's own port, not handles a run left open. */
const TRANSIENT_RESOURCES = new Set(["MessagePort", "CloseReq", "FSReqCallback", "FSReqPromise", "FileHandleCloseReq"]);

/** Resources that keep the worker's event loop alive (timers, sockets, child processes), as counted by Node. */
function openHandles() {
  return process.getActiveResourcesInfo().filter((r) => !TRANSIENT_RESOURCES.has(r)).length;
}

/** How long handles that a run is closing (streams, files) may take to close before they count as left open. */
const HANDLE_GRACE_MS = 200;

/** Whether the open handles are back to `count` (at most) within the grace period. */
async function handlesClosed(count) {
  for (let waited = 0; ; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, waited === 0 ? 0 : 10));
    if (openHandles() <= count) return true;
    if (waited >= HANDLE_GRACE_MS) return false;
  }
}

function nextMessage() {
  return new Promise((resolve) => parentPort.once("message", resolve));
}

/** Gives the run's environment to the process (the worker may have been started ahead of it). */
function takeEnvironment(env) {
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, env);
}

async function runInWorker() {
  const { runner, flags } = workerData;
  const load = LOADERS[runner];
  if (load === undefined) throw cold(`no warm mode for ${runner}`);
  // The runner's modules load before the run's environment arrives: the standby's head start.
  let entry;
  let loadError;
  try {
    entry = await load();
  } catch (error) {
    loadError = error;
  }
  const exit = process.exit.bind(process);
  process.exit = (code) => {
    // A call before the runner has ended is the candidate's: the run goes cold.
    if (Atomics.load(flags, 1) !== 1) Atomics.store(flags, 0, 1);
    exit(code);
  };
  const finished = () => Atomics.store(flags, 1, 1);
  if (!REUSED.has(runner)) {
    const { env, args } = await nextMessage();
    // The run ends when the worker's event loop is empty, as the cold process ends.
    parentPort.unref();
    if (loadError !== undefined) throw cold(`${runner} could not be loaded: ${loadError.message}`);
    takeEnvironment(env);
    // mocha reads a flag from the command line (--posix-exit-codes).
    if (runner === "mocha") process.argv.push(...args);
    await entry(args, finished);
    return;
  }
  for (;;) {
    const { env, args } = await nextMessage();
    if (loadError !== undefined) throw cold(`${runner} could not be loaded: ${loadError.message}`);
    takeEnvironment(env);
    const before = openHandles();
    const { code, retire } = await entry(args, finished);
    const leftOpen = !(await handlesClosed(before));
    process.stdout.write(END_MARK);
    process.stderr.write(END_MARK);
    if (leftOpen) {
      // A cold run would not end (or end later, when they close): its verdict is the cold path's to give.
      parentPort.postMessage({ cold: "the run left handles open" });
      return;
    }
    parentPort.postMessage({ done: code, retire });
    if (retire) return;
  }
}

if (isMainThread) await main();
else await runInWorker();
