// Warm server of repair-ls for node --test: validation at the speed of the tests.
//
// A long-lived Node process that serves one scratch copy (it runs in that folder, as the cold command does). Node
// cannot fork, so each request runs every test file in a fresh worker_threads Worker, one file after the other:
// every worker has its own module graph, so module-level state of the workspace never crosses files or candidates,
// as with the cold `node --test`, which starts one process per file. The parent itself never imports a module of
// the workspace; for `tsc && node --test` projects it loads the workspace's own TypeScript once and transpiles the
// changed sources (no type-check: the cold confirmation does that).
//
// Protocol: one JSON object per line on stdin, one per line on stdout.
//   start:   {"ready": true, "pid": n}
//   request: {"id": s, "cwd": dir, "args": [...], "env": {...}, "stdout": file, "stderr": file, "transpile"?: tsconfig}
//   replies: {"id": s, "exit": code}, or {"id": s, "cold": reason} when the run cannot be judged here (a candidate
//            that calls process.exit or throws outside a test): the caller runs it cold.
// A run that hangs is stopped by the caller, which kills this process's group.

import { createHash } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, extname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { serveRequests } from "./warm_server_protocol.mjs";

const SCRIPT_EXTENSIONS = new Set([".js", ".mjs", ".cjs"]);
/** Test file names node --test looks for (Node 20): `test.js`, `test-x.js`, `x.test.js`, `x-test.js`, `x_test.js`. */
const TEST_FILE = /^(test|test-.+|.+[.\-_]test)\.(c|m)?js$/;

/** Whether a file under `root` is a test file for node --test: a test file name, or any script under a `test` folder. */
function isTestFile(root, file) {
  if (!SCRIPT_EXTENSIONS.has(extname(file))) return false;
  if (TEST_FILE.test(basename(file))) return true;
  return relative(root, dirname(file)).split(sep).includes("test");
}

function walk(root, dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(root, path, out);
    else if (entry.isFile() && isTestFile(root, path)) out.push(path);
  }
}

/** The test files of a run, as node --test finds them: the given files, and test files under the given folders. */
function testFiles(cwd, operands) {
  const files = [];
  if (operands.length === 0) walk(cwd, cwd, files);
  for (const operand of operands) {
    const path = resolve(cwd, operand);
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return undefined;
    }
    // A file under a given folder is a test file by the same rules, its folders counted from the working folder.
    if (stat.isDirectory()) walk(cwd, path, files);
    else files.push(path);
  }
  return [...new Set(files)];
}

/** TypeScript modules loaded once, by resolved path (the workspace's own copy, resolved from the scratch copy). */
const typescripts = new Map();
/** Per output file: the source hash it was emitted from and the output's size and mtime after writing. */
const emitted = new Map();

function loadTypeScript(cwd) {
  const path = createRequire(join(cwd, "package.json")).resolve("typescript");
  if (!typescripts.has(path)) typescripts.set(path, createRequire(import.meta.url)(path));
  return typescripts.get(path);
}

/** The module format TypeScript would give a file under Node16/NodeNext: by extension, else package.json "type". */
function isEsm(file) {
  if (file.endsWith(".mts")) return true;
  if (file.endsWith(".cts")) return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        return JSON.parse(readFileSync(manifest, "utf8")).type === "module";
      } catch {
        return false;
      }
    }
    if (dirname(dir) === dir) return false;
  }
}

/**
 * Transpiles the project's changed sources (tsc's emit, without its type-check). Returns tsc-style error lines for
 * syntax errors (nothing is run then, as when tsc fails), or undefined when the project cannot be handled here.
 */
