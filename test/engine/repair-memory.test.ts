// Issue 14, repair memory without a model: small fix commits mined from the workspace's git history become edit
// templates (abstracted over names and literals) that repair a later bug of the same shape, with real git commits
// and real pytest runs.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, expect, test } from "vitest";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import { generateCandidates, resetOllamaState, resetRepairMemory } from "../../server/pipeline/generate/index.js";
import { applyTemplate, templateOf } from "../../server/pipeline/memory/edit-template.js";
import { mineFixCommits } from "../../server/pipeline/memory/git-history.js";
import { memoryCandidates } from "../../server/pipeline/memory/memory-source.js";
import { loadExamples, memoryFolder, rememberAppliedRepair } from "../../server/pipeline/memory/memory-store.js";
import { fixAllFailing } from "../../server/pipeline/repair.js";
import { silentLogger, silentProgress } from "../../server/core/types.js";
import { CHAT_MODEL, startOllamaTestServer } from "../support/ollama-test-server.js";
import { writeFiles } from "../support/workspace-copy.js";
import { tempDir } from "../support/temp.js";

let root: string;
beforeEach(() => {
  root = tempDir("repair-memory-");
  resetRepairMemory();
});

function commit(message: string, files: Record<string, string>): void {
  writeFiles(root, files);
  const git = (...args: string[]): void => {
    execFileSync("git", ["-c", "user.name=Dev", "-c", "user.email=dev@example.com", ...args], {
      cwd: root,
      stdio: "ignore",
    });
  };
  git("add", "-A");
  git("commit", "-q", "-m", message);
}

/** A history with a fixed bound check, then a new function with the same bug (a bug the tests catch). */
function historyWithFix(): void {
  execFileSync("git", ["init", "-q"], { cwd: root });
  commit("Add the lookup helper", {
    "lookup.py": "def first_at(xs, i):\n    if i <= len(xs):\n        return xs[i]\n    return None\n",
    "test_lookup.py": "from lookup import first_at\n\n\ndef test_first_at():\n    assert first_at([4], 0) == 4\n",
  });
  commit("Fix the bound check of first_at", {
    "lookup.py": "def first_at(xs, i):\n    if i < len(xs):\n        return xs[i]\n    return None\n",
  });
  // The new bug's line does not index (a bounds check before an index would repair it at once without history).
  commit("Add a check of tail positions", {
    "tail.py":
      "def fits(items, k):\n    total = 0\n    for item in items:\n        total = total + 1\n    if k <= len(items):\n        return True\n    return False\n",
    "test_tail.py":
      "from tail import fits\n\n\ndef test_inside():\n    assert fits([1, 2], 1)\n\n\ndef test_outside():\n    assert not fits([1, 2], 2)\n",
  });
}

test("an edit is abstracted over names and applied where the shape matches", () => {
  const template = templateOf({
    buggy: ["    if i <= len(xs):"],
    fixed: ["    if i < len(xs):"],
    language: "python",
    source: "history abc: fix",
  })!;
  expect(applyTemplate(template, "        while k <= len(items):")).toEqual(["        while k < len(items):"]);
  expect(applyTemplate(template, "    if k <= limit:")).toEqual([]);
  const insertion = templateOf({
    buggy: ["    v = table.get(key)"],
    fixed: ["    v = table.get(key, 0)"],
    language: "python",
    source: "history def: fix",
  })!;
  expect(applyTemplate(insertion, "  n = counts.get(word)")).toEqual(["  n = counts.get(word, 0)"]);
  // A rename has no shape to match: no template.
  expect(templateOf({ buggy: ["x = a"], fixed: ["x = b"], language: "python", source: "s" })).toBeUndefined();
});

test("history mining keeps small fix commits of source files, newest first, within the commit bound", async () => {
  historyWithFix();
  const examples = await mineFixCommits(root, 100);
  expect(examples.map((e) => [e.buggy, e.fixed])).toEqual([[["    if i <= len(xs):"], ["    if i < len(xs):"]]]);
  expect(examples[0]!.source).toMatch(/^history [0-9a-f]+: Fix the bound check of first_at$/);
  expect(await mineFixCommits(root, 1)).toEqual([]);
  expect(await mineFixCommits(tmpdir(), 100)).toEqual([]);
});

