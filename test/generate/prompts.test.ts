import { describe, expect, it } from "vitest";
import { CHARS_PER_TOKEN } from "../../server/pipeline/generate/ollama/augmentation.js";
import { parseShowResponse } from "../../server/pipeline/generate/ollama/model-info.js";
import { promptBudget, PROMPT_TOKEN_CAP } from "../../server/pipeline/generate/ollama/ollama-generator.js";
import { buildChatPrompt, buildFimPrompt } from "../../server/pipeline/generate/ollama/prompts.js";
import { fimStopTokens } from "../../server/pipeline/generate/ollama/stop-tokens.js";
import type { FailureEvidence, RetrievedLine } from "../../server/core/types.js";
import { CHAT_MODEL, FIM_MODEL } from "../support/ollama-test-server.js";
import { hunkContext, NO_EVIDENCE } from "./hunk-fixture.js";

const JAVA = `class Ranges {
    static int clamp(int v, int lo, int hi) {
        if (v < lo) return lo;
        if (v >= hi) return hi;
        return v;
    }
}
`;

const EVIDENCE: FailureEvidence = {
  failingTests: [{ name: "RangesTest.clampHigh", message: "expected:<9> but was:<10>\n\tat Ranges.clamp", frames: [] }],
  diagnostics: [{ file: "/work/project/Ranges.java", line: 3, message: "suspicious comparison", source: "lint" }],
};

const RETRIEVED: RetrievedLine[] = [
  {
    file: "/work/project/Bounds.java",
    line: 11,
    text: "        if (v > hi) return hi;",
    score: 0.8,
    scope: "workspace",
  },
];

