/**
 * Stack-trace parsing for every supported runtime: Python tracebacks and pytest's long format, Node/V8 stacks
 * (with or without "at", as node --test's TAP prints them), Java, Go panics and `go test` file:line messages, Rust
 * panics and backtraces, C assert and sanitizer output, and a generic `file.ext:line` fallback.
 */

/** A frame as printed: the path is not yet resolved to a workspace file and the line is 1-based. */
export interface RawFrame {
  readonly path: string;
  readonly line: number;
  readonly function?: string;
}

const SOURCE_EXT = "py|pyi|js|mjs|cjs|jsx|ts|mts|cts|tsx|java|c|h|cc|cpp|cxx|hh|hpp|hxx|go|rs";

interface Pattern {
  readonly re: RegExp;
  readonly path: number;
  readonly line: number;
  readonly fn?: number;
  /** Python prints the outermost frame first; these frames are reversed so that the innermost comes first. */
  readonly outermostFirst?: boolean;
}

const PATTERNS: readonly Pattern[] = [
  // Python traceback: File "/abs/path.py", line 12, in func
  { re: /File "([^"]+\.pyi?)", line (\d+)(?:, in (\S+))?/, path: 1, line: 2, fn: 3, outermostFirst: true },
  // pytest long format: path/x.py:12: in func   /   path/x.py:12: AssertionError
  { re: /^(\S+\.pyi?):(\d+): (?:in (\S+))?/, path: 1, line: 2, fn: 3, outermostFirst: true },
  // Java: at pkg.Class.method(Class.java:12)
  { re: /\bat ([\w$.<>]+)\(([\w$]+\.java):(\d+)\)/, path: 2, line: 3, fn: 1 },
  // V8 with a function: at fn (/abs/file.js:1:2)   or, in node --test TAP stacks, without "at".
  {
    re: new RegExp(
      `^\\s*(?:at\\s+)?(?:async\\s+)?([^\\s(][^(]*?) \\((?:file://)?([^()\\s]+\\.(?:${SOURCE_EXT})):(\\d+):\\d+\\)`,
    ),
    path: 2,
    line: 3,
    fn: 1,
  },
  // V8 anonymous: at /abs/file.js:1:2
  { re: new RegExp(`^\\s*at (?:async )?(?:file://)?([^()\\s]+\\.(?:${SOURCE_EXT})):(\\d+):\\d+`), path: 1, line: 2 },
  // Rust panic: panicked at src/lib.rs:10:5   (older: panicked at 'msg', src/lib.rs:10:5)
  { re: /panicked at (?:'.*?', )?([^\s:]+\.rs):(\d+):\d+/, path: 1, line: 2 },
  // Rust backtrace location line: at ./src/lib.rs:10:22
  { re: /^\s+at (\.?\/?[^\s:]+\.rs):(\d+):\d+/, path: 1, line: 2 },
  // Go panic frame: \t/abs/path/file.go:12 +0x1d
  { re: /^\t(\/\S+\.go):(\d+)(?: \+0x[0-9a-f]+)?$/, path: 1, line: 2 },
  // go test message: "    calc_test.go:7: message"
  { re: /^\s+([\w./-]+\.go):(\d+): /, path: 1, line: 2 },
  // C sanitizer: #0 0x4011d6 in func /abs/file.c:12:5
  { re: /#\d+ 0x[0-9a-f]+ in (\S+) (\S+\.(?:c|cc|cpp|cxx|h|hpp)):(\d+)/, path: 2, line: 3, fn: 1 },
  // C assert: prog: file.c:12: func: Assertion `x' failed.
  { re: /(\S+\.(?:c|cc|cpp|cxx|h|hpp)):(\d+): (\S+): Assertion/, path: 1, line: 2, fn: 3 },
];

const GENERIC = new RegExp(`(?:^|[\\s("'\`])((?:\\.{0,2}/)?[\\w@./-]+\\.(?:${SOURCE_EXT})):(\\d+)\\b`, "g");

/** Function names of Go panic frames and Rust backtrace entries: the line before the location names the function. */
function functionFromPreviousLine(previous: string | undefined): string | undefined {
  if (!previous) return undefined;
  const go = /^([\w./*()-]+)\(.*\)$/.exec(previous.trim());
  if (go) return go[1];
  const rust = /^\s*\d+: (.+)$/.exec(previous);
  return rust?.[1];
}

/**
 * Frames mentioned in a failure message, innermost first. Each line contributes at most one frame; lines that
 * match no runtime's pattern are searched for a generic `path.ext:line`.
 */
export function parseFrames(text: string): RawFrame[] {
  const frames: RawFrame[] = [];
  const pythonBlock: RawFrame[] = [];
  const flushPython = (): void => {
    frames.push(...pythonBlock.reverse());
    pythonBlock.length = 0;
  };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let matched = false;
    for (const p of PATTERNS) {
      const m = p.re.exec(line);
      if (!m) continue;
      const fn = p.fn !== undefined ? m[p.fn] : functionFromPreviousLine(lines[i - 1]);
      const frame: RawFrame = { path: m[p.path]!, line: Number(m[p.line]), ...(fn ? { function: fn.trim() } : {}) };
      if (p.outermostFirst) pythonBlock.push(frame);
      else {
        flushPython();
        frames.push(frame);
      }
      matched = true;
      break;
    }
    if (matched) continue;
    if (/Traceback \(most recent call last\)/.test(line)) flushPython();
    for (const m of line.matchAll(GENERIC)) {
      flushPython();
      frames.push({ path: m[1]!, line: Number(m[2]) });
    }
  }
  flushPython();
  return frames.filter((f) => f.line > 0);
}
