/**
 * `ollama.keepAlive` as Ollama reads `keep_alive`: a Go duration string ("30m", "1h30m", "0") or a number of
 * seconds (negative keeps the model loaded forever). Ollama answers 400 ("missing unit in duration") to a number
 * sent as a string, so a setting written as "30" or "-1" is sent as the number it means.
 */
const GO_DURATION = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/;
const SECONDS = /^[-+]?(?:\d+\.?\d*|\.\d+)$/;

/** Whether a setting is a value Ollama accepts as keep_alive once converted by keepAliveValue. */
export function isKeepAlive(text: string): boolean {
  return GO_DURATION.test(text) || SECONDS.test(text);
}

/** The keep_alive to send: numbers as numbers, durations as strings. */
export function keepAliveValue(text: string): string | number {
  return SECONDS.test(text) ? Number(text) : text;
}
