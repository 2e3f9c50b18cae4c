import type { ChatMessage } from "../generate/ollama/chat-session.js";
import { splitFile } from "../../core/line-text.js";
import { patchOf } from "./line-edits.js";
import { evidenceBlock, regionBlock } from "./prompts.js";
import { parseSearchReplace, resolveBlocks } from "./search-replace.js";
import { STRATEGY_SYSTEM_PROMPT, type Strategy, type StrategyContext } from "./strategy.js";

/** Answers asked for: the greedy one, then samples with distinct seeds while the budget lasts. */
const JOINT_SAMPLES = 3;

const FORMAT = [
  "Answer with SEARCH/REPLACE blocks only, one per place to change, in this exact form:",
  "path/of/the/file",
  "<<<<<<< SEARCH",
  "the exact lines to replace, copied from the code above",
  "=======",
  "the new lines",
  ">>>>>>> REPLACE",
  "The SEARCH lines must occur exactly once in the file. Change as many places, in as many files, as the fix needs.",
];

/**
 * Joint multi-hunk edits (Agentless): one prompt with every suspicious place; the answer's SEARCH/REPLACE blocks are
 * parsed strictly (a block whose SEARCH text is not found exactly once is rejected with its reason), applied
 * together and validated as one patch. Costs up to JOINT_SAMPLES model calls per task.
 */
export const jointStrategy: Strategy = {
  id: "joint",
  generator: "ollama-joint",
  needsChat: true,
  async run(ctx: StrategyContext): Promise<void> {
    if (ctx.regions.length === 0) return;
    const files = new Map<string, { file: string; lines: readonly string[] }>();
    for (const region of ctx.regions)
      files.set(region.path, { file: region.file, lines: splitFile(region.context.fileText).lines });
    const linesOf = new Map([...files.values()].map((f) => [f.file, f.lines]));
    const messages: ChatMessage[] = [
      { role: "system", content: STRATEGY_SYSTEM_PROMPT },
      {
        role: "user",
        content: [
          "The tests fail because of a bug somewhere in the code below; it may need changes in several places.",
          "",
          ...ctx.regions.flatMap((r) => [...regionBlock(r), ""]),
          ...evidenceBlock(ctx.evidence, ctx.executionValues),
          "",
          ...FORMAT,
        ].join("\n"),
      },
    ];
    const tried = new Set<string>();
    for (let seed = 0; seed < JOINT_SAMPLES && !ctx.done(); seed++) {
      const answer = await ctx.session.ask(messages, ctx.calls, ctx.signal, seed);
      if (answer === undefined) return;
      const { edits, rejected } = resolveBlocks(parseSearchReplace(answer), files);
      for (const r of rejected)
        ctx.logger.debug(`strategy joint: block for ${r.path || "(no path)"} rejected: ${r.reason}`);
      const changed = edits.filter(
        (e) => (linesOf.get(e.file) ?? []).slice(e.startLine, e.endLine).join("\n") !== e.lines.join("\n"),
      );
      // A block that was rejected makes the answer untrustworthy as a whole: the fix was meant to be joint.
      if (changed.length === 0 || rejected.length > 0) continue;
      const key = JSON.stringify(changed);
      if (tried.has(key)) continue;
      tried.add(key);
      const places = changed.length === 1 ? "1 place" : `${changed.length} places`;
      const record = await ctx.validate(
        patchOf(changed, "ollama-joint", `joint edit (${ctx.session.model}, ${places})`, 0.8),
      );
      if (record?.outcome.kind === "plausible") return;
    }
  },
};
