import type { ChatMessage } from "../generate/ollama/chat-session.js";
import { evidenceBlock, languageName, regionBlock } from "./prompts.js";
import { validateRewrite } from "./rewrite.js";
import { STRATEGY_SYSTEM_PROMPT, type Strategy, type StrategyContext } from "./strategy.js";

/** Whole-function answers asked per suggestion: the greedy one, then samples while the budget lasts. */
const FUNCTIONS_PER_SUGGESTION = 2;

/**
 * Function-level repair (SRepair): for each suspicious function, first a short repair suggestion (what is wrong and
 * why, from the failing tests), then the whole fixed function written with that suggestion; the function is turned
 * into line edits against the original and validated as one patch, however many places it changes.
 * Costs 1 + up to FUNCTIONS_PER_SUGGESTION model calls per function.
 */
export const functionLevelStrategy: Strategy = {
  id: "function",
  generator: "ollama-function",
  needsChat: true,
  async run(ctx: StrategyContext): Promise<void> {
    for (const region of ctx.regions) {
      if (ctx.done() || ctx.calls.left < 2) return;
      const code = regionBlock(region);
      const ask: ChatMessage[] = [
        { role: "system", content: STRATEGY_SYSTEM_PROMPT },
        {
          role: "user",
          content: [
            `This ${languageName(region)} function has a bug.`,
            "",
            ...code,
            "",
            ...evidenceBlock(ctx.evidence, ctx.executionValues),
            "",
            "In two or three sentences, say what is wrong and how to fix it. Do not write code yet.",
          ].join("\n"),
        },
      ];
      const suggestion = await ctx.session.ask(ask, ctx.calls, ctx.signal);
      if (suggestion === undefined || suggestion.trim() === "") continue;
      const write: ChatMessage[] = [
        ...ask,
        { role: "assistant", content: suggestion },
        {
          role: "user",
          content: "Now write the whole fixed function with that change, in one fenced code block, and nothing else.",
        },
      ];
      for (let seed = 0; seed < FUNCTIONS_PER_SUGGESTION && !ctx.done(); seed++) {
        const answer = await ctx.session.ask(write, ctx.calls, ctx.signal, seed);
        if (answer === undefined) break;
        const record = await validateRewrite(ctx, region, answer, "ollama-function", "rewritten function", 0.8);
        if (record?.outcome.kind === "plausible") break;
      }
    }
  },
};
