import type { TestOutcome } from "../outcomes.js";

interface TapEntry {
  readonly indent: number;
  readonly description: string;
  readonly ok: boolean;
  readonly skipped: boolean;
  readonly diagnostics: string[];
  parent?: TapEntry;
  hasChildren: boolean;
}

const TEST_LINE = /^(\s*)(not ok|ok)\b(?:\s+(\d+))?(?:\s*-)?\s*(.*)$/;
const DIRECTIVE = /\s+#\s*(SKIP|TODO)\b.*$/i;

/**
 * Parses TAP as node --test prints it (nested subtests indented by four spaces and emitted before their parent,
 * YAML diagnostics between `---` and `...`) and as hand-written C test harnesses print it (`ok 1 - name`,
 * `not ok 2 - name` with `#` comment lines after). Only leaves are reported; a nested test is named
 * `parent > child`. SKIP and TODO tests are skipped, not passed.
 */
export function parseTap(output: string): TestOutcome[] {
  const entries: TapEntry[] = [];
  let current: TapEntry | undefined;
  let inYaml = false;
  let yamlIndent = 0;
  for (const rawLine of output.split(/\r?\n/)) {
    if (inYaml) {
      if (rawLine.trim() === "...") inYaml = false;
      else current?.diagnostics.push(rawLine.slice(Math.min(yamlIndent, rawLine.search(/\S|$/))));
      continue;
    }
    const m = TEST_LINE.exec(rawLine);
    if (m && (m[3] !== undefined || m[4] !== undefined)) {
      const indent = m[1]!.length;
      let description = m[4] ?? "";
      const directive = DIRECTIVE.exec(description);
      if (directive) description = description.slice(0, directive.index);
      const entry: TapEntry = {
        indent,
        description: description.trim() || `test ${m[3] ?? entries.length + 1}`,
        ok: m[2] === "ok",
        skipped: directive !== null,
        diagnostics: [],
        hasChildren: false,
      };
      // Node prints children before their parent, at a deeper indentation: claim the unclaimed ones.
      for (let i = entries.length - 1; i >= 0; i--) {
        const child = entries[i]!;
        if (child.indent <= indent) break;
        if (!child.parent) {
          child.parent = entry;
          entry.hasChildren = true;
        }
      }
      entries.push(entry);
      current = entry;
      continue;
    }
    if (current && rawLine.trim() === "---") {
      inYaml = true;
      yamlIndent = rawLine.search(/\S/);
      continue;
    }
    const comment = /^\s*#\s?(.*)$/.exec(rawLine);
    if (current && comment && !/^\s*#\s*Subtest:/.test(rawLine) && !current.ok) {
      current.diagnostics.push(comment[1] ?? "");
    }
  }
  const outcomes = new Map<string, TestOutcome>();
  for (const entry of entries) {
    if (entry.hasChildren) continue;
    const names: string[] = [];
    for (let e: TapEntry | undefined = entry; e; e = e.parent) names.unshift(e.description);
    const name = names.join(" > ");
    const status = entry.skipped ? "skipped" : entry.ok ? "passed" : "failed";
    const message = entry.ok ? "" : entry.diagnostics.join("\n").trim();
    const location = /^location:\s*'?([^']+?):\d+:\d+'?\s*$/m.exec(message)?.[1];
    const durationMs = Number.parseFloat(/^duration_ms:\s*([\d.]+)/m.exec(entry.diagnostics.join("\n"))?.[1] ?? "");
    const previous = outcomes.get(name);
    // Two tests with one name (in two files): the name fails if either fails.
    if (previous && previous.status === "failed") continue;
    outcomes.set(name, {
      name,
      status,
      message,
      ...(location ? { file: location } : {}),
      ...(Number.isFinite(durationMs) ? { seconds: durationMs / 1000 } : {}),
      selector: { test: entry.description },
    });
  }
  return [...outcomes.values()];
}

/** Whether output looks like TAP: at least one `ok N` or `not ok N` line. */
export function looksLikeTap(output: string): boolean {
  return /^\s*(not ok|ok)\s+\d+\b/m.test(output);
}
