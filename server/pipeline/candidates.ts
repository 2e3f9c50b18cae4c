import type { Config } from "../core/config-schema.js";
import type { Candidate, FailureEvidence, HunkContext, Logger, ProgressSink, Retriever } from "../core/types.js";

/** Options every candidate source receives (the generation module's signature). */
export interface GenerateOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly progress: ProgressSink;
  readonly signal: AbortSignal;
  readonly retriever?: Retriever;
  /**
   * When set, a source may resolve with its fast candidates at once and hand over its slow ones (a model's
   * answers) as a promise, so that validation never waits on a model. A source that does so calls this once,
   * before its own promise resolves; the promise resolves to [] when nothing more came and never rejects.
   */
  readonly onLateCandidates?: (late: Promise<Candidate[]>) => void;
}

/** Proposes candidates for one hunk, best first. */
export type CandidateSource = (
  context: HunkContext,
  evidence: FailureEvidence,
  options: GenerateOptions,
) => Promise<Candidate[]>;

interface GenerateModule {
  readonly generateCandidates: CandidateSource;
}

let loaded: Promise<CandidateSource> | undefined;

/** The generation module (server/pipeline/generate/index.js): the built-in template engine and Ollama. */
export function defaultCandidateSource(): Promise<CandidateSource> {
  // Loaded on first use: the generators pull in the Ollama client, which runs that only test runners never need.
  loaded ??= (import("./generate/index.js") as Promise<GenerateModule>).then((m) => m.generateCandidates);
  return loaded;
}
