// Issue 14: a repair applied as a code action feeds the repair memory. The action carries the repair.applied
// command; the real server stores the repair only once the document holds exactly the repaired text.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CodeAction, TextDocumentEdit } from "vscode-languageserver-protocol";
import { afterEach, expect, test } from "vitest";
import { defaultConfig } from "../../server/core/config-schema.js";
import { loadExamples, memoryFolder } from "../../server/pipeline/memory/memory-store.js";
import { applyTextEdits } from "../support/apply-text-edits.js";
import { LspTestClient, type ReceivedNotification } from "../support/lsp-client.js";
import { copyFixture } from "../support/workspace-copy.js";

// The example project's bug: `(ordered[mid] + ordered[mid]) / 2` in median(); 0-based line 20 of stats.py.
const BUG_LINE = 20;
const SETTINGS = {
  "test.allowRun": "always",
  engine: "builtin",
  "repair.stopAfterPlausible": 1,
  "index.enabled": false,
  "memory.gitHistory": false,
};

let client: LspTestClient | undefined;
let workspace: string | undefined;

afterEach(async () => {
  await client?.kill();
  client = undefined;
  workspace = undefined;
});

interface Applied {
  results: { repairId: string; remembered: boolean; reason?: string }[];
}

test("a repair code action tells the server it was applied, and the server remembers it only once it is", async () => {
  workspace = copyFixture("test/fixtures/example");
  const c = (client = LspTestClient.start());
  await c.initialize({ rootPath: workspace, initializationOptions: SETTINGS });
  const path = join(workspace, "stats.py");
  const text = readFileSync(path, "utf8");
  const uri = await c.openDocument(path, text, "python");
  const { jobId } = await c.connection.sendRequest<{ jobId: string }>("workspace/executeCommand", {
    command: "repair.fixAllFailing",
    arguments: [],
  });
  const finished: ReceivedNotification = await c.waitForNotification(
    (n) => n.method === "repair/jobFinished" && (n.params as { jobId: string }).jobId === jobId,
    240_000,
  );
  expect((finished.params as { status: string }).status).toBe("fixed");

  const actions = await c.connection.sendRequest<CodeAction[]>("textDocument/codeAction", {
    textDocument: { uri },
    range: { start: { line: BUG_LINE, character: 4 }, end: { line: BUG_LINE, character: 4 } },
    context: { diagnostics: [] },
  });
  const action = actions.find((a) => a.kind === "quickfix.repair-ls" && a.isPreferred)!;
  expect(action.command?.command).toBe("repair.applied");
  const applied = (): Promise<Applied> => c.connection.sendRequest<Applied>("workspace/executeCommand", action.command);

  // Before the edit is applied, the claim is refused: the document does not hold the repaired text.
  const early = await applied();
  expect(early.results[0]).toMatchObject({ remembered: false });
  expect(early.results[0]!.reason).toMatch(/does not hold the repaired text/);
  const bogus = await c.connection.sendRequest<Applied>("workspace/executeCommand", {
    command: "repair.applied",
    arguments: [{ repairIds: ["no-such-job:p1"] }],
  });
  expect(bogus.results[0]).toMatchObject({ remembered: false });
  await expect(
    c.connection.sendRequest("workspace/executeCommand", { command: "repair.applied", arguments: [{ repairIds: 3 }] }),
  ).rejects.toThrow(/repairIds/);

  // The editor applies the edit (the document changes, which drops the repair from the cache), then runs the command.
  const resolved = action.edit ? action : await c.connection.sendRequest<CodeAction>("codeAction/resolve", action);
  const change = resolved.edit!.documentChanges![0] as TextDocumentEdit;
  const repaired = applyTextEdits(text, change.edits);
  await c.connection.sendNotification("textDocument/didChange", {
    textDocument: { uri, version: 2 },
    contentChanges: [{ text: repaired }],
  });
  const late = await applied();
  expect(late.results).toEqual([{ repairId: late.results[0]!.repairId, remembered: true }]);
  // Run twice, the command stores the repair once.
  expect((await applied()).results[0]).toMatchObject({ remembered: false, reason: "already remembered" });

  const examples = await loadExamples(memoryFolder(workspace, defaultConfig()["index.path"]), "python");
  const stored = examples.filter((e) => e.source.startsWith("applied repair"));
  expect(stored).toHaveLength(1);
  expect(stored[0]!.buggy.join("\n")).toContain("(ordered[mid] + ordered[mid]) / 2");
  expect(stored[0]!.fixed.join("\n")).not.toContain("(ordered[mid] + ordered[mid]) / 2");
  expect(await c.shutdown()).toBe(0);
}, 300_000);
