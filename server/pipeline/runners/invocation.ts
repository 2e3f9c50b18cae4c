import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { javaCommand } from "./detect.js";
import type { ParsedOutcomes, TestOutcome } from "./outcomes.js";
import { parseAnyTextOutput } from "./parse/auto.js";
import { cargoBuildFailed, parseCargoTest } from "./parse/cargo.js";
import { goBuildFailed, parseGoTestJson } from "./parse/go-json.js";
import { parseJestJson, parseMochaJson } from "./parse/json-reporters.js";
import { parseJUnitCore } from "./parse/junitcore.js";
import { parseJUnitXml } from "./parse/junit-xml.js";
import { parsePytestJUnit } from "./parse/pytest.js";
import { parseTap } from "./parse/tap.js";
import type { TestCommand } from "./test-command.js";

/** Everything needed to run one test command once and read its results. */
export interface Invocation {
  readonly shell: string;
  readonly env: Record<string, string>;
  /** Reads the per-test results (from the output or a report file); undefined when none were found. */
  parse(stdout: string, stderr: string): Promise<ParsedOutcomes | undefined>;
  /** Whether the output says the code did not compile (so no test ran). */
  buildFailed(output: string): boolean;
}

export interface InvocationOptions {
  /** The folder the run happens in (a scratch copy). */
  readonly cwd: string;
  /** A private folder for report files. */
  readonly reportDir: string;
  /** Run only these tests (ignored by runners that cannot select). */
  readonly only?: readonly TestOutcome[];
  /** Extra environment for this run (e.g. coverage hooks). */
  readonly env?: Record<string, string>;
  /** Extra pytest arguments (e.g. `-p plugin`). */
  readonly pytestArgs?: readonly string[];
}

export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Concatenates every *.xml report under a folder (surefire and Gradle write one file per class). */
async function readXmlReports(dir: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const texts = await Promise.all(
    names.filter((n) => n.endsWith(".xml")).map((n) => readIfExists(join(dir, n)).then((t) => t ?? "")),
  );
  return texts.length > 0 ? texts.join("\n") : undefined;
}

