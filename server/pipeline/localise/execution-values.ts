import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../../../grammars/paths.js";
import { isSecretLine } from "../../security/secrets.js";
import { pythonPathWithPlugin } from "../runners/plugins/pytest.js";
import { runTests, type RunTestsOptions } from "../runners/run-tests.js";
import type { RunnerKind } from "../runners/test-command.js";
import type { UnpatchedCopy } from "../validate/validator.js";

/** The pytest plugin shipped beside this file (repair_ls_values.py). */
const VALUES_PLUGIN = "repair_ls_values";
/** The Node preload shipped beside this file: it attaches the inspector to the test's own process. */
const VALUES_PRELOAD = "repair_ls_values.mjs";
/**
 * Bounds of a trace: hits per line, hits in all, names per hit, characters per value. Both recorders receive them in
 * REPAIR_LS_VALUES_LIMITS (their defaults are the same), and traces of several processes are cut to them again.
 */
export const VALUE_LIMITS = { hitsPerLine: 3, hits: 24, names: 8, valueChars: 120 } as const;
/** Characters of trace a prompt shows at most: a small local model's context is precious. */
const MAX_TRACE_CHARS = 1_500;

/** The values of the names one suspicious line read, once, as the test ran it. */
export interface ValueHit {
  /** The file, relative to the workspace root with "/" separators. */
  readonly file: string;
  /** 0-based line. */
  readonly line: number;
  /** Name (or attribute chain) and a short repr of its value, in the order the line names them. */
  readonly values: readonly (readonly [string, string])[];
}

/** What one run of a failing test showed on the suspicious lines. */
export interface ExecutionValues {
  readonly test: string;
  readonly hits: readonly ValueHit[];
}

/** The plugin's JSON as value hits (1-based lines become 0-based); anything malformed is skipped. Never throws. */
export function parseValueHits(json: string): ValueHit[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  const hits = (parsed as { hits?: unknown } | null)?.hits;
  if (!Array.isArray(hits)) return [];
  const out: ValueHit[] = [];
  for (const hit of hits as unknown[]) {
    const { file, line, values } = (hit ?? {}) as { file?: unknown; line?: unknown; values?: unknown };
    if (typeof file !== "string" || !Number.isInteger(line) || (line as number) < 1 || !Array.isArray(values)) continue;
    const pairs = values.filter(
      (v): v is [string, string] => Array.isArray(v) && typeof v[0] === "string" && typeof v[1] === "string",
    );
    out.push({ file, line: (line as number) - 1, values: pairs.map(([name, value]) => [name, value] as const) });
  }
  return out;
}

/** How one runner records values: the sources it watches, how the run loads the recorder, where the hits land. */
interface ValueRecorder {
  /** Files whose lines it can watch. */
  readonly sources: RegExp;
  /** The run's additions: environment and pytest arguments; `out` is the file or folder the hits go to. */
  readonly load: (copy: UnpatchedCopy, out: string) => Promise<Pick<RunTestsOptions, "env" | "pytestArgs">>;
  /** The JSON documents the run wrote, in order. */
  readonly read: (out: string) => Promise<string[]>;
  /** The leaf name the runner selects a test by, when its names nest (`suite > test`). */
  readonly leaf?: (test: string) => string;
}

/** The pytest plugin repair_ls_values.py: one JSON file, written when the session ends. */
const pytestRecorder: ValueRecorder = {
  sources: /\.py$/,
  load: (copy, out) =>
    Promise.resolve({
      env: { PYTHONPATH: pythonPathWithPlugin(copy.env.PYTHONPATH), REPAIR_LS_VALUES_OUT: out },
      pytestArgs: ["-p", VALUES_PLUGIN],
    }),
  read: async (out) => [await readFile(out, "utf8").catch(() => "")],
};

/** The preload repair_ls_values.mjs: node --test runs each test file in its own process, each writes <pid>.json. */
const nodeTestRecorder: ValueRecorder = {
  sources: /\.(m?js|cjs)$/,
  async load(copy, out) {
    await mkdir(out, { recursive: true });
    const preload = pathToFileURL(join(packageRoot(), "server", "pipeline", "localise", VALUES_PRELOAD)).href;
    const options = copy.env.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? "";
    return { env: { NODE_OPTIONS: `${options} --import=${preload}`.trim(), REPAIR_LS_VALUES_OUT: out } };
  },
  async read(out) {
    const files = (await readdir(out).catch(() => [])).filter((f) => f.endsWith(".json")).sort();
    return Promise.all(files.map((f) => readFile(join(out, f), "utf8").catch(() => "")));
  },
  // TAP names a nested test `suite > test`; --test-name-pattern matches the test's own name.
  leaf: (test) => test.split(" > ").at(-1) ?? test,
};

