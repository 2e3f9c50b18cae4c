import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { languageForPath } from "../../grammars/languages.js";
import { parse, queryFor, type ParsedFile } from "../../grammars/parser.js";
import {
  captures,
  enclosingFunction,
  identifiersIn,
  nodeLines,
  statementsInRange,
  type LineRange,
} from "../../grammars/syntax.js";
import { LANGUAGE_CASES, lineOf, nextLineOf, type FunctionExpectation, type LanguageCase } from "./language-cases.js";

const CAPTURE_NAMES = ["function", "function.name", "statement", "identifier", "comment", "string"];

/** The span a function is expected to have: from its first line to the first line after it matching `last`. */
function expectedSpan(source: string, fn: FunctionExpectation): LineRange {
  const startLine = lineOf(source, fn.first);
  return { startLine, endLine: nextLineOf(source, fn.last, startLine) + 1 };
}

function lineRange(source: string, piece: string): LineRange {
  const line = lineOf(source, piece);
  return { startLine: line, endLine: line + 1 };
}

describe.each(LANGUAGE_CASES)("$id", (testCase: LanguageCase) => {
  const { id, source } = testCase;
  let parsed: ParsedFile;

  beforeAll(async () => {
    parsed = await parse(source, id);
  });

  afterAll(() => {
    parsed.dispose();
  });

  it("is the language of its file name", () => {
    expect(languageForPath(testCase.path)?.id).toBe(id);
  });

  it("parses the snippet without syntax errors", () => {
    const lineCount = source.trimEnd().split("\n").length;
    expect(lineCount).toBeGreaterThanOrEqual(15);
    expect(lineCount).toBeLessThanOrEqual(30);
    expect(parsed.errors).toEqual([]);
    expect(parsed.tree.rootNode.hasError).toBe(false);
  });

  it("compiles a query that defines every capture kind", async () => {
    const query = await queryFor(id);
    expect([...query.captureNames].sort()).toEqual([...CAPTURE_NAMES].sort());
  });

  it("finds the function around a line that belongs to the outer function only", async () => {
    const found = await enclosingFunction(parsed, lineRange(source, testCase.outer.inside));
    const span = expectedSpan(source, testCase.outer);
    expect(found).toMatchObject({ name: testCase.outer.name, ...span });
    expect(found?.text).toBe(source.slice(found?.startIndex, found?.endIndex));
  });

  it("finds the innermost of nested functions", async () => {
    const found = await enclosingFunction(parsed, lineRange(source, testCase.nested.inside));
    expect(found).toMatchObject({ name: testCase.nested.name, ...expectedSpan(source, testCase.nested) });
  });

  it("uses only the first line of a range spanning several functions", async () => {
    const start = lineOf(source, testCase.nested.inside);
    const found = await enclosingFunction(parsed, { startLine: start, endLine: start + 20 });
    expect(found?.name).toBe(testCase.nested.name);
  });

  // C has no anonymous functions, so its case has none to ask about.
  const anonymous = testCase.anonymous;
  if (anonymous) {
    it("reports no name for an anonymous function", async () => {
      const found = await enclosingFunction(parsed, lineRange(source, anonymous.inside));
      expect(found).toBeDefined();
      expect(found).toMatchObject({ name: undefined, ...expectedSpan(source, anonymous) });
    });
  }

  it("finds no function around a top-level line", async () => {
    expect(await enclosingFunction(parsed, lineRange(source, testCase.topLevel))).toBeUndefined();
  });

  it("lists the statements of a line range, outermost first", async () => {
    const range = {
      startLine: lineOf(source, testCase.statements.from),
      endLine: lineOf(source, testCase.statements.to) + 1,
    };
    const statements = await statementsInRange(parsed, range);
    expect(statements.map((node) => node.type)).toEqual(testCase.statements.types);
    for (const node of statements) {
      const lines = nodeLines(node);
      expect(lines.startLine < range.endLine && range.startLine < lines.endLine).toBe(true);
    }
  });

  it("finds a statement at an insertion point (an empty range)", async () => {
    const line = lineOf(source, testCase.statements.from);
    const statements = await statementsInRange(parsed, { startLine: line, endLine: line });
    expect(statements.map((node) => node.type)).toContain(testCase.statements.types[0]);
  });

  it("lists the identifiers of a line once each, in first-use order", async () => {
    const identifiers = await identifiersIn(parsed, lineRange(source, testCase.identifiers.line));
    expect(identifiers).toEqual(testCase.identifiers.expected);
  });

  it("captures the comment and the string literal", async () => {
    const comments = (await captures(parsed, "comment")).map((node) => node.text.trimEnd());
    const strings = (await captures(parsed, "string")).map((node) => node.text);
    expect(comments).toContain(testCase.comment);
    expect(strings).toContain(testCase.string);
  });

  it("limits captures to the requested lines", async () => {
    const range = lineRange(source, testCase.comment);
    const comments = await captures(parsed, "comment", range);
    expect(comments.map((node) => node.text.trimEnd())).toEqual([testCase.comment]);
    const strings = await captures(parsed, "string", range);
    expect(strings).toEqual([]);
  });
});
