import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import {
  createMessageConnection,
  SocketMessageReader,
  SocketMessageWriter,
} from "vscode-languageserver-protocol/node.js";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { computeCapabilities } from "../../server/lsp/capabilities.js";
import { CONFIG_PROBLEM_NOTIFICATION } from "../../server/lsp/protocol-names.js";
import { fullClientCapabilities, LspTestClient, SERVER_MAIN } from "../support/lsp-client.js";
import { tempDir } from "../support/temp.js";

let client: LspTestClient | undefined;
let workspace: string;

beforeEach(() => {
  workspace = tempDir("repair-ls-it-");
});

afterEach(async () => {
  await client?.kill();
  client = undefined;
});

describe("executable", () => {
  test("--bogus exits 2 with a one-line error and the usage on stderr", () => {
    const run = spawnSync(process.execPath, [SERVER_MAIN, "--bogus"], { encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n")[0]).toBe("repair-ls: unknown option: --bogus");
    expect(run.stderr).toContain("Usage: repair-ls");
  });

  test("--version and --help", () => {
    const version = spawnSync(process.execPath, [SERVER_MAIN, "--version"], { encoding: "utf8" });
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^repair-ls \d+\.\d+\.\d+\n$/);
    const help = spawnSync(process.execPath, [SERVER_MAIN, "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--socket=PORT");
  });
});

describe("lifecycle over stdio", () => {
  test("initialize answers the declared capabilities; shutdown then exit ends with code 0", async () => {
    client = LspTestClient.start();
    const result = await client.initialize({ rootPath: workspace });
    expect(result.capabilities).toEqual(computeCapabilities(fullClientCapabilities()).capabilities);
    expect(result.serverInfo?.name).toBe("repair-ls");
    expect(await client.shutdown()).toBe(0);
  });

  test("UTF-8 is negotiated when offered", async () => {
    client = LspTestClient.start();
    const capabilities = fullClientCapabilities();
    capabilities.general = { positionEncodings: ["utf-8", "utf-16"] };
    const result = await client.initialize({ rootPath: workspace, capabilities });
    expect(result.capabilities.positionEncoding).toBe("utf-8");
  });

  test("exit without shutdown ends with code 1", async () => {
    client = LspTestClient.start();
    await client.initialize({ rootPath: workspace });
    await client.connection.sendNotification("exit");
    expect(await client.exited).toBe(1);
  });

  test("the server exits when its client's stdin closes", async () => {
    client = LspTestClient.start();
    await client.initialize({ rootPath: workspace });
    client.child.stdin.end();
    // Without a client there is nobody to send exit: the process must end by itself rather than linger.
    expect(await client.exited).toBe(1);
  });

  test("stdin closing after a shutdown request ends with code 0", async () => {
    client = LspTestClient.start();
    await client.initialize({ rootPath: workspace });
    await client.connection.sendRequest("shutdown");
    client.child.stdin.end();
    expect(await client.exited).toBe(0);
  });
});

describe("socket transport", () => {
  let listener: Server | undefined;
  afterEach(() => listener?.close());

  test("--socket=PORT connects to the client's port and speaks LSP", async () => {
    listener = createServer();
    await new Promise<void>((resolve) => listener!.listen(0, "127.0.0.1", resolve));
    const port = (listener.address() as { port: number }).port;
    const connected = new Promise<Socket>((resolve) => listener!.once("connection", resolve));
    const child = spawnAsync([`--socket=${port}`]);
    const socket = await connected;
    const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    connection.listen();
    const result = await connection.sendRequest<{ serverInfo: { name: string } }>("initialize", {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      workspaceFolders: null,
    });
    expect(result.serverInfo.name).toBe("repair-ls");
    await connection.sendRequest("shutdown");
    await connection.sendNotification("exit");
    expect(await child).toBe(0);
    connection.dispose();
  });
});

function spawnAsync(args: string[]): Promise<number | null> {
  const child = spawn(process.execPath, [SERVER_MAIN, ...args], { stdio: "ignore" });
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

describe("configuration errors", () => {
  test("invalid values from each source are shown with their key, and the server keeps running", async () => {
    writeFileSync(join(workspace, ".repair-ls.json"), JSON.stringify({ test: { timeoutSeconds: -5 } }));
    client = LspTestClient.start();
    client.configuration = () => ({ engine: "gpt" });
    await client.initialize({ rootPath: workspace, initializationOptions: { "retrieval.topK": "five" } });
    const shown = async (key: string): Promise<string> =>
      (
        await client!.waitForNotification(
          (n) => n.method === "window/showMessage" && JSON.stringify(n.params).includes(key),
        )
      ).params as string;
    await shown('\\"retrieval.topK\\"');
    await shown('\\"engine\\"');
    await shown('\\"test.timeoutSeconds\\"');
    const messages = client.messages("window/showMessage");
    expect(messages.find((m) => m.includes("engine"))).toMatch(
      /invalid setting "engine" in the editor's repairLs settings/,
    );
    expect(messages.find((m) => m.includes("timeoutSeconds"))).toContain(".repair-ls.json");
    // The same problems as data, for clients that must not parse sentences (the CLI).
    const issues = client.notifications.filter((n) => n.method === CONFIG_PROBLEM_NOTIFICATION).map((n) => n.params);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: "engine", kind: "invalid-value", source: "the editor's repairLs settings" }),
        expect.objectContaining({
          key: "test.timeoutSeconds",
          kind: "invalid-value",
          source: expect.stringContaining(".repair-ls.json") as string,
        }),
      ]),
    );
    // Still serving requests after the bad configuration.
    expect(
      await client.connection.sendRequest("textDocument/codeAction", codeActionParams("file:///nowhere.py")),
    ).toEqual([]);
    expect(await client.shutdown()).toBe(0);
  });

  test("a broken .repair-ls.json is reported, not fatal; didChangeConfiguration re-reads and reports once", async () => {
    writeFileSync(join(workspace, ".repair-ls.json"), "{ not json");
    client = LspTestClient.start();
    await client.initialize({ rootPath: workspace });
    await client.waitForNotification(
      (n) => n.method === "window/showMessage" && JSON.stringify(n.params).includes("invalid JSON"),
    );
    await client.connection.sendNotification("workspace/didChangeConfiguration", { settings: null });
    // A request after the notification is answered after it has been handled, so counting is safe then.
    await client.connection.sendRequest("textDocument/codeAction", codeActionParams("file:///x.py"));
    await new Promise((r) => setTimeout(r, 100));
    expect(client.messages("window/showMessage").filter((m) => m.includes("invalid JSON"))).toHaveLength(1);
  });
});

