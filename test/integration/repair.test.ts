import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { CodeAction, Diagnostic, TextDocumentEdit } from "vscode-languageserver-protocol";
import { afterEach, describe, expect, test } from "vitest";
import { applyTextEdits } from "../support/apply-text-edits.js";
import { LspTestClient, type ReceivedNotification } from "../support/lsp-client.js";
import { copyFixture, runTests, scratchDirsOf } from "../support/workspace-copy.js";

// The example project's bug: `(ordered[mid] + ordered[mid]) / 2` in median(); 0-based line 20 of stats.py.
const BUG_LINE = 20;
// Each test runs a real repair (real pytest runs), so each gets minutes rather than the default minute.
const REPAIR_TIMEOUT = 300_000;
const SETTINGS = { "test.allowRun": "always", engine: "builtin", "repair.stopAfterPlausible": 1 };

let client: LspTestClient | undefined;
let workspace: string | undefined;

afterEach(async () => {
  await client?.kill();
  client = undefined;
  workspace = undefined;
});

async function startOn(fixture: string, settings: Record<string, unknown> = SETTINGS): Promise<LspTestClient> {
  workspace = copyFixture(fixture);
  client = LspTestClient.start();
  await client.initialize({ rootPath: workspace, initializationOptions: settings });
  return client;
}

function jobFinished(c: LspTestClient, jobId: string, timeoutMs = 240_000): Promise<ReceivedNotification> {
  return c.waitForNotification(
    (n) => n.method === "repair/jobFinished" && (n.params as { jobId: string }).jobId === jobId,
    timeoutMs,
  );
}

function codeActions(
  c: LspTestClient,
  uri: string,
  line: number,
  diagnostics: Diagnostic[] = [],
): Promise<CodeAction[]> {
  return c.connection.sendRequest<CodeAction[]>("textDocument/codeAction", {
    textDocument: { uri },
    range: { start: { line, character: 4 }, end: { line, character: 4 } },
    context: { diagnostics },
  });
}

const hashDir = (dir: string, files: string[]): string =>
  createHash("sha256")
    .update(files.map((f) => readFileSync(join(dir, f), "utf8")).join("\0"))
    .digest("hex");

