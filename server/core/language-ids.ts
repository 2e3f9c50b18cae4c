/**
 * Every language repair-ls understands, as plain data: the shared types in core/ name languages, and core/ depends on
 * nothing, so the id list lives here and grammars/languages.ts builds its per-language tables on it. TSX is its own
 * grammar, so it is its own language.
 */
export const LANGUAGE_IDS = ["python", "javascript", "typescript", "tsx", "java", "c", "cpp", "go", "rust"] as const;
export type LanguageId = (typeof LANGUAGE_IDS)[number];
