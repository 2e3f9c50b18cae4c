import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Language, Parser, Query, type Node, type Tree } from "web-tree-sitter";
import { languageById, type LanguageId, type LanguageInfo } from "./languages.js";
import { packageRoot } from "./paths.js";

/** A syntax error found in a parse: an ERROR node or a node the parser had to invent (MISSING). */
export interface SyntaxProblem {
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly message: string;
}

/**
 * A parsed text. The tree lives in WebAssembly memory that the JavaScript garbage collector cannot see, so the
 * owner must call dispose(); withParse() does so for you.
 */
export interface ParsedFile {
  readonly language: LanguageInfo;
  readonly text: string;
  readonly tree: Tree;
  readonly errors: readonly SyntaxProblem[];
  dispose(): void;
}

/** The capture kinds every language's query file provides. */
export type CaptureKind = "function" | "statement" | "identifier" | "comment" | "string";

const require = createRequire(import.meta.url);

let initialised: Promise<void> | undefined;
const languages = new Map<LanguageId, Promise<Language>>();
const parsers = new Map<LanguageId, Parser>();
const queries = new Map<LanguageId, Query>();

function initTreeSitter(): Promise<void> {
  initialised ??= Parser.init();
  return initialised;
}

function wasmPath(info: LanguageInfo): string {
  const pkgJson = require.resolve(`${info.grammarPackage}/package.json`);
  return join(dirname(pkgJson), info.wasmFile);
}

/** Loads a grammar the first time it is needed: most workspaces use two or three of the nine. */
export async function loadLanguage(id: LanguageId): Promise<Language> {
  await initTreeSitter();
  let pending = languages.get(id);
  if (!pending) {
    const info = languageById(id);
    pending = Language.load(readFileSync(wasmPath(info)));
    languages.set(id, pending);
    // A failed load is forgotten so that a later call can retry instead of replaying the failure forever.
    pending.catch(() => languages.delete(id));
  }
  return pending;
}

/** Path of a language's query file (also read by the index's reduced line query). */
export function queryFileFor(id: LanguageId): string {
  // TSX is TypeScript plus JSX: its node types are a superset, so it shares TypeScript's queries.
  const name = id === "tsx" ? "typescript" : id;
  return join(packageRoot(), "grammars", "queries", `${name}.scm`);
}

/** The compiled query of a language, holding the captures @function, @statement, @identifier, @comment, @string. */
export async function queryFor(id: LanguageId): Promise<Query> {
  const cached = queries.get(id);
  if (cached) return cached;
  const language = await loadLanguage(id);
  const query = new Query(language, readFileSync(queryFileFor(id), "utf8"));
  queries.set(id, query);
  return query;
}

async function parserFor(id: LanguageId): Promise<Parser> {
  const language = await loadLanguage(id);
  let parser = parsers.get(id);
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(language);
    parsers.set(id, parser);
  }
  return parser;
}

function collectErrors(root: Node): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  if (!root.hasError) return problems;
  const cursor = root.walk();
  try {
    let descend = true;
    for (;;) {
      const node = cursor.currentNode;
      if (descend && (node.isError || node.isMissing)) {
        const snippet = node.text.length > 40 ? node.text.slice(0, 40) + "…" : node.text;
        problems.push({
          startLine: node.startPosition.row,
          startColumn: node.startPosition.column,
          endLine: node.endPosition.row,
          endColumn: node.endPosition.column,
          message: node.isMissing ? `missing ${node.type}` : `syntax error near \`${snippet}\``,
        });
        descend = false; // The inside of an ERROR node adds nothing the user can act on.
      }
      if (descend && node.hasError && cursor.gotoFirstChild()) continue;
      descend = true;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return problems;
      }
    }
  } finally {
    cursor.delete();
  }
}

/**
 * Parses text. Never throws on broken code: tree-sitter always produces a tree, and the syntax errors come back
 * beside it. It rejects only when the grammar itself cannot be loaded.
 */
export async function parse(text: string, id: LanguageId): Promise<ParsedFile> {
  const parser = await parserFor(id);
  const tree = parser.parse(text);
  if (!tree) throw new Error(`repair-ls: the ${id} parser returned no tree`);
  let disposed = false;
  return {
    language: languageById(id),
    text,
    tree,
    errors: collectErrors(tree.rootNode),
    dispose() {
      if (!disposed) tree.delete();
      disposed = true;
    },
  };
}

/** Parses, runs fn on the result, and frees the tree whatever fn does. */
export async function withParse<T>(
  text: string,
  id: LanguageId,
  fn: (parsed: ParsedFile) => T | Promise<T>,
): Promise<T> {
  const parsed = await parse(text, id);
  try {
    return await fn(parsed);
  } finally {
    parsed.dispose();
  }
}

/** The syntax errors of a text, for callers that need nothing else from the tree. */
export function syntaxErrors(text: string, id: LanguageId): Promise<readonly SyntaxProblem[]> {
  return withParse(text, id, (parsed) => parsed.errors);
}
