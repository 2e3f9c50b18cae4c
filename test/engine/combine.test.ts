// The combination phases with hand-made candidate lists and a scripted evaluator that plays the test suite.
import { describe, expect, test } from "vitest";
import { bestFirstCombinations, bestFirstPhase } from "../../server/pipeline/combine/best-first.js";
import { greedyPhase } from "../../server/pipeline/combine/greedy.js";
import { applyPatch, type Evaluator, type HunkCandidates, type Patch } from "../../server/pipeline/combine/patch.js";
import { oracleFailing, type CandidateOutcome } from "../../server/pipeline/report.js";
import { sameTextGroups, sameTextPatches, sameTextPhase } from "../../server/pipeline/combine/same-text.js";
import { interleaved, lazySingleHunkPhase, singleHunkPhase } from "../../server/pipeline/combine/single-hunk.js";
import { multiHunkPool } from "../../server/pipeline/search.js";
import type { Candidate, Hunk } from "../../server/core/types.js";
import { withDonorSupport } from "../../server/pipeline/generate/template/edits.js";

const hunkA: Hunk = { file: "/w/a.py", startLine: 3, endLine: 4 };
const hunkB: Hunk = { file: "/w/b.py", startLine: 7, endLine: 8 };
const hunkC: Hunk = { file: "/w/a.py", startLine: 10, endLine: 11 };

function candidate(text: string, score: number): Candidate {
  return { text, score, generator: "template", editKind: "operator", description: text };
}

function list(hunk: Hunk, texts: string[]): HunkCandidates {
  return { hunk, candidates: texts.map((t, i) => candidate(t, 1 - i * 0.1)) };
}

/** Which text each hunk got, e.g. "a.py:3=x+1 b.py:7=y". */
function describe_(patch: Patch): string {
  return patch
    .map((p) => `${p.hunk.file.slice(3)}:${p.hunk.startLine}=${p.candidate.text}`)
    .sort()
    .join(" ");
}

/**
 * A fake test suite: `script` maps a patch description to its failing count; anything unscripted leaves the
 * baseline count. Records every evaluated patch and stops after `budget` evaluations.
 */
class ScriptedEvaluator implements Evaluator {
  readonly evaluated: string[] = [];
  constructor(
    readonly baselineFailing: number,
    private readonly script: Record<string, number>,
    private readonly budget = 1000,
    readonly concurrency = 1,
  ) {}
  evaluate(patch: Patch): Promise<CandidateOutcome | undefined> {
    if (this.done()) return Promise.resolve(undefined);
    const key = describe_(patch);
    this.evaluated.push(key);
    const failing = this.script[key] ?? this.baselineFailing;
    return Promise.resolve(
      failing === 0 ? { kind: "plausible" } : { kind: "failing-tests", count: failing, regressions: 0 },
    );
  }
  done(): boolean {
    return this.evaluated.length >= this.budget;
  }
}

