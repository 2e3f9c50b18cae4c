import type { Node } from "web-tree-sitter";
import type { ParsedFile } from "../../../../grammars/parser.js";
import { enclosingFunction, statementsInRange, type FunctionSpan } from "../../../../grammars/syntax.js";
import type { Candidate, HunkContext, RetrievedLine } from "../../../core/types.js";
import { hunkSpan, normaliseWhitespace, offsetInHunkText } from "../hunk-text.js";
import { type FileLines, normaliseLineEnds } from "../../../core/line-text.js";
import { detectIndentUnit, hunkIndent } from "../indentation.js";
import { donorEdits, knownNames } from "./donors.js";
import { changedChars, scoreOf, withDonorSupport, type TemplateEdit, type TemplateLines } from "./edits.js";
import { syntaxFor } from "./language-syntax.js";
import type { LineInput } from "./line-input.js";
import { copyRegion, descendants, nodesWithin, type LiteNode } from "./lite-tree.js";
import type { MutationInput } from "./mutation-input.js";
import { conditionEdits } from "./mutations/conditions.js";
import { copyEdits } from "./mutations/copies.js";
import { deletionEdits } from "./mutations/deletions.js";
import { literalExpressionEdits } from "./mutations/expressions.js";
import { guardEdits } from "./mutations/guards.js";
import { literalEdits } from "./mutations/literals.js";
import { nameEdits } from "./mutations/names.js";
import { operatorEdits } from "./mutations/operators.js";
import { returnEdits } from "./mutations/returns.js";
import { shiftEdits } from "./mutations/shifts.js";
import { sqlEdits } from "./mutations/sql.js";
import { swapEdits } from "./mutations/swaps.js";
import { wrapperEdits } from "./mutations/wrappers.js";
import { collectScope, nearbyCallNames } from "./scope.js";

/** Lines around the hunk that count as "nearby" for names and calls when no function encloses it. */
const WINDOW_ROWS = 40;
/** Furthest a call counts as "nearby" inside a very long function. */
const NEARBY_LIMIT_ROWS = 300;
/** Nodes spanning more rows than this are copied only around the hunk (see copyRegion). */
const MAX_COPY_ROWS = 600;
/** Candidates the engine returns before filtering: enough for any cap, bounded for huge hunks. */
export const MAX_TEMPLATE_CANDIDATES = 400;

export interface TemplateInput {
  readonly context: HunkContext;
  /** The parse of context.fileText; the caller owns (and disposes) it. */
  readonly parsed: ParsedFile;
  readonly file: FileLines;
  /** Donor lines: the context's retrieved lines plus similar lines from the index. */
  readonly donors: readonly RetrievedLine[];
}

async function orUndefined<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch {
    // The grammar queries are an optimisation of scope, not a requirement: without them the window rule applies.
    return undefined;
  }
}

function nodeForSpan(root: Node, fn: FunctionSpan): Node {
  let node: Node | null = root.descendantForIndex(fn.startIndex, fn.endIndex);
  while (node && (node.startIndex > fn.startIndex || node.endIndex < fn.endIndex)) node = node.parent;
  return node ?? root;
}

function liteIndex(nodes: Iterable<LiteNode>): Map<string, LiteNode> {
  const map = new Map<string, LiteNode>();
  for (const n of nodes) map.set(`${n.start}:${n.end}:${n.type}`, n);
  return map;
}

/** Outermost statements wholly inside the hunk, or (insertion) the outermost statement starting on its line. */
function hunkStatements(found: readonly Node[], region: readonly LiteNode[], context: HunkContext): LiteNode[] {
  const { hunk } = context;
  const byKey = liteIndex(region);
  const isInsertion = hunk.endLine <= hunk.startLine;
  const wanted = found.filter((s) =>
    isInsertion
      ? s.startPosition.row === hunk.startLine
      : s.startPosition.row >= hunk.startLine && s.endPosition.row < hunk.endLine,
  );
  const outermost = wanted.filter(
    (s) => !wanted.some((o) => o !== s && o.startIndex <= s.startIndex && o.endIndex >= s.endIndex),
  );
  return outermost
    .map((s) => byKey.get(`${s.startIndex}:${s.endIndex}:${s.type}`))
    .filter((n): n is LiteNode => n !== undefined);
}

/**
 * The built-in engine: tree-sitter-driven mutations of the hunk plus donor lines, ranked by a prior. All tree
 * work happens on one parse and one copy of the code around the hunk, so a hunk takes milliseconds.
 */
