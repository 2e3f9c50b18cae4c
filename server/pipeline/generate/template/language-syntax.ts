import type { LanguageId } from "../../../../grammars/languages.js";
import { C, CPP, JAVA } from "./syntax/c-family.js";
import { GO } from "./syntax/go.js";
import { JAVASCRIPT, TYPESCRIPT } from "./syntax/js-family.js";
import { PYTHON } from "./syntax/python.js";
import { RUST } from "./syntax/rust.js";
import type { LanguageSyntax } from "./syntax/types.js";

export type { CallShape, ConditionSlot, LanguageSyntax, MemberShape } from "./syntax/types.js";

/**
 * The one import the template engine and the syntax filter use: each grammar's table, built per language family in
 * syntax/ (python, c-family for C/C++/Java, js-family for JavaScript/TypeScript/TSX, go, rust) from the shared
 * writers in syntax/writers.ts.
 */
const TABLE: Readonly<Record<LanguageId, LanguageSyntax>> = {
  python: PYTHON,
  javascript: JAVASCRIPT,
  typescript: TYPESCRIPT,
  tsx: TYPESCRIPT,
  java: JAVA,
  c: C,
  cpp: CPP,
  go: GO,
  rust: RUST,
};

export function syntaxFor(id: LanguageId): LanguageSyntax {
  return TABLE[id];
}