describe("single-hunk phase", () => {
  test("equally suspicious hunks are merged by candidate score, ties to the earlier hunk", () => {
    const order = [...interleaved([list(hunkA, ["a0", "a1", "a2"]), list(hunkB, ["b0", "b1"])], [0.8, 0.8])].map(
      describe_,
    );
    expect(order).toEqual(["a.py:3=a0", "b.py:7=b0", "a.py:3=a1", "b.py:7=b1", "a.py:3=a2"]);
  });

  test("a more suspicious hunk's strong candidate comes before a weaker hunk's, whose best beat the long tail", () => {
    // Priorities: a0 1 x 0.9, b0 0.5 x 0.9, b1 0.5 x 0.8, a1 1 x 0.3.
    const a = { hunk: hunkA, candidates: [candidate("a0", 0.9), candidate("a1", 0.3)] };
    const b = { hunk: hunkB, candidates: [candidate("b0", 0.9), candidate("b1", 0.8)] };
    expect([...interleaved([a, b], [1, 0.5])].map(describe_)).toEqual([
      "a.py:3=a0",
      "b.py:7=b0",
      "b.py:7=b1",
      "a.py:3=a1",
    ]);
    // The same lists with the hunks' suspiciousness swapped: b's candidates lead.
    expect([...interleaved([a, b], [0.5, 1])].map(describe_)).toEqual([
      "b.py:7=b0",
      "b.py:7=b1",
      "a.py:3=a0",
      "a.py:3=a1",
    ]);
  });

  test("a donor-backed candidate goes before an equal one without a donor", () => {
    // Equal family prior (0.6) and equally suspicious hunks; the donor-backed edit's score carries the retrieved
    // line's similarity (edits.ts withDonorSupport).
    const plain = { hunk: hunkA, candidates: [candidate("x", 0.6)] };
    const backed = { hunk: hunkB, candidates: [candidate("x", withDonorSupport(0.6, 0.7))] };
    expect([...interleaved([plain, backed], [1, 1])].map(describe_)).toEqual(["b.py:7=x", "a.py:3=x"]);
  });

  test("unusable suspiciousness counts every hunk alike, and an unusable score sorts last", () => {
    const a = { hunk: hunkA, candidates: [candidate("a0", 0.9), candidate("nan", Number.NaN)] };
    const b = list(hunkB, ["b0"]);
    expect([...interleaved([a, b], [Number.NaN, 1])].map(describe_)).toEqual(["b.py:7=b0", "a.py:3=a0", "a.py:3=nan"]);
  });

  test("lists are generated lazily, when no candidate at hand can outrank the hunk, in the same order", async () => {
    const lists = [list(hunkA, ["a0", "a1", "a2", "a3"]), list(hunkB, ["b0", "b1"]), list(hunkC, ["c0"])];
    const suspiciousness = [1, 0.85, 0.5];
    const asked: string[] = [];
    const evaluator = new ScriptedEvaluator(1, {});
    const original = evaluator.evaluate.bind(evaluator);
    evaluator.evaluate = (patch) => {
      asked.push(`eval ${describe_(patch)}`);
      return original(patch);
    };
    await lazySingleHunkPhase(
      suspiciousness,
      (i) => {
        asked.push(`list ${i}`);
        return Promise.resolve(lists[i]);
      },
      evaluator,
    );
    expect(evaluator.evaluated).toEqual([...interleaved(lists, suspiciousness)].map(describe_));
    // Hunk b (weight 0.85) could beat a1 (0.9) only after a0 (1) and a1 have gone; hunk c (0.5) only after a3.
    expect(asked.slice(0, 4)).toEqual(["list 0", "eval a.py:3=a0", "eval a.py:3=a1", "list 1"]);
    expect(asked.indexOf("list 2")).toBeGreaterThan(asked.indexOf("eval a.py:3=a3"));
  });

  test("finds the fix in the second hunk before the first hunk's long tail", async () => {
    const a = list(hunkA, ["a0", "a1", "a2", "a3", "a4", "a5"]);
    const b = list(hunkB, ["b0", "fix"]);
    const evaluator = new ScriptedEvaluator(2, { "b.py:7=fix": 0 });
    const results = await singleHunkPhase([a, b], [1, 1], evaluator);
    const plausible = results.filter((r) => r.outcome.kind === "plausible").map((r) => describe_(r.patch));
    expect(plausible).toEqual(["b.py:7=fix"]);
    expect(evaluator.evaluated.indexOf("b.py:7=fix")).toBeLessThan(evaluator.evaluated.indexOf("a.py:3=a5"));
  });
});

