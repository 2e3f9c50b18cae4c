import type { ChatMessage } from "../generate/ollama/chat-session.js";
import { fenceTag } from "../generate/ollama/prompts.js";
import { evidenceBlock, languageName, regionBlock } from "./prompts.js";
import type { Region } from "./region.js";
import { validateRewrite } from "./rewrite.js";
import { STRATEGY_SYSTEM_PROMPT, type Strategy, type StrategyContext } from "./strategy.js";

/** Functions written per description: the greedy one, then a sample while the budget lasts. */
const FUNCTIONS_PER_DESCRIPTION = 2;
/** Most lines of a function's header kept as the signature the rewrite must keep. */
const MAX_SIGNATURE_LINES = 5;

/**
 * The region's header: its lines up to the one that opens the body (a line ending in `:` or holding `{`), so that
 * the rewritten function keeps the name and parameters the callers use.
 */
export function signatureOf(region: Region): string[] {
  const lines = region.lines.slice(region.lines.findIndex((l) => l.trim() !== ""));
  const end = lines.findIndex((l, i) => i < MAX_SIGNATURE_LINES && (/:\s*(#.*)?$/.test(l) || l.includes("{")));
  return lines.slice(0, end < 0 ? 1 : end + 1);
}

/**
 * Round-trip translation (RTT): the model first describes in plain English what the suspicious function should do
 * (judged by its name, its code and the failing tests), then, in a new conversation that shows only that
 * description and the function's signature, writes the function again. The bug rarely survives the trip through
 * English, but neither does much of the original code: every rewrite is a whole-function patch, which is why the
 * strategy is opt-in. Costs 1 + up to FUNCTIONS_PER_DESCRIPTION model calls per function.
 */
export const roundTripStrategy: Strategy = {
  id: "rtt",
  generator: "ollama-rtt",
  needsChat: true,
  async run(ctx: StrategyContext): Promise<void> {
    for (const region of ctx.regions) {
      if (ctx.done() || ctx.calls.left < 2) return;
      const description = await ctx.session.ask(describe(ctx, region), ctx.calls, ctx.signal);
      if (description === undefined || description.trim() === "") continue;
      const write = rewrite(region, description.trim());
      for (let seed = 0; seed < FUNCTIONS_PER_DESCRIPTION && !ctx.done(); seed++) {
        const answer = await ctx.session.ask(write, ctx.calls, ctx.signal, seed);
        if (answer === undefined) break;
        const record = await validateRewrite(ctx, region, answer, "ollama-rtt", "round-trip rewrite", 0.7);
        if (record?.outcome.kind === "plausible") break;
      }
    }
  },
};

/** The first step: code and evidence in, a specification in plain English out. */
function describe(ctx: StrategyContext, region: Region): ChatMessage[] {
  return [
    { role: "system", content: STRATEGY_SYSTEM_PROMPT },
    {
      role: "user",
      content: [
        `This ${languageName(region)} function has a bug; the tests show what it should do.`,
        "",
        ...regionBlock(region),
        "",
        ...evidenceBlock(ctx.evidence, ctx.executionValues),
        "",
        "Describe in plain English what the function should do: its inputs, its result and its edge cases, as a " +
          "specification another programmer could implement it from. Follow the tests and the function's name, " +
          "not what the code does now. Do not write code.",
      ].join("\n"),
    },
  ];
}

/** The second step, in a new conversation: only the specification and the signature, so the code is written anew. */
function rewrite(region: Region, description: string): ChatMessage[] {
  return [
    { role: "system", content: STRATEGY_SYSTEM_PROMPT },
    {
      role: "user",
      content: [
        `Write a ${languageName(region)} function from this specification.`,
        "",
        description,
        "",
        "Keep exactly this signature:",
        "```" + fenceTag(region.context.language),
        ...signatureOf(region),
        "```",
        "",
        "Reply with the whole function in one fenced code block, and nothing else.",
      ].join("\n"),
    },
  ];
}
