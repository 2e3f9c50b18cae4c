/**
 * Settings and ignore files reach a folder's open index: each test drives the built server over stdio as an editor
 * would, and reads what the index did from the indexing jobs' repair/jobFinished messages.
 */
import { existsSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { fullClientCapabilities, LspTestClient, type ReceivedNotification } from "../support/lsp-client.js";
import { writeFiles } from "../support/workspace-copy.js";
import { tempDir } from "../support/temp.js";

let workspace: string;
let clients: LspTestClient[] = [];

beforeEach(() => {
  workspace = realpathSync(tempDir("repair-ls-index-settings-"));
  writeFiles(workspace, {
    "app.py": "def total(prices):\n    return sum(prices)\n",
    "web/cart.js": "export function add(cart, item) {\n  cart.push(item);\n  return cart.length;\n}\n",
    "web/price.js": "export function price(item) {\n  return item.price * item.count;\n}\n",
  });
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.kill()));
  clients = [];
});

function start(): LspTestClient {
  const client = LspTestClient.start(["--stdio"], { OLLAMA_HOST: "http://127.0.0.1:9" });
  clients.push(client);
  return client;
}

function isIndexJobEnd(n: ReceivedNotification): boolean {
  return n.method === "repair/jobFinished" && (n.params as { kind: string }).kind === "index";
}

/** The message of the n-th (1-based) indexing job to finish. */
async function indexJobMessage(client: LspTestClient, nth: number): Promise<string> {
  const finished = await client.waitForNotification(
    (n) => isIndexJobEnd(n) && client.notifications.filter(isIndexJobEnd).indexOf(n) === nth - 1,
    120_000,
  );
  const params = finished.params as { status: string; message: string };
  expect(params.status).toBe("done");
  return params.message;
}

describe("an open index follows", () => {
  test("changed settings: excludes drop files at once, and a new index path opens a new index", async () => {
    const client = start();
    let settings: Record<string, unknown> = {};
    client.configuration = () => settings;
    await client.initialize({ rootPath: workspace });
    expect(await indexJobMessage(client, 1)).toBe("indexed 3 files (0 unchanged, 0 removed)");

    settings = { "index.exclude": [".repair-ls", "web/"] };
    await client.connection.sendNotification("workspace/didChangeConfiguration", { settings: null });
    expect(await indexJobMessage(client, 2)).toBe("indexed 0 files (1 unchanged, 2 removed)");

    settings = { "index.exclude": [".repair-ls", "web/"], "index.path": ".repair-ls/second" };
    await client.connection.sendNotification("workspace/didChangeConfiguration", { settings: null });
    expect(await indexJobMessage(client, 3)).toBe("indexed 1 files (0 unchanged, 0 removed)");
    expect(existsSync(join(workspace, ".repair-ls", "second"))).toBe(true);
  });

  test("a changed .gitignore, reported by the file watcher, without any editor save", async () => {
    const client = start();
    await client.initialize({ rootPath: workspace });
    expect(await indexJobMessage(client, 1)).toBe("indexed 3 files (0 unchanged, 0 removed)");
    const registrations = client.serverRequests.filter((r) => r.method === "client/registerCapability");
    expect(JSON.stringify(registrations.map((r) => r.params))).toContain("**/.gitignore");

    writeFiles(workspace, { "web/.gitignore": "cart.js\n" });
    await client.connection.sendNotification("workspace/didChangeWatchedFiles", {
      changes: [{ uri: pathToFileURL(join(workspace, "web", ".gitignore")).href, type: 1 }],
    });
    expect(await indexJobMessage(client, 2)).toBe("indexed 0 files (2 unchanged, 1 removed)");
  });

  test("renames, through workspace/didRenameFiles when the client offers it", async () => {
    const client = start();
    const capabilities = fullClientCapabilities();
    await client.initialize({
      rootPath: workspace,
      capabilities: {
        ...capabilities,
        workspace: { ...capabilities.workspace, fileOperations: { dynamicRegistration: true, didRename: true } },
      },
    });
    await indexJobMessage(client, 1);
    const registrations = client.serverRequests.filter((r) => r.method === "client/registerCapability");
    expect(JSON.stringify(registrations.map((r) => r.params))).toContain("workspace/didRenameFiles");
  });
});
