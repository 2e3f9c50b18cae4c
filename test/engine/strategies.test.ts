// Issue 14: the model strategies (test-feedback rounds, function-level repair, joint SEARCH/REPLACE edits), run by
// the real engine with real pytest runs against the strict Ollama-protocol test server with scripted models.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { defaultConfig, parseConfig, type Config } from "../../server/core/config-schema.js";
import { resetOllamaState } from "../../server/pipeline/generate/index.js";
import { fixAllFailing } from "../../server/pipeline/repair.js";
import type { RepairReport } from "../../server/pipeline/report.js";
import { diffLines } from "../../server/pipeline/strategies/line-edits.js";
import { filledLine, masksOf } from "../../server/pipeline/strategies/masks.js";
import { parseSearchReplace, resolveBlocks } from "../../server/pipeline/strategies/search-replace.js";
import { silentLogger, type Logger } from "../../server/core/types.js";
import {
  BASE_MODEL,
  CHAT_MODEL,
  startOllamaTestServer,
  type OllamaTestServer,
  type Responder,
} from "../support/ollama-test-server.js";
import { writeFiles } from "../support/workspace-copy.js";
import { tempDir } from "../support/temp.js";

type Messages = ReadonlyArray<{ role: string; content: string }>;

let root: string;
let server: OllamaTestServer | undefined;
beforeEach(() => {
  root = tempDir("repair-strategies-");
  resetOllamaState();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The per-hunk chat prompt marks the buggy lines; the scripted models answer it with a harmless wrong guess. */
const PER_HUNK = "BUG START";

function lastUser(messages: Messages): string {
  return [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
}

function fenced(lines: readonly string[]): string {
  return ["```python", ...lines, "```"].join("\n");
}

async function repair(
  chat: (messages: Messages) => string,
  settings: Partial<Config>,
  generate?: Responder,
): Promise<{ report: RepairReport; logs: string[]; chats: Messages[] }> {
  const chats: Messages[] = [];
  server = await startOllamaTestServer({
    chat: (body) => {
      const messages = body.messages as Messages;
      chats.push(messages);
      return chat(messages);
    },
    ...(generate ? { generate } : {}),
  });
  const logs: string[] = [];
  const logger: Logger = { ...silentLogger, info: (m) => logs.push(m) };
  const report = await fixAllFailing({
    root,
    config: {
      ...defaultConfig(),
      "test.allowRun": "always",
      "repair.workers": 1,
      "repair.maxValidations": 16,
      "repair.candidatesPerHunk": 4,
      "index.enabled": false,
      "ollama.host": server.url,
      "ollama.model": CHAT_MODEL.name,
      "ollama.samples": 0,
      // The tests about execution values turn them on; the others spare the extra run of the failing test.
      "ollama.executionValues": false,
      ...settings,
    },
    logger,
    progress: { report() {}, warn() {} },
    signal: new AbortController().signal,
  });
  return { report, logs, chats };
}

/** What each strategy spent, from its log line. */
function spending(logs: readonly string[], id: string): { calls: number; validations: number } | undefined {
  const line = logs.find((l) => l.startsWith(`strategies: ${id}:`));
  // The closing note of issue 14 reports these figures: each strategy's cost on these fixtures.
  if (line)
    console.log(`${line} (of ${logs.find((l) => l.startsWith("repair: plausible")) ? "a fixed" : "an unfixed"} task)`);
  const match = line && /(\d+) model calls, (\d+) validations/.exec(line);
  return match ? { calls: Number(match[1]), validations: Number(match[2]) } : undefined;
}

describe("SEARCH/REPLACE blocks are parsed strictly", () => {
  const files = new Map([["a.py", { file: "/w/a.py", lines: ["x = 1", "y = 2", "x = 1"] }]]);

  test("a block found exactly once becomes an edit; one found twice or not at all is rejected with its reason", () => {
    const answer = [
      "a.py",
      "<<<<<<< SEARCH",
      "y = 2",
      "=======",
      "y = 3",
      ">>>>>>> REPLACE",
      "a.py",
      "<<<<<<< SEARCH",
      "x = 1",
      "=======",
      "x = 0",
      ">>>>>>> REPLACE",
      "b.py",
      "<<<<<<< SEARCH",
      "z",
      "=======",
      "w",
      ">>>>>>> REPLACE",
      "a.py",
      "<<<<<<< SEARCH",
      "q = 9",
      "=======",
      ">>>>>>> REPLACE",
      "a.py",
      "<<<<<<< SEARCH",
      "unclosed",
    ].join("\n");
    const { edits, rejected } = resolveBlocks(parseSearchReplace(answer), files);
    expect(edits).toEqual([{ file: "/w/a.py", startLine: 1, endLine: 2, lines: ["y = 3"] }]);
    expect(rejected.map((r) => r.reason)).toEqual([
      "the SEARCH text occurs 2 times",
      '"b.py" is not one of the files shown',
      "the SEARCH text is not in the file",
    ]);
  });

  test("overlapping blocks: the second is rejected", () => {
    const answer = ["a.py", "<<<<<<< SEARCH", "y = 2", "=======", "y = 3", ">>>>>>> REPLACE"].join("\n");
    const { edits, rejected } = resolveBlocks(parseSearchReplace(answer + "\n" + answer), files);
    expect(edits).toHaveLength(1);
    expect(rejected.map((r) => r.reason)).toEqual(["the block overlaps another block"]);
  });
});

test("a rewritten function becomes one line edit per changed run of lines", () => {
  const before = ["def f(a, b):", "    s = a - b", "    t = 1", "    return s * t"];
  const after = ["def f(a, b):", "    s = a + b", "    t = 1", "    u = 2", "    return s * t * u"];
  expect(diffLines("/w/f.py", before, after, 10)).toEqual([
    { file: "/w/f.py", startLine: 11, endLine: 12, lines: ["    s = a + b"] },
    { file: "/w/f.py", startLine: 13, endLine: 14, lines: ["    u = 2", "    return s * t * u"] },
  ]);
});

test("ollama.strategies accepts the known strategies in any order and rejects others", () => {
  expect(parseConfig({ "ollama.strategies": ["joint"] }).config["ollama.strategies"]).toEqual(["joint"]);
  const bad = parseConfig({ "ollama.strategies": ["joint", "magic"] });
  expect(bad.problems.map((p) => p.key)).toEqual(["ollama.strategies"]);
  expect(bad.config["ollama.strategies"]).toEqual(defaultConfig()["ollama.strategies"]);
});

test("joint edit: SEARCH/REPLACE blocks for two files are applied together and validated as one patch", async () => {
  // Each file's bug alone changes nothing the test sees: only both edits together pass.
  writeFiles(root, {
    "units.py": "def to_cents(euros):\n    return euros * 10\n",
    "prices.py":
      "from units import to_cents\n\n\ndef total(items):\n    return sum(to_cents(i) for i in items) // 10\n",
    "test_prices.py": "from prices import total\n\n\ndef test_total():\n    assert total([1, 2]) == 300\n",
  });
  const { report, logs, chats } = await repair(
    (messages) => {
      const user = lastUser(messages);
      if (user.includes(PER_HUNK)) return fenced(["    return 0"]);
      if (!user.includes("SEARCH/REPLACE")) return "I cannot help.";
      return [
        "units.py",
        "<<<<<<< SEARCH",
        "    return euros * 10",
        "=======",
        "    return euros * 100",
        ">>>>>>> REPLACE",
        "",
        "prices.py",
        "<<<<<<< SEARCH",
        "    return sum(to_cents(i) for i in items) // 10",
        "=======",
        "    return sum(to_cents(i) for i in items)",
        ">>>>>>> REPLACE",
      ].join("\n");
    },
    { "ollama.strategies": ["joint"] },
  );
  expect(report.status).toBe("fixed");
  const patch = report.patches[0]!;
  expect(patch.generators).toContain("ollama-joint");
  expect(patch.phase).toBe("strategy");
  expect(patch.files.map((f) => f.relativePath).sort()).toEqual(["prices.py", "units.py"]);
  const prompt = chats.map(lastUser).find((u) => u.includes("SEARCH/REPLACE"))!;
  expect(prompt).toContain("units.py");
  expect(prompt).toContain("prices.py");
  expect(spending(logs, "joint")).toEqual({ calls: 1, validations: 1 });
}, 60_000);

test("function-level: a suggestion, then the whole function, validated as one multi-hunk patch", async () => {
  writeFiles(root, {
    "stats.py":
      "def mean_range(xs):\n    lo = max(xs)\n    hi = max(xs)\n    span = hi - lo\n    return (lo + hi) / 3, span\n",
    "test_stats.py":
      "from stats import mean_range\n\n\ndef test_mean_range():\n    assert mean_range([1, 3]) == (2, 2)\n",
  });
  let suggestionAsked = false;
  const { report, logs } = await repair(
    (messages) => {
      const user = lastUser(messages);
      if (user.includes(PER_HUNK)) return fenced(["    return 0"]);
      if (user.includes("Do not write code yet")) {
        suggestionAsked = true;
        return "lo must be the minimum, and the mean divides by 2.";
      }
      // The whole function, written only after the suggestion is in the conversation.
      if (user.includes("whole fixed function") && messages.some((m) => m.content.includes("lo must be the minimum")))
        return fenced([
          "def mean_range(xs):",
          "    lo = min(xs)",
          "    hi = max(xs)",
          "    span = hi - lo",
          "    return (lo + hi) / 2, span",
        ]);
      return "No.";
    },
    { "ollama.strategies": ["function"] },
  );
  expect(suggestionAsked).toBe(true);
  expect(report.status).toBe("fixed");
  const patch = report.patches[0]!;
  expect(patch.generators).toContain("ollama-function");
  expect(patch.diff).toContain("+    lo = min(xs)");
  expect(patch.diff).toContain("+    return (lo + hi) / 2, span");
  expect(spending(logs, "function")).toEqual({ calls: 2, validations: 1 });
}, 60_000);

test("feedback rounds: the model fixes the bug only once the failing test's message is in a follow-up turn", async () => {
  writeFiles(root, {
    "greet.py": 'def greet(name):\n    return "Hello " + name\n',
    "test_greet.py": 'from greet import greet\n\n\ndef test_greet():\n    assert greet("Bo") == "Hello, Bo!"\n',
  });
  const { report, logs, chats } = await repair(
    (messages) => {
      const user = lastUser(messages);
      if (user.includes(PER_HUNK)) return fenced(['    return "Hi " + name']);
      // Only the follow-up turn carries the expected value of the failing assertion.
      if (user.includes("not correct yet") && user.includes("Hello, Bo!"))
        return fenced(["def greet(name):", '    return "Hello, " + name + "!"']);
      return fenced(["def greet(name):", '    return "Hey " + name']);
    },
    { "ollama.strategies": ["feedback"], "repair.stopAfterPlausible": 1 },
  );
  expect(report.status).toBe("fixed");
  expect(report.patches[0]!.generators).toContain("ollama-feedback");
  const followUps = chats.filter((m) => lastUser(m).includes("not correct yet"));
  expect(followUps.length).toBeGreaterThan(0);
  // The follow-up shows a tried candidate as the model's own turn, and that candidate's diff.
  const first = followUps[0]!;
  expect(first.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
  expect(lastUser(first)).toMatch(/^- {4}return "Hello " \+ name$/m);
  expect(lastUser(first)).toContain("test_greet");
  const spent = spending(logs, "feedback")!;
  expect(spent.calls).toBeGreaterThanOrEqual(1);
  expect(spent.validations).toBeGreaterThanOrEqual(1);
}, 60_000);

test("with the built-in engine only, no strategy asks a model", async () => {
  writeFiles(root, {
    "greet.py": 'def greet(name):\n    return "Hello " + name\n',
    "test_greet.py": 'from greet import greet\n\n\ndef test_greet():\n    assert greet("Bo") == "Hello, Bo!"\n',
  });
  const { chats, logs } = await repair(() => "```python\n```", { engine: "builtin" });
  expect(chats).toEqual([]);
  expect(logs.filter((l) => l.startsWith("strategies: "))).toEqual([]);
}, 60_000);

test("masks: conditions, return values and assigned values become holes; a fill that repeats the rest is trimmed", () => {
  expect(masksOf("    if x <= limit:").map((m) => [m.kind, m.masked])).toEqual([["condition", "x <= limit"]]);
  expect(masksOf("  } else if (i < n) {").map((m) => m.masked)).toEqual(["i < n"]);
  expect(masksOf("    return a - b;").map((m) => [m.kind, m.masked, m.after])).toEqual([
    ["return value", "a - b", ";"],
  ]);
  expect(masksOf("    total += x * 2").map((m) => m.masked)).toEqual(["x * 2"]);
  expect(masksOf("    if a == b:")[0]!.masked).toBe("a == b");
  expect(masksOf("    pass")).toEqual([]);
  const [mask] = masksOf("    if x <= limit:");
  expect(filledLine(mask!, "x < limit:")).toBe("    if x < limit:");
  expect(filledLine(mask!, "")).toBeUndefined();
});

const GREET = {
  "greet.py": 'def greet(name):\n    return "Hello " + name\n',
  "test_greet.py": 'from greet import greet\n\n\ndef test_greet():\n    assert greet("Bo") == "Hello, Bo!"\n',
};

test("mask filling through raw FIM tokens with a base model; the chat strategies skip a base model", async () => {
  writeFiles(root, GREET);
  const fills: string[] = [];
  const { report, logs } = await repair(
    () => "unused",
    { "ollama.model": BASE_MODEL.name, "ollama.strategies": ["feedback", "mask"] },
    (body) => {
      const prompt = String(body.prompt);
      const beforeHole = prompt.split("<|fim_suffix|>")[0]!;
      // The hole of the return value: the prefix ends with `return `, the suffix starts after the masked value.
      if (body.raw === true && beforeHole.endsWith("    return ")) {
        fills.push(prompt);
        return '"Hello, " + name + "!"\nmore text the stop string cuts';
      }
      return "    return name\n";
    },
  );
  expect(report.status).toBe("fixed");
  expect(report.patches[0]!.generators).toContain("ollama-mask");
  expect(report.patches[0]!.diff).toContain('+    return "Hello, " + name + "!"');
  expect(fills[0]).toMatch(/<\|fim_middle\|>$/);
  expect(logs.some((l) => l.startsWith("strategies: feedback: skipped"))).toBe(true);
  expect(spending(logs, "mask")).toEqual({ calls: 1, validations: 1 });
}, 60_000);

test("mask filling asks in chat when the model's template renders no suffix (no suffix is ever sent to it)", async () => {
  writeFiles(root, GREET);
  const { report } = await repair(
    (messages) => (lastUser(messages).includes("<HOLE>") ? '"Hello, " + name + "!"' : fenced(["    return name"])),
    { "ollama.strategies": ["mask"] },
  );
  expect(report.status).toBe("fixed");
  expect(report.patches[0]!.generators).toContain("ollama-mask");
  expect(server!.requests.filter((r) => r.path === "/api/generate" && "suffix" in r.body)).toEqual([]);
}, 60_000);

test("round-trip translation: a plain-English description, then the function written anew from it alone", async () => {
  // Upper-case vowels count too: the fix needs new code, which no template writes.
  writeFiles(root, {
    "vowels.py":
      'def count_vowels(text):\n    n = 0\n    for ch in text:\n        if ch in "aeiou":\n            n += 1\n    return n\n',
    "test_vowels.py":
      'from vowels import count_vowels\n\n\ndef test_count_vowels():\n    assert count_vowels("AbE") == 2\n',
  });
  const SPEC = "Counts the vowels of text, upper case or lower case alike.";
  const rewrites: Messages[] = [];
  const { report, logs } = await repair(
    (messages) => {
      const user = lastUser(messages);
      if (user.includes(PER_HUNK)) return fenced(["            n += 2"]);
      if (user.includes("plain English") && user.includes("Do not write code")) return SPEC;
      if (user.includes("from this specification")) {
        rewrites.push(messages);
        if (user.includes(SPEC) && user.includes("def count_vowels(text):"))
          return fenced(["def count_vowels(text):", '    return sum(1 for ch in text.lower() if ch in "aeiou")']);
      }
      return "No.";
    },
    { "ollama.strategies": ["rtt"] },
  );
  expect(report.status).toBe("fixed");
  const patch = report.patches[0]!;
  expect(patch.generators).toContain("ollama-rtt");
  expect(patch.diff).toContain('+    return sum(1 for ch in text.lower() if ch in "aeiou")');
  // The second step is a new conversation that shows the description and the signature, never the old body.
  expect(rewrites[0]!.map((m) => m.role)).toEqual(["system", "user"]);
  expect(lastUser(rewrites[0]!)).not.toContain("n += 1");
  expect(spending(logs, "rtt")).toEqual({ calls: 2, validations: 1 });
}, 60_000);

test("rtt is opt-in: the default strategies do not include it", () => {
  expect(defaultConfig()["ollama.strategies"]).not.toContain("rtt");
  expect(parseConfig({ "ollama.strategies": ["rtt"] }).problems).toEqual([]);
});

test("feedback rounds show the tried candidate's own failure message, not the unmodified code's", async () => {
  writeFiles(root, GREET);
  const { report, chats } = await repair(
    (messages) => {
      const user = lastUser(messages);
      if (user.includes(PER_HUNK)) return fenced(['    return "Hello, " + name']);
      // Only the candidate's own run printed its actual value ('Hello, Bo'); the baseline printed 'Hello Bo'.
      if (user.includes("not correct yet") && user.includes("'Hello, Bo'"))
        return fenced(["def greet(name):", '    return "Hello, " + name + "!"']);
      return fenced(["def greet(name):", '    return "Hey " + name']);
    },
    { "ollama.strategies": ["feedback"], "repair.stopAfterPlausible": 1 },
  );
  const followUp = chats
    .map(lastUser)
    .find((u) => u.includes("not correct yet") && u.includes('+    return "Hello, "'));
  expect(followUp).toContain("'Hello, Bo'");
  expect(followUp).not.toContain("'Hello Bo'");
  expect(report.status).toBe("fixed");
  expect(report.patches[0]!.generators).toContain("ollama-feedback");
}, 120_000);

test("execution values: the prompt shows what the buggy line read in the failing test; a secret-looking value never reaches the model", async () => {
  // The token is built at run time, so no source line holds it: only the values and the failure message could leak it.
  writeFiles(root, {
    "auth.py": 'def header(user, token):\n    sep = " "\n    return "Bearer" + sep + token + user\n',
    "test_auth.py":
      'from auth import header\n\n\ndef test_header():\n    tail = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"\n    assert header("bo", "ghp_" + tail) == "Bearer bo"\n',
  });
  const { chats, logs } = await repair(
    (messages) => {
      const user = lastUser(messages);
      if (user.includes(PER_HUNK)) return fenced(['    return "Bearer" + user']);
      if (user.includes("Do not write code yet")) return "Drop the token.";
      return "No.";
    },
    {
      "ollama.strategies": ["function"],
      "ollama.strategyCalls": 2,
      "repair.maxValidations": 6,
      "ollama.executionValues": true,
    },
  );
  expect(
    logs.some((l) => /^strategies: execution values: \d+ line runs recorded from test_auth\.py::test_header$/.test(l)),
  ).toBe(true);
  const prompt = chats.map(lastUser).find((u) => u.includes("Do not write code yet"))!;
  expect(prompt).toContain("while test_auth.py::test_header ran");
  expect(prompt).toMatch(/auth\.py:3 {2}sep = ' ', token = <masked>, user = 'bo'/);
  // Neither the recorded value nor the assertion message (which prints the token) carries it to any request.
  expect(JSON.stringify(server!.requests)).not.toContain("a1B2c3D4e5F6g7H8");
}, 120_000);

test("execution values are not recorded when ollama.executionValues is off", async () => {
  writeFiles(root, GREET);
  const { chats, logs } = await repair(() => "No.", {
    "ollama.strategies": ["function"],
    "ollama.strategyCalls": 1,
    "ollama.executionValues": false,
    "repair.maxValidations": 6,
  });
  expect(logs.filter((l) => l.startsWith("strategies: execution values"))).toEqual([]);
  expect(chats.map(lastUser).some((u) => u.includes("Values read on the suspicious lines"))).toBe(false);
}, 60_000);
