import type { ModelInfo } from "./model-info.js";

/**
 * Stop strings per model family for fill-in-the-middle. A request's `stop` option replaces the Modelfile's, so
 * the model's own stops are kept and the family's FIM control tokens are added: a model that has filled the hole
 * may otherwise start a new file or a new prefix/suffix round.
 */
const FAMILY_STOPS: ReadonlyArray<{ readonly match: RegExp; readonly stop: readonly string[] }> = [
  {
    match: /qwen/i,
    stop: [
      "<|endoftext|>",
      "<|fim_prefix|>",
      "<|fim_suffix|>",
      "<|fim_middle|>",
      "<|fim_pad|>",
      "<|repo_name|>",
      "<|file_sep|>",
      "<|im_end|>",
    ],
  },
  {
    match: /deepseek/i,
    stop: ["<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>", "<|EOT|>", "<｜end▁of▁sentence｜>"],
  },
  { match: /codellama/i, stop: ["<EOT>", "<PRE>", "<SUF>", "<MID>"] },
  { match: /starcoder/i, stop: ["<|endoftext|>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<file_sep>"] },
  {
    match: /codegemma|gemma/i,
    stop: ["<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|file_separator|>", "<end_of_turn>", "<eos>"],
  },
  { match: /granite/i, stop: ["<|endoftext|>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>"] },
  { match: /codestral|mistral/i, stop: ["[PREFIX]", "[SUFFIX]", "[MIDDLE]", "</s>"] },
];

/** Markers of a new file that no completion of one hunk should contain, whatever the family. */
const GENERIC_STOPS = ["<|endoftext|>", "<|file_separator|>"];

export function fimStopTokens(info: ModelInfo): string[] {
  const key = `${info.name} ${info.family}`;
  const family = FAMILY_STOPS.find((f) => f.match.test(info.name)) ?? FAMILY_STOPS.find((f) => f.match.test(key));
  return [...new Set([...info.stop, ...(family?.stop ?? []), ...GENERIC_STOPS])];
}
