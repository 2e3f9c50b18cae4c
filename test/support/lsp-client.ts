/**
 * A reusable LSP test client: spawns the BUILT server (dist/, built by the test script) over stdio and talks to it
 * with vscode-languageserver-protocol, as an editor would. Integration tests use it to see exactly what a client
 * sees, including server-to-client requests, which it answers from overridable responders.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../../grammars/paths.js";
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type InitializeResult,
  type MessageConnection,
} from "vscode-languageserver-protocol/node.js";

// Found by looking upwards, so that benchmarks compiled into dist/ resolve the same root as tests run from source.
export const REPO_ROOT = packageRoot();
export const SERVER_MAIN = join(REPO_ROOT, "dist", "server", "cli", "main.js");

export interface ReceivedNotification {
  readonly method: string;
  readonly params: unknown;
}

export interface ServerRequestLog {
  readonly method: string;
  readonly params: unknown;
}

/** Client capabilities of a modern, full-featured editor; tests narrow them to imitate lesser clients. */
export function fullClientCapabilities(): ClientCapabilities {
  return {
    general: { positionEncodings: ["utf-16"] },
    window: { workDoneProgress: true, showMessage: {} },
    workspace: {
      configuration: true,
      workspaceFolders: true,
      applyEdit: true,
      workspaceEdit: { documentChanges: true },
      didChangeConfiguration: { dynamicRegistration: true },
      didChangeWatchedFiles: { dynamicRegistration: true },
    },
    textDocument: {
      synchronization: { didSave: true, dynamicRegistration: false },
      codeAction: {
        codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix", "source"] } },
        resolveSupport: { properties: ["edit"] },
        isPreferredSupport: true,
        dataSupport: true,
      },
      publishDiagnostics: { relatedInformation: true },
    },
  };
}

export class LspTestClient {
  readonly notifications: ReceivedNotification[] = [];
  readonly serverRequests: ServerRequestLog[] = [];
  readonly stderr: string[] = [];
  /** Answers to workspace/configuration, per section item; tests replace it. */
  configuration: (item: { scopeUri?: string; section?: string }) => unknown = () => null;
  /** Answer to workspace/applyEdit. */
  applyEdit: (params: unknown) => { applied: boolean } = () => ({ applied: true });
  /** Answer to window/showMessageRequest (e.g. the permission to run tests). */
  showMessageRequest: (params: { actions?: { title: string }[] }) => { title: string } | null = () => null;
  private readonly waiters: Array<{
    test: (n: ReceivedNotification) => boolean;
    resolve: (n: ReceivedNotification) => void;
  }> = [];
  readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly connection: MessageConnection,
  ) {
    this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    child.stderr.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString("utf8")));
    // The connection routes $/progress to its own handler, never to the catch-all one: record it explicitly.
    connection.onUnhandledProgress((params) => this.record("$/progress", params));
    connection.onNotification((method: string, params: unknown) => this.record(method, params));
    connection.onRequest((method: string, params: unknown) => {
      this.serverRequests.push({ method, params });
      switch (method) {
        case "workspace/configuration":
          return ((params as { items: { scopeUri?: string; section?: string }[] }).items ?? []).map((i) =>
            this.configuration(i),
          );
        case "workspace/applyEdit":
          return this.applyEdit(params);
        case "window/showMessageRequest":
          return this.showMessageRequest(params as { actions?: { title: string }[] });
        default:
          // client/registerCapability, window/workDoneProgress/create and the like just need an answer.
          return null;
      }
    });
    connection.listen();
  }

  private record(method: string, params: unknown): void {
    const notification = { method, params };
    this.notifications.push(notification);
    for (const waiter of [...this.waiters]) {
      if (waiter.test(notification)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(notification);
      }
    }
  }

  /** Spawns the built server with the given arguments (default --stdio). */
  static start(args: string[] = ["--stdio"], env: NodeJS.ProcessEnv = {}): LspTestClient {
    if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run npm run build first`);
    const child = spawn(process.execPath, [SERVER_MAIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const connection = createMessageConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    );
    return new LspTestClient(child, connection);
  }

  async initialize(
    options: {
      rootPath?: string;
      folders?: string[];
      capabilities?: ClientCapabilities;
      initializationOptions?: unknown;
    } = {},
  ): Promise<InitializeResult> {
    const folders = options.folders ?? (options.rootPath ? [options.rootPath] : []);
    const result = await this.connection.sendRequest<InitializeResult>("initialize", {
      processId: process.pid,
      rootUri: folders[0] ? pathToFileURL(folders[0]).href : null,
      capabilities: options.capabilities ?? fullClientCapabilities(),
      workspaceFolders: folders.map((f, i) => ({ uri: pathToFileURL(f).href, name: `folder${i}` })),
      initializationOptions: options.initializationOptions,
    });
    await this.connection.sendNotification("initialized", {});
    return result;
  }

  /** Resolves with the first notification (already received or future) that passes the test. */
  waitForNotification(test: (n: ReceivedNotification) => boolean, timeoutMs = 20_000): Promise<ReceivedNotification> {
    const seen = this.notifications.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(
          this.waiters.findIndex((w) => w.resolve === done),
          1,
        );
        reject(
          new Error(
            `no matching notification within ${timeoutMs} ms; got: ${this.notifications.map((n) => n.method).join(", ")}`,
          ),
        );
      }, timeoutMs);
      const done = (n: ReceivedNotification): void => {
        clearTimeout(timer);
        resolve(n);
      };
      this.waiters.push({ test, resolve: done });
    });
  }

  /** The text of every window/showMessage and window/logMessage so far. */
  messages(method: "window/showMessage" | "window/logMessage"): string[] {
    return this.notifications.filter((n) => n.method === method).map((n) => (n.params as { message: string }).message);
  }

  async openDocument(path: string, text: string, languageId: string, version = 1): Promise<string> {
    const uri = pathToFileURL(path).href;
    await this.connection.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId, version, text },
    });
    return uri;
  }

  /** Writes raw bytes to the server's stdin, for malformed-input tests. */
  writeRaw(data: string | Buffer): void {
    this.child.stdin.write(data);
  }

  /** A clean shutdown: shutdown request, exit notification, and the process's exit code. */
  async shutdown(): Promise<number | null> {
    await this.connection.sendRequest("shutdown");
    await this.connection.sendNotification("exit");
    const code = await this.exited;
    this.connection.dispose();
    return code;
  }

  /** Ends the server whatever state it is in; for afterEach hooks. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
    this.connection.dispose();
  }
}
