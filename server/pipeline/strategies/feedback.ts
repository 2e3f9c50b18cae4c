import type { Patch } from "../combine/patch.js";
import type { ChatMessage } from "../generate/ollama/chat-session.js";
import { oracleFailing } from "../report.js";
import type { ValidationRecord } from "../validate/validator.js";
import { evidenceBlock, languageName, outcomeFeedback, patchDiff, regionBlock } from "./prompts.js";
import { patchedLines, patchWithin, type Region } from "./region.js";
import { validateRewrite } from "./rewrite.js";
import { STRATEGY_SYSTEM_PROMPT, type Strategy, type StrategyContext } from "./strategy.js";

/** Failed candidates of the earlier phases that seed the search tree (the best by test outcome). */
const SEED_NODES = 4;

/** A tried candidate the model may improve: its conversation so far ends with the candidate as the model's turn. */
interface Node {
  readonly region: Region;
  readonly record: ValidationRecord;
  readonly conversation: readonly ChatMessage[];
}

function opening(ctx: StrategyContext, region: Region): ChatMessage[] {
  return [
    { role: "system", content: STRATEGY_SYSTEM_PROMPT },
    {
      role: "user",
      content: [
        `This ${languageName(region)} function has a bug.`,
        "",
        ...regionBlock(region),
        "",
        ...evidenceBlock(ctx.evidence, ctx.executionValues),
        "",
        "Reply with the whole fixed function in one fenced code block, and nothing else.",
      ].join("\n"),
    },
  ];
}

/** The model's turn that proposed a candidate: the function with the candidate applied. */
function candidateTurn(region: Region, patch: Patch): ChatMessage {
  return { role: "assistant", content: regionBlock(region, patchedLines(region, patch)).slice(1).join("\n") };
}

/** Whether a record is worth improving: it ran the tests (no build error, no timeout) and broke nothing else. */
function promising(record: ValidationRecord): boolean {
  return record.outcome.kind === "failing-tests" && record.outcome.regressions === 0;
}

/**
 * Test-feedback rounds (ChatRepair, with APRMCTS's best-first tree over partial patches): the failed candidate with
 * the best test outcome so far (fewest failing tests) goes back to the model in a follow-up turn with the tests it
 * still fails, their messages (expected and actual values) and its diff; the answer is validated and joins the tree.
 * Once a repair is found, the model is asked for a different one (more candidates to rank). A candidate is never
 * validated or expanded twice. One model call per expansion.
 */
export const feedbackStrategy: Strategy = {
  id: "feedback",
  generator: "ollama-feedback",
  needsChat: true,
  async run(ctx: StrategyContext): Promise<void> {
    const frontier: Node[] = [];
    const seen = new Set<string>();
    const keyOf = (record: ValidationRecord): string => record.key;
    const add = (node: Node): void => {
      if (seen.has(keyOf(node.record))) return;
      seen.add(keyOf(node.record));
      frontier.push(node);
    };
    const seeds = ctx
      .validated()
      .filter(promising)
      .sort((a, b) => oracleFailing(a.outcome) - oracleFailing(b.outcome) || a.order - b.order);
    for (const record of seeds) {
      const region = ctx.regions.find((r) => patchWithin(r, record.patch));
      if (!region) continue;
      add({ region, record, conversation: [...opening(ctx, region), candidateTurn(region, record.patch)] });
      if (frontier.length >= SEED_NODES) break;
    }
    // With nothing tried yet, the first turn is an ordinary question about the most suspicious function.
    if (frontier.length === 0 && ctx.regions[0]) {
      const region = ctx.regions[0];
      const answer = await ctx.session.ask(opening(ctx, region), ctx.calls, ctx.signal);
      const record = answer === undefined ? undefined : await validateAnswer(ctx, region, answer);
      if (record && promising(record))
        add({ region, record, conversation: [...opening(ctx, region), candidateTurn(region, record.patch)] });
    }
    while (frontier.length > 0 && !ctx.done() && ctx.calls.left > 0) {
      frontier.sort(
        (a, b) => oracleFailing(a.record.outcome) - oracleFailing(b.record.outcome) || a.record.order - b.record.order,
      );
      const node = frontier.shift()!;
      const followUp: ChatMessage = {
        role: "user",
        content: [
          "That version is not correct yet.",
          ...outcomeFeedback(node.record, ctx.evidence),
          "",
          "Its change to the original code was:",
          ...patchDiff(node.region, node.record.patch),
          "",
          "Reply with the whole corrected function in one fenced code block, and nothing else.",
        ].join("\n"),
      };
      const conversation = [...node.conversation, followUp];
      const answer = await ctx.session.ask(conversation, ctx.calls, ctx.signal);
      if (answer === undefined) continue;
      const record = await validateAnswer(ctx, node.region, answer);
      if (!record) continue;
      if (record.outcome.kind === "plausible") {
        await askForAlternative(ctx, node.region, [...conversation, { role: "assistant", content: answer }]);
        continue;
      }
      if (promising(record))
        add({ region: node.region, record, conversation: [...conversation, candidateTurn(node.region, record.patch)] });
    }
  },
};

function validateAnswer(ctx: StrategyContext, region: Region, answer: string): Promise<ValidationRecord | undefined> {
  return validateRewrite(ctx, region, answer, "ollama-feedback", "after test feedback", 0.85);
}

/** Once a repair is found: one more turn asking for a different correct version, to give ranking a choice. */
async function askForAlternative(ctx: StrategyContext, region: Region, conversation: ChatMessage[]): Promise<void> {
  if (ctx.done() || ctx.calls.left === 0) return;
  const answer = await ctx.session.ask(
    [
      ...conversation,
      {
        role: "user",
        content:
          "That version passes every test. Write a different correct fix of the original function, in one fenced code block.",
      },
    ],
    ctx.calls,
    ctx.signal,
    1,
  );
  if (answer !== undefined) await validateAnswer(ctx, region, answer);
}
