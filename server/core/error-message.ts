/**
 * The one way to turn a caught value into a message: an Error's message, anything else as a string. Caught values
 * are `unknown` in strict TypeScript, and thrown non-errors (strings, objects from native modules) still deserve a
 * readable message rather than "[object Object]" or a crash while reporting.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The first line of a caught value's message: LanceDB's errors carry multi-line native traces, and the index logs
 * one line per problem.
 */
export function briefErrorMessage(error: unknown): string {
  return errorMessage(error).split("\n")[0] ?? "";
}
