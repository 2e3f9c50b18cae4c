import { describe, expect, it } from "vitest";
import { extractLines } from "../../index/lines.js";
import { buildChatPrompt, buildFimPrompt } from "../../server/pipeline/generate/ollama/prompts.js";
import type { RetrievedLine } from "../../server/core/types.js";
import { hunkContext, NO_EVIDENCE } from "../generate/hunk-fixture.js";

// Assembled at run time so that the repository holds nothing a secret scanner would flag.
const API_KEY = "sk-" + "Zq7Xw2Lp9Rt4Vb8Nm3Kd6Hs1";

const SOURCE = `import os

OPENAI_KEY = "${API_KEY}"


def median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    db_password = "hunter2hunter2"
    return (ordered[mid] + ordered[mid]) / 2
`;

describe("secret lines", () => {
  it("are not extracted for the index, and line numbers of the other lines stay right", async () => {
    const extracted = await extractLines(SOURCE, "python");
    const texts = extracted.lines.map((l) => l.text);
    expect(texts.join("\n")).not.toContain(API_KEY);
    expect(texts.join("\n")).not.toContain("hunter2");
    expect(extracted.lines.find((l) => l.text.includes("ordered[mid] + ordered[mid]"))?.line).toBe(9);
    // Queries are built from the stripped lines, which are embedded too.
    expect(extracted.strippedLines.join("\n")).not.toMatch(/hunter2|sk-/);
    expect(extracted.lineCount).toBe(10);
  });

  it("never reach a prompt: not from the file, the buggy lines, the function or the retrieved lines", async () => {
    const retrieved: RetrievedLine[] = [
      { file: "/work/project/settings.py", line: 3, text: `TOKEN = "${API_KEY}"`, score: 0.9, scope: "workspace" },
      { file: "/work/project/util.py", line: 7, text: "return total / count", score: 0.8, scope: "workspace" },
    ];
    const buggy = await hunkContext("python", SOURCE, { first: "db_password", last: "return (ordered" }, retrieved);
    const fim = buildFimPrompt(buggy, NO_EVIDENCE, 4096);
    const chat = buildChatPrompt(buggy, NO_EVIDENCE, 4096);
    const everything = [fim.prefix, fim.suffix, ...chat.messages.map((m) => m.content)].join("\n");
    expect(everything).not.toContain(API_KEY);
    expect(everything).not.toContain("hunter2");
    // What is not secret still gets there.
    expect(everything).toContain("return total / count");
    expect(everything).toContain("ordered = sorted(values)");
  });
});