export async function templateCandidates(input: TemplateInput): Promise<Candidate[]> {
  const { context, parsed, file } = input;
  const { hunk } = context;
  const source = file.text;
  const syntax = syntaxFor(context.language);
  const isInsertion = hunk.endLine <= hunk.startLine;
  const range = { startLine: hunk.startLine, endLine: Math.max(hunk.endLine, hunk.startLine + 1) };
  const fn = await orUndefined(() => enclosingFunction(parsed, range));
  const foundStatements = (await orUndefined(() => statementsInRange(parsed, range))) ?? [];

  const root = parsed.tree.rootNode;
  const fromRow = Math.max(0, hunk.startLine - WINDOW_ROWS);
  const toRow = Math.max(hunk.endLine, hunk.startLine) + WINDOW_ROWS;
  const scopeNode = fn && fn.endLine - fn.startLine > 2 ? nodeForSpan(root, fn) : root;
  const region = copyRegion(scopeNode, fromRow, toRow, MAX_COPY_ROWS);
  const span = hunkSpan(file, hunk);
  const inHunk = isInsertion ? [] : nodesWithin(region, span.start, span.end);
  const scope = collectScope(syntax, source, region);
  // "Nearby" is the enclosing function and a margin, but never more than a few hundred lines of a huge one.
  const aroundFrom = Math.max((fn ? fn.startLine : hunk.startLine) - WINDOW_ROWS, hunk.startLine - NEARBY_LIMIT_ROWS);
  const aroundTo = Math.min((fn ? fn.endLine : hunk.endLine) + WINDOW_ROWS, hunk.endLine + NEARBY_LIMIT_ROWS);
  const nearby = nearbyCallNames(file.lines, aroundFrom, aroundTo, syntax.keywords);

  const mutationInput: MutationInput = {
    language: context.language,
    source,
    syntax,
    inHunk,
    scope,
    nearby,
    hunkRow: hunk.startLine,
  };
  const edits: TemplateEdit[] = [
    ...operatorEdits(mutationInput),
    ...literalEdits(mutationInput),
    ...conditionEdits(mutationInput),
    ...swapEdits(mutationInput),
    ...nameEdits(mutationInput),
    ...returnEdits(mutationInput),
    ...shiftEdits(mutationInput),
    ...wrapperEdits(mutationInput),
    ...literalExpressionEdits(mutationInput),
    ...sqlEdits(mutationInput),
  ];

  const unit = detectIndentUnit(file.lines);
  const regionNodes = descendants(region);
  const lineInput: LineInput = {
    source,
    syntax,
    file,
    hunk,
    unit,
    indent: hunkIndent(file.lines, hunk.startLine, hunk.endLine, unit),
    statements: hunkStatements(foundStatements, regionNodes, context),
    regionStatements: regionNodes.filter((n) => syntax.simpleStatements.has(n.type)),
    scope,
  };
  const lineEdits: TemplateLines[] = [
    ...deletionEdits(lineInput),
    ...guardEdits(lineInput),
    ...copyEdits(lineInput),
    ...donorEdits(lineInput, input.donors, knownNames(file.lines)),
  ];

  const hunkText = file.lines.slice(hunk.startLine, Math.max(hunk.startLine, hunk.endLine)).join("\n");
  const support = donorSupport(input.donors, hunkText);
  const candidates: Candidate[] = [];
  for (const edit of edits) {
    if (edit.start < span.start || edit.end > span.end) continue;
    const from = offsetInHunkText(file, hunk.startLine, edit.start);
    const to = offsetInHunkText(file, hunk.startLine, edit.end);
    const text = normaliseLineEnds(hunkText.slice(0, from) + edit.replacement + hunkText.slice(to));
    const changed = changedChars(hunkText, text);
    const score = support(text, scoreOf(edit.kind, edit.weight, changed));
    candidates.push(toCandidate(text, edit.kind, edit.description, score));
  }
  for (const edit of lineEdits) {
    // A deletion is small however many characters it removes; its prior already says how risky it is.
    const changed = edit.kind === "delete" ? 0 : changedChars(hunkText, edit.text);
    const prior = scoreOf(edit.kind, edit.weight, changed);
    // A donor's own similarity is already its weight; only the other families can be backed by one.
    const score = edit.kind === "donor" ? prior : support(edit.text, prior);
    candidates.push(toCandidate(edit.text, edit.kind, edit.description, score));
  }
  return rank(candidates);
}

/**
 * Donor support for the hunk's candidates: a candidate whose new lines include one that a donor line spells the
 * same (after whitespace normalisation) gets its score raised by that donor's similarity (withDonorSupport);
 * every other candidate keeps its score.
 */
function donorSupport(donors: readonly RetrievedLine[], hunkText: string): (text: string, score: number) => number {
  const similarity = new Map<string, number>();
  for (const donor of donors) {
    const key = normaliseWhitespace(donor.text);
    if (key !== "") similarity.set(key, Math.max(similarity.get(key) ?? 0, donor.score));
  }
  const original = new Set(hunkText.split("\n").map(normaliseWhitespace));
  return (text, score) => {
    if (similarity.size === 0) return score;
    let best = 0;
    for (const line of text.split("\n")) {
      const key = normaliseWhitespace(line);
      if (!original.has(key)) best = Math.max(best, similarity.get(key) ?? 0);
    }
    return best > 0 ? withDonorSupport(score, best) : score;
  };
}

function toCandidate(text: string, kind: TemplateEdit["kind"], description: string, score: number): Candidate {
  return { text, score, generator: kind === "donor" ? "donor" : "template", editKind: kind, description };
}

/** Best first, one entry per text (keeping the best-scored description), bounded. */
function rank(candidates: Candidate[]): Candidate[] {
  const sorted = candidates
    .map((c, i) => ({ c, i }))
    .sort((a, b) => b.c.score - a.c.score || a.i - b.i)
    .map(({ c }) => c);
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const candidate of sorted) {
    if (seen.has(candidate.text)) continue;
    seen.add(candidate.text);
    out.push(candidate);
    if (out.length >= MAX_TEMPLATE_CANDIDATES) break;
  }
  return out;
}
