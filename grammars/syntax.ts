import type { Node } from "web-tree-sitter";
import { queryFor, type CaptureKind, type ParsedFile } from "./parser.js";

/** Lines are 0-based; endLine is exclusive, so an empty range (startLine === endLine) is an insertion point. */
export interface LineRange {
  readonly startLine: number;
  readonly endLine: number;
}

export interface FunctionSpan extends LineRange {
  /** The declared name, when the function has one (lambdas and arrow functions may not). */
  readonly name: string | undefined;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly text: string;
}

export function nodeLines(node: Node): LineRange {
  // A node that ends at column 0 (a line comment that owns its line break) does not cover that next line.
  const { row, column } = node.endPosition;
  const endLine = column === 0 && row > node.startPosition.row ? row : row + 1;
  return { startLine: node.startPosition.row, endLine };
}

function overlaps(node: Node, range: LineRange): boolean {
  const lines = nodeLines(node);
  const end = Math.max(range.endLine, range.startLine + 1);
  return lines.startLine < end && range.startLine < lines.endLine;
}

/** Nodes captured under one kind, optionally limited to those overlapping a line range, in document order. */
export async function captures(parsed: ParsedFile, kind: CaptureKind, range?: LineRange): Promise<Node[]> {
  const query = await queryFor(parsed.language.id);
  const options = range
    ? {
        startPosition: { row: range.startLine, column: 0 },
        endPosition: { row: Math.max(range.endLine, range.startLine + 1), column: 0 },
      }
    : undefined;
  const seen = new Set<number>();
  const nodes: Node[] = [];
  for (const capture of query.captures(parsed.tree.rootNode, options)) {
    if (capture.name !== kind || seen.has(capture.node.id)) continue;
    if (range && !overlaps(capture.node, range)) continue;
    seen.add(capture.node.id);
    nodes.push(capture.node);
  }
  return nodes.sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
}

/**
 * The innermost function or method whose lines contain the first line of the range (MultiMend's rule for the
 * enclosing function), or undefined at top level.
 */
export async function enclosingFunction(parsed: ParsedFile, range: LineRange): Promise<FunctionSpan | undefined> {
  const query = await queryFor(parsed.language.id);
  const line = range.startLine;
  let best: { fn: Node; name: Node | undefined } | undefined;
  for (const match of query.matches(parsed.tree.rootNode, {
    startPosition: { row: line, column: 0 },
    endPosition: { row: line + 1, column: 0 },
  })) {
    const fn = match.captures.find((c) => c.name === "function")?.node;
    if (!fn || fn.startPosition.row > line || fn.endPosition.row < line) continue;
    if (!best || fn.endIndex - fn.startIndex < best.fn.endIndex - best.fn.startIndex) {
      best = { fn, name: match.captures.find((c) => c.name === "function.name")?.node };
    }
  }
  if (!best) return undefined;
  return {
    ...nodeLines(best.fn),
    name: best.name?.text,
    startIndex: best.fn.startIndex,
    endIndex: best.fn.endIndex,
    text: best.fn.text,
  };
}

/** Statement nodes that overlap the line range, outermost first within document order. */
export function statementsInRange(parsed: ParsedFile, range: LineRange): Promise<Node[]> {
  return captures(parsed, "statement", range);
}

/** Identifier texts used anywhere inside a node (for in-scope replacements), de-duplicated, in first-use order. */
export async function identifiersIn(parsed: ParsedFile, range: LineRange): Promise<string[]> {
  const nodes = await captures(parsed, "identifier", range);
  return [...new Set(nodes.map((n) => n.text))];
}
