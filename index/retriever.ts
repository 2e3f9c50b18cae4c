import { languageForPath, type LanguageId } from "../grammars/languages.js";
import type { Hunk, RetrievedLine } from "../server/core/types.js";
import { dot } from "./embedders/embedder.js";
import { FileAnalysisCache, type FileAnalysis } from "./file-analysis-cache.js";
import { contentHash, type IndexContext } from "./index-context.js";
import { briefErrorMessage } from "../server/core/error-message.js";
import { extractLines, innermostFunctionAt, isMeaningful, normaliseLine } from "./lines.js";
import { sqlString, toAbsolute, toWorkspaceRelative } from "./paths.js";
import { hunkQuery, inMemoryCandidates, rankCandidates, type Candidate } from "./retrieve.js";
import { COLUMNS, type StoredLine } from "./rows.js";
import type { WriterRole } from "./writer-role.js";

/** How long a retrieval query may wait for a model embedder before retrieval goes without it. */
export const QUERY_EMBED_TIMEOUT_MS = 3_000;
/** File analyses kept for retrieval (parsed text plus vectors), in files and in estimated bytes. */
const ANALYSIS_CACHE_FILES = 8;
const ANALYSIS_CACHE_BYTES = 64 * 1024 * 1024;
/** Candidates fetched per scope, as a multiple of topK, before filtering out excluded and duplicate lines. */
const CANDIDATE_FACTOR = 4;

export interface RetrieveOptions {
  readonly topK?: number;
  readonly threshold?: number;
  readonly hybrid?: boolean;
  readonly signal?: AbortSignal;
}

export interface SimilarLinesOptions extends RetrieveOptions {
  readonly language?: LanguageId;
  /** Absolute path of a file whose lines are not wanted (usually the file being repaired). */
  readonly excludeFile?: string;
}

/** One stored line of a file, as linesOf() reports it. */
export interface IndexedLine {
  readonly line: number;
  readonly text: string;
  readonly norm: string;
  readonly language: string;
  readonly functionName: string | undefined;
  readonly functionRange: { readonly startLine: number; readonly endLine: number } | undefined;
}

/**
 * Retrieval from the index, MultiMend-style (ranking in retrieve.ts): context lines for a hunk and donor lines for
 * a free query. A failed search that a check reproduces means a damaged table: the writer asks for one rebuild per
 * session through `onDamage`.
 */
export class IndexRetriever {
  private readonly analyses = new FileAnalysisCache(ANALYSIS_CACHE_FILES, ANALYSIS_CACHE_BYTES);
  private autoRebuildDone = false;

  constructor(
    private readonly context: IndexContext,
    private readonly role: WriterRole,
    private readonly onDamage: (reason: string) => void,
  ) {}

  clearCache(): void {
    this.analyses.clear();
  }

  /**
   * Candidates from the workspace part that matches a filter, scored by cosine: the nearest rows by vector (the
   * filter applied after the search, over-fetching; if that leaves too few, one search with the filter applied
   * first) plus, when hybrid, full-text matches re-scored with their stored vectors.
   */
  private async workspaceCandidates(
    queryText: string,
    queryVector: Float32Array,
    filter: { readonly where: string; readonly keep: (row: StoredLine) => boolean },
    needed: number,
    hybrid: boolean,
  ): Promise<Candidate[]> {
    const store = this.role.store;
    if (!store) return [];
    const limit = needed * CANDIDATE_FACTOR;
    let vectorHits = await store.search(queryVector, { where: filter.where, limit, postfilter: true });
    if (vectorHits.length < needed) vectorHits = await store.search(queryVector, { where: filter.where, limit });
    const candidates: Candidate[] = vectorHits.map((hit) => toCandidate(hit, 1 - (hit.distance ?? 1)));
    if (hybrid && store.hasTextIndex) {
      try {
        for (const hit of await store.textSearch(queryText, limit)) {
          if (hit.vector && filter.keep(hit)) candidates.push(toCandidate(hit, dot(queryVector, hit.vector)));
        }
      } catch (error) {
        // Full-text search is an extra: a query it cannot handle just means vector results only.
        this.context.logger.debug(`full-text search failed: ${briefErrorMessage(error)}`);
      }
    }
    return candidates;
  }

