import type { LanguageId } from "../../../grammars/languages.js";
import { parse, type ParsedFile } from "../../../grammars/parser.js";

/**
 * Parses shared between the hunks of one file. The engine asks for candidates hunk by hunk, often several hunks
 * of the same file and the same hunk again in a later round; reparsing a large file costs tens of milliseconds
 * each time, more than generating the candidates. A parse stays alive while any caller holds it and is freed once
 * it is neither held nor among the most recently used few.
 */
const KEEP = 3;

interface Entry {
  readonly language: LanguageId;
  readonly text: string;
  readonly parsed: Promise<ParsedFile>;
  holders: number;
  lastUsed: number;
}

const entries: Entry[] = [];
let clock = 0;

function evict(): void {
  const idle = entries.filter((e) => e.holders === 0).sort((a, b) => a.lastUsed - b.lastUsed);
  let excess = entries.length - KEEP;
  for (const entry of idle) {
    if (excess <= 0) break;
    entries.splice(entries.indexOf(entry), 1);
    entry.parsed.then((p) => p.dispose()).catch(() => undefined);
    excess--;
  }
}

/** Runs fn on a parse of text, reusing a cached parse of the same text; the tree is freed when no longer needed. */
export async function withSharedParse<T>(
  text: string,
  language: LanguageId,
  fn: (parsed: ParsedFile) => T | Promise<T>,
): Promise<T> {
  let entry = entries.find((e) => e.language === language && e.text === text);
  if (!entry) {
    entry = { language, text, parsed: parse(text, language), holders: 0, lastUsed: 0 };
    entries.push(entry);
    // A failed parse (grammar not loadable) is not kept for the next caller.
    entry.parsed.catch(() => {
      const index = entries.indexOf(entry!);
      if (index >= 0) entries.splice(index, 1);
    });
  }
  entry.holders++;
  entry.lastUsed = ++clock;
  try {
    return await fn(await entry.parsed);
  } finally {
    entry.holders--;
    evict();
  }
}
