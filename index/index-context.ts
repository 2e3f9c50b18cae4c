import { createHash } from "node:crypto";
import type { LanguageId } from "../grammars/languages.js";
import type { Config } from "../server/core/config-schema.js";
import type { Logger, ProgressSink } from "../server/core/types.js";
import type { Embedder } from "./embedders/embedder.js";
import { IgnoreRules } from "./ignore-rules.js";
import { READER_POLICY, skippedFolderPatterns } from "./skip-policy.js";
import { PauseGate } from "./pause-gate.js";
import { toWorkspaceRelative } from "./paths.js";
import { errorMessage } from "../server/core/error-message.js";

/** Settings that a new instance must apply: the embedder and where the index lives decide what the folder holds. */
const REOPEN_KEYS = ["index.embedder", "index.embeddingModel", "index.path", "ollama.host"] as const;

/**
 * What the parts of one workspace index share: the folder, the configuration and ignore rules in force, the
 * embedder, where messages go, the open buffers' texts, and which update of each file is the newest. The facade
 * (workspace-index.ts) creates it; the writer role, bulk indexing, incremental updates and retrieval read it.
 */
export class IndexContext {
  rules: IgnoreRules;
  closed = false;
  /** Text of files given by the editor, which wins over the disk until the file is updated from the disk. */
  readonly bufferTexts = new Map<string, string>();
  /** Held while a repair uses the model: bulk indexing with a model embedder waits between slices meanwhile. */
  readonly modelWork = new PauseGate();
  /** Per file, the number of its latest update: a prepared version with an older number is obsolete. */
  private readonly generations = new Map<string, number>();
  private readonly warnedLanguages = new Set<LanguageId>();

  constructor(
    readonly root: string,
    readonly indexDir: string,
    private currentConfig: Config,
    readonly embedder: Embedder,
    readonly embedderFallback: string | undefined,
    readonly logger: Logger,
    readonly progress: ProgressSink,
    readonly annMinRows: number | undefined,
  ) {
    this.rules = this.makeRules(currentConfig);
  }

  get config(): Config {
    return this.currentConfig;
  }

  /** Applies a changed configuration (see WorkspaceIndex.reconfigure). */
  reconfigure(config: Config): "applied" | "reopen-required" {
    const needsReopen = REOPEN_KEYS.some((key) => config[key] !== this.currentConfig[key]);
    if (JSON.stringify(config["index.exclude"]) !== JSON.stringify(this.currentConfig["index.exclude"]))
      this.rules = this.makeRules(config);
    this.currentConfig = config;
    return needsReopen ? "reopen-required" : "applied";
  }

  private makeRules(config: Config): IgnoreRules {
    // The index folder and its lock are never indexed, whatever the excludes say.
    const indexRel = toWorkspaceRelative(this.root, this.indexDir);
    // The folders the walk skips by name come first, so that single-file events agree with the walk.
    const excludes = [
      ...skippedFolderPatterns(READER_POLICY),
      ...config["index.exclude"],
      ...(indexRel ? [`/${indexRel}/`, `/${indexRel}.lock`] : []),
    ];
    return new IgnoreRules(this.root, excludes, (rel, error) =>
      this.logger.warn(`cannot read ${rel}: ${errorMessage(error)}`),
    );
  }

  generationOf(rel: string): number {
    return this.generations.get(rel) ?? 0;
  }

  /** Marks a new update of a file; versions prepared before it will not be committed. */
  bumpGeneration(rel: string): number {
    const next = this.generationOf(rel) + 1;
    this.generations.set(rel, next);
    return next;
  }

  /** The callback that extractLines() calls when a language has no usable query: warns once per language. */
  warnQueryFallback(language: LanguageId): (error: unknown) => void {
    return (error) => {
      if (this.warnedLanguages.has(language)) return;
      this.warnedLanguages.add(language);
      this.logger.warn(
        `no tree-sitter query for ${language} (${errorMessage(error)}); comments are stripped lexically and functions are unknown`,
      );
    };
  }
}

/**
 * Whether a configuration change alters which files belong in the index, so that a walk (indexAll) is due to
 * drop the files now excluded and add the ones now included.
 */
export function changesIndexedFiles(before: Config, after: Config): boolean {
  return (
    JSON.stringify(before["index.exclude"]) !== JSON.stringify(after["index.exclude"]) ||
    before["index.maxFileBytes"] !== after["index.maxFileBytes"]
  );
}

/** The key of a file's content: unchanged files are never re-embedded, across restarts too. */
export function contentHash(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}
