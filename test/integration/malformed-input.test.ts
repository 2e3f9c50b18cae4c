import { fork, spawn } from "node:child_process";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { CODE_ACTION_KINDS } from "../../server/lsp/protocol-names.js";
import { LspTestClient, SERVER_MAIN } from "../support/lsp-client.js";
import { frame, frameMessage, ResponseRecorder } from "../support/raw-messages.js";
import { tempDir } from "../support/temp.js";

let client: LspTestClient | undefined;
let workspace: string;

beforeEach(() => {
  workspace = tempDir("repair-ls-malformed-");
});

afterEach(async () => {
  await client?.kill();
  client = undefined;
});

/** A started, initialized server with a recorder of every response it writes. */
async function startServer(): Promise<{ client: LspTestClient; recorder: ResponseRecorder }> {
  client = LspTestClient.start();
  const recorder = new ResponseRecorder(client.child.stdout);
  await client.initialize({ rootPath: workspace, initializationOptions: { "index.enabled": false } });
  return { client, recorder };
}

/** A request any healthy server answers at once: code actions for a document nobody opened. */
function probe(id: number): Buffer {
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

const nested = (depth: number): string => "[".repeat(depth) + "]".repeat(depth);

describe("deeply nested messages (issue 13, item 14)", () => {
  test("5,000 levels are refused with InvalidRequest and the request's id; the server keeps answering", async () => {
    const { client, recorder } = await startServer();
    client.writeRaw(frame(`{"jsonrpc":"2.0","id":501,"method":"textDocument/codeAction","params":${nested(5000)}}`));
    client.writeRaw(frame(nested(5000)));
    client.writeRaw(probe(502));
    expect((await recorder.waitFor(501)).error).toEqual({
      code: -32600,
      message: "message refused: nested 5001 levels deep, more than the limit of 64",
    });
    expect((await recorder.waitFor(502)).result).toEqual([]);
    expect(recorder.anonymousErrors().map((r) => r.error?.code)).toEqual([-32600]);
    expect(client.child.exitCode).toBeNull();
    expect(await client.shutdown()).toBe(0);
  });

  test("2,000 levels in a notification are refused without reaching the library", async () => {
    const { client, recorder } = await startServer();
    client.writeRaw(frame(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":${nested(2000)}}`));
    client.writeRaw(probe(503));
    expect((await recorder.waitFor(503)).result).toEqual([]);
    expect(recorder.anonymousErrors()).toHaveLength(1);
    await client.waitForNotification((n) => JSON.stringify(n.params).includes("nested 2001 levels deep"));
  });

  test("over node IPC, where messages arrive parsed, deep nesting is refused the same way", async () => {
    const child = fork(SERVER_MAIN, ["--node-ipc"], { stdio: ["ignore", "ignore", "ignore", "ipc"] });
    const responses: Array<{ id?: unknown; error?: { code: number } }> = [];
    child.on("message", (message: { id?: unknown; error?: { code: number } }) => responses.push(message));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    // Node's own IPC serialisation is recursive, so a client cannot send much deeper than this.
    let deep: unknown = [];
    for (let i = 0; i < 1000; i++) deep = [deep];
    child.send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { processId: null, rootUri: null, capabilities: {}, workspaceFolders: null },
    });
    child.send({ jsonrpc: "2.0", id: 2, method: "textDocument/codeAction", params: deep });
    child.send({ jsonrpc: "2.0", id: 3, method: "shutdown" });
    await expect.poll(() => responses.find((r) => r.id === 3), { timeout: 20_000 }).toBeDefined();
    expect(responses.find((r) => r.id === 2)?.error?.code).toBe(-32600);
    child.send({ jsonrpc: "2.0", method: "exit" });
    expect(await exited).toBe(0);
  });
});

describe("bad header blocks (issue 13, item 15)", () => {
  test.each([
    ["a negative length", "Content-Length: -5\r\n\r\n"],
    ["no Content-Length", "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"],
    ["a non-numeric length", "Content-Length: twelve\r\n\r\n"],
    ["a huge length", "Content-Length: 99999999999999\r\n\r\n"],
    ["a line that is no header", "hello\r\n\r\n"],
  ])("a request in the same chunk right after %s is answered at once", async (_name, header) => {
    const { client, recorder } = await startServer();
    // One write, nothing after it: the answer must not wait for more bytes.
    client.writeRaw(Buffer.concat([Buffer.from(header, "latin1"), probe(601)]));
    expect((await recorder.waitFor(601)).result).toEqual([]);
    expect(client.child.exitCode).toBeNull();
  });

  test("a length that is too long ends at the next header, which is answered at once", async () => {
    const { client, recorder } = await startServer();
    const request = '{"jsonrpc":"2.0","id":605,"method":"repair/report","params":{"jobId":"x"}}';
    client.writeRaw(
      Buffer.concat([Buffer.from(`Content-Length: ${request.length + 100}\r\n\r\n${request}`), probe(606)]),
    );
    expect((await recorder.waitFor(606)).result).toEqual([]);
    // The body ends where the next header begins, so the over-declared request itself is handled too.
    expect((await recorder.waitFor(605)).error).toMatchObject({ code: -32602 });
  });

  test("over a socket, the same reader recovers from a negative length and refuses deep nesting", async () => {
    const listener = createServer();
    try {
      await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
      const port = (listener.address() as { port: number }).port;
      const connected = new Promise<Socket>((resolve) => listener.once("connection", resolve));
      const child = spawn(process.execPath, [SERVER_MAIN, `--socket=${port}`], { stdio: "ignore" });
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      const socket = await connected;
      const recorder = new ResponseRecorder(socket);
      const initialize = frameMessage({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { processId: null, rootUri: null, capabilities: {} },
      });
      socket.write(Buffer.concat([Buffer.from("Content-Length: -5\r\n\r\n"), initialize]));
      expect((await recorder.waitFor(1)).result).toMatchObject({ serverInfo: { name: "repair-ls" } });
      socket.write(frame(`{"jsonrpc":"2.0","id":2,"method":"textDocument/codeAction","params":${nested(5000)}}`));
      expect((await recorder.waitFor(2)).error?.code).toBe(-32600);
      socket.write(frameMessage({ jsonrpc: "2.0", id: 3, method: "shutdown" }));
      await recorder.waitFor(3);
      socket.write(frameMessage({ jsonrpc: "2.0", method: "exit" }));
      expect(await exited).toBe(0);
      socket.destroy();
    } finally {
      listener.close();
    }
  });

  test("random bytes between messages are skipped up to the next header", async () => {
    const { client, recorder } = await startServer();
    client.writeRaw(Buffer.concat([Buffer.from([0, 255, 13, 10, 7, 65, 58]), probe(602)]));
    expect((await recorder.waitFor(602)).result).toEqual([]);
  });

  test("a message over 64 MiB is refused with an error instead of being buffered", async () => {
    const { client, recorder } = await startServer();
    client.writeRaw(`Content-Length: ${64 * 1024 * 1024 + 1}\r\n\r\n{"jsonrpc":"2.0","id":603,"method":"x"}`);
    client.writeRaw(probe(604));
    expect((await recorder.waitFor(604)).result).toEqual([]);
    expect(recorder.anonymousErrors()[0]?.error).toEqual({
      code: -32600,
      message: "message refused: Content-Length 67108865 exceeds the limit of 67108864 bytes; its body is skipped",
    });
  });
});

describe("parameters of the wrong type (issue 13, item 16)", () => {
  test.each([42, {}, null])("didOpen with text %j is dropped and does not poison the document", async (text) => {
    const { client, recorder } = await startServer();
    const uri = pathToFileURL(join(workspace, "bug.py")).href;
    client.writeRaw(
      frameMessage({
        jsonrpc: "2.0",
        method: "textDocument/didOpen",
        params: { textDocument: { uri, languageId: "python", version: 1, text } },
      }),
    );
    const codeAction = {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [] },
    };
    client.writeRaw(frameMessage({ jsonrpc: "2.0", id: 701, method: "textDocument/codeAction", params: codeAction }));
    expect((await recorder.waitFor(701)).result).toEqual([]);
    await client.waitForNotification((n) =>
      JSON.stringify(n.params).includes("textDocument/didOpen dropped: invalid params: textDocument.text"),
    );
    // The document opens normally afterwards.
    await client.openDocument(join(workspace, "bug.py"), "x = 1\n", "python");
    const actions = await client.connection.sendRequest<Array<{ kind: string }>>("textDocument/codeAction", codeAction);
    expect(actions.map((a) => a.kind)).toEqual([CODE_ACTION_KINDS.repairHere]);
  });

  test.each([
    ["textDocument/codeAction", { textDocument: { uri: "file:///a.py" }, range: "all", context: { diagnostics: [] } }],
    [
      "textDocument/codeAction",
      {
        textDocument: { uri: "file:///a.py" },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: {
          diagnostics: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 42 }],
        },
      },
    ],
    ["codeAction/resolve", { title: 42 }],
    ["codeAction/resolve", { title: "Repair", data: { repairId: 7 } }],
    ["workspace/executeCommand", { command: 42 }],
    ["workspace/executeCommand", { command: "repair.status", arguments: "all" }],
    ["repair/report", { jobId: 5 }],
    ["repair/report", [{ jobId: "x" }]],
    ["repair/report", undefined],
  ])("%s with params %j answers InvalidParams", async (method, params) => {
    const { client } = await startServer();
    await expect(client.connection.sendRequest(method, params)).rejects.toMatchObject({ code: -32602 });
  });

  test.each([
    ["textDocument/didChange", { textDocument: { uri: "file:///a.py", version: "2" }, contentChanges: [] }],
    ["textDocument/didChange", { textDocument: { uri: "file:///a.py", version: 2 }, contentChanges: [{ text: 1 }] }],
    ["textDocument/didClose", { textDocument: {} }],
    ["textDocument/didSave", { textDocument: { uri: 3 } }],
    ["workspace/didChangeWatchedFiles", { changes: [{ uri: "file:///a.py", type: 9 }] }],
    ["workspace/didChangeWorkspaceFolders", { event: { added: [{ uri: 1 }], removed: [] } }],
  ])("%s with params %j is logged and dropped", async (method, params) => {
    const { client } = await startServer();
    await client.connection.sendNotification(method, params);
    await client.waitForNotification(
      (n) => n.method === "window/logMessage" && JSON.stringify(n.params).includes(`${method} dropped: invalid params`),
    );
    expect(client.child.exitCode).toBeNull();
  });

  test("initialize with capabilities of the wrong type answers InvalidParams, and a correct one then succeeds", async () => {
    client = LspTestClient.start();
    const initialize = (capabilities: unknown): Promise<unknown> =>
      client!.connection.sendRequest("initialize", { processId: null, rootUri: null, capabilities });
    await expect(initialize(42)).rejects.toMatchObject({ code: -32602 });
    await expect(initialize(null)).rejects.toMatchObject({ code: -32602 });
    await expect(initialize({ textDocument: { codeAction: { resolveSupport: {} } } })).rejects.toMatchObject({
      code: -32602,
    });
    await expect(initialize({})).resolves.toMatchObject({ serverInfo: { name: "repair-ls" } });
  });

  test("workspace folders added after initialize reach the server (the library no longer swallows them)", async () => {
    const { client } = await startServer();
    const other = tempDir("repair-ls-added-");
    const uri = await client.openDocument(join(other, "bug.py"), "x = 1\n", "python");
    const codeAction = {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [] },
    };
    // Outside every folder, a document gets no actions.
    expect(await client.connection.sendRequest("textDocument/codeAction", codeAction)).toEqual([]);
    await client.connection.sendNotification("workspace/didChangeWorkspaceFolders", {
      event: { added: [{ uri: pathToFileURL(other).href, name: "other" }], removed: [] },
    });
    const actions = await client.connection.sendRequest<Array<{ kind: string }>>("textDocument/codeAction", codeAction);
    expect(actions.map((a) => a.kind)).toEqual([CODE_ACTION_KINDS.repairHere]);
  });
});
