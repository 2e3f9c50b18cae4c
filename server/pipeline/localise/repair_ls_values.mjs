// Preload of repair-ls for node --test: records the values of the names read on given lines while the selected test
// runs, so that the model's prompts can show what the code saw (execution values, as SemAgent does). It is the
// Node counterpart of repair_ls_values.py and writes the same hits.
//
// repair-ls loads it with `NODE_OPTIONS=--import <this file's URL>` for one run of the first failing test; node --test
// passes NODE_OPTIONS on to the process of every test file. Settings come from the environment:
//
//   REPAIR_LS_VALUES_ROOT    the workspace copy: line keys are paths relative to it
//   REPAIR_LS_VALUES_LINES   JSON {relpath: [1-based line, ...]}: the lines to watch
//   REPAIR_LS_VALUES_OUT     a folder: each process writes <pid>.json there, {"hits": [{"file", "line", "values"}]}
//   REPAIR_LS_VALUES_LIMITS  JSON {hitsPerLine, hits, names, valueChars}: the bounds (the Python plugin's)
//
// The main thread cannot debug itself, so a worker thread attaches to it (inspector Session#connectToMainThread),
// sets a breakpoint on each watched line and, when the main thread pauses there, evaluates each identifier the line
// reads on the top frame, then resumes. Evaluation throws on side effects, and objects are described from their own
// data properties only: no getter, proxy trap or toString of the workspace runs. The worker writes the file after
// every hit, so a test that hangs or exits early still leaves what it saw.

