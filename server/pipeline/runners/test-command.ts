/** Which runner a test command belongs to; it decides the reporter flags, the parser and how to select tests. */
export type RunnerKind =
  | "pytest"
  | "node-test"
  | "npm"
  | "vitest"
  | "jest"
  | "mocha"
  | "go"
  | "cargo"
  | "maven"
  | "gradle"
  | "javac-junit"
  | "make"
  | "ctest"
  | "custom";

/** How to compile and run plain-javac JUnit 4 projects (no build tool). */
export interface JavaJUnitPlan {
  /** Source roots relative to the workspace, e.g. ["src/main/java", "src/test/java"] or ["."]. */
  readonly sourceFiles: readonly string[];
  /** Fully qualified names of the classes holding @Test methods. */
  readonly testClasses: readonly string[];
  /** The JUnit 4 and Hamcrest jars: absolute system paths, or paths relative to the workspace (its lib/ folder). */
  readonly classpath: readonly string[];
}

export interface TestCommand {
  readonly kind: RunnerKind;
  /** The command as a user would type it at the workspace root (shown in messages and reports). */
  readonly command: string;
  /** What it was detected from, e.g. "test.command setting", "go.mod", "package.json scripts.test". */
  readonly source: string;
  /** Whether the runner can run a chosen subset of tests (otherwise every run is a full run). */
  readonly canSelect: boolean;
  /** For kind "javac-junit": what to compile and run. */
  readonly java?: JavaJUnitPlan;
}
