import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, isAbsolute, join } from "node:path";
import { packageRoot } from "../../../grammars/paths.js";
import { shellQuote } from "../runners/invocation.js";
import { runProcess } from "../runners/process.js";
import type { JavaJUnitPlan } from "../runners/test-command.js";
import { sha256 } from "../workspace-files.js";
import type { LineSet, SpectrumEntity } from "./coverage.js";

/**
 * Per-test line coverage of plain-javac JUnit 4 projects, through a small java.lang.instrument agent shipped as
 * Java source (server/pipeline/runners/java-coverage/): it adds a line probe to every class compiled from the
 * workspace, and its JUnit runner clears the probes before each test and writes the lines hit after it. The agent
 * needs Debian's libasm-java (ASM 9, which reads JDK 17 class files); without it, or without javac, there is no
 * Java coverage and localisation falls back as before.
 *
 * The workspace is compiled again into a private folder for this run, so nothing instrumented or compiled lingers
 * in the user's tree or the scratch copy, and the baseline run itself stays exactly the user's.
 */

/** Where Debian's libasm-java puts ASM's core jar. */
const ASM_JARS = ["/usr/share/java/asm.jar", "/usr/share/java/asm-9.4.jar"];
/** The agent's Java sources, in the source tree (read from the checkout, also when the server runs from dist/). */
const AGENT_SOURCE_DIR = join("server", "pipeline", "runners", "java-coverage");
const AGENT_JAR = "repair-ls-java-coverage.jar";
const AGENT_MAIN = "repairls.coverage.CoverageRunner";
const AGENT_MANIFEST = "Premain-Class: repairls.coverage.CoverageAgent\n";
/** Longest the one-off compilation of the agent may take. */
const AGENT_BUILD_TIMEOUT_MS = 120_000;

export interface JavaCoverageOptions {
  /** The scratch copy the tests run in (its sources are compiled, its folder is the tests' working directory). */
  readonly cwd: string;
  /** The user's root that `cwd` mirrors: reported lines are in its files. */
  readonly userRoot: string;
  /** A private folder for the compiled classes and the report, removed before returning. */
  readonly privateParent: string;
  readonly plan: JavaJUnitPlan;
  readonly env: Record<string, string>;
  /** Per process (the compilation, then the test run). */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Whether a user file is test code (its lines are not reported). */
  readonly isTestFile: (file: string) => boolean;
}

/**
 * Where compiled agents are cached: the user-level cache folder ($XDG_CACHE_HOME/repair-ls, else
 * ~/.cache/repair-ls). Never a shared temporary folder, where another user could leave a jar for this one to run.
 */
function cacheRoot(env: Record<string, string>): string {
  const cacheHome = env.XDG_CACHE_HOME ?? process.env.XDG_CACHE_HOME;
  const base = cacheHome && isAbsolute(cacheHome) ? cacheHome : join(homedir(), ".cache");
  return join(base, "repair-ls", "java-coverage");
}

/** ASM's jar when libasm-java is installed. */
export function findAsmJar(): string | undefined {
  return ASM_JARS.find((jar) => existsSync(jar));
}

/**
 * The agent's jar, compiled once per version of its sources and of the jars it compiles against (the key of its
 * cache folder), or undefined when it cannot be built. Concurrent builds each work in their own folder and the
 * first rename wins.
 */
export async function agentJar(
  junitJar: string,
  asmJar: string,
  env: Record<string, string>,
  signal: AbortSignal,
): Promise<string | undefined> {
  const sourceDir = join(packageRoot(), AGENT_SOURCE_DIR);
  let names: string[];
  try {
    names = (await readdir(sourceDir)).filter((n) => n.endsWith(".java")).sort();
  } catch {
    return undefined;
  }
  const texts = await Promise.all(names.map((n) => readFile(join(sourceDir, n), "utf8")));
  const key = sha256([junitJar, asmJar, ...names.map((n, i) => `${n}\n${texts[i]}`)].join("\u0000")).slice(0, 16);
  const build = { sourceDir, names, junitJar, asmJar, env, signal };
  const cache = cacheRoot(env);
  const jar = join(cache, key, AGENT_JAR);
  return existsSync(jar) || (await buildAgent(cache, key, build)) ? jar : undefined;
}

/** Compiles the agent into cache/key; false when that fails (javac missing, folder not writable). */
async function buildAgent(
  cache: string,
  key: string,
  build: {
    sourceDir: string;
    names: readonly string[];
    junitJar: string;
    asmJar: string;
    env: Record<string, string>;
    signal: AbortSignal;
  },
): Promise<boolean> {
  try {
    await mkdir(cache, { recursive: true });
    const building = await mkdtemp(join(cache, `${key}.building-`));
    try {
      await mkdir(join(building, "classes"));
      await writeFile(join(building, "MANIFEST.MF"), AGENT_MANIFEST, "utf8");
      const sources = build.names.map((n) => shellQuote(join(build.sourceDir, n))).join(" ");
      const classpath = shellQuote(`${build.junitJar}:${build.asmJar}`);
      const result = await runProcess(
        [
          `javac -nowarn -encoding UTF-8 -d classes -cp ${classpath} ${sources}`,
          `jar cfm ${AGENT_JAR} MANIFEST.MF -C classes .`,
        ].join(" && "),
        {
          cwd: building,
          env: { ...process.env, ...build.env },
          timeoutMs: AGENT_BUILD_TIMEOUT_MS,
          signal: build.signal,
        },
      );
      if (result.end !== "exited" || result.exitCode !== 0) return false;
      await rm(join(building, "classes"), { recursive: true, force: true });
      // Another build of the same key may have won the rename: its jar is as good.
      await rename(building, join(cache, key)).catch(() => undefined);
    } finally {
      await rm(building, { recursive: true, force: true });
    }
  } catch {
    return false;
  }
  return existsSync(join(cache, key, AGENT_JAR));
}