  private async analyse(text: string, language: LanguageId): Promise<FileAnalysis> {
    const hash = contentHash(text);
    const cached = this.analyses.get(hash);
    if (cached) return cached;
    const entry: FileAnalysis = {
      hash,
      extracted: await extractLines(text, language, this.context.warnQueryFallback(language)),
    };
    this.analyses.set(entry);
    return entry;
  }

  /** Context lines for a hunk (see WorkspaceIndex.retrieveForHunk). Never rejects. */
  async retrieveForHunk(hunk: Hunk, fileText: string, options: RetrieveOptions = {}): Promise<RetrievedLine[]> {
    try {
      return await this.retrieve(hunk, fileText, options);
    } catch (error) {
      if (options.signal?.aborted) return [];
      this.onReadFailure(error);
      return [];
    }
  }

  private async retrieve(hunk: Hunk, fileText: string, options: RetrieveOptions): Promise<RetrievedLine[]> {
    const { context, role } = this;
    const { root, embedder, config } = context;
    const language = languageForPath(hunk.file);
    if (!language || hunk.endLine <= hunk.startLine) return [];
    await role.readerRefresh();
    const rel = toWorkspaceRelative(root, hunk.file);
    const analysis = await this.analyse(fileText, language.id);
    const query = hunkQuery(
      analysis.extracted,
      hunk.startLine,
      hunk.endLine,
      innermostFunctionAt(analysis.extracted.functions, hunk.startLine),
    );
    if (!query) return [];
    const topK = options.topK ?? config["retrieval.topK"];
    const rank = {
      topK,
      threshold: options.threshold ?? config["retrieval.threshold"],
      hybrid: options.hybrid ?? config["retrieval.hybrid"],
      exclude: query.exclude,
    };
    const [queryVector] = await this.embedQueries([query.text], options.signal);
    if (!queryVector) return [];
    const limit = (topK + query.exclude.size) * CANDIDATE_FACTOR;
    const absolute = (file: string): string => toAbsolute(root, file);

    // The paper's scope: the same file, outside the enclosing function.
    let sameFile: Candidate[];
    const { startLine, endLine } = query.excludedRange;
    // The index answers when it holds this very text, or (with a costly embedder) any version of the file: its
    // lines may be a few edits old, which beats embedding the whole file through a model on every query.
    const indexed = rel !== undefined ? role.files.get(rel) : undefined;
    const useIndex = indexed !== undefined && (indexed === analysis.hash || !embedder.local);
    if (rel !== undefined && role.store && useIndex) {
      // An exact scan of one file's rows (found through the BTree on file): full text could add nothing.
      const where = `${COLUMNS.file} = ${sqlString(rel)} AND (${COLUMNS.line} < ${startLine} OR ${COLUMNS.line} >= ${endLine})`;
      const hits = await role.store.search(queryVector, { where, limit, exact: true });
      sameFile = hits.map((hit) => toCandidate(hit, 1 - (hit.distance ?? 1)));
    } else {
      if (!analysis.vectors) {
        analysis.vectors = await embedder.embed(
          analysis.extracted.lines.map((l) => l.norm),
          options.signal,
        );
        // Measured again with its vectors, which may outweigh the text.
        this.analyses.set(analysis);
      }
      sameFile = inMemoryCandidates(
        rel ?? hunk.file,
        analysis.extracted,
        analysis.vectors,
        embedder.dimension,
        queryVector,
        query.excludedRange,
      );
    }
    const fromSameFile = rankCandidates(
      query.text,
      sameFile,
      rank,
      "same-file",
      rel !== undefined ? absolute : () => hunk.file,
    );
    if (fromSameFile.length >= topK) return fromSameFile.map((r) => r.retrieved);

    // Then the rest of the workspace, never repeating a text already taken.
    const seen = new Set([...query.exclude, ...fromSameFile.map((r) => r.norm)]);
    const filter = {
      where: rel !== undefined ? `${COLUMNS.file} != ${sqlString(rel)}` : "true",
      keep: (row: StoredLine) => row.file !== rel,
    };
    const workspace = await this.workspaceCandidates(query.text, queryVector, filter, topK + seen.size, rank.hybrid);
    const fromWorkspace = rankCandidates(
      query.text,
      workspace,
      { ...rank, topK: topK - fromSameFile.length, exclude: seen },
      "workspace",
      absolute,
    );
    return [...fromSameFile, ...fromWorkspace].map((r) => r.retrieved);
  }

