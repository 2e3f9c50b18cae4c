// Independent failing tests as independent tasks (server/pipeline/task/group-step.ts): two bugs in two files, each
// repaired with its own failing test as the oracle, then the two patches validated together. Real pytest runs,
// scripted candidates.
import { join } from "node:path";
import { beforeEach, expect, test } from "vitest";
import { defaultConfig } from "../../server/core/config-schema.js";
import type { Candidate } from "../../server/core/types.js";
import { silentLogger, silentProgress } from "../../server/core/types.js";
import type { CandidateSource } from "../../server/pipeline/candidates.js";
import { fixAllFailing, repairHunks, type RepairEnvironment } from "../../server/pipeline/repair.js";
import { tempDir } from "../support/temp.js";
import { writeFiles } from "../support/workspace-copy.js";

let root: string;
beforeEach(() => {
  root = tempDir("repair-groups-");
  writeFiles(root, {
    "lib/__init__.py": "",
    "lib/a.py": "def inc(x):\n    return x + 2\n",
    "lib/b.py": "def dec(x):\n    return x - 2\n",
    "test_a.py": "from lib.a import inc\n\n\ndef test_inc():\n    assert inc(1) == 2\n",
    "test_b.py": "from lib.b import dec\n\n\ndef test_dec():\n    assert dec(1) == 0\n",
  });
});

function c(text: string, description: string, score: number): Candidate {
  return { text, score, generator: "template", editKind: "literal", description };
}

/** The right fix first, then wrong ones: alone, each right fix passes its own test and leaves the other failing. */
const generate: CandidateSource = (context) => {
  const [sign] = /[+-]/.exec(context.buggyText) ?? ["+"];
  return Promise.resolve(
    context.buggyText.includes("return x")
      ? [1, 3, 4, 5, 6].map((n, i) => c(`    return x ${sign} ${n}`, `\`2\` -> \`${n}\``, 1 - i / 10))
      : [],
  );
};

function env(): RepairEnvironment {
  return {
    root,
    // One worker keeps the order of validations, and so the counts compared below, deterministic.
    config: { ...defaultConfig(), "test.allowRun": "always", "repair.workers": 1, "repair.stopAfterPlausible": 1 },
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
    generate,
  };
}

test("two independent bugs are two tasks: each group's own fix is its repair, and the joint patch is validated", async () => {
  const percentages: number[] = [];
  const report = await fixAllFailing({
    ...env(),
    progress: { ...silentProgress, report: (_message, percentage) => void percentages.push(percentage ?? NaN) },
  });
  // The bar never moves back, also when the second group localises after the first one's search.
  const shown = percentages.filter((p) => !Number.isNaN(p));
  expect(shown.length).toBeGreaterThan(3);
  expect(shown).toEqual([...shown].sort((a, b) => a - b));
  expect(report.status).toBe("fixed");
  expect(report.groups?.map((g) => ({ tests: g.tests, status: g.status, best: g.best }))).toEqual(
    expect.arrayContaining([
      { tests: ["test_a.py::test_inc"], status: "fixed", best: "`2` -> `1`" },
      { tests: ["test_b.py::test_dec"], status: "fixed", best: "`2` -> `1`" },
    ]),
  );
  // Each group's own fix made its own test pass, a repair of the group: the search counted it as plausible.
  expect(report.outcomes.filter((o) => o.outcome.kind === "plausible")).toHaveLength(3);
  // The one reported repair is both fixes, validated together against both failing tests by the whole suite.
  expect(report.patches).toHaveLength(1);
  const repair = report.patches[0]!;
  expect(repair.files.map((f) => f.relativePath)).toEqual(["lib/a.py", "lib/b.py"]);
  expect(repair.verdict).toBe("repair");
  expect([...repair.fixedTests].sort()).toEqual(["test_a.py::test_inc", "test_b.py::test_dec"]);
  expect(repair.validatedTests).toEqual({ passed: 2, total: 2 });
  expect(report.unfixed).toEqual([]);
  expect(report.notes.some((n) => n.startsWith("groups: the 2 failing tests form 2 independent repair groups"))).toBe(
    true,
  );
  // The joint validation costs one run beyond the groups' own.
  expect(report.validations).toBe((report.groups ?? []).reduce((sum, g) => sum + g.validations, 0) + 1);

  // The same two hunks repaired as one task (an editor selection is one task): every single fix is then only a
  // partial patch of the whole, and the search pays for that before it combines.
  const joint = await repairHunks(env(), [
    { file: join(root, "lib/a.py"), startLine: 1, endLine: 2 },
    { file: join(root, "lib/b.py"), startLine: 1, endLine: 2 },
  ]);
  expect(joint.status).toBe("fixed");
  expect(joint.groups).toBeUndefined();
  expect(joint.outcomes.some((o) => o.outcome.kind === "failing-tests")).toBe(true);
  expect(joint.patches[0]?.diff).toBe(repair.diff);
  expect(report.validations).toBeLessThan(joint.validations);
}, 240_000);

test("a group without a repair leaves the joint patch partial, and says which group is unfixed", async () => {
  writeFiles(root, { "lib/b.py": "def dec(x):\n    return -x\n" });
  const report = await fixAllFailing(env());
  expect(report.status).toBe("partial");
  expect(report.patches).toEqual([]);
  const byTest = new Map(report.groups?.map((g) => [g.tests.join(), g.status]));
  expect(byTest.get("test_a.py::test_inc")).toBe("fixed");
  expect(byTest.get("test_b.py::test_dec")).toBe("unfixed");
  expect(report.partials[0]).toMatchObject({
    verdict: "partial",
    fixedTests: ["test_a.py::test_inc"],
    stillFailing: ["test_b.py::test_dec"],
  });
  expect(report.unfixed).toEqual(["test_a.py::test_inc", "test_b.py::test_dec"]);
}, 240_000);

test("groups tied by a passing test: neither fix alone is a repair, so all the failing tests are repaired as one", async () => {
  // dec(inc(5)) == 5 passes at baseline: each group's fix alone breaks it, and only both together keep it passing.
  writeFiles(root, {
    "test_roundtrip.py":
      "from lib.a import inc\nfrom lib.b import dec\n\n\ndef test_roundtrip():\n    assert dec(inc(5)) == 5\n",
  });
  const report = await fixAllFailing(env());
  expect(report.groups?.map((g) => g.status)).toEqual(["unfixed", "unfixed"]);
  expect(report.notes).toContain(
    "groups: the groups' patches together were no repair (a passing test may tie their code together), so all the failing tests were then repaired as one task",
  );
  expect(report.status).toBe("fixed");
  expect(report.patches[0]?.files.map((f) => f.relativePath)).toEqual(["lib/a.py", "lib/b.py"]);
  expect(report.patches[0]?.validatedTests).toEqual({ passed: 3, total: 3 });
}, 240_000);
