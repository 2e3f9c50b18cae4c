/**
 * Command-line tokens read by the platform's parser (`util.parseArgs`), for every repair-ls command. Each command
 * then checks its options' values in order with its own messages; this module only says what was written.
 */
import { parseArgs } from "node:util";

/** The options a command knows: long name -> whether it takes a value, and its one-letter alias. */
export type OptionTable = Readonly<Record<string, { readonly type: "string" | "boolean"; readonly short?: string }>>;

/** One option as written: its long name, its value (undefined when a string option was given none). */
export interface WrittenOption {
  readonly name: string;
  readonly value: string | undefined;
}

export interface WrittenArgs {
  /** Options in the order they were written; a repeated option appears each time. */
  readonly options: readonly WrittenOption[];
  readonly positionals: readonly string[];
}

/**
 * Splits argv into options and positionals. `--flag=value` and `--flag value` both give a string option its
 * value; everything after `--` is positional. Unknown options and values given to a flag are errors naming the
 * argument as written.
 */
export function readArgs(argv: readonly string[], table: OptionTable): WrittenArgs | { error: string } {
  // Not strict: unknown options and missing values come back as tokens, so each gets this CLI's own message.
  const { tokens } = parseArgs({
    args: [...argv],
    options: table,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const options: WrittenOption[] = [];
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    const known = table[token.name];
    if (!known) return { error: `unknown option: ${argv[token.index] ?? token.rawName}` };
    if (known.type === "boolean" && token.value !== undefined) return { error: `${token.rawName} takes no value` };
    options.push({ name: token.name, value: token.value });
  }
  return { options, positionals };
}
