import type { Config } from "../../core/config-schema.js";
import { buildHunkContext } from "../context.js";
import { CallBudget, ChatSession } from "../generate/ollama/chat-session.js";
import { moduleLogger, type HunkContext } from "../../core/types.js";
import { feedbackStrategy } from "./feedback.js";
import { functionLevelStrategy } from "./function-level.js";
import { jointStrategy } from "./joint.js";
import { maskFillingStrategy } from "./mask-filling.js";
import { executionValueLines, recordExecutionValues } from "../localise/execution-values.js";
import { regionsOf } from "./region.js";
import { roundTripStrategy } from "./round-trip.js";
import type { Strategy, StrategyId } from "./strategy.js";
import { errorMessage } from "../../core/error-message.js";
import type { SearchOptions } from "../search.js";

/** Suspicious hunks whose code the strategies show the model. */
const STRATEGY_HUNKS = 4;

export const STRATEGIES: { readonly [K in StrategyId]: Strategy } = {
  feedback: feedbackStrategy,
  function: functionLevelStrategy,
  joint: jointStrategy,
  mask: maskFillingStrategy,
  rtt: roundTripStrategy,
};

/** What the strategies need: the search's own inputs, less its candidate source and validation cap, plus a share. */
export interface StrategyRunOptions extends Omit<SearchOptions, "generate" | "maxValidations"> {
  /** Share of the validations and time that remain which all strategies together may use. */
  readonly share: number;
}

/** What one strategy spent, for the log and the measurements. */
export interface StrategySpending {
  readonly id: StrategyId;
  readonly modelCalls: number;
  readonly validations: number;
  readonly plausible: number;
}

/** Whether the configuration asks for any strategy at all (a model engine, strategies listed, calls allowed). */
export function strategiesEnabled(config: Config): boolean {
  return config.engine !== "builtin" && config["ollama.strategies"].length > 0 && config["ollama.strategyCalls"] > 0;
}

/**
 * Runs the configured strategies in order, each within its share of the validations and time left and its own
 * budget of model calls, each announced in progress and logged with what it spent. Nothing runs without a reachable
 * instruct model. Never throws: a failing strategy is logged and the next one runs.
 */
export async function runStrategies(options: StrategyRunOptions): Promise<StrategySpending[]> {
  const { config, progress, signal, validator } = options;
  const logger = moduleLogger(options.logger, "strategies");
  if (!strategiesEnabled(config) || validator.done()) return [];
  const session = await ChatSession.open({ config, logger, progress }, signal);
  if (!session || signal.aborted) return [];
  const contexts: HunkContext[] = [];
  for (const ranked of options.hunks.slice(0, STRATEGY_HUNKS)) {
    const text = await options.readText(ranked.hunk.file);
    if (text === undefined) continue;
    const context = await buildHunkContext(ranked.hunk, text, options.retriever, logger, signal);
    if (context) contexts.push(context);
  }
  const regions = regionsOf(contexts);
  const ids = [...new Set(config["ollama.strategies"])];
  const executionValues = ids.some((id) => STRATEGIES[id].needsChat && session.canChat)
    ? await executionValuesFor(options, contexts)
    : [];
  const spending: StrategySpending[] = [];
  for (const [index, id] of ids.entries()) {
    if (signal.aborted || validator.budgetSpent() || validator.plausibleCount >= config["repair.stopAfterPlausible"])
      break;
    const strategy = STRATEGIES[id];
    if (strategy.needsChat && !session.canChat) {
      logger.info(`${id}: skipped (${session.model} is a base model and does not follow instructions)`);
      continue;
    }
    const calls = new CallBudget(config["ollama.strategyCalls"]);
    validator.startPhase("strategy", options.share / (ids.length - index));
    const before = validator.validations;
    const plausibleBefore = validator.plausibleCount;
    progress.report(`Strategy ${id}: asking ${session.model}`);
    try {
      await strategy.run({
        regions,
        evidence: options.evidence,
        executionValues,
        session,
        calls,
        config,
        logger,
        progress,
        signal,
        validator,
        validated: () => validator.completed,
        validate: (patch) => validator.validate(patch),
        done: () => validator.done(),
      });
    } catch (error) {
      logger.warn(`${id} failed: ${errorMessage(error)}`);
    }
    const spent: StrategySpending = {
      id,
      modelCalls: calls.spent,
      validations: validator.validations - before,
      plausible: validator.plausibleCount - plausibleBefore,
    };
    spending.push(spent);
    logger.info(
      `${id}: ${spent.modelCalls} model calls, ${spent.validations} validations, ${spent.plausible} plausible`,
    );
    progress.report(`Strategy ${id}: ${spent.validations} validated, ${spent.plausible} plausible`);
  }
  return spending;
}

/**
 * The values the suspicious lines read while the first failing test ran, as prompt lines: one extra run of that
 * test in a validation copy (ollama.executionValues; Python under pytest, JavaScript under node --test). Empty when
 * off, unsupported or failed.
 */
async function executionValuesFor(options: StrategyRunOptions, contexts: readonly HunkContext[]): Promise<string[]> {
  const test = options.evidence.failingTests[0]?.name;
  if (!options.config["ollama.executionValues"] || test === undefined || options.validator.done()) return [];
  const lines = new Map<string, number[]>();
  for (const { hunk } of contexts) {
    const numbers = lines.get(hunk.file) ?? [];
    for (let line = hunk.startLine; line < Math.max(hunk.endLine, hunk.startLine + 1); line++) numbers.push(line);
    lines.set(hunk.file, numbers);
  }
  const logger = moduleLogger(options.logger, "strategies");
  options.progress.report(`Recording the values the suspicious lines read in ${test}`);
  try {
    const values = await options.validator.withUnpatchedCopy((copy) => recordExecutionValues(copy, test, lines));
    logger.info(
      `execution values: ${values ? `${values.hits.length} line runs recorded` : "none recorded"} from ${test}`,
    );
    return executionValueLines(values);
  } catch (error) {
    logger.warn(`execution values: not recorded: ${errorMessage(error)}`);
    return [];
  }
}
