/**
 * What /api/show tells us about a model: whether its template takes a suffix (fill-in-the-middle), how much
 * context it runs with, its family (for stop tokens) and the stop strings its Modelfile sets.
 */
export interface ModelInfo {
  readonly name: string;
  readonly supportsSuffix: boolean;
  /** Tokens of prompt plus answer the model runs with (see contextTokens). */
  readonly contextTokens: number;
  readonly family: string;
  readonly stop: readonly string[];
  /**
   * A base (completion) model: its template is a bare `{{ .Prompt }}` with no chat turns, so Ollama passes the
   * prompt through and fill-in-the-middle needs the family's own tokens sent raw.
   */
  readonly base: boolean;
  /** The model thinks before answering unless told `think: false`. */
  readonly thinking: boolean;
}

/** Template fields only chat (instruct) templates use. */
const CHAT_TEMPLATE_FIELDS = /\.(Messages|System|Response|Role|Content|Suffix|Tools)\b/;

/**
 * Ollama runs a model with `num_ctx` tokens of context, not the length it was trained for: the Modelfile's
 * num_ctx if set, else the server default (2048 in older releases, 4096 in current ones). Prompts are sized for
 * the smaller of that default and the trained length so that Ollama never silently cuts the front of a prompt.
 */
export const DEFAULT_NUM_CTX = 4096;

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** Parses Modelfile parameters ("stop \"<|x|>\"\nnum_ctx 8192") into repeated key/value pairs. */
function parameters(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of text.split("\n")) {
    const match = /^\s*(\w+)\s+(.+?)\s*$/.exec(line);
    if (!match) continue;
    let value = match[2]!;
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    out.push([match[1]!, value]);
  }
  return out;
}

export function parseShowResponse(model: string, response: unknown): ModelInfo {
  const body = record(response);
  const template = typeof body.template === "string" ? body.template : "";
  const info = record(body.model_info);
  const details = record(body.details);
  let trained = 0;
  for (const [key, value] of Object.entries(info)) {
    if (key.endsWith(".context_length") && typeof value === "number") trained = value;
  }
  const params = parameters(typeof body.parameters === "string" ? body.parameters : "");
  const numCtx = Number(params.find(([k]) => k === "num_ctx")?.[1]);
  const contextTokens =
    Number.isFinite(numCtx) && numCtx > 0 ? numCtx : Math.min(trained > 0 ? trained : DEFAULT_NUM_CTX, DEFAULT_NUM_CTX);
  const capabilities = Array.isArray(body.capabilities) ? body.capabilities.map(String) : [];
  return {
    name: model,
    // The template decides: only a template that renders {{ .Suffix }} can fill in the middle.
    supportsSuffix: /\.Suffix\b/.test(template) || capabilities.includes("insert"),
    contextTokens,
    family: typeof details.family === "string" ? details.family : "",
    stop: params.filter(([k]) => k === "stop").map(([, v]) => v),
    base: template.trim() !== "" && !CHAT_TEMPLATE_FIELDS.test(template),
    thinking: capabilities.includes("thinking"),
  };
}
