import { splitFile } from "../../core/line-text.js";
import { patchOf } from "./line-edits.js";
import { filledLine, masksOf } from "./masks.js";
import type { Strategy, StrategyContext } from "./strategy.js";

/** Fills asked per hole: the greedy one, then a sample with another seed while the budget lasts. */
const FILLS_PER_MASK = 2;
/** Characters of code kept before and after a hole (the prompt budget of a small local model). */
const PREFIX_CHARS = 4_000;
const SUFFIX_CHARS = 1_500;

/**
 * Mask filling (GAMMA): each suspicious line's condition, return value or assigned value becomes a hole that the
 * model fills in the middle (raw FIM tokens for base models, the template's suffix where it renders one, otherwise a
 * chat question); each filled line is validated as a single-hunk candidate. Up to FILLS_PER_MASK model calls per
 * hole.
 */
export const maskFillingStrategy: Strategy = {
  id: "mask",
  generator: "ollama-mask",
  needsChat: false,
  async run(ctx: StrategyContext): Promise<void> {
    for (const region of ctx.regions) {
      const { hunk, fileText } = region.context;
      const file = splitFile(fileText);
      for (let line = hunk.startLine; line < hunk.endLine; line++) {
        const original = file.lines[line]!;
        const lineStart = file.starts[line]!;
        const nextLine = line + 1 < file.lines.length ? file.starts[line + 1]! : fileText.length;
        for (const mask of masksOf(original)) {
          const tried = new Set<string>([original]);
          for (let seed = 0; seed < FILLS_PER_MASK; seed++) {
            if (ctx.done() || ctx.calls.left === 0) return;
            const prefix = fileText.slice(Math.max(0, lineStart - PREFIX_CHARS), lineStart) + mask.before;
            const suffix = mask.after + fileText.slice(lineStart + original.length, nextLine + SUFFIX_CHARS);
            const filled = filledLine(mask, await ctx.session.fill(prefix, suffix, ctx.calls, ctx.signal, seed));
            if (filled === undefined || tried.has(filled)) continue;
            tried.add(filled);
            const edit = { file: hunk.file, startLine: line, endLine: line + 1, lines: [filled] };
            const record = await ctx.validate(
              patchOf([edit], "ollama-mask", `filled ${mask.kind} (${ctx.session.model})`, 0.75),
            );
            if (record?.outcome.kind === "plausible") return;
          }
        }
      }
    }
  },
};
