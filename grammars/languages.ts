import { extname } from "node:path";
import { fileURLToPath } from "node:url";

import { LANGUAGE_IDS, type LanguageId } from "../server/core/language-ids.js";

// The id list is core data (server/core/language-ids.ts); the grammars own everything else about a language.
export { LANGUAGE_IDS, type LanguageId };

export interface CommentSyntax {
  /** Token that starts a comment running to the end of the line, if the language has one. */
  readonly line?: string;
  /** Delimiters of a block comment, if the language has them. */
  readonly block?: readonly [string, string];
}

export interface LanguageInfo {
  readonly id: LanguageId;
  /** Human-readable name, also used as the `<Language>` token of MultiMend-style prompts. */
  readonly name: string;
  /** File extensions, lower case, with the leading dot. */
  readonly extensions: readonly string[];
  /** The npm package that ships the grammar, and the wasm file inside it. */
  readonly grammarPackage: string;
  readonly wasmFile: string;
  readonly comments: CommentSyntax;
  /** LSP languageId values that editors send for this language. */
  readonly lspLanguageIds: readonly string[];
}

const C_COMMENTS: CommentSyntax = { line: "//", block: ["/*", "*/"] };

/** The language table: the one place that says which files are which language and where their grammar lives. */
export const LANGUAGES: readonly LanguageInfo[] = [
  {
    id: "python",
    name: "Python",
    extensions: [".py", ".pyi"],
    grammarPackage: "tree-sitter-python",
    wasmFile: "tree-sitter-python.wasm",
    comments: { line: "#" },
    lspLanguageIds: ["python"],
  },
  {
    id: "javascript",
    name: "JavaScript",
    extensions: [".js", ".mjs", ".cjs", ".jsx"],
    grammarPackage: "tree-sitter-javascript",
    wasmFile: "tree-sitter-javascript.wasm",
    comments: C_COMMENTS,
    lspLanguageIds: ["javascript", "javascriptreact"],
  },
  {
    id: "typescript",
    name: "TypeScript",
    extensions: [".ts", ".mts", ".cts"],
    grammarPackage: "tree-sitter-typescript",
    wasmFile: "tree-sitter-typescript.wasm",
    comments: C_COMMENTS,
    lspLanguageIds: ["typescript"],
  },
  {
    id: "tsx",
    name: "TSX",
    extensions: [".tsx"],
    grammarPackage: "tree-sitter-typescript",
    wasmFile: "tree-sitter-tsx.wasm",
    comments: C_COMMENTS,
    lspLanguageIds: ["typescriptreact"],
  },
  {
    id: "java",
    name: "Java",
    extensions: [".java"],
    grammarPackage: "tree-sitter-java",
    wasmFile: "tree-sitter-java.wasm",
    comments: C_COMMENTS,
    lspLanguageIds: ["java"],
  },
  {
    id: "c",
    name: "C",
    extensions: [".c", ".h"],
    grammarPackage: "tree-sitter-c",
    wasmFile: "tree-sitter-c.wasm",
    comments: C_COMMENTS,
    lspLanguageIds: ["c"],
  },
  {
    id: "cpp",
    name: "C++",
    extensions: [".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx"],
    grammarPackage: "tree-sitter-cpp",
    wasmFile: "tree-sitter-cpp.wasm",
    comments: C_COMMENTS,
    lspLanguageIds: ["cpp"],
  },
  {
    id: "go",
    name: "Go",
    extensions: [".go"],
    grammarPackage: "tree-sitter-go",
    wasmFile: "tree-sitter-go.wasm",
    comments: C_COMMENTS,
    lspLanguageIds: ["go"],
  },
  {
    id: "rust",
    name: "Rust",
    extensions: [".rs"],
    grammarPackage: "tree-sitter-rust",
    wasmFile: "tree-sitter-rust.wasm",
    comments: C_COMMENTS,
    lspLanguageIds: ["rust"],
  },
];

const BY_ID = new Map<LanguageId, LanguageInfo>(LANGUAGES.map((l) => [l.id, l]));
const BY_EXTENSION = new Map<string, LanguageInfo>(LANGUAGES.flatMap((l) => l.extensions.map((e) => [e, l] as const)));

export function languageById(id: LanguageId): LanguageInfo {
  const info = BY_ID.get(id);
  // The id type is closed, so a miss means the table and the id list disagree: a programming error.
  if (!info) throw new Error(`repair-ls: language ${id} is missing from the language table`);
  return info;
}

export function isLanguageId(value: string): value is LanguageId {
  return (LANGUAGE_IDS as readonly string[]).includes(value);
}

/** The language of a file path or a file: URI, by extension; undefined for files repair-ls does not handle. */
export function languageForPath(pathOrUri: string): LanguageInfo | undefined {
  let path = pathOrUri;
  if (pathOrUri.startsWith("file:")) {
    try {
      path = fileURLToPath(pathOrUri);
    } catch {
      return undefined;
    }
  }
  return BY_EXTENSION.get(extname(path).toLowerCase());
}