describe("phase 1: the same text everywhere", () => {
  test("texts present in every list, ranked by summed rank, each hunk keeping its own indentation", () => {
    const a = list(hunkA, ["x - 1", "  x + 1", "y"]);
    const b = list(hunkB, ["x + 1", "z", "x - 1"]);
    const patches = sameTextPatches([a, b]).map(describe_);
    // "x + 1": ranks 1 + 0 = 1; "x - 1": ranks 0 + 2 = 2.
    expect(patches).toEqual(["a.py:3=  x + 1 b.py:7=x + 1", "a.py:3=x - 1 b.py:7=x - 1"]);
  });

  test("finds a repeated bug that no single edit fixes", async () => {
    const a = list(hunkA, ["n - 1", "n + 1"]);
    const b = list(hunkB, ["n * 2", "n + 1"]);
    const evaluator = new ScriptedEvaluator(3, { "a.py:3=n + 1 b.py:7=n + 1": 0 });
    expect(
      (await singleHunkPhase([a, b], [1, 1], new ScriptedEvaluator(3, {}))).every(
        (r) => oracleFailing(r.outcome) === 3,
      ),
    ).toBe(true);
    const results = await sameTextPhase(sameTextGroups([a, b], ["n", "n"], 4), evaluator);
    expect(results.find((r) => r.outcome.kind === "plausible")).toBeDefined();
    expect(evaluator.evaluated[0]).toBe("a.py:3=n + 1 b.py:7=n + 1");
  });

  test("groups hunks with the same buggy code, plus the top hunks together", () => {
    const lists = [list(hunkA, ["p"]), list(hunkB, ["p"]), list(hunkC, ["p"])];
    const groups = sameTextGroups(lists, ["i <= n", "j < m", "i  <=  n"], 4).map((g) => g.map((l) => l.hunk.startLine));
    expect(groups).toEqual([
      [3, 10],
      [3, 7, 10],
    ]);
  });
});

describe("phase 2: greedy by failing-test count", () => {
  test("accepts hunk by hunk while the failing count drops, reaching a plausible patch", async () => {
    const a = list(hunkA, ["a0", "fixA"]);
    const b = list(hunkB, ["b0", "fixB"]);
    const evaluator = new ScriptedEvaluator(2, {
      "a.py:3=fixA": 1,
      "a.py:3=fixA b.py:7=fixB": 0,
    });
    const result = await greedyPhase([a, b], evaluator);
    expect(result.failing).toBe(0);
    expect(describe_(result.accepted)).toBe("a.py:3=fixA b.py:7=fixB");
    // The first hunk's candidates alone, then the second hunk's on top of the accepted fixA.
    expect(evaluator.evaluated).toEqual([
      "a.py:3=a0",
      "a.py:3=fixA",
      "a.py:3=fixA b.py:7=b0",
      "a.py:3=fixA b.py:7=fixB",
    ]);
  });

  test("a compile error (infinite failures) is never accepted", async () => {
    const evaluator: Evaluator = {
      baselineFailing: 2,
      concurrency: 1,
      done: () => false,
      evaluate: (patch) =>
        Promise.resolve(
          patch[0]!.candidate.text === "broken"
            ? { kind: "compile-error", message: "does not build" }
            : { kind: "failing-tests", count: 2, regressions: 0 },
        ),
    };
    const result = await greedyPhase([list(hunkA, ["broken"])], evaluator);
    expect(result.accepted).toEqual([]);
    expect(result.failing).toBe(2);
  });
});

describe("phase 3: best-first over combinations", () => {
  test("enumerates combinations by non-increasing summed score, without duplicates", () => {
    const a = list(hunkA, ["a0", "a1", "a2"]);
    const b = list(hunkB, ["b0", "b1", "b2"]);
    const c = list(hunkC, ["c0", "c1"]);
    const combos = [...bestFirstCombinations([a, b, c], { maxHunks: 3, maxPatches: 100 })];
    const scores = combos.map((p) => p.reduce((s, part) => s + part.candidate.score, 0));
    for (let i = 1; i < scores.length; i++) expect(scores[i]!).toBeLessThanOrEqual(scores[i - 1]! + 1e-9);
    expect(new Set(combos.map(describe_)).size).toBe(combos.length);
    // Pairs: 3*3 + 3*2 + 3*2 = 21; triples: 3*3*2 = 18.
    expect(combos).toHaveLength(39);
  });

  test("finds an interdependent pair that neither earlier phase finds", async () => {
    // Each fix alone changes nothing (or breaks more); only the pair passes. The texts differ, so the same-text
    // phase has nothing to offer, and greedy never accepts a single edit.
    const a = list(hunkA, ["a0", "a1", "start = len - n"]);
    const b = list(hunkB, ["b0", "i < n", "b2"]);
    const script = { "a.py:3=start = len - n b.py:7=i < n": 0, "a.py:3=start = len - n": 3 };

    const sameText = new ScriptedEvaluator(3, script);
    expect(await sameTextPhase(sameTextGroups([a, b], ["x", "y"], 4), sameText)).toEqual([]);

    const greedy = await greedyPhase([a, b], new ScriptedEvaluator(3, script));
    expect(greedy.failing).toBe(3);

    const evaluator = new ScriptedEvaluator(3, script);
    const results = await bestFirstPhase([a, b], evaluator, { maxHunks: 2, maxPatches: 50 });
    const plausible = results.filter((r) => r.outcome.kind === "plausible").map((r) => describe_(r.patch));
    expect(plausible).toEqual(["a.py:3=start = len - n b.py:7=i < n"]);
  });

  test("respects the evaluation budget", async () => {
    const a = list(hunkA, ["a0", "a1", "a2", "a3"]);
    const b = list(hunkB, ["b0", "b1", "b2", "b3"]);
    const evaluator = new ScriptedEvaluator(1, {}, 5, 2);
    await bestFirstPhase([a, b], evaluator, { maxHunks: 2, maxPatches: 100 });
    expect(evaluator.evaluated).toHaveLength(5);
  });

  test("never combines overlapping hunks", () => {
    const overlapping: Hunk = { file: "/w/a.py", startLine: 3, endLine: 5 };
    const combos = [
      ...bestFirstCombinations([list(hunkA, ["x"]), list(overlapping, ["y"])], { maxHunks: 2, maxPatches: 10 }),
    ];
    expect(combos).toEqual([]);
  });
});