describe("fill-in-the-middle prompt", () => {
  it("puts the buggy lines and the evidence in a comment block of the file's syntax right above the hole", async () => {
    const context = await hunkContext("java", JAVA, { first: "if (v >= hi)" }, RETRIEVED);
    const prompt = buildFimPrompt(context, EVIDENCE, 4096);
    const lines = prompt.prefix.split("\n");
    expect(lines[0]).toBe("class Ranges {");
    const commentStart = lines.indexOf(
      "        // Java code with a bug; the lines below this comment are the fix to write.",
    );
    expect(lines[commentStart - 1]).toBe("        if (v < lo) return lo;");
    expect(prompt.prefix).toContain("        //           if (v >= hi) return hi;");
    expect(prompt.prefix).toContain("        // Failing test RangesTest.clampHigh:");
    expect(prompt.prefix).toContain("        //   expected:<9> but was:<10>");
    expect(prompt.prefix).toContain("        // lint at line 4: suspicious comparison");
    expect(prompt.prefix.endsWith("        //   if (v > hi) return hi;    (Bounds.java:12)\n")).toBe(true);
    expect(prompt.suffix).toBe("        return v;\n    }\n}\n");
  });

  it("keeps the code nearest the hunk when the file exceeds the budget", async () => {
    const body = Array.from({ length: 2_000 }, (_, i) => `x${i} = ${i}`).join("\n");
    const source = `${body}\nif x1 <= x2:\n    pass\n${body}\n`;
    const context = await hunkContext("python", source, { first: "if x1 <= x2:" });
    const budget = 512;
    const prompt = buildFimPrompt(context, NO_EVIDENCE, budget);
    expect(prompt.prefix.length + prompt.suffix.length).toBeLessThanOrEqual(budget * CHARS_PER_TOKEN);
    expect(prompt.prefix).toContain("x1999 = 1999\n# Python code with a bug");
    expect(prompt.suffix.startsWith("    pass\nx0 = 0\n")).toBe(true);
  });

  it("keeps a shebang on the first line", async () => {
    const source = "#!/usr/bin/env python3\ndef f(a):\n    return a - 1\n";
    const context = await hunkContext("python", source, { first: "return a - 1" });
    const prompt = buildFimPrompt(context, NO_EVIDENCE, 4096);
    expect(prompt.prefix.split("\n")[0]).toBe("#!/usr/bin/env python3");
    expect(prompt.prefix.split("\n")[2]).toMatch(/^ {4}# Python code/);
  });

  it("caps prompts near 1.8k tokens whatever the model's context", () => {
    const info = parseShowResponse(FIM_MODEL.name, {
      template: FIM_MODEL.template,
      parameters: "num_ctx 32768",
      model_info: { "qwen2.context_length": 32768 },
    });
    expect(promptBudget(info, 256)).toBe(PROMPT_TOKEN_CAP);
    expect(PROMPT_TOKEN_CAP).toBeLessThanOrEqual(2_000);
    // A small context still leaves room for the answer.
    expect(promptBudget({ ...info, contextTokens: 2048 }, 256)).toBe(2048 - 256 - 64);
  });
});

describe("chat prompt", () => {
  it("shows the enclosing function with the buggy lines between markers, and the evidence", async () => {
    const context = await hunkContext("java", JAVA, { first: "if (v >= hi)" }, RETRIEVED);
    const prompt = buildChatPrompt(context, EVIDENCE, 4096);
    const user = prompt.messages[1]!.content;
    expect(prompt.messages[0]!.role).toBe("system");
    expect(user).toContain("Language: Java");
    expect(user).toContain(
      "```java\n    static int clamp(int v, int lo, int hi) {\n        if (v < lo) return lo;\n        // BUG START\n        if (v >= hi) return hi;\n        // BUG END\n        return v;\n    }\n```",
    );
    expect(user).toContain("expected:<9> but was:<10>");
    expect(user).toContain("if (v > hi) return hi;    (Bounds.java:12)");
    expect(user).toContain("in one ```java fenced block");
  });

  it("marks an insertion point", async () => {
    const context = await hunkContext("java", JAVA, { insertBefore: "return v;" });
    const user = buildChatPrompt(context, NO_EVIDENCE, 4096).messages[1]!.content;
    expect(user).toContain("        // MISSING CODE HERE\n        return v;");
  });
});

describe("model facts", () => {
  it("reads suffix support, context and stops from /api/show", () => {
    const fim = parseShowResponse(FIM_MODEL.name, {
      template: FIM_MODEL.template,
      parameters: 'stop "<|im_start|>"\nnum_ctx 8192',
      details: { family: "qwen2" },
      model_info: { "qwen2.context_length": 32768 },
    });
    expect(fim).toMatchObject({ supportsSuffix: true, contextTokens: 8192, family: "qwen2", stop: ["<|im_start|>"] });
    expect(fimStopTokens(fim)).toEqual(expect.arrayContaining(["<|im_start|>", "<|fim_prefix|>", "<|endoftext|>"]));

    const chat = parseShowResponse(CHAT_MODEL.name, {
      template: CHAT_MODEL.template,
      details: { family: "llama" },
      model_info: { "llama.context_length": 131072 },
    });
    // Without num_ctx, Ollama runs the model with its default context, not the trained length.
    expect(chat).toMatchObject({ supportsSuffix: false, contextTokens: 4096 });
    expect(parseShowResponse("x", "garbage")).toMatchObject({ supportsSuffix: false, contextTokens: 4096 });
  });

  it("uses each family's fill-in-the-middle tokens", () => {
    const info = (name: string, family: string) => ({
      name,
      family,
      supportsSuffix: true,
      contextTokens: 4096,
      stop: [],
      base: true,
      thinking: false,
    });
    expect(fimStopTokens(info("deepseek-coder:6.7b-base", "llama"))).toContain("<｜fim▁hole｜>");
    expect(fimStopTokens(info("codellama:7b-code", "llama"))).toContain("<EOT>");
    expect(fimStopTokens(info("starcoder2:3b", "starcoder2"))).toContain("<fim_middle>");
  });
});
