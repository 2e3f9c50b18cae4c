/**
 * Indentation without an oracle: MultiMend copies the developer's indentation, a tool for real users has to infer
 * it from the surrounding code. Everything here works on whole lines.
 */

export function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? "";
}

function isBlank(line: string): boolean {
  return line.trim() === "";
}

/** Width of a run of leading whitespace in columns, with a tab counting as one indentation unit. */
function columns(whitespace: string, tabWidth: number): number {
  let width = 0;
  for (const ch of whitespace) width += ch === "\t" ? tabWidth : 1;
  return width;
}

/**
 * The file's indentation unit: a tab when most indented lines start with one, else the most common increase in
 * leading spaces between consecutive lines (2 or 4 in practice), defaulting to four spaces.
 */
export function detectIndentUnit(lines: readonly string[]): string {
  let tabs = 0;
  let spaces = 0;
  const steps = new Map<number, number>();
  let previous = 0;
  for (const line of lines) {
    if (isBlank(line)) continue;
    const ws = leadingWhitespace(line);
    if (ws.startsWith("\t")) tabs++;
    else if (ws.length > 0) spaces++;
    const width = ws.startsWith("\t") ? previous : ws.length;
    if (!ws.startsWith("\t") && width > previous && width - previous <= 8) {
      steps.set(width - previous, (steps.get(width - previous) ?? 0) + 1);
    }
    previous = width;
  }
  if (tabs > spaces) return "\t";
  let best = 4;
  let bestCount = 0;
  for (const [step, count] of steps) {
    if (count > bestCount || (count === bestCount && step < best)) {
      best = step;
      bestCount = count;
    }
  }
  return " ".repeat(best);
}

/** Whether a line opens a block whose body follows on the next lines (`:` in Python, `{` elsewhere). */
export function opensBlock(line: string): boolean {
  const trimmed = line.replace(/\s*(#|\/\/).*$/, "").trimEnd();
  return trimmed.endsWith(":") || trimmed.endsWith("{");
}

function closesBlock(line: string): boolean {
  return /^\s*[}\])]/.test(line);
}

/**
 * The indentation for new lines inserted before `line`: one level inside a block opened by the previous line;
 * the previous line's level when the next line closes a block; else the next line's level.
 */
export function insertionIndent(lines: readonly string[], line: number, unit: string): string {
  let prev: string | undefined;
  for (let i = line - 1; i >= 0; i--) {
    if (!isBlank(lines[i]!)) {
      prev = lines[i];
      break;
    }
  }
  let next: string | undefined;
  for (let i = line; i < lines.length; i++) {
    if (!isBlank(lines[i]!)) {
      next = lines[i];
      break;
    }
  }
  if (prev !== undefined && opensBlock(prev)) {
    const inner = leadingWhitespace(prev) + unit;
    if (next !== undefined && !closesBlock(next) && leadingWhitespace(next).length > leadingWhitespace(prev).length) {
      return leadingWhitespace(next);
    }
    return inner;
  }
  if (next === undefined || closesBlock(next)) return prev !== undefined ? leadingWhitespace(prev) : "";
  return leadingWhitespace(next);
}

/** The indentation a replacement of a hunk starts at: its first non-blank line's, else the insertion rule's. */
export function hunkIndent(lines: readonly string[], startLine: number, endLine: number, unit: string): string {
  for (let i = startLine; i < endLine; i++) {
    if (!isBlank(lines[i] ?? "")) return leadingWhitespace(lines[i]!);
  }
  return insertionIndent(lines, startLine, unit);
}

/**
 * Re-indents a block of lines so that its least indented line sits at `base`, keeping relative indentation.
 * Leading whitespace is measured in columns and rewritten in the file's unit, so a model that answers with spaces
 * in a tab-indented file still yields tab-indented lines.
 */
export function reindent(lines: readonly string[], base: string, unit: string): string[] {
  const tabWidth = unit === "\t" ? 4 : Math.max(1, unit.length);
  const widths = lines.filter((l) => !isBlank(l)).map((l) => columns(leadingWhitespace(l), tabWidth));
  const minWidth = widths.length > 0 ? Math.min(...widths) : 0;
  return lines.map((line) => {
    if (isBlank(line)) return "";
    const ws = leadingWhitespace(line);
    const relative = columns(ws, tabWidth) - minWidth;
    const levels = Math.floor(relative / tabWidth);
    const rest = relative - levels * tabWidth;
    const extra = unit === "\t" ? "\t".repeat(levels) + " ".repeat(rest) : " ".repeat(relative);
    return base + extra + line.slice(ws.length);
  });
}
