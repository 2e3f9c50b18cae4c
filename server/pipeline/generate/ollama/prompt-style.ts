import type { ModelInfo } from "./model-info.js";

/**
 * How a model is asked: base models fill in the middle with their family's own tokens sent raw (their template is
 * a bare `{{ .Prompt }}`, so Ollama would never render a suffix for them); instruct models are asked in chat,
 * which they were tuned for, unless `ollama.mode` is "fim" and their template renders `{{ .Suffix }}`.
 */
export type PromptStyle =
  | { readonly kind: "raw-fim"; readonly format: FimFormat }
  | { readonly kind: "template-fim" }
  | { readonly kind: "chat" };

export interface FimFormat {
  readonly family: string;
  /** The raw prompt: prefix, hole marker and suffix in the family's own layout. */
  wrap(prefix: string, suffix: string): string;
}

/** Fill-in-the-middle layouts of the code model families (each from the family's model card). */
const FIM_FORMATS: ReadonlyArray<{ readonly match: RegExp; readonly format: FimFormat }> = [
  {
    match: /qwen/i,
    format: { family: "qwen", wrap: (p, s) => `<|fim_prefix|>${p}<|fim_suffix|>${s}<|fim_middle|>` },
  },
  {
    match: /deepseek/i,
    format: { family: "deepseek", wrap: (p, s) => `<｜fim▁begin｜>${p}<｜fim▁hole｜>${s}<｜fim▁end｜>` },
  },
  // CodeLlama's infilling (7B and 13B code models only) puts spaces after <PRE> and <SUF>'s content.
  { match: /codellama/i, format: { family: "codellama", wrap: (p, s) => `<PRE> ${p} <SUF>${s} <MID>` } },
  {
    match: /starcoder/i,
    format: { family: "starcoder", wrap: (p, s) => `<fim_prefix>${p}<fim_suffix>${s}<fim_middle>` },
  },
];

/** The family's FIM layout, found from the model's name first, then from its reported family. */
export function fimFormat(info: ModelInfo): FimFormat | undefined {
  return (
    FIM_FORMATS.find((f) => f.match.test(info.name))?.format ??
    FIM_FORMATS.find((f) => f.match.test(info.family))?.format
  );
}

export function promptStyle(info: ModelInfo, configured: "auto" | "fim" | "chat"): PromptStyle {
  if (configured === "chat") return { kind: "chat" };
  const format = fimFormat(info);
  if (info.base && format) return { kind: "raw-fim", format };
  if (configured === "fim") {
    if (info.supportsSuffix) return { kind: "template-fim" };
    if (format) return { kind: "raw-fim", format };
  }
  return { kind: "chat" };
}

/**
 * The suffix sent for fill-in-the-middle. Ollama renders its template's FIM branch only for a non-empty suffix
 * (an empty one turns the prompt into a chat turn), and a hole at the very end of a file has nothing after it:
 * a lone newline keeps the request a fill-in-the-middle one and is what the file would end with anyway.
 */
export function nonEmptySuffix(suffix: string): string {
  return suffix === "" ? "\n" : suffix;
}