function codeActionParams(uri: string): unknown {
  return {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    context: { diagnostics: [] },
  };
}

describe("bad input", () => {
  test("unknown methods get MethodNotFound; unknown notifications are ignored", async () => {
    client = LspTestClient.start();
    await client.initialize({ rootPath: workspace });
    await client.connection.sendNotification("custom/whatever", { x: 1 });
    await expect(client.connection.sendRequest("custom/unknown", {})).rejects.toMatchObject({ code: -32601 });
  });

  test("malformed JSON-RPC does not crash the server", async () => {
    client = LspTestClient.start();
    await client.initialize({ rootPath: workspace });
    const garbage = "{ this is not json";
    client.writeRaw(`Content-Length: ${Buffer.byteLength(garbage)}\r\n\r\n${garbage}`);
    const notAMessage = JSON.stringify({ hello: "world" });
    client.writeRaw(`Content-Length: ${Buffer.byteLength(notAMessage)}\r\n\r\n${notAMessage}`);
    expect(await client.connection.sendRequest("textDocument/codeAction", codeActionParams("file:///a.py"))).toEqual(
      [],
    );
    expect(client.child.exitCode).toBeNull();
    expect(await client.shutdown()).toBe(0);
  });

  test("requests with malformed params answer an error or nothing, never crash", async () => {
    client = LspTestClient.start();
    await client.initialize({ rootPath: workspace });
    await expect(client.connection.sendRequest("textDocument/codeAction", { bogus: true })).rejects.toMatchObject({
      code: expect.any(Number) as number,
    });
    await expect(
      client.connection.sendRequest("workspace/executeCommand", { command: "repair.nope" }),
    ).rejects.toMatchObject({
      code: -32602,
    });
    await client.connection.sendNotification("textDocument/didChange", {
      textDocument: { uri: "file:///never-opened.py", version: 2 },
      contentChanges: [{ text: "x" }],
    });
    await client.connection.sendNotification("textDocument/didOpen", { textDocument: null });
    expect(await client.connection.sendRequest("textDocument/codeAction", codeActionParams("file:///a.py"))).toEqual(
      [],
    );
  });

  test("unknown languages, binary and huge documents are accepted quietly", async () => {
    client = LspTestClient.start();
    await client.initialize({ rootPath: workspace });
    const unknown = await client.openDocument(join(workspace, "notes.xyz"), "hello", "plaintext");
    const binary = await client.openDocument(
      join(workspace, "blob.py"),
      "\u0000\u0001\u0002\uFFFD".repeat(1000),
      "python",
    );
    const huge = await client.openDocument(join(workspace, "huge.js"), "let x = 1;\n".repeat(300_000), "javascript");
    for (const uri of [unknown, binary]) {
      expect(await client.connection.sendRequest("textDocument/codeAction", codeActionParams(uri))).toEqual([]);
    }
    // A huge source file is still source: only the offer to repair, answered without parsing anything.
    const actions = await client.connection.sendRequest<{ kind: string }[]>(
      "textDocument/codeAction",
      codeActionParams(huge),
    );
    expect(actions.map((a) => a.kind)).toEqual(["quickfix.repair-ls-here"]);
    expect(await client.shutdown()).toBe(0);
  });
});