describe("repairs surfaced as code actions", () => {
  test(
    "fixAllFailing returns at once; its repair becomes a preferred code action whose edit makes the tests pass; stale versions get none",
    async () => {
      const c = await startOn("test/fixtures/example");
      const path = join(workspace!, "stats.py");
      const text = readFileSync(path, "utf8");
      const uri = await c.openDocument(path, text, "python");

      const { jobId } = await c.connection.sendRequest<{ jobId: string }>("workspace/executeCommand", {
        command: "repair.fixAllFailing",
        arguments: [],
      });
      // The command answers with a job before the job is done (its latency is measured by npm run bench, not here).
      expect(
        c.notifications.some(
          (n) => n.method === "repair/jobFinished" && (n.params as { jobId: string }).jobId === jobId,
        ),
      ).toBe(false);

      // Code actions keep answering from the cache while the repair runs.
      let answeredWhileRunning = 0;
      let finished = false;
      const done = jobFinished(c, jobId).then((n) => {
        finished = true;
        return n;
      });
      while (!finished) {
        const actions = await codeActions(c, uri, BUG_LINE);
        if (!finished) {
          expect(Array.isArray(actions)).toBe(true);
          answeredWhileRunning++;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const outcome = (await done).params as { status: string; patches: number };
      expect(answeredWhileRunning).toBeGreaterThan(0);
      expect(outcome.status).toBe("fixed");
      expect(outcome.patches).toBeGreaterThan(0);

      // Progress for the job: begin, reports with percentages that never go back, end.
      const progress = c.notifications
        .filter((n) => n.method === "$/progress")
        .map((n) => n.params as { token: string; value: { kind: string; title?: string; percentage?: number } });
      const token = progress.find((p) => p.value.kind === "begin" && p.value.title?.startsWith("Repairing"))?.token;
      const ours = progress.filter((p) => p.token === token).map((p) => p.value);
      expect(ours[0]?.kind).toBe("begin");
      expect(ours.at(-1)?.kind).toBe("end");
      expect(ours.slice(1, -1).every((v) => v.kind === "report")).toBe(true);
      const percentages = ours.map((v) => v.percentage).filter((p): p is number => p !== undefined);
      expect(percentages).toEqual([...percentages].sort((a, b) => a - b));

      // The repaired line carries an Information diagnostic.
      const published = await c.waitForNotification(
        (n) =>
          n.method === "textDocument/publishDiagnostics" &&
          (n.params as { uri: string; diagnostics: unknown[] }).uri === uri &&
          (n.params as { diagnostics: unknown[] }).diagnostics.length > 0,
      );
      const diagnostics = (published.params as { diagnostics: Diagnostic[] }).diagnostics;
      expect(diagnostics[0]).toMatchObject({ severity: 3, source: "repair-ls" });
      expect(diagnostics[0]?.message).toMatch(/^repair available/);

      const actions = await codeActions(c, uri, BUG_LINE, diagnostics);
      const repair = actions.find((a) => a.kind === "quickfix.repair-ls" && a.isPreferred);
      expect(repair?.title).toMatch(/^Repair: .* · failing tests now pass, none broken \((\d+)\/\1 tests pass\)$/);
      expect(repair?.diagnostics).toEqual(diagnostics);
      expect(actions.some((a) => a.kind === "quickfix.repair-ls-here" && a.command?.command === "repair.fixHere")).toBe(
        true,
      );
      const resolved = await c.connection.sendRequest<CodeAction>("codeAction/resolve", repair);
      const change = resolved.edit?.documentChanges?.[0] as TextDocumentEdit;
      expect(change.textDocument).toEqual({ uri, version: 1 });

      // Applying the edit (as the editor would) and saving makes the project's tests pass.
      writeFileSync(path, applyTextEdits(text, change.edits));
      expect(runTests("python3 -m pytest -q", workspace!).status).toBe(0);

      // Once the document changes, the repair computed for version 1 is neither offered nor resolvable.
      await c.connection.sendNotification("textDocument/didChange", {
        textDocument: { uri, version: 2 },
        contentChanges: [
          { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: "# edited\n" },
        ],
      });
      const after = await codeActions(c, uri, BUG_LINE + 1);
      expect(after.some((a) => a.kind === "quickfix.repair-ls")).toBe(false);
      const stale = await c.connection.sendRequest<CodeAction>("codeAction/resolve", repair);
      expect(stale.edit).toBeUndefined();
      expect(stale.command?.command).toBe("repair.fixHere");
      expect(await c.shutdown()).toBe(0);
      expect(scratchDirsOf(c.child.pid!)).toEqual([]);
    },
    REPAIR_TIMEOUT,
  );
});

describe("cancellation and bad input", () => {
  test(
    "repair.cancel stops the job, removes scratch copies and leaves the user's files untouched",
    async () => {
      const c = await startOn("test/fixtures/example", { ...SETTINGS, "repair.stopAfterPlausible": 3 });
      const before = hashDir(workspace!, ["stats.py", "tests/test_stats.py"]);
      const { jobId } = await c.connection.sendRequest<{ jobId: string }>("workspace/executeCommand", {
        command: "repair.fixAllFailing",
      });
      await c.waitForNotification(
        (n) => n.method === "$/progress" && JSON.stringify(n.params).includes("Validated"),
        120_000,
      );
      const { cancelled } = await c.connection.sendRequest<{ cancelled: number }>("workspace/executeCommand", {
        command: "repair.cancel",
        arguments: [{ jobId }],
      });
      expect(cancelled).toBe(1);
      const finished = await jobFinished(c, jobId, 60_000);
      expect((finished.params as { status: string }).status).toBe("cancelled");
      expect(scratchDirsOf(c.child.pid!)).toEqual([]);
      expect(hashDir(workspace!, ["stats.py", "tests/test_stats.py"])).toBe(before);
    },
    REPAIR_TIMEOUT,
  );

  test(
    "the client disconnecting mid-repair ends the server and its scratch copies",
    async () => {
      const c = await startOn("test/fixtures/example", { ...SETTINGS, "repair.stopAfterPlausible": 3 });
      await c.connection.sendRequest("workspace/executeCommand", { command: "repair.fixAllFailing" });
      await c.waitForNotification(
        (n) => n.method === "$/progress" && JSON.stringify(n.params).includes("Validated"),
        120_000,
      );
      c.child.stdin.end();
      // Exit code 1 is the protocol's "ended without shutdown"; a crash would print a stack trace on stderr.
      expect(await c.exited).toBe(1);
      expect(c.stderr.join("")).not.toMatch(/Error|Unhandled/);
      await expect.poll(() => scratchDirsOf(c.child.pid!), { timeout: 10_000 }).toEqual([]);
    },
    REPAIR_TIMEOUT,
  );

  test(
    "malformed command arguments and URIs outside the workspace are InvalidParams",
    async () => {
      const c = await startOn("test/fixtures/example");
      const send = (command: string, args: unknown[]): Promise<unknown> =>
        c.connection.sendRequest("workspace/executeCommand", { command, arguments: args });
      await expect(send("repair.fixHere", [])).rejects.toMatchObject({ code: -32602 });
      await expect(send("repair.fixHere", [{ uri: 42 }])).rejects.toMatchObject({ code: -32602 });
      const outside = {
        uri: pathToFileURL("/etc/hosts.py").href,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      };
      await expect(send("repair.fixHere", [outside])).rejects.toMatchObject({
        code: -32602,
        message: expect.stringContaining("not inside a workspace folder") as string,
      });
      await expect(send("repair.fixAllFailing", [{ folder: "file:///nowhere" }])).rejects.toMatchObject({
        code: -32602,
      });
      await expect(send("repair.fixAllFailing", [{ testCommand: 7 }])).rejects.toMatchObject({
        message: expect.stringContaining("test.command") as string,
      });
      await expect(send("repair.cancel", ["all"])).rejects.toMatchObject({ code: -32602 });
      const status = (await send("repair.status", [])) as { state: string; configProblems: string[] };
      expect(status.configProblems).toEqual([]);
    },
    REPAIR_TIMEOUT,
  );

  test(
    "a workspace with nothing failing, and a refused permission, end with a clear status",
    async () => {
      const c = await startOn("test/fixtures/example", { engine: "builtin" });
      // The user declines the prompt to run tests.
      c.showMessageRequest = (params) => params.actions?.find((a) => a.title === "Don't allow") ?? null;
      const refused = await c.connection.sendRequest<{ jobId: string }>("workspace/executeCommand", {
        command: "repair.fixAllFailing",
      });
      expect((await jobFinished(c, refused.jobId)).params).toMatchObject({ status: "not-allowed" });
      expect(c.serverRequests.some((r) => r.method === "window/showMessageRequest")).toBe(true);

      const stats = join(workspace!, "stats.py");
      writeFileSync(
        stats,
        readFileSync(stats, "utf8").replace("(ordered[mid] + ordered[mid])", "(ordered[mid - 1] + ordered[mid])"),
      );
      const run = await c.connection.sendRequest<{ jobId: string }>("workspace/executeCommand", {
        command: "repair.fixAllFailing",
        arguments: [{ allowRun: true }],
      });
      expect((await jobFinished(c, run.jobId)).params).toMatchObject({ status: "nothing-failing", patches: 0 });
    },
    REPAIR_TIMEOUT,
  );
});