function transpile(cwd, project) {
  const ts = loadTypeScript(cwd);
  const configPath = resolve(cwd, project);
  const configFile =
    existsSync(configPath) && statSync(configPath).isDirectory() ? join(configPath, "tsconfig.json") : configPath;
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined };
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, host);
  if (!parsed || parsed.errors.length > 0 || parsed.options.noEmit || parsed.options.outFile) return undefined;
  const nodeModules = [ts.ModuleKind.Node16, ts.ModuleKind.NodeNext].includes(parsed.options.module);
  const errors = [];
  for (const fileName of parsed.fileNames) {
    if (fileName.endsWith(".d.ts") || /\.d\.[mc]ts$/.test(fileName)) continue;
    const [output, ...others] = ts.getOutputFileNames(parsed, fileName, !ts.sys.useCaseSensitiveFileNames);
    if (output === undefined || !/\.[mc]?js$/.test(output)) continue;
    const source = readFileSync(fileName, "utf8");
    const hash = createHash("sha256").update(source).digest("hex");
    const previous = emitted.get(output);
    if (previous && previous.hash === hash && existsSync(output)) {
      const now = statSync(output);
      if (now.size === previous.size && now.mtimeMs === previous.mtimeMs) continue;
    }
    const options = { ...parsed.options };
    if (nodeModules) {
      // transpileModule cannot see package.json: the file's format is given as ESNext or CommonJS instead.
      options.module = isEsm(fileName) ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS;
      options.moduleResolution = ts.ModuleResolutionKind.Node10;
    }
    const result = ts.transpileModule(source, { compilerOptions: options, fileName, reportDiagnostics: true });
    // Syntax errors of the file only: option diagnostics concern the transpilation set-up, not the candidate.
    const syntax = (result.diagnostics ?? []).filter((d) => d.file && d.category === ts.DiagnosticCategory.Error);
    for (const d of syntax) {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      const place = where
        ? `${relative(cwd, fileName)}(${where.line + 1},${where.character + 1})`
        : relative(cwd, fileName);
      errors.push(`${place}: error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    }
    if (syntax.length > 0) continue;
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, result.outputText);
    const map = others.find((o) => o.endsWith(".map"));
    if (map && result.sourceMapText) writeFileSync(map, result.sourceMapText);
    const stat = statSync(output);
    emitted.set(output, { hash, size: stat.size, mtimeMs: stat.mtimeMs });
  }
  return errors;
}

/** Splits the run's arguments into the flags for each worker and the test file operands; undefined if unsupported. */
function splitArgs(args) {
  const flags = [];
  const operands = [];
  for (const arg of args) {
    // Every worker reports in TAP (as the cold run does through a pipe); --test is what the server does.
    if (arg === "--test" || arg === "--test-reporter=tap") continue;
    if (/^--test-name-pattern=/.test(arg)) flags.push(arg);
    else if (arg.startsWith("-")) return undefined;
    else operands.push(arg);
  }
  return { flags, operands };
}

/** Characters of a worker's report kept to read its summary. */
const REPORT_TAIL_CHARS = 512;
/** Most standby workers kept (one per test file and set of flags). */
const MAX_STANDBY = 8;
/** Workers started ahead of the next run, by test file and flags: they have not loaded anything of the workspace. */
const standby = new Map();

/**
 * Starts a worker for one test file. It boots and then waits for the run's environment before it imports the file
 * (so it can be started ahead, while the previous candidate's results are read); its events are recorded from the
 * start, so that nothing it does is missed.
 */
function startWorker(file, flags) {
  const exited = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { file: pathToFileURL(file).href, exited },
    execArgv: flags,
    stdout: true,
    stderr: true,
    argv: [],
  });
  const state = { worker, exited, failure: undefined };
  worker.on("error", (error) => {
    state.failure = `the test file threw outside a test: ${error && error.message}`;
  });
  state.ended = new Promise((resolve) => worker.once("exit", resolve));
  return state;
}

function standbyKey(file, flags) {
  return JSON.stringify([file, flags]);
}

/** Starts a standby worker for the next run of the same file with the same flags. */
function prepareStandby(file, flags) {
  const key = standbyKey(file, flags);
  if (standby.has(key)) return;
  try {
    standby.set(key, startWorker(file, flags));
  } catch {
    return;
  }
  while (standby.size > MAX_STANDBY) {
    const [oldest, state] = standby.entries().next().value;
    standby.delete(oldest);
    void state.worker.terminate();
  }
}

/** Runs one test file in a fresh worker; resolves with its exit code, or a reason to run cold. */
async function runFile(file, flags, env, out, err) {
  const key = standbyKey(file, flags);
  let state = standby.get(key);
  standby.delete(key);
  if (!state || state.failure !== undefined) {
    try {
      state = startWorker(file, flags);
    } catch (error) {
      return { cold: `the test file could not be run in a worker: ${error.message}` };
    }
  }
  const { worker, exited } = state;
  worker.stdout.pipe(out, { end: false });
  // The end of the report says how many tests failed (TAP's `# fail n`).
  let tail = "";
  worker.stdout.on("data", (chunk) => {
    tail = (tail + chunk.toString()).slice(-REPORT_TAIL_CHARS);
  });
  worker.stderr.pipe(err, { end: false });
  worker.postMessage({ env });
  const code = await state.ended;
  await Promise.all(
    [worker.stdout, worker.stderr].map(
      (stream) => new Promise((r) => (stream.readableEnded ? r() : stream.once("end", r))),
    ),
  );
  if (state.failure) return { cold: state.failure };
  if (Atomics.load(exited, 0) === 1) return { cold: "the candidate called process.exit" };
  // A file whose tests all pass but which sets a failing exit code is one more failing test to node --test (named
  // by the file): a run that the server leaves to the cold path.
  const failed = /^# fail (\d+)\s*$/m.exec(tail);
  if (code !== 0 && (failed === null || failed[1] === "0")) return { cold: "the test file exited with a failure code" };
  return { exit: code };
}

async function serve(request) {
  const cwd = request.cwd;
  if (resolve(cwd) !== resolve(process.cwd())) return { cold: "the run is not in the server's scratch copy" };
  if ((request.env.NODE_OPTIONS ?? "").trim() !== "") return { cold: "NODE_OPTIONS applies to new processes only" };
  const split = splitArgs(request.args);
  if (!split) return { cold: "unsupported node arguments" };
  const out = createWriteStream(request.stdout, { mode: 0o600 });
  const err = createWriteStream(request.stderr, { mode: 0o600 });
  const close = () => Promise.all([out, err].map((s) => new Promise((r) => s.end(r))));
  try {
    if (request.transpile !== undefined) {
      const errors = transpile(cwd, request.transpile);
      if (errors === undefined) return { cold: "the TypeScript project cannot be transpiled file by file" };
      if (errors.length > 0) {
        out.write(`${errors.join("\n")}\n`);
        return { exit: 2 };
      }
    }
    const files = testFiles(cwd, split.operands);
    if (!files) return { cold: "a test path does not exist" };
    const flags = ["--test-reporter=tap", ...split.flags];
    let exit = 0;
    for (const file of files) {
      const result = await runFile(file, flags, request.env, out, err);
      if (result.cold) return result;
      if (result.exit !== 0) exit = 1;
    }
    for (const file of files) prepareStandby(file, flags);
    return { exit };
  } catch (error) {
    return { cold: `the warm server failed: ${error && error.message}` };
  } finally {
    await close();
  }
}

async function main() {
  await serveRequests(serve);
}

/** In a worker: runs one test file, noting a call of process.exit (the run is then judged cold). */
async function runInWorker() {
  const { file, exited } = workerData;
  // The run's environment arrives when the run starts (the worker may have been started ahead of it).
  const { env } = await new Promise((resolve) => parentPort.once("message", resolve));
  parentPort.unref();
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, env);
  const exit = process.exit.bind(process);
  process.exit = (code) => {
    Atomics.store(exited, 0, 1);
    exit(code);
  };
  await import(file);
}

if (isMainThread) await main();
else await runInWorker();
