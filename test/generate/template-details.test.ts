import { describe, expect, it } from "vitest";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import { generateCandidates, DONOR_TIMEOUT_MS } from "../../server/pipeline/generate/index.js";
import type { Candidate, HunkContext, RetrievedLine, Retriever } from "../../server/core/types.js";
import { silentLogger, silentProgress } from "../../server/core/types.js";
import { hunkContext, NO_EVIDENCE, showCandidates } from "./hunk-fixture.js";
import { withDonorSupport } from "../../server/pipeline/generate/template/edits.js";

const BUILTIN: Config = { ...defaultConfig(), engine: "builtin" };

function generate(context: HunkContext, retriever?: Retriever, config: Config = BUILTIN): Promise<Candidate[]> {
  return generateCandidates(context, NO_EVIDENCE, {
    config,
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
    retriever,
  });
}

function retrieverOf(lines: RetrievedLine[] | (() => Promise<RetrievedLine[]>)): Retriever & { queries: string[] } {
  const queries: string[] = [];
  return {
    queries,
    retrieveForHunk: () => Promise.resolve([]),
    similarLines: (query) => {
      queries.push(query);
      return typeof lines === "function" ? lines() : Promise.resolve(lines);
    },
  };
}

describe("template engine details", () => {
  it("writes `pass` instead of deleting a Python block's only statement", async () => {
    const source = "def f(xs):\n    for x in xs:\n        print(x)\n    return xs\n";
    const candidates = await generate(await hunkContext("python", source, { first: "print(x)" }));
    const deletions = candidates.filter((c) => c.editKind === "delete");
    expect(deletions.map((c) => c.text)).toEqual(["        pass"]);
  });

  it("deletes one statement of a multi-statement hunk at a time and bounds the list", async () => {
    const source = "function f(a) {\n  let x = a + 1;\n  let y = x * 2;\n  return y;\n}\n";
    const context = await hunkContext("javascript", source, { first: "let x = a + 1;", last: "let y = x * 2;" });
    const candidates = await generate(context);
    const texts = candidates.map((c) => c.text);
    expect(texts).toContain("  let x = a + 1;");
    expect(texts).toContain("  let y = x * 2;");
    expect(texts).toContain("  let x = a - 1;\n  let y = x * 2;");
    expect(texts).toContain("  let x = a + 1;\n  let y = x / 2;");
    expect(candidates.length).toBeLessThanOrEqual(BUILTIN["repair.candidatesPerHunk"]);
  });

  it("handles CRLF files without leaking carriage returns into candidates", async () => {
    const source = "def f(a, b):\r\n    if a <= b:\r\n        return a\r\n    return b\r\n";
    const candidates = await generate(await hunkContext("python", source, { first: "if a <= b:" }));
    expect(candidates.some((c) => c.text.includes("\r"))).toBe(false);
    expect(candidates.map((c) => c.text)).toContain("    if a < b:");
  });

  it("proposes guards before a statement at an insertion point", async () => {
    const source = "function nameLength(user) {\n  if (user.admin) return 0;\n  return user.name.length;\n}\n";
    const context = await hunkContext("javascript", source, { insertBefore: "return user.name.length;" });
    const candidates = await generate(context);
    const texts = candidates.map((c) => c.text);
    expect(texts).toContain("  if (user == null) return 0;");
    expect(candidates.every((c) => c.text !== "")).toBe(true);
  });

  it("guards Go with braces and a value the function returns", async () => {
    const source = "package p\n\nfunc size(u *User) int {\n\tif u.Admin {\n\t\treturn -1\n\t}\n\treturn u.Size\n}\n";
    const context = await hunkContext("go", source, { insertBefore: "return u.Size" });
    const texts = (await generate(context)).map((c) => c.text);
    expect(texts).toContain("\tif u == nil {\n\t\treturn -1\n\t}");
  });

  it("wraps a dereferencing statement in a null check", async () => {
    const source = "def save(db, record):\n    db.write(record)\n    return True\n";
    const texts = (await generate(await hunkContext("python", source, { first: "db.write(record)" }))).map(
      (c) => c.text,
    );
    expect(texts).toContain("    if db is not None:\n        db.write(record)");
  });

  it("asks the retriever for donors, renames them into scope and skips the hunk's own lines", async () => {
    const source = "def mean(values):\n    total = 0\n    return total / len(values)\n";
    const context = await hunkContext("python", source, { first: "total = 0" });
    const retriever = retrieverOf([
      { file: "/work/project/stats.py", line: 8, text: "    total = sum(items)", score: 0.9, scope: "workspace" },
      { file: context.hunk.file, line: 1, text: "    total = 0", score: 1, scope: "same-file" },
    ]);
    const candidates = await generate(context, retriever);
    expect(retriever.queries).toEqual(["total = 0"]);
    const donor = candidates.find((c) => c.text === "    total = sum(values)");
    expect(donor?.generator).toBe("donor");
    expect(donor?.description).toContain("items -> values");
  });

  it("ranks a mutation that a donor line spells out above its equal sibling, by the donor's similarity", async () => {
    const source = "def f(a, b):\n    return a - b\n";
    const context = await hunkContext("python", source, { first: "return a - b" });
    const plain = await generate(context);
    const backed = await generate(
      context,
      retrieverOf([{ file: "/work/project/ops.py", line: 3, text: "  return a - a", score: 0.8, scope: "workspace" }]),
    );
    const sibling = (list: Candidate[]): Candidate | undefined => list.find((c) => c.text === "    return b - b");
    const spelled = (list: Candidate[]): Candidate | undefined => list.find((c) => c.text === "    return a - a");
    // Without the donor the two identifier edits tie, and the engine's own order puts `b - b` first.
    expect(spelled(plain)?.score, showCandidates(plain, 8)).toBe(sibling(plain)?.score);
    expect(plain.indexOf(sibling(plain)!)).toBeLessThan(plain.indexOf(spelled(plain)!));
    expect(spelled(backed)?.editKind).toBe("identifier");
    expect(spelled(backed)?.score).toBeCloseTo(withDonorSupport(spelled(plain)!.score, 0.8), 10);
    expect(backed.indexOf(spelled(backed)!), showCandidates(backed, 8)).toBeLessThan(backed.indexOf(sibling(backed)!));
    // Candidates no donor spells out keep their scores.
    expect(sibling(backed)?.score).toBe(sibling(plain)?.score);
  });

  it("survives a retriever that fails or hangs", async () => {
    const source = "def f(a, b):\n    return a - b\n";
    const context = await hunkContext("python", source, { first: "return a - b" });
    const failing = retrieverOf(() => Promise.reject(new Error("index is being rebuilt")));
    expect((await generate(context, failing)).map((c) => c.text)).toContain("    return a + b");
    const hanging = retrieverOf(() => new Promise<RetrievedLine[]>(() => {}));
    const started = Date.now();
    expect((await generate(context, hanging)).map((c) => c.text)).toContain("    return a + b");
    expect(Date.now() - started).toBeLessThan(DONOR_TIMEOUT_MS + 1_000);
  });

  it("returns nothing for a cancelled task", async () => {
    const context = await hunkContext("python", "def f(a):\n    return a\n", { first: "return a" });
    const controller = new AbortController();
    controller.abort();
    const candidates = await generateCandidates(context, NO_EVIDENCE, {
      config: BUILTIN,
      logger: silentLogger,
      progress: silentProgress,
      signal: controller.signal,
    });
    expect(candidates).toEqual([]);
  });

  it("honours repair.candidatesPerHunk", async () => {
    const source = "def f(a, b, c, d):\n    return a * b + c - d / 2 if a < b and c > d else a + 1\n";
    const context = await hunkContext("python", source, { first: "return a * b" });
    const candidates = await generate(context, undefined, { ...BUILTIN, "repair.candidatesPerHunk": 7 });
    expect(candidates).toHaveLength(7);
  });
});
