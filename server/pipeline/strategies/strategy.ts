import type { Config } from "../../core/config-schema.js";
import type { Patch } from "../combine/patch.js";
import type { CallBudget, ChatSession } from "../generate/ollama/chat-session.js";
import type { FailureEvidence, GeneratorId, Logger, ProgressSink } from "../../core/types.js";
import type { PatchValidator, ValidationRecord } from "../validate/validator.js";
import type { Region } from "./region.js";

export type StrategyId = Config["ollama.strategies"][number];

/** What a strategy works with during one repair task. */
export interface StrategyContext {
  /** The code around the suspicious hunks, most suspicious first, one region per function. */
  readonly regions: readonly Region[];
  readonly evidence: FailureEvidence;
  /** The values the suspicious lines read while a failing test ran, as prompt lines (empty when none were recorded). */
  readonly executionValues: readonly string[];
  readonly session: ChatSession;
  /** Model calls this strategy may still make. */
  readonly calls: CallBudget;
  readonly config: Config;
  readonly logger: Logger;
  readonly progress: ProgressSink;
  readonly signal: AbortSignal;
  /** Every patch validated so far in the task (all strategies and the built-in engine), in validation order. */
  readonly validated: () => readonly ValidationRecord[];
  /** Validates a patch within the strategy's share of the budget; undefined when the share is spent. */
  readonly validate: (patch: Patch) => Promise<ValidationRecord | undefined>;
  /** Whether the strategy should stop: its share spent, enough repairs, or cancelled. */
  readonly done: () => boolean;
  readonly validator: PatchValidator;
}

/** A candidate source that asks the model in its own way and validates what it proposes. */
export interface Strategy {
  readonly id: StrategyId;
  /** The generator the report credits for the strategy's patches. */
  readonly generator: GeneratorId;
  /** Whether the strategy needs a model that follows chat instructions (a base model only fills in). */
  readonly needsChat: boolean;
  run(context: StrategyContext): Promise<void>;
}

export const STRATEGY_SYSTEM_PROMPT =
  "You are an automated program repair tool. You fix bugs with the smallest correct change. Follow the answer format you are asked for exactly.";
