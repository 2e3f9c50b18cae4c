import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { isSecretLine } from "../../security/secrets.js";
import { pythonPathWithPlugin } from "../runners/plugins/pytest.js";
import { runTests } from "../runners/run-tests.js";
import type { UnpatchedCopy } from "../validate/validator.js";

/** The pytest plugin shipped beside this file (repair_ls_values.py). */
const VALUES_PLUGIN = "repair_ls_values";
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

/**
 * Runs one failing test in a copy with the unmodified code and records the values of the names read on the
 * suspicious lines (`lines`: absolute file -> 0-based lines). Python under pytest only (the runner must select
 * the test); undefined for other runners, when the run fails to produce a trace, or when nothing was hit.
 */
export async function recordExecutionValues(
  copy: UnpatchedCopy,
  test: string,
  lines: ReadonlyMap<string, readonly number[]>,
): Promise<ExecutionValues | undefined> {
  if (copy.command.kind !== "pytest" || !copy.command.canSelect) return undefined;
  const watched: Record<string, number[]> = {};
  for (const [file, numbers] of lines) {
    if (!file.endsWith(".py")) continue;
    const path = relative(copy.displayRoot, file);
    if (path.startsWith("..")) continue;
    watched[path.split(sep).join("/")] = numbers.map((n) => n + 1);
  }
  if (Object.keys(watched).length === 0) return undefined;
  const out = join(copy.dir, `values-${randomBytes(6).toString("hex")}.json`);
  try {
    const run = await runTests(copy.command, {
      cwd: copy.root,
      displayRoot: copy.displayRoot,
      timeoutMs: copy.timeoutMs,
      signal: copy.signal,
      reportParent: copy.dir,
      env: {
        ...copy.env,
        PYTHONPATH: pythonPathWithPlugin(copy.env.PYTHONPATH),
        REPAIR_LS_VALUES_ROOT: copy.root,
        REPAIR_LS_VALUES_LINES: JSON.stringify(watched),
        REPAIR_LS_VALUES_OUT: out,
      },
      only: [{ name: test, status: "failed", message: "" }],
      pytestArgs: ["-p", VALUES_PLUGIN],
    });
    if (run.kind !== "completed") return undefined;
    const hits = parseValueHits(await readFile(out, "utf8").catch(() => ""));
    return hits.length > 0 ? { test, hits } : undefined;
  } finally {
    await rm(out, { force: true });
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
