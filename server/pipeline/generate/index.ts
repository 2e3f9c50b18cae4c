/**
 * Candidate generation for one hunk: the built-in template engine and, when configured and reachable, an Ollama
 * model, merged into one ranked, filtered, de-duplicated list. LSP-agnostic; the engine calls
 * generateCandidates() once per hunk.
 */
import type { GenerateOptions } from "../candidates.js";
import type { Candidate, FailureEvidence, HunkContext, RetrievedLine } from "../../core/types.js";
import { fewShotExamples, memoryCandidates } from "../memory/memory-source.js";
import { filterCandidates } from "./candidate-filter.js";
import { normaliseWhitespace } from "./hunk-text.js";
import { splitFile, type FileLines } from "../../core/line-text.js";
import { OllamaGenerator, type OllamaOutcome } from "./ollama/ollama-generator.js";
import { withSharedParse } from "./parse-cache.js";
import { createSyntaxChecker } from "./syntax-check.js";
import { templateCandidates } from "./template/template-generator.js";
import { errorMessage } from "../../core/error-message.js";

/** Donor lines asked of the index per hunk, and how long the template engine waits for them. */
export const DONOR_TOP_K = 10;
export const DONOR_TIMEOUT_MS = 2_000;

/** The line the index is asked about: the hunk's lines, or for an insertion the lines around the point. */
function donorQuery(context: HunkContext, file: FileLines): string {
  const { hunk } = context;
  const lines =
    hunk.endLine > hunk.startLine
      ? file.lines.slice(hunk.startLine, hunk.endLine)
      : file.lines.slice(Math.max(0, hunk.startLine - 1), hunk.startLine + 1);
  return normaliseWhitespace(lines.join(" "));
}

async function donorLines(context: HunkContext, file: FileLines, options: GenerateOptions): Promise<RetrievedLine[]> {
  const donors = [...context.retrieved];
  const retriever = options.retriever;
  const query = donorQuery(context, file);
  if (!retriever || query === "") return donors;
  let timer: NodeJS.Timeout | undefined;
  try {
    const similar = await Promise.race([
      retriever.similarLines(query, { topK: DONOR_TOP_K, language: context.language, signal: options.signal }),
      new Promise<RetrievedLine[]>((resolve) => {
        timer = setTimeout(() => resolve([]), DONOR_TIMEOUT_MS);
      }),
    ]);
    const { hunk } = context;
    // Lines of the hunk itself are not donors.
    const outside = similar.filter(
      (r) => !(r.file === hunk.file && r.line >= hunk.startLine && r.line < Math.max(hunk.endLine, hunk.startLine + 1)),
    );
    return [...donors, ...outside];
  } catch (error) {
    options.logger.debug(`Donor retrieval failed: ${errorMessage(error)}`);
    return donors;
  } finally {
    clearTimeout(timer);
  }
}

/** Ranked, filtered, de-duplicated candidates for one hunk from every enabled generator (config "engine"). */
export async function generateCandidates(
  context: HunkContext,
  evidence: FailureEvidence,
  options: GenerateOptions,
): Promise<Candidate[]> {
  const { config, logger, progress, signal } = options;
  if (signal.aborted) return [];
  // The model runs in the background while the template engine works: its answers take seconds.
  const modelRun: Promise<OllamaOutcome | undefined> =
    config.engine === "builtin"
      ? Promise.resolve(undefined)
      : new OllamaGenerator({
          config,
          logger,
          progress,
          fewShot: (hunkContext) => fewShotExamples(hunkContext, options),
        }).run(context, evidence, signal);
  if (options.onLateCandidates && config.engine === "auto") {
    const now = await templateNow(context, options);
    options.onLateCandidates(deliverModelCandidates(context, modelRun, now, options).catch(() => []));
    return now;
  }
  return allAtOnce(context, options, modelRun);
}

/** Filters candidates against the hunk's syntax, sharing one parse of the file. */
function filtered(context: HunkContext, candidates: Candidate[], options: GenerateOptions): Promise<Candidate[]> {
  const file = splitFile(context.fileText);
  return withSharedParse(context.fileText, context.language, (parsed) => {
    const checker = createSyntaxChecker(parsed, file, context.hunk);
    return filterCandidates(candidates, {
      context,
      checker,
      cap: options.config["repair.candidatesPerHunk"],
      signal: options.signal,
    });
  });
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** The template engine's candidates, filtered, for validation at once. */
async function templateNow(context: HunkContext, options: GenerateOptions): Promise<Candidate[]> {
  try {
    const file = splitFile(context.fileText);
    const candidates = await withSharedParse(context.fileText, context.language, async (parsed) => [
      ...(await memoryCandidates(context, options)),
      ...(await templateCandidates({ context, parsed, file, donors: await donorLines(context, file, options) })),
    ]);
    if (options.signal.aborted) return [];
    const kept = await filtered(context, candidates, options);
    return options.signal.aborted ? [] : kept;
  } catch (error) {
    options.logger.error(`Candidate generation failed: ${describeError(error)}`);
    return [];
  }
}

/** The model's candidates once they arrive, filtered, without those the template engine already proposed. */
async function deliverModelCandidates(
  context: HunkContext,
  modelRun: Promise<OllamaOutcome | undefined>,
  already: readonly Candidate[],
  options: GenerateOptions,
): Promise<Candidate[]> {
  const outcome = await modelRun;
  if (options.signal.aborted || !outcome || outcome.candidates.length === 0) return [];
  const seen = new Set(already.map((c) => c.text));
  const fresh = outcome.candidates.filter((c) => !seen.has(c.text));
  return options.signal.aborted ? [] : filtered(context, fresh, options);
}

/** Template and model candidates merged into one list once both are in (engine "ollama", or no late delivery). */
async function allAtOnce(
  context: HunkContext,
  options: GenerateOptions,
  modelRun: Promise<OllamaOutcome | undefined>,
): Promise<Candidate[]> {
  const { config, logger, signal } = options;
  try {
    const engine = config.engine;
    const file = splitFile(context.fileText);
    const candidates = await withSharedParse(context.fileText, context.language, async (parsed) => {
      const builtin = async (): Promise<Candidate[]> => [
        ...(await memoryCandidates(context, options)),
        ...(await templateCandidates({ context, parsed, file, donors: await donorLines(context, file, options) })),
      ];
      const merged: Candidate[] = engine === "ollama" ? [] : await builtin();
      const outcome = await modelRun;
      merged.push(...(outcome?.candidates ?? []));
      if (engine === "ollama" && !outcome?.candidates.some((c) => c.editKind === "model")) {
        // "ollama" prefers the model but never leaves a hunk without candidates: the failure was reported once.
        if (!outcome?.failure) logger.info("Ollama proposed nothing usable for this hunk; using the built-in engine");
        merged.push(...(await builtin()));
      }
      if (signal.aborted) return [];
      const checker = createSyntaxChecker(parsed, file, context.hunk);
      return filterCandidates(merged, { context, checker, cap: config["repair.candidatesPerHunk"], signal });
    });
    return signal.aborted ? [] : candidates;
  } catch (error) {
    // A generator failing is a lost opportunity, not a failed repair: report it and let the task go on.
    logger.error(`Candidate generation failed: ${describeError(error)}`);
    return [];
  }
}

export { filterCandidates } from "./candidate-filter.js";
export { resetRepairMemory } from "../memory/memory-source.js";
export { OllamaGenerator } from "./ollama/ollama-generator.js";
export { resetOllamaState } from "./ollama/host-state.js";
export { templateCandidates } from "./template/template-generator.js";