async function validationsFor(
  settings: Partial<Config>,
): Promise<{ status: string; validations: number; generators: string[] }> {
  resetRepairMemory();
  const report = await fixAllFailing({
    root,
    config: {
      ...defaultConfig(),
      engine: "builtin",
      "test.allowRun": "always",
      "repair.workers": 1,
      "index.enabled": false,
      ...settings,
    },
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
  });
  return {
    status: report.status,
    validations: report.validations,
    generators: [...(report.patches[0]?.generators ?? [])],
  };
}

test("a later bug of the same shape is repaired from history with fewer validations than without", async () => {
  historyWithFix();
  const withHistory = await validationsFor({ "memory.gitHistory": true });
  const without = await validationsFor({ "memory.gitHistory": false });
  console.log(`repair memory: ${withHistory.validations} validations with the history, ${without.validations} without`);
  expect(withHistory.status).toBe("fixed");
  expect(withHistory.generators).toContain("memory");
  expect(without.generators).not.toContain("memory");
  expect(withHistory.validations).toBeLessThan(without.validations);
}, 400_000);

test("applied repairs are stored in the workspace's LanceDB memory and become candidates for a bug of the same shape", async () => {
  const indexPath = defaultConfig()["index.path"];
  const problem = await rememberAppliedRepair(
    root,
    indexPath,
    [
      { file: join(root, "a.py"), oldText: "    if i <= len(xs):\n", newText: "    if i < len(xs):\n" },
      { file: join(root, "b.py"), oldText: "    total = total - x\n", newText: "    total = total + x\n" },
    ],
    "`<=` -> `<`",
    ["test_a.py::test_bound"],
  );
  expect(problem).toBeUndefined();
  const folder = memoryFolder(root, indexPath);
  expect(folder).toBe(join(root, ".repair-ls", "memory"));
  const similar = await loadExamples(folder, "python", "    while j <= len(ys):");
  expect(similar.map((e) => e.fixed)).toEqual([["    if i < len(xs):"], ["    total = total + x"]]);
  expect(similar[0]!.tests).toBe("test_a.py::test_bound");
  expect(await loadExamples(folder, "java")).toEqual([]);

  const fileText = "def last(ys, j):\n    while j <= len(ys):\n        j -= 1\n    return ys[j]\n";
  const candidates = await memoryCandidates(
    {
      hunk: { file: join(root, "sub", "c.py"), startLine: 1, endLine: 2 },
      language: "python",
      fileText,
      buggyText: "    while j <= len(ys):",
      enclosingFunction: undefined,
      retrieved: [],
    },
    {
      config: { ...defaultConfig(), "memory.gitHistory": false },
      logger: silentLogger,
      progress: silentProgress,
      signal: new AbortController().signal,
    },
  );
  expect(candidates.map((c) => [c.text, c.generator])).toEqual([["    while j < len(ys):", "memory"]]);
  expect(candidates[0]!.description).toContain("applied repair");
}, 120_000);

test("with a model, the most similar fixes of the history are few-shot examples in the chat prompt", async () => {
  historyWithFix();
  resetOllamaState();
  const prompts: string[] = [];
  const server = await startOllamaTestServer({
    chat: (body) => {
      const messages = body.messages as Array<{ role: string; content: string }>;
      prompts.push(messages.at(-1)!.content);
      return "```python\n    if k < len(items):\n```";
    },
  });
  try {
    const file = join(root, "tail.py");
    const fileText = readFileSync(file, "utf8");
    const candidates = await generateCandidates(
      {
        hunk: { file, startLine: 4, endLine: 5 },
        language: "python",
        fileText,
        buggyText: "    if k <= len(items):",
        enclosingFunction: undefined,
        retrieved: [],
      },
      { failingTests: [], diagnostics: [] },
      {
        config: {
          ...defaultConfig(),
          engine: "ollama",
          "ollama.host": server.url,
          "ollama.model": CHAT_MODEL.name,
          "ollama.samples": 0,
        },
        logger: silentLogger,
        progress: silentProgress,
        signal: new AbortController().signal,
      },
    );
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toContain("Fixes made earlier in this project");
    expect(prompts[0]).toContain("-    if i <= len(xs):\n+    if i < len(xs):");
    expect(candidates.some((c) => c.text === "    if k < len(items):")).toBe(true);
  } finally {
    await server.close();
  }
}, 60_000);