/** The runners that can record values, by kind: a runner not named here records none. */
const RECORDERS: Partial<Record<RunnerKind, ValueRecorder>> = {
  pytest: pytestRecorder,
  "node-test": nodeTestRecorder,
};

/** Hits of several processes as one trace, within the bounds one process keeps. */
function boundedHits(hits: readonly ValueHit[]): ValueHit[] {
  const perLine = new Map<string, number>();
  const out: ValueHit[] = [];
  for (const hit of hits) {
    const key = `${hit.file}:${hit.line}`;
    const count = perLine.get(key) ?? 0;
    if (count >= VALUE_LIMITS.hitsPerLine || out.length >= VALUE_LIMITS.hits) continue;
    perLine.set(key, count + 1);
    out.push(hit);
  }
  return out;
}

/**
 * Runs one failing test in a copy with the unmodified code and records the values of the names read on the
 * suspicious lines (`lines`: absolute file -> 0-based lines). Runners with a recorder in RECORDERS only, and the
 * runner must select the test; undefined for other runners, when the run produced no trace (a hanging test is
 * stopped at the copy's timeout), or when nothing was hit.
 */
export async function recordExecutionValues(
  copy: UnpatchedCopy,
  test: string,
  lines: ReadonlyMap<string, readonly number[]>,
): Promise<ExecutionValues | undefined> {
  const recorder = RECORDERS[copy.command.kind];
  if (!recorder || !copy.command.canSelect) return undefined;
  const watched: Record<string, number[]> = {};
  for (const [file, numbers] of lines) {
    if (!recorder.sources.test(file)) continue;
    const path = relative(copy.displayRoot, file);
    if (path.startsWith("..")) continue;
    watched[path.split(sep).join("/")] = numbers.map((n) => n + 1);
  }
  if (Object.keys(watched).length === 0) return undefined;
  const out = join(copy.dir, `values-${randomBytes(6).toString("hex")}.json`);
  try {
    const load = await recorder.load(copy, out);
    const run = await runTests(copy.command, {
      cwd: copy.root,
      displayRoot: copy.displayRoot,
      timeoutMs: copy.timeoutMs,
      signal: copy.signal,
      reportParent: copy.dir,
      env: {
        ...copy.env,
        REPAIR_LS_VALUES_ROOT: copy.root,
        REPAIR_LS_VALUES_LINES: JSON.stringify(watched),
        REPAIR_LS_VALUES_LIMITS: JSON.stringify(VALUE_LIMITS),
        ...load.env,
      },
      only: [
        {
          name: test,
          status: "failed",
          message: "",
          ...(recorder.leaf ? { selector: { test: recorder.leaf(test) } } : {}),
        },
      ],
      ...(load.pytestArgs ? { pytestArgs: load.pytestArgs } : {}),
    });
    // A run stopped at its timeout keeps what it saw before (the Node preload writes after every hit).
    if (run.kind !== "completed" && run.kind !== "timeout") return undefined;
    const hits = boundedHits((await recorder.read(out)).flatMap(parseValueHits));
    return hits.length > 0 ? { test, hits } : undefined;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/**
 * The trace as a prompt shows it: one line per hit, `path:line  name = value, ...`, within a character budget. A
 * value that looks like a credential (judged as the assignment `name = value`) is shown as <masked>: values come
 * from the running program and are masked like everything else a prompt shows.
 */
export function executionValueLines(values: ExecutionValues | undefined): string[] {
  if (!values || values.hits.length === 0) return [];
  const out = [`Values read on the suspicious lines while ${values.test} ran (each line's values before it ran):`];
  let used = out[0]!.length;
  for (const hit of values.hits) {
    const shown = hit.values.map(
      ([name, value]) => `${name} = ${isSecretLine(`${name} = ${value}`) ? "<masked>" : value}`,
    );
    const line = `  ${hit.file}:${hit.line + 1}  ${shown.length > 0 ? shown.join(", ") : "(no values)"}`;
    if (used + line.length > MAX_TRACE_CHARS) break;
    used += line.length + 1;
    out.push(line);
  }
  return out.length > 1 ? out : [];
}
