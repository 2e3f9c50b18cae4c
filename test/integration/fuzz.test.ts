import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, expect, test } from "vitest";
import { fuzzCase, Prng, type FuzzTarget } from "../support/fuzz-messages.js";
import { LspTestClient } from "../support/lsp-client.js";
import { frameMessage, ResponseRecorder } from "../support/raw-messages.js";
import { tempDir } from "../support/temp.js";

/** Fixed, so that every run sends the same bytes and a failure replays. */
const SEED = 0x13_14_15_16;
const MESSAGES = 5000;
/** Fuzz cases between two probes. */
const BATCH = 250;

let client: LspTestClient | undefined;
let workspace: string | undefined;

afterEach(async () => {
  await client?.kill();
  client = undefined;
});

function probeMessage(id: number): Buffer {
  return frameMessage({
    jsonrpc: "2.0",
    id,
    method: "textDocument/codeAction",
    params: {
      textDocument: { uri: "file:///nowhere/probe.py" },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [] },
    },
  });
}

test(`the server survives ${MESSAGES} seeded hostile messages and answers a probe after every batch`, async () => {
  workspace = tempDir("repair-ls-fuzz-");
  const extraFolder = join(workspace, "extra");
  mkdirSync(extraFolder);
  const target: FuzzTarget = {
    fileUris: ["a.py", "b.js", "src/c.py"].map((name) => pathToFileURL(join(workspace!, name)).href),
    extraFolderUri: pathToFileURL(extraFolder).href,
  };
  client = LspTestClient.start();
  const recorder = new ResponseRecorder(client.child.stdout);
  // No index and no test runs: the fuzz is about the protocol boundary, not about walking or running anything.
  await client.initialize({
    rootPath: workspace,
    initializationOptions: { "index.enabled": false, "test.allowRun": "never" },
  });

  const rng = new Prng(SEED);
  const started = Date.now();
  const probeLatencies: number[] = [];
  let probeId = 2_000_000_000;
  const probe = async (): Promise<void> => {
    probeId++;
    const sent = Date.now();
    client!.writeRaw(probeMessage(probeId));
    const response = await recorder.waitFor(probeId, 10_000);
    probeLatencies.push(Date.now() - sent);
    expect(response.result).toEqual([]);
  };

  for (let sent = 0; sent < MESSAGES; sent += BATCH) {
    // Cases go out in chunks of random size, so some share a chunk and bad headers meet valid messages mid-chunk.
    const cases = Array.from({ length: Math.min(BATCH, MESSAGES - sent) }, () => fuzzCase(rng, target));
    while (cases.length > 0) client.writeRaw(Buffer.concat(cases.splice(0, rng.int(1, 30))));
    await probe();
    expect(client.child.exitCode).toBeNull();
  }
  const seconds = (Date.now() - started) / 1000;

  // With the queue drained, a probe is answered well within a second.
  await probe();
  const drainedLatency = probeLatencies.at(-1) ?? Infinity;
  expect(drainedLatency).toBeLessThan(1000);
  expect(client.child.exitCode).toBeNull();
  // Every kind of refusal occurred, and none was an internal error: wrong input is named as such, never a bug.
  const codes = new Set(recorder.responses.map((r) => r.error?.code));
  for (const code of [-32700, -32600, -32602, -32601]) expect(codes).toContain(code);
  expect(codes).not.toContain(-32603);
  console.log(
    `fuzz: ${MESSAGES} cases (seed ${SEED}) in ${seconds.toFixed(1)} s; ${probeLatencies.length} probes, ` +
      `max latency ${Math.max(...probeLatencies)} ms after a batch, ${drainedLatency} ms drained`,
  );
  expect(await client.shutdown()).toBe(0);
});