  /** Donor lines for a free query (see WorkspaceIndex.similarLines). Never rejects. */
  async similarLines(query: string, options: SimilarLinesOptions = {}): Promise<RetrievedLine[]> {
    const { root, config } = this.context;
    try {
      const text = normaliseLine(query);
      if (!isMeaningful(text)) return [];
      await this.role.readerRefresh();
      const [vector] = await this.embedQueries([text], options.signal);
      if (!vector) return [];
      const topK = options.topK ?? config["retrieval.topK"];
      const hybrid = options.hybrid ?? config["retrieval.hybrid"];
      const filters: string[] = [];
      if (options.language) filters.push(`${COLUMNS.language} = ${sqlString(options.language)}`);
      const excluded = options.excludeFile ? toWorkspaceRelative(root, options.excludeFile) : undefined;
      if (excluded) filters.push(`${COLUMNS.file} != ${sqlString(excluded)}`);
      const filter = {
        where: filters.length > 0 ? filters.join(" AND ") : "true",
        keep: (row: StoredLine) => (!options.language || row.language === options.language) && row.file !== excluded,
      };
      const candidates = await this.workspaceCandidates(text, vector, filter, topK + 1, hybrid);
      return rankCandidates(
        text,
        candidates,
        { topK, threshold: options.threshold ?? config["retrieval.threshold"], hybrid, exclude: new Set([text]) },
        "workspace",
        (file) => toAbsolute(root, file),
      ).map((r) => r.retrieved);
    } catch (error) {
      if (options.signal?.aborted) return [];
      this.onReadFailure(error);
      return [];
    }
  }

  /**
   * Embeds retrieval queries. A model embedder gets a short deadline on top of the job's signal: a query that
   * waits behind a busy or loading model would stall the repair, and retrieval is an aid it can do without.
   */
  private async embedQueries(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const { embedder } = this.context;
    const deadline = embedder.local ? undefined : AbortSignal.timeout(QUERY_EMBED_TIMEOUT_MS);
    const signals = [signal, deadline].filter((s): s is AbortSignal => s !== undefined);
    const packed = await embedder.embed(texts, signals.length > 0 ? AbortSignal.any(signals) : undefined);
    const dim = embedder.dimension;
    return texts.map((_, i) => packed.subarray(i * dim, (i + 1) * dim));
  }

  /**
   * A failed search may mean a corrupt table. The writer rebuilds once per session (in the background); later
   * failures, and failures of a reader, are only logged.
   */
  private onReadFailure(error: unknown): void {
    const { context, role } = this;
    context.logger.warn(`retrieval failed: ${briefErrorMessage(error)}`);
    const store = role.store;
    if (!role.writable || this.autoRebuildDone || context.closed || !store) return;
    // Only damage that a check can reproduce justifies a rebuild; a one-off failure (e.g. a version cleaned up
    // under a running query) does not.
    void store.verify().then(
      () => undefined,
      (damage: unknown) => {
        if (this.autoRebuildDone || context.closed) return;
        this.autoRebuildDone = true;
        const reason = `table unreadable: ${briefErrorMessage(damage)}`;
        context.logger.warn(`rebuilding ${context.indexDir} (${reason})`);
        context.progress.warn(`The workspace index at ${context.indexDir} is rebuilt (${reason}).`);
        this.onDamage(reason);
      },
    );
  }

  /** What the index holds for a file, in line order. */
  async linesOf(absPath: string): Promise<IndexedLine[]> {
    const rel = toWorkspaceRelative(this.context.root, absPath);
    const store = this.role.store;
    if (!rel || !store) return [];
    const rows = await store.linesOf(rel);
    return rows.map((r) => ({
      line: r.line,
      text: r.text,
      norm: r.norm,
      language: r.language,
      functionName: r.functionName,
      functionRange: r.functionRange,
    }));
  }
}

function toCandidate(hit: StoredLine, cosine: number): Candidate {
  return { file: hit.file, line: hit.line, text: hit.text, norm: hit.norm, cosine };
}
