/**
 * LSP responsiveness: initialize round trip, and textDocument/codeAction latency when idle and while a repair of
 * the example project runs in the background. Prints numbers; asserts nothing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LspTestClient } from "../support/lsp-client.js";
import { removeTempDir } from "../support/temp.js";
import { copyFixture } from "../support/workspace-copy.js";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

function summary(name: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  process.stdout.write(
    `${name}: n=${sorted.length} p50=${percentile(sorted, 0.5).toFixed(2)} ms p95=${percentile(sorted, 0.95).toFixed(2)} ms max=${(sorted.at(-1) ?? 0).toFixed(2)} ms\n`,
  );
}

async function main(): Promise<void> {
  const workspace = copyFixture("test/fixtures/example");
  const client = LspTestClient.start();
  try {
    const t0 = performance.now();
    await client.initialize({
      rootPath: workspace,
      initializationOptions: { "test.allowRun": "always", engine: "builtin", "repair.stopAfterPlausible": 1 },
    });
    process.stdout.write(`initialize round trip (spawn included): ${(performance.now() - t0).toFixed(1)} ms\n`);
    const path = join(workspace, "stats.py");
    const uri = await client.openDocument(path, readFileSync(path, "utf8"), "python");
    const request = (): Promise<unknown> =>
      client.connection.sendRequest("textDocument/codeAction", {
        textDocument: { uri },
        range: { start: { line: 20, character: 0 }, end: { line: 20, character: 0 } },
        context: { diagnostics: [] },
      });
    const idle: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      await request();
      idle.push(performance.now() - t);
    }
    summary("codeAction, idle", idle);
    const { jobId } = await client.connection.sendRequest<{ jobId: string }>("workspace/executeCommand", {
      command: "repair.fixAllFailing",
    });
    let done = false;
    const started = performance.now();
    const finished = client
      .waitForNotification(
        (n) => n.method === "repair/jobFinished" && (n.params as { jobId: string }).jobId === jobId,
        300_000,
      )
      .then(() => (done = true));
    const busy: number[] = [];
    while (!done) {
      const t = performance.now();
      await request();
      busy.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
    await finished;
    summary("codeAction, during a repair", busy);
    process.stdout.write(
      `example repair, fix-all job end to end: ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    await client.shutdown();
  } finally {
    await client.kill();
    removeTempDir(workspace);
  }
}

await main();
