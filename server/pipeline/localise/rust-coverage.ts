import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { shellQuote } from "../runners/invocation.js";
import { runProcess, type RunProcessOptions } from "../runners/process.js";
import type { LineSet, SpectrumEntity } from "./coverage.js";

/** Rust tests above this count are not covered one by one: the per-test runs would cost more than they tell. */
export const MAX_RUST_COVERAGE_TESTS = 40;

export interface RustCoverageOptions {
  /** The scratch copy of the workspace (the crate root) and its private parent folder. */
  readonly cwd: string;
  readonly scratchDir: string;
  readonly userRoot: string;
  readonly env: Record<string, string>;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Names of the consistently failing tests. */
  readonly failing: ReadonlySet<string>;
  /** The tests of the baseline run (libtest names such as `tests::empty_job_is_complete`). */
  readonly tests: readonly string[];
}

/** llvm-profdata and llvm-cov of one LLVM version. */
export interface LlvmTools {
  readonly profdata: string;
  readonly cov: string;
}

/**
 * The LLVM tools that can read what rustc's `-C instrument-coverage` writes: the raw profile format changes with
 * LLVM's major version, so only tools of rustc's own major version do (Debian's llvm-N packages, or rustup's
 * llvm-tools component). Undefined when there are none.
 */
export async function llvmToolsForRustc(
  run: (command: string) => Promise<string | undefined>,
): Promise<LlvmTools | undefined> {
  const major = /^LLVM version: (\d+)\./m.exec((await run("rustc -vV")) ?? "")?.[1];
  if (!major) return undefined;
  const sysroot = (await run("rustc --print sysroot"))?.trim();
  const host = /^host: (\S+)$/m.exec((await run("rustc -vV")) ?? "")?.[1];
  const folders = [
    `/usr/lib/llvm-${major}/bin`,
    ...(sysroot && host ? [join(sysroot, "lib", "rustlib", host, "bin")] : []),
  ];
  for (const folder of folders) {
    const profdata = join(folder, "llvm-profdata");
    const cov = join(folder, "llvm-cov");
    if (existsSync(profdata) && existsSync(cov)) return { profdata, cov };
  }
  return undefined;
}

/** The test executables `cargo test --no-run --message-format=json` built. */
export function testExecutables(messages: string): string[] {
  const executables: string[] = [];
  for (const line of messages.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const message = JSON.parse(line) as { reason?: string; executable?: unknown; profile?: { test?: boolean } };
      if (message.reason === "compiler-artifact" && message.profile?.test && typeof message.executable === "string") {
        executables.push(message.executable);
      }
    } catch {
      // Not a message of cargo's: ignored.
    }
  }
  return executables;
}

/** The executed lines (0-based) of an lcov report, for files below `scratchRoot`, as files of `userRoot`. */
export function parseLcovLines(lcov: string, scratchRoot: string, userRoot: string): LineSet {
  const lines: LineSet = new Map();
  let current: Set<number> | undefined;
  for (const line of lcov.split("\n")) {
    if (line.startsWith("SF:")) {
      const rel = relative(scratchRoot, line.slice(3).trim());
      current = undefined;
      if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) continue;
      const file = join(userRoot, rel);
      current = lines.get(file) ?? new Set();
      lines.set(file, current);
    } else if (line.startsWith("DA:") && current) {
      const [lineNo, count] = line.slice(3).split(",");
      if (Number(count) > 0) current.add(Number(lineNo) - 1);
    }
  }
  for (const [file, set] of lines) if (set.size === 0) lines.delete(file);
  return lines;
}

/**
 * Per-test line coverage for Rust through `-C instrument-coverage`: the tests are built once, instrumented, in a
 * target folder of their own (the worker's stays uninstrumented); then each test runs alone (`--exact`) with its
 * own raw profile, which llvm-profdata merges and llvm-cov reports as lcov. Only for small suites, and only where
 * LLVM tools of rustc's version exist (see llvmToolsForRustc).
 */
export async function rustCoverage(options: RustCoverageOptions): Promise<SpectrumEntity[]> {
  if (options.tests.length === 0 || options.tests.length > MAX_RUST_COVERAGE_TESTS) return [];
  const dir = join(options.scratchDir, "rust-cover");
  await mkdir(dir, { recursive: true });
  const processOptions = (env: Record<string, string> = {}): RunProcessOptions => ({
    cwd: options.cwd,
    env: { ...process.env, ...options.env, ...env },
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  const output = async (command: string, env?: Record<string, string>): Promise<string | undefined> => {
    const result = await runProcess(command, processOptions(env));
    return result.end === "exited" && result.exitCode === 0 ? result.stdout : undefined;
  };
  try {
    const tools = await llvmToolsForRustc(output);
    if (!tools) return [];
    const instrumented = {
      CARGO_TARGET_DIR: join(dir, "target"),
      RUSTFLAGS: `${options.env.RUSTFLAGS ?? process.env.RUSTFLAGS ?? ""} -C instrument-coverage`.trim(),
      LLVM_PROFILE_FILE: join(dir, "build-%p.profraw"),
      CARGO_TERM_COLOR: "never",
    };
    const built = await output("cargo test --no-run --message-format=json", instrumented);
    if (built === undefined) return [];
    const wanted = new Set(options.tests);
    const entities: SpectrumEntity[] = [];
    for (const executable of testExecutables(built)) {
      const listed = await output(`${shellQuote(executable)} --list --format terse`);
      const names = (listed ?? "")
        .split("\n")
        .flatMap((line) => /^(.+): test$/.exec(line)?.[1] ?? [])
        .filter((name) => wanted.has(name));
      for (const name of names) {
        if (options.signal.aborted) return entities;
        const raw = join(dir, "test.profraw");
        const data = join(dir, "test.profdata");
        await rm(raw, { force: true });
        // The test's own verdict does not matter here: a failing test's lines are what localisation needs.
        await runProcess(
          `${shellQuote(executable)} ${shellQuote(name)} --exact --test-threads=1`,
          processOptions({ LLVM_PROFILE_FILE: raw }),
        );
        if (!existsSync(raw)) continue;
        if (
          (await output(`${shellQuote(tools.profdata)} merge -sparse ${shellQuote(raw)} -o ${shellQuote(data)}`)) ===
          undefined
        ) {
          continue;
        }
        const lcov = await output(
          `${shellQuote(tools.cov)} export -format=lcov -instr-profile=${shellQuote(data)} ${shellQuote(executable)}`,
        );
        if (lcov === undefined) continue;
        entities.push({
          name,
          failed: options.failing.has(name),
          lines: parseLcovLines(lcov, options.cwd, options.userRoot),
        });
      }
    }
    return entities;
  } finally {
    // The instrumented build is of no use to validation: it goes, leaving the worker's own target folder as it was.
    await rm(dir, { recursive: true, force: true });
  }
}