import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const KEYWORDS = new Set(
  (
    "await break case catch class const continue debugger default delete do else export extends false finally for " +
    "function if import in instanceof let new null of return static super switch this throw true try typeof var " +
    "void while with yield async get set undefined arguments"
  ).split(" "),
);
/** Strings, template literals and comments: the parts of a line that name nothing. */
const NOT_CODE = /\/\/.*$|\/\*.*?\*\/|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`/g;
/** An identifier, not the tail of a number such as `1e5` or `0xff`. */
const IDENTIFIER = /(?<![\w$])[A-Za-z_$][\w$]*/g;
/** How long one evaluation may take (ms): a side-effect-free loop must not hold the test. */
const EVALUATE_TIMEOUT_MS = 200;
/** Entries of an array or plain object a description shows. */
const MAX_ENTRIES = 8;

function settings() {
  const root = process.env.REPAIR_LS_VALUES_ROOT;
  const out = process.env.REPAIR_LS_VALUES_OUT;
  if (!root || !out) return undefined;
  let lines;
  let limits;
  try {
    lines = JSON.parse(process.env.REPAIR_LS_VALUES_LINES ?? "{}");
    limits = JSON.parse(process.env.REPAIR_LS_VALUES_LIMITS ?? "{}");
  } catch {
    return undefined;
  }
  const watched = [];
  for (const [relative, numbers] of Object.entries(lines ?? {})) {
    if (!Array.isArray(numbers)) continue;
    let path;
    try {
      path = realpathSync(join(root, relative));
    } catch {
      continue;
    }
    const wanted = numbers.filter((n) => Number.isInteger(n) && n >= 1);
    if (wanted.length > 0) watched.push({ relative, path, lines: wanted });
  }
  const limit = (name, fallback) => (Number.isInteger(limits?.[name]) && limits[name] > 0 ? limits[name] : fallback);
  return {
    out,
    watched,
    limits: {
      hitsPerLine: limit("hitsPerLine", 3),
      hits: limit("hits", 24),
      names: limit("names", 8),
      valueChars: limit("valueChars", 120),
    },
  };
}

/** The identifiers a line reads, in order and once each: not keywords, declarations, or property names. */
function lineNames(text) {
  const code = text.replace(NOT_CODE, '""');
  const names = [];
  for (const match of code.matchAll(IDENTIFIER)) {
    const before = code.slice(0, match.index).trimEnd();
    const after = code.slice(match.index + match[0].length).trimStart();
    if (before.endsWith(".") && !before.endsWith("...")) continue;
    // A name the line declares has no value before the line runs (it is in its temporal dead zone).
    if (/(^|[^\w$])(const|let|var)$/.test(before)) continue;
    if (KEYWORDS.has(match[0]) || names.includes(match[0])) continue;
    // An object literal's key (`{ key: value }`) names no variable; a conditional's `a ? b : c` does.
    if (after.startsWith(":") && !after.startsWith("::") && /[{,]$/.test(before)) continue;
    names.push(match[0]);
  }
  return names;
}

function bounded(text, chars) {
  return text.length <= chars ? text : `${text.slice(0, chars - 3)}...`;
}

/** A primitive as JavaScript would spell it; undefined for objects and functions. */
function primitive(remote) {
  if (remote.type === "string") return JSON.stringify(remote.value);
  if (remote.unserializableValue !== undefined) return remote.unserializableValue;
  if (remote.type === "undefined") return "undefined";
  if (remote.subtype === "null") return "null";
  if (remote.type === "number" || remote.type === "boolean") return String(remote.value);
  if (remote.type === "symbol" || remote.type === "bigint") return remote.description ?? remote.type;
  return undefined;
}

/** The worker's side: the debugger session on the main thread and the hits it records. */
async function recordInWorker({ out, watched, limits }) {
  // A session does not keep a worker alive, and the worker must outlive the setup: the main thread unrefs it.
  setInterval(() => undefined, 1 << 30);
  const session = new Session();
  session.connectToMainThread();
  const post = (method, params = {}) =>
    new Promise((resolve) => session.post(method, params, (error, result) => resolve(error ? undefined : result)));
  const byUrl = new Map();
  for (const file of watched) {
    let text;
    try {
      text = readFileSync(file.path, "utf8").split("\n");
    } catch {
      continue;
    }
    byUrl.set(pathToFileURL(file.path).href, { ...file, text });
  }
  const hits = [];
  const perLine = new Map();
  const file = join(out, `${process.pid}.json`);

  /**
   * An array's items or an object's own data properties (a class instance's prefixed by its class), one level deep;
   * accessors are named, never called. Anything else (maps, dates, errors, proxies) as V8 describes it.
   */
  async function describeObject(remote) {
    const fallback = remote.description ?? remote.className ?? "object";
    const listed = remote.subtype === "array" || remote.subtype === undefined;
    if (!listed || remote.objectId === undefined) return fallback;
    const properties = await post("Runtime.getProperties", {
      objectId: remote.objectId,
      ownProperties: true,
      generatePreview: false,
    });
    const entries = [];
    let more = false;
    for (const property of properties?.result ?? []) {
      if (!property.enumerable || property.symbol !== undefined) continue;
      if (remote.subtype === "array" && !/^\d+$/.test(property.name)) continue;
      if (entries.length >= MAX_ENTRIES) {
        more = true;
        break;
      }
      const shown = property.value
        ? (primitive(property.value) ?? property.value.description ?? property.value.type)
        : "<getter>";
      entries.push(remote.subtype === "array" ? shown : `${property.name}: ${shown}`);
    }
    if (more) entries.push("...");
    if (remote.subtype === "array") return `[${entries.join(", ")}]`;
    const className = remote.className && remote.className !== "Object" ? `${remote.className} ` : "";
    return `${className}{${entries.join(", ")}}`;
  }

  async function valueOf(callFrameId, name) {
    const evaluated = await post("Debugger.evaluateOnCallFrame", {
      callFrameId,
      expression: name,
      silent: true,
      returnByValue: false,
      generatePreview: false,
      throwOnSideEffect: true,
      timeout: EVALUATE_TIMEOUT_MS,
    });
    const remote = evaluated?.result;
    if (!remote || evaluated.exceptionDetails || remote.type === "function") return undefined;
    const text = primitive(remote) ?? (await describeObject(remote));
    return bounded(text, limits.valueChars);
  }

  async function record(frame, watchedFile, line) {
    const key = `${watchedFile.relative}:${line}`;
    const count = perLine.get(key) ?? 0;
    if (count >= limits.hitsPerLine || hits.length >= limits.hits) return;
    perLine.set(key, count + 1);
    const values = [];
    for (const name of lineNames(watchedFile.text[line - 1] ?? "")) {
      const value = await valueOf(frame.callFrameId, name);
      if (value === undefined) continue;
      values.push([name, value]);
      if (values.length >= limits.names) break;
    }
    hits.push({ file: watchedFile.relative, line, values });
    writeFileSync(file, JSON.stringify({ hits }));
  }

  /** Breakpoint id -> the watched file and 1-based line it stands for. */
  const breakpoints = new Map();
  /** The breakpoints that can record nothing more: pausing on them would only slow the test down. */
  function spent(id, watchedAt, onWatchedLine) {
    if (hits.length >= limits.hits) return [...breakpoints.keys()];
    const done = (perLine.get(`${watchedAt.file.relative}:${watchedAt.line}`) ?? 0) >= limits.hitsPerLine;
    return !onWatchedLine || done ? [id] : [];
  }
  session.on("Debugger.paused", ({ params }) => {
    const frame = params.callFrames[0];
    const id = (params.hitBreakpoints ?? []).find((hit) => breakpoints.has(hit));
    const watchedAt = id === undefined ? undefined : breakpoints.get(id);
    // V8 moves a breakpoint on a line with nothing to run to the next statement: that line reads other names.
    const onWatchedLine =
      frame !== undefined && watchedAt !== undefined && frame.location.lineNumber === watchedAt.line - 1;
    const recorded = onWatchedLine ? record(frame, watchedAt.file, watchedAt.line) : Promise.resolve();
    // The trace is a hint for a prompt: whatever happens while recording, the test goes on.
    void recorded
      .catch(() => undefined)
      .then(async () => {
        if (watchedAt === undefined) return;
        for (const done of spent(id, watchedAt, onWatchedLine)) {
          breakpoints.delete(done);
          await post("Debugger.removeBreakpoint", { breakpointId: done });
        }
      })
      .finally(() => post("Debugger.resume"));
  });
  await post("Debugger.enable");
  for (const [url, watchedFile] of byUrl) {
    for (const line of watchedFile.lines) {
      const set = await post("Debugger.setBreakpointByUrl", { url, lineNumber: line - 1 });
      if (set) breakpoints.set(set.breakpointId, { file: watchedFile, line });
    }
  }
}

if (isMainThread) {
  const config = settings();
  // node --test's own process runs no code of the workspace: only the processes of the test files are watched.
  if (config && config.watched.length > 0 && !process.execArgv.includes("--test")) {
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: config, stdout: true, stderr: true });
    // The breakpoints must be in place before the first line of the workspace runs.
    await new Promise((resolve) => {
      worker.once("message", resolve);
      worker.once("error", resolve);
      worker.once("exit", resolve);
    });
    worker.unref();
  }
} else if (workerData?.out) {
  try {
    await recordInWorker(workerData);
  } finally {
    parentPort?.postMessage("ready");
  }
}
