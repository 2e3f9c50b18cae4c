// Nothing warm may ever produce a false repair: a warm verdict is judged again by a cold run before it is reported,
// and the cold verdict wins. The warm pool here lies on purpose: it runs every candidate's tests against a copy of
// the workspace that holds the real fix (stale state, as a leaky warm process could have).
import { beforeEach, expect, test } from "vitest";
import { defaultConfig } from "../../server/core/config-schema.js";
import { fixAllFailing, type RepairEnvironment } from "../../server/pipeline/repair.js";
import { coldExecutor, type TestExecutor } from "../../server/pipeline/runners/run-tests.js";
import type { WarmPool } from "../../server/pipeline/runners/warm/warm-pool.js";
import { silentLogger, silentProgress, type Candidate } from "../../server/core/types.js";
import { writeFiles } from "../support/workspace-copy.js";
import { tempDir } from "../support/temp.js";

const BUGGY = "def double(x):\n    return x + x + 1\n";
const FIXED = "def double(x):\n    return x + x\n";
const TESTS =
  "from calc import double\n\n\ndef test_double():\n    assert double(2) == 4\n\n\ndef test_zero():\n    assert double(0) == 0\n";

let root: string;
let fixedCopy: string;
beforeEach(() => {
  root = tempDir("repair-cold-");
  fixedCopy = tempDir("repair-cold-fixed-");
  writeFiles(root, { "calc.py": BUGGY, "test_calc.py": TESTS });
  writeFiles(fixedCopy, { "calc.py": FIXED, "test_calc.py": TESTS });
});

function warmPool(executor: TestExecutor): WarmPool {
  const fake = {
    executorFor: () => executor,
    prestart: () => undefined,
    close: () => Promise.resolve(),
    stats: { warmRuns: 0, coldRuns: 0, serversStarted: 0 },
  };
  return fake as unknown as WarmPool;
}

function env(candidates: Candidate[], executor: TestExecutor): RepairEnvironment {
  return {
    root,
    config: { ...defaultConfig(), "test.allowRun": "always", "repair.workers": 1, "repair.maxValidations": 10 },
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
    generate: (context) => Promise.resolve(context.buggyText.includes("x + x + 1") ? candidates : []),
    warm: () => warmPool(executor),
  };
}

const candidate = (text: string, description: string): Candidate => ({
  text,
  score: 1,
  generator: "template",
  editKind: "operator",
  description,
});

test("a lying warm verdict is overruled by the cold confirmation: nothing is reported", async () => {
  const lying: TestExecutor = (invocation, options) => coldExecutor(invocation, { ...options, cwd: fixedCopy });
  const report = await fixAllFailing(env([candidate("    return x + x + 2", "`1` -> `2`")], lying));
  expect(report.patches).toEqual([]);
  expect(report.status).toBe("unfixed");
  expect(report.notes).toContain("validation: cold runs overruled 1 warm verdict (the cold verdict is reported)");
});

test("a truthful warm verdict is confirmed and reported", async () => {
  const report = await fixAllFailing(env([candidate("    return x + x", "drop `+ 1`")], coldExecutor));
  expect(report.status).toBe("fixed");
  expect(report.patches.map((p) => p.description)).toEqual(["drop `+ 1`"]);
  expect(report.notes.some((n) => n.startsWith("validation: cold runs overruled"))).toBe(false);
});
