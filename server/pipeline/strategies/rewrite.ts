import type { GeneratorId } from "../../core/types.js";
import type { ValidationRecord } from "../validate/validator.js";
import { patchOf } from "./line-edits.js";
import { fencedCode, regionEdits, type Region } from "./region.js";
import type { StrategyContext } from "./strategy.js";

/**
 * Validates a model's answer that rewrites a whole region: the first fenced block becomes line edits against the
 * region (one per changed run of lines) and those edits are validated as one patch credited to `generator`.
 * Undefined when the answer holds no usable code, changes nothing, or the strategy's share is spent.
 */
export async function validateRewrite(
  ctx: StrategyContext,
  region: Region,
  answer: string,
  generator: GeneratorId,
  label: string,
  score: number,
): Promise<ValidationRecord | undefined> {
  const lines = fencedCode(answer);
  const edits = lines && regionEdits(region, lines);
  if (!edits) {
    ctx.logger.debug(`strategy ${generator}: no usable function in the answer for ${region.path}`);
    return undefined;
  }
  const places = edits.length === 1 ? "1 place" : `${edits.length} places`;
  return ctx.validate(patchOf(edits, generator, `${label} (${ctx.session.model}, ${places})`, score));
}