/** One test of the runner's report: its name, its own verdict, and the lines it hit (class-relative paths). */
export interface JavaCoverageRecord {
  readonly name: string;
  readonly failed: boolean;
  /** Paths as the classes name them (package folders and the SourceFile attribute), with 1-based lines. */
  readonly lines: readonly { readonly path: string; readonly line: number }[];
}

/** Parses the runner's report (see CoverageRunner.java); malformed lines are skipped. */
export function parseJavaCoverageReport(text: string): JavaCoverageRecord[] {
  const records: { name: string; failed: boolean; lines: { path: string; line: number }[] }[] = [];
  for (const row of text.split("\n")) {
    const fields = row.split("\t");
    if (fields[0] === "test" && fields.length === 3) {
      records.push({ name: fields[2]!, failed: fields[1] === "1", lines: [] });
    } else if (fields[0] === "line" && fields.length === 3 && records.length > 0) {
      const line = Number(fields[2]);
      if (Number.isInteger(line) && line > 0) records[records.length - 1]!.lines.push({ path: fields[1]!, line });
    }
  }
  return records;
}

/**
 * Maps the paths classes name (`pkg/Name.java`) onto the workspace's Java files: the file whose path ends with it,
 * else the only file of that name (sources need not sit in package folders). Ambiguous paths map to nothing.
 */
export function sourceResolver(sourceFiles: readonly string[]): (path: string) => string | undefined {
  const memo = new Map<string, string | undefined>();
  return (path) => {
    if (memo.has(path)) return memo.get(path);
    const bySuffix = sourceFiles.filter((f) => f === path || f.endsWith(`/${path}`));
    const byName = sourceFiles.filter((f) => basename(f) === basename(path));
    const found = bySuffix.length === 1 ? bySuffix[0] : byName.length === 1 ? byName[0] : undefined;
    memo.set(path, found);
    return found;
  };
}

/** Spectrum entities from the report: lines of non-test files of the user's root, 0-based. */
export function javaCoverageEntities(
  records: readonly JavaCoverageRecord[],
  sourceFiles: readonly string[],
  userRoot: string,
  isTestFile: (file: string) => boolean,
): SpectrumEntity[] {
  const resolve = sourceResolver(sourceFiles);
  return records.map((record) => {
    const lines: LineSet = new Map();
    for (const { path, line } of record.lines) {
      const relative = resolve(path);
      if (!relative) continue;
      const file = join(userRoot, relative);
      if (isTestFile(file)) continue;
      let set = lines.get(file);
      if (!set) {
        set = new Set();
        lines.set(file, set);
      }
      set.add(line - 1);
    }
    return { name: record.name, failed: record.failed, lines };
  });
}

/**
 * Per-test coverage of a javac-junit project (see the module comment). Returns [] when javac, ASM or JUnit is
 * missing, the workspace does not compile, or the run was cancelled; the run's own verdicts are in `failed`.
 */
export async function javaCoverage(options: JavaCoverageOptions): Promise<SpectrumEntity[]> {
  const asm = findAsmJar();
  const junit = options.plan.classpath[0];
  if (!asm || !junit) return [];
  const agent = await agentJar(junit, asm, options.env, options.signal);
  if (!agent) return [];
  const work = await mkdtemp(join(options.privateParent, "java-coverage-"));
  try {
    const classes = join(work, "classes");
    const report = join(work, "report.tsv");
    const env = { ...process.env, ...options.env };
    const classpath = options.plan.classpath.join(":");
    const compile = await runProcess(
      `mkdir -p ${shellQuote(classes)} && javac -nowarn -encoding UTF-8 -d ${shellQuote(classes)} ` +
        `-cp ${shellQuote(classpath)} ${options.plan.sourceFiles.map(shellQuote).join(" ")}`,
      { cwd: options.cwd, env, timeoutMs: options.timeoutMs, signal: options.signal },
    );
    if (compile.end !== "exited" || compile.exitCode !== 0) return [];
    // The workspace's classes come first on the class path, as in the user's run; the agent's classes last.
    const run = await runProcess(
      [
        "java",
        shellQuote(`-Drepairls.coverage.classes=${classes}`),
        shellQuote(`-Drepairls.coverage.out=${report}`),
        shellQuote(`-javaagent:${agent}`),
        "-cp",
        shellQuote(`${classes}:${classpath}:${agent}:${asm}`),
        AGENT_MAIN,
        ...options.plan.testClasses.map(shellQuote),
      ].join(" "),
      { cwd: options.cwd, env, timeoutMs: options.timeoutMs, signal: options.signal },
    );
    if (run.end === "cancelled" || run.end === "spawn-error") return [];
    // A run stopped by its timeout still reported the tests that finished.
    const text = await readFile(report, "utf8").catch(() => "");
    return javaCoverageEntities(
      parseJavaCoverageReport(text),
      options.plan.sourceFiles,
      options.userRoot,
      options.isTestFile,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
