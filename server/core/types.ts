/**
 * Types shared by the stages of the repair pipeline (index -> localise -> retrieve -> generate -> combine ->
 * validate -> rank). Nothing here knows about the Language Server Protocol: lines are 0-based, ranges of lines are
 * half-open [startLine, endLine), and files are absolute paths.
 */
import type { LanguageId } from "./language-ids.js";

/** One edit site: the lines to replace. An empty hunk (startLine === endLine) is an insertion before startLine. */
export interface Hunk {
  readonly file: string;
  readonly startLine: number;
  readonly endLine: number;
}

/** A frame of a stack trace or traceback, resolved to a file in the workspace when possible. */
export interface StackFrame {
  readonly file: string;
  /** 0-based line. */
  readonly line: number;
  readonly function?: string;
}

export interface TestFailure {
  /** The runner's name for the test, stable enough to re-run it alone. */
  readonly name: string;
  readonly message: string;
  /** Frames of the failure, innermost (most recent call) first. */
  readonly frames: readonly StackFrame[];
}

export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly message: string;
  readonly source?: string;
}

/** What is known about why the code is wrong; every generator may use it, none may require it. */
export interface FailureEvidence {
  readonly failingTests: readonly TestFailure[];
  readonly diagnostics: readonly Diagnostic[];
}

/** A line from the workspace index that looks related to a hunk (MultiMend's augmentation). */
export interface RetrievedLine {
  readonly file: string;
  /** 0-based line. */
  readonly line: number;
  /** The line as written in the file. */
  readonly text: string;
  /** Cosine similarity (or a hybrid score) in [0, 1]. */
  readonly score: number;
  /** Whether the line came from the hunk's own file (outside the enclosing function) or elsewhere. */
  readonly scope: "same-file" | "workspace";
}

export interface EnclosingFunction {
  readonly name: string | undefined;
  readonly startLine: number;
  readonly endLine: number;
  readonly text: string;
}

/** Everything a generator needs to propose replacements for one hunk. */
export interface HunkContext {
  readonly hunk: Hunk;
  readonly language: LanguageId;
  /** Full text of the hunk's file as it is now. */
  readonly fileText: string;
  /** The hunk's current lines joined with "\n" (empty for an insertion). */
  readonly buggyText: string;
  readonly enclosingFunction: EnclosingFunction | undefined;
  readonly retrieved: readonly RetrievedLine[];
}

export type GeneratorId =
  | "template"
  | "donor"
  | "ollama-fim"
  | "ollama-chat"
  // Edit templates from the workspace's own fix history (server/pipeline/memory/).
  | "memory"
  // The model strategies (server/pipeline/strategies/).
  | "ollama-feedback"
  | "ollama-function"
  | "ollama-joint"
  | "ollama-mask"
  | "ollama-rtt";

/** A proposed replacement for a hunk's lines. */
export interface Candidate {
  /** Replacement lines joined with "\n", already indented; "" deletes the hunk. */
  readonly text: string;
  /** Higher is more promising; comparable within one generator's output and roughly across generators. */
  readonly score: number;
  readonly generator: GeneratorId;
  /** Edit kind, e.g. "operator", "off-by-one", "guard", "donor", "delete", "model". */
  readonly editKind: string;
  /** Short description for titles, e.g. "`<=` -> `<`". */
  readonly description: string;
}

export interface Generator {
  readonly id: string;
  /** Candidates for one hunk, best first. Must honour the signal and must not throw for bad model output. */
  generate(context: HunkContext, evidence: FailureEvidence, signal: AbortSignal): Promise<Candidate[]>;
}

/** Receives progress and status from long pipeline work; the LSP layer turns it into $/progress and messages. */
export interface ProgressSink {
  report(message: string, percentage?: number): void;
  /** A condition the user should know about once (e.g. "Ollama is not running: using the built-in engine"). */
  warn(message: string): void;
  /** The condition of an earlier warning is over (Ollama answered again): status displays clear it. */
  recovered?(source: "ollama"): void;
}

/** A log sink independent of the protocol; the LSP layer routes it to window/logMessage. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** The logger a module logger writes to, so that a module's logger handed to another module is not prefixed twice. */
const ROOT_LOGGER = Symbol("root logger");

/**
 * The logger of one module: every message starts with `module: `, written once here instead of in every message.
 * A module logger of a module logger replaces the prefix: a message names the module that wrote it.
 */
export function moduleLogger(logger: Logger, module: string): Logger {
  const root = (logger as { [ROOT_LOGGER]?: Logger })[ROOT_LOGGER] ?? logger;
  const prefix = `${module}: `;
  return {
    [ROOT_LOGGER]: root,
    error: (message) => root.error(prefix + message),
    warn: (message) => root.warn(prefix + message),
    info: (message) => root.info(prefix + message),
    debug: (message) => root.debug(prefix + message),
  } as Logger;
}
export const silentProgress: ProgressSink = { report() {}, warn() {} };

/**
 * Context retrieval as the pipeline sees it; the workspace index implements it. Kept as an interface so that the
 * pipeline can run (with no augmentation) when indexing is disabled or still in progress.
 */
export interface Retriever {
  /**
   * Lines related to a hunk: same file outside the enclosing function first, then the rest of the workspace. The
   * signal is the job's: a cancelled job stops waiting for a model embedder.
   */
  retrieveForHunk(hunk: Hunk, fileText: string, options?: { signal?: AbortSignal }): Promise<RetrievedLine[]>;
  /** Lines similar to a free query, e.g. donor code for the template engine. */
  similarLines(
    query: string,
    options?: { topK?: number; language?: LanguageId; excludeFile?: string; signal?: AbortSignal },
  ): Promise<RetrievedLine[]>;
}