describe("applying patches", () => {
  test("several hunks in several files, bottom-up, keeping line endings and the last line's terminator", () => {
    const texts = new Map([
      ["/w/a.py", "l0\r\nl1\r\nl2\r\nl3\r\nl4"],
      ["/w/b.py", "m0\nm1\n"],
    ]);
    const patch: Patch = [
      { hunk: { file: "/w/a.py", startLine: 1, endLine: 2 }, candidate: candidate("L1\nL1b", 1) },
      { hunk: { file: "/w/a.py", startLine: 4, endLine: 5 }, candidate: candidate("L4", 1) },
      { hunk: { file: "/w/b.py", startLine: 0, endLine: 1 }, candidate: candidate("", 1) },
      { hunk: { file: "/w/b.py", startLine: 2, endLine: 2 }, candidate: candidate("m2", 1) },
    ];
    const out = applyPatch(patch, texts);
    expect(out.get("/w/a.py")).toBe("l0\r\nL1\r\nL1b\r\nl2\r\nl3\r\nL4");
    expect(out.get("/w/b.py")).toBe("m1\nm2\n");
  });

  test("overlapping hunks are refused", () => {
    const patch: Patch = [
      { hunk: { file: "/w/a.py", startLine: 1, endLine: 3 }, candidate: candidate("x", 1) },
      { hunk: { file: "/w/a.py", startLine: 2, endLine: 4 }, candidate: candidate("y", 1) },
    ];
    expect(() => applyPatch(patch, new Map([["/w/a.py", "a\nb\nc\nd\n"]]))).toThrow(/overlapping/);
  });
});

describe("the multi-hunk pool", () => {
  test("hunks where one edit already lowered the failing count come first, that edit first", () => {
    const a = list(hunkA, ["a0", "a1"]);
    const b = list(hunkB, ["b0", "b1", "b2"]);
    const c = list(hunkC, ["c0"]);
    const singles = [
      {
        patch: [{ hunk: hunkA, candidate: a.candidates[0]! }],
        outcome: { kind: "failing-tests" as const, count: 2, regressions: 0 },
      },
      {
        patch: [{ hunk: hunkB, candidate: b.candidates[2]! }],
        outcome: { kind: "failing-tests" as const, count: 1, regressions: 0 },
      },
    ];
    const { pool, poolTexts } = multiHunkPool([a, b, c], singles, 2, new Map([[b, "text of b"]]));
    expect(pool.map((l) => l.hunk)).toEqual([hunkB, hunkA, hunkC]);
    expect(pool[0]!.candidates.map((x) => x.text)).toEqual(["b2", "b0", "b1"]);
    expect(poolTexts).toEqual(["text of b", "", ""]);
  });
});