describe("code action kinds", () => {
  test("context.only is honoured for every action, by kind containment", async () => {
    client = LspTestClient.start();
    await client.initialize({ rootPath: workspace });
    const uri = await client.openDocument(join(workspace, "only.py"), "x = 1\n", "python");
    const kinds = async (only: string[] | undefined): Promise<string[]> => {
      const params = codeActionParams(uri) as { context: { only?: string[] } };
      if (only) params.context.only = only;
      const actions = await client!.connection.sendRequest<{ kind: string }[]>("textDocument/codeAction", params);
      return actions.map((a) => a.kind);
    };
    expect(await kinds(undefined)).toEqual(["quickfix.repair-ls-here"]);
    expect(await kinds(["quickfix"])).toEqual(["quickfix.repair-ls-here"]);
    expect(await kinds(["refactor"])).toEqual([]);
    expect(await kinds(["source.organizeImports"])).toEqual([]);
    // Auto-applying validated repairs must never start a repair job.
    expect(await kinds(["quickfix.repair-ls"])).toEqual([]);
    expect(await client.shutdown()).toBe(0);
  });
});

describe("cancellation", () => {
  test("$/cancelRequest for a queued request answers RequestCancelled", async () => {
    client = LspTestClient.start();
    await client.initialize({ rootPath: workspace });
    // Write the request and its cancellation in one chunk, so both are queued before the server dispatches.
    const request = JSON.stringify({
      jsonrpc: "2.0",
      id: 9001,
      method: "textDocument/codeAction",
      params: codeActionParams("file:///a.py"),
    });
    const cancel = JSON.stringify({ jsonrpc: "2.0", method: "$/cancelRequest", params: { id: 9001 } });
    const frame = (s: string): string => `Content-Length: ${Buffer.byteLength(s)}\r\n\r\n${s}`;
    const responses: unknown[] = [];
    client.child.stdout.on("data", (chunk: Buffer) => responses.push(chunk.toString("utf8")));
    client.writeRaw(frame(request) + frame(cancel));
    await expect.poll(() => responses.join(""), { timeout: 5000 }).toContain('"id":9001');
    expect(responses.join("")).toContain('"code":-32800');
  });
});
