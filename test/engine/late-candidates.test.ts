// Issue 12, defect 5: validation never waits on a model. Template candidates are validated at once; a model's
// candidates arrive later (onLateCandidates) and are validated when they come.
import { beforeEach, expect, test } from "vitest";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import type { CandidateSource } from "../../server/pipeline/candidates.js";
import { fixAllFailing, type RepairEnvironment } from "../../server/pipeline/repair.js";
import { silentLogger, silentProgress, type Candidate } from "../../server/core/types.js";
import { writeFiles } from "../support/workspace-copy.js";
import { tempDir } from "../support/temp.js";

let root: string;
beforeEach(() => {
  root = tempDir("repair-late-");
  writeFiles(root, {
    "calc.py":
      "def clamp(x, lo, hi):\n    if x < lo:\n        return lo\n    if x > hi:\n        return lo\n    return x\n",
    "test_calc.py": "from calc import clamp\n\n\ndef test_above():\n    assert clamp(12, 0, 10) == 10\n",
  });
});

const FIX: Candidate = {
  text: "        return hi",
  score: 0.9,
  generator: "ollama-fim",
  editKind: "model",
  description: "model fix",
};
const WRONG: Candidate = {
  text: "        return x",
  score: 0.5,
  generator: "template",
  editKind: "operator",
  description: "wrong",
};

function env(generate: CandidateSource, config: Partial<Config> = {}): RepairEnvironment {
  return {
    root,
    config: { ...defaultConfig(), "test.allowRun": "always", "repair.workers": 1, ...config },
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
    generate,
  };
}

test("validates a model's candidates that arrive after the hunk's template candidates", async () => {
  const generate: CandidateSource = (context, _evidence, options) => {
    if (context.buggyText.trim() !== "return lo") return Promise.resolve([]);
    options.onLateCandidates?.(new Promise((resolve) => setTimeout(() => resolve([FIX]), 300)));
    return Promise.resolve([WRONG]);
  };
  const report = await fixAllFailing(env(generate));
  expect(report.status).toBe("fixed");
  expect(report.patches[0]!.description).toBe("model fix");
});

test("finds a template fix without waiting for a model that has not answered", async () => {
  let release = (): void => {};
  const never = new Promise<Candidate[]>((resolve) => (release = () => resolve([])));
  const template: Candidate = { ...FIX, generator: "template", editKind: "operator", description: "template fix" };
  const generate: CandidateSource = (context, _evidence, options) => {
    if (context.buggyText.trim() !== "return lo") return Promise.resolve([]);
    // The model is still thinking when the search ends: had the search waited for it, this test would hang.
    options.onLateCandidates?.(never);
    return Promise.resolve([template]);
  };
  try {
    const report = await fixAllFailing(env(generate, { "repair.stopAfterPlausible": 1 }));
    expect(report.status).toBe("fixed");
    expect(report.patches[0]!.description).toBe("template fix");
  } finally {
    release();
  }
});
