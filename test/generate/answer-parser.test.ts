import { describe, expect, it } from "vitest";
import { parseAnswer, type AnswerShape } from "../../server/pipeline/generate/ollama/answer-parser.js";

const CHAT: AnswerShape = {
  mode: "chat",
  indent: "        ",
  unit: "    ",
  before: ["def count_below(xs, limit):", "    n = 0", "    for x in xs:"],
  after: ["            n += 1", "    return n"],
};
const FIM: AnswerShape = { ...CHAT, mode: "fim" };

describe("parseAnswer", () => {
  it("takes the first fenced block and drops the prose around it", () => {
    const raw = "Sure! Here is the fix:\n\n```python\nif x < limit:\n```\n\nThis uses a strict comparison.";
    expect(parseAnswer(raw, CHAT)).toBe("        if x < limit:");
  });

  it("accepts a fence the model never closed (cut by num_predict)", () => {
    expect(parseAnswer("```python\nif x < limit:\n", CHAT)).toBe("        if x < limit:");
  });

  it("strips prose lines around unfenced code in chat mode", () => {
    const raw = "The fix is as follows:\nif x < limit:\nThat should work.";
    expect(parseAnswer(raw, CHAT)).toBe("        if x < limit:");
  });

  it("keeps only what lies between echoed marker comments", () => {
    const raw =
      "```python\n    for x in xs:\n        # BUG START\n        if x < limit:\n        # BUG END\n            n += 1\n```";
    expect(parseAnswer(raw, CHAT)).toBe("        if x < limit:");
  });

  it("trims a whole-function echo down to the replaced lines", () => {
    const raw = [
      "```python",
      "def count_below(xs, limit):",
      "    n = 0",
      "    for x in xs:",
      "        if x < limit:",
      "            n += 1",
      "    return n",
      "```",
    ].join("\n");
    expect(parseAnswer(raw, CHAT)).toBe("        if x < limit:");
  });

  it("cuts a repeated suffix in fill-in-the-middle answers", () => {
    expect(parseAnswer("        if x < limit:\n            n += 1\n    return n\n", FIM)).toBe("        if x < limit:");
  });

  it("needs two matching lines before cutting at a lone closing brace", () => {
    const shape: AnswerShape = { ...FIM, indent: "  ", unit: "  ", after: ["  }", "  return n;"] };
    // A `}` that closes the model's own block is kept; the repeated `}` + `return n;` is cut.
    const raw = "  if (x < limit) {\n    n++;\n  }\n  }\n  return n;";
    expect(parseAnswer(raw, shape)).toBe("  if (x < limit) {\n    n++;\n  }");
  });

  it("removes leaked control tokens", () => {
    expect(parseAnswer("        if x < limit:<|endoftext|><|fim_pad|>", FIM)).toBe("        if x < limit:");
  });

  it("treats an empty answer and an empty block as deletions", () => {
    expect(parseAnswer("", FIM)).toBe("");
    expect(parseAnswer("   \n", CHAT)).toBe("");
    expect(parseAnswer("```python\n```", CHAT)).toBe("");
  });

  it("treats an answer with no code as unusable in chat mode", () => {
    expect(parseAnswer("I am sorry, but I cannot help with that.", CHAT)).toBeUndefined();
  });

  it("re-indents to the hunk, keeping relative indentation, in the file's unit", () => {
    const raw = "```python\nif x < limit:\n    n += 1\n```";
    expect(parseAnswer(raw, { ...CHAT, after: [] })).toBe("        if x < limit:\n            n += 1");
    const tabs: AnswerShape = { ...CHAT, indent: "\t\t", unit: "\t", after: [] };
    expect(parseAnswer("```go\nif x < limit {\n    n++\n}\n```", tabs)).toBe("\t\tif x < limit {\n\t\t\tn++\n\t\t}");
  });
});