/** Compiler errors of the languages whose builds run inside a test command (gcc, javac, tsc, rustc, go). */
const GENERIC_BUILD_ERROR =
  /(^[^\s:]+\.(c|cc|cpp|h|hpp|java|ts|tsx|go|rs):\d+(:\d+)?: (fatal )?error\b)|(error TS\d+:)|(^error(\[E\d+\])?: )|(undefined reference to)|(^# \S+\n)/m;

function textParser(): Invocation["parse"] {
  return (stdout, stderr) => Promise.resolve(parseAnyTextOutput(`${stdout}\n${stderr}`));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * Builds the command line, environment and parser for one run of a detected test command: machine-readable
 * reporters where the runner has them (JUnit XML, go test -json, TAP, jest/vitest/mocha JSON), and a selection of
 * tests when `only` is given and the runner can select.
 */
export function invocationFor(command: TestCommand, options: InvocationOptions): Invocation {
  const env: Record<string, string> = { ...(options.env ?? {}) };
  const only = command.canSelect && options.only && options.only.length > 0 ? options.only : undefined;
  const genericBuildFailed = (output: string): boolean => GENERIC_BUILD_ERROR.test(output);

  switch (command.kind) {
    case "pytest": {
      const report = join(options.reportDir, "pytest.xml");
      const selection = only ? unique(only.map((t) => t.name)).map(shellQuote) : [];
      const args = [
        "-p no:cacheprovider",
        "-o junit_family=xunit1",
        `--junitxml=${shellQuote(report)}`,
        "-q",
        ...(options.pytestArgs ?? []),
        ...selection,
      ];
      env.PYTHONDONTWRITEBYTECODE = "1";
      return {
        shell: `${command.command} ${args.join(" ")}`,
        env,
        async parse() {
          const xml = await readIfExists(report);
          return xml === undefined ? undefined : { tests: parsePytestJUnit(xml) };
        },
        buildFailed: () => false,
      };
    }
    case "node-test": {
      const patterns = only
        ? unique(only.map((t) => t.selector?.test ?? t.name)).map(
            (t) => `--test-name-pattern=${shellQuote(`^${escapeRegExp(t)}$`)}`,
          )
        : [];
      const base = command.command.replace(/^\s*node\s+/, "");
      return {
        shell: ["node --test-reporter=tap", ...patterns, base].filter((part) => part !== "").join(" "),
        env,
        parse: (stdout) => Promise.resolve(parseTapOutcomes(stdout)),
        buildFailed: genericBuildFailed,
      };
    }
    case "npm":
      return {
        shell: command.command,
        env,
        parse: (stdout, stderr) =>
          Promise.resolve(parseTapOutcomes(stdout) ?? parseAnyTextOutput(`${stdout}\n${stderr}`)),
        buildFailed: genericBuildFailed,
      };
    case "vitest":
    case "jest": {
      const report = join(options.reportDir, "report.json");
      const flags =
        command.kind === "vitest"
          ? `--reporter=json --outputFile=${shellQuote(report)}`
          : `--json --outputFile=${shellQuote(report)}`;
      const selection = only
        ? `-t ${shellQuote(unique(only.map((t) => escapeRegExp(t.selector?.test ?? t.name))).join("|"))}`
        : "";
      return {
        shell: `${command.command} --silent -- ${flags} ${selection}`.trim(),
        env,
        async parse() {
          const json = await readIfExists(report);
          if (json === undefined) return undefined;
          const tests = parseJestJson(json, options.cwd);
          return tests.length > 0 ? { tests } : undefined;
        },
        buildFailed: genericBuildFailed,
      };
    }
    case "mocha": {
      const selection = only
        ? `--grep ${shellQuote(unique(only.map((t) => escapeRegExp(t.selector?.test ?? t.name))).join("|"))}`
        : "";
      return {
        shell: `${command.command} --silent -- --reporter json ${selection}`.trim(),
        env,
        parse: (stdout) => {
          const tests = parseMochaJson(stdout);
          return Promise.resolve(tests.length > 0 ? { tests } : undefined);
        },
        buildFailed: genericBuildFailed,
      };
    }
    case "go": {
      // Flags go right after `go test` (before the packages); function replacers keep `$` in patterns literal.
      const flags: string[] = [];
      if (!/\s-count[= ]/.test(command.command)) flags.push("-count=1");
      if (!/\s-json\b/.test(command.command)) flags.push("-json");
      if (only) {
        const names = unique(only.map((t) => escapeRegExp(t.selector?.test ?? t.name)));
        flags.push(`-run ${shellQuote(`^(${names.join("|")})$`)}`);
      }
      const shell =
        flags.length === 0
          ? command.command
          : command.command.replace(/^go\s+test\b/, () => `go test ${flags.join(" ")}`);
      return {
        shell,
        env,
        // No events at all is a module without tests (or a build failure, which buildFailed recognises).
        parse: (stdout) => Promise.resolve(parseGoTestJson(stdout)),
        buildFailed: (output) => goBuildFailed(output),
      };
    }
    case "cargo": {
      let shell = command.command;
      if (!/--no-fail-fast/.test(shell)) shell = shell.replace(/^cargo\s+test\b/, "cargo test --no-fail-fast");
      if (only) {
        const names = unique(only.map((t) => shellQuote(t.selector?.test ?? t.name)));
        shell = shell.includes(" -- ")
          ? `${shell} ${names.join(" ")} --exact`
          : `${shell} -- ${names.join(" ")} --exact`;
      }
      env.CARGO_TERM_COLOR = "never";
      env.RUST_BACKTRACE = "1";
      return {
        shell,
        env,
        parse: (stdout, stderr) => {
          const tests = parseCargoTest(`${stdout}\n${stderr}`);
          return Promise.resolve(tests.length > 0 ? { tests } : undefined);
        },
        buildFailed: cargoBuildFailed,
      };
    }
    case "maven": {
      const reports = join(options.cwd, "target", "surefire-reports");
      let shell = command.command;
      if (only) {
        const byClass = new Map<string, string[]>();
        for (const t of only) {
          const unit = t.selector?.unit;
          if (!unit) continue;
          byClass.set(unit, [...(byClass.get(unit) ?? []), t.selector?.test ?? ""]);
        }
        const spec = [...byClass].map(([k, methods]) => `${k}#${methods.filter(Boolean).join("+")}`).join(",");
        if (spec) shell += ` -Dtest=${shellQuote(spec)} -DfailIfNoTests=false`;
      }
      return {
        shell: `rm -rf target/surefire-reports; ${shell}`,
        env,
        parse: async () => junitXmlOutcomes(await readXmlReports(reports)),
        buildFailed: (output) => /COMPILATION ERROR|Compilation failure/.test(output),
      };
    }
    case "gradle": {
      const reports = join(options.cwd, "build", "test-results", "test");
      return {
        shell: `rm -rf build/test-results; ${command.command}`,
        env,
        parse: async () => junitXmlOutcomes(await readXmlReports(reports)),
        buildFailed: (output) => /Compilation failed|compileJava FAILED|compileTestJava FAILED/.test(output),
      };
    }
    case "javac-junit": {
      const plan = command.java;
      const classes = only ? unique(only.map((t) => t.selector?.unit ?? "").filter(Boolean)) : undefined;
      const shell = plan
        ? javaCommand(plan, classes && classes.length > 0 ? classes : plan.testClasses)
        : command.command;
      return {
        shell,
        env,
        parse: (stdout) => {
          const parsed = parseJUnitCore(stdout);
          return Promise.resolve(parsed.total === undefined && parsed.tests.length === 0 ? undefined : parsed);
        },
        buildFailed: genericBuildFailed,
      };
    }
    case "ctest": {
      const report = join(options.reportDir, "ctest.xml");
      let shell = `${command.command} --output-junit ${shellQuote(report)}`;
      if (only) shell += ` -R ${shellQuote(`^(${unique(only.map((t) => escapeRegExp(t.name))).join("|")})$`)}`;
      return {
        shell,
        env,
        parse: async () => junitXmlOutcomes(await readIfExists(report)),
        buildFailed: genericBuildFailed,
      };
    }
    case "make":
    case "custom":
      return { shell: command.command, env, parse: textParser(), buildFailed: genericBuildFailed };
  }
}

function parseTapOutcomes(stdout: string): ParsedOutcomes | undefined {
  const tests = parseTap(stdout);
  return tests.length > 0 ? { tests } : undefined;
}

function junitXmlOutcomes(xml: string | undefined): ParsedOutcomes | undefined {
  if (xml === undefined) return undefined;
  const tests = parseJUnitXml(xml).map((c) => ({
    name: c.classname ? `${c.classname}.${c.name}` : c.name,
    status: c.status,
    message: c.message,
    ...(c.file ? { file: c.file } : {}),
    selector: { test: c.name, ...(c.classname ? { unit: c.classname } : {}) },
  }));
  return tests.length > 0 ? { tests } : undefined;
}
