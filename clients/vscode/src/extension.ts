import { statSync } from "node:fs";
import { homedir } from "node:os";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  ResponseError,
  RevealOutputChannelOn,
  State,
  TransportKind,
  CloseAction,
  ErrorAction,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { withoutClientSettings } from "./client-settings.js";
import {
  CONFIG_SECTION,
  JOB_FINISHED_NOTIFICATION,
  SERVER_COMMANDS,
  STATUS_NOTIFICATION,
  SUPPORTED_LANGUAGES,
  isJobFinishedParams,
  isStatusParams,
} from "./protocol.js";
import { RestartPolicy } from "./restart-policy.js";
import { describeLaunch, locateServer, type ServerLaunch } from "./server-location.js";
import { presentStatus, type ClientState } from "./status-presentation.js";

const CLIENT_ID = "repairLs";
const CLIENT_NAME = "repair-ls";

/** The extension's own command ids; the server's ids (repair.*) are registered by vscode-languageclient itself. */
const EXTENSION_COMMANDS = {
  fixAllFailing: "repairLs.fixAllFailing",
  fixHere: "repairLs.fixHere",
  reindex: "repairLs.reindex",
  cancel: "repairLs.cancel",
  restart: "repairLs.restartServer",
  showOutput: "repairLs.showOutput",
} as const;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Shows at most one error message per start attempt. A server that fails to start makes several parts of
 * vscode-languageclient complain (the connection, the initialize request, the close handler); the user needs one
 * message that says what was run and what to do.
 */
class StartFailureReporter {
  private shown = false;

  constructor(private readonly output: vscode.OutputChannel) {}

  report(message: string): void {
    this.output.appendLine(`[error] ${message}`);
    if (this.shown) return;
    this.shown = true;
    void vscode.window.showErrorMessage(message, "Show Output", "Open Settings").then((choice) => {
      if (choice === "Show Output") this.output.show(true);
      else if (choice === "Open Settings") {
        void vscode.commands.executeCommand("workbench.action.openSettings", "repairLs.server");
      }
    });
  }

  /** Called once the server runs, so that a later failure is reported again. */
  reset(): void {
    this.shown = false;
  }
}

/**
 * A language client whose library-generated error notifications are routed to the reporter while the server is
 * not running, so that a failed start produces one message naming the server instead of several generic ones.
 */
class RepairLanguageClient extends LanguageClient {
  constructor(
    serverOptions: ServerOptions,
    clientOptions: LanguageClientOptions,
    private readonly onStartError: (message: string) => void,
  ) {
    super(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  }

  override error(message: string, data?: unknown, showNotification: boolean | "force" = true): void {
    if (this.state === State.Running || showNotification === false) {
      super.error(message, data, showNotification);
      return;
    }
    super.error(message, data, false);
    this.onStartError(data === undefined ? message : `${message} ${errorText(data)}`);
  }
}

function serverOptionsFor(launch: ServerLaunch): ServerOptions {
  if (launch.kind === "executable") {
    // npm's shims on Windows are .cmd files, which only a shell can run.
    const shell = process.platform === "win32" && /\.(cmd|bat)$/i.test(launch.command);
    return { command: launch.command, args: [], transport: TransportKind.stdio, options: { shell } };
  }
  return launch.runtime
    ? { module: launch.module, runtime: launch.runtime, args: [], transport: TransportKind.stdio }
    : { module: launch.module, args: [], transport: TransportKind.stdio };
}

class RepairExtension implements vscode.Disposable {
  private client: RepairLanguageClient | undefined;
  private launch: ServerLaunch | undefined;
  private readonly output = vscode.window.createOutputChannel(CLIENT_NAME);
  private readonly statusItem = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  private readonly reporter = new StartFailureReporter(this.output);
  private readonly restartPolicy = new RestartPolicy();
  private reachedRunning = false;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.statusItem.name = CLIENT_NAME;
    this.statusItem.command = EXTENSION_COMMANDS.showOutput;
    this.showState("starting");
    this.statusItem.show();
  }

  dispose(): void {
    this.statusItem.dispose();
    this.output.dispose();
  }

  showState(state: ClientState, message = ""): void {
    const presentation = presentStatus(state, message);
    this.statusItem.text = presentation.text;
    this.statusItem.tooltip = presentation.tooltip;
    this.statusItem.backgroundColor =
      presentation.tone === "normal"
        ? undefined
        : new vscode.ThemeColor(
            presentation.tone === "warning" ? "statusBarItem.warningBackground" : "statusBarItem.errorBackground",
          );
  }

  showOutput(): void {
    this.output.show(true);
  }

  async start(): Promise<void> {
    const settings = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const located = locateServer({
      configuredPath: settings.get<string>("server.path", ""),
      nodePath: settings.get<string>("server.nodePath", ""),
      extensionPath: this.context.extensionPath,
      homeDir: homedir(),
      platform: process.platform,
      envPath: process.env["PATH"],
      isFile,
    });
    if (!located.found) {
      this.showState("stopped", "server not found");
      this.reporter.report(
        `repair-ls: the language server was not found. Tried: ${located.tried.join("; ")}. ` +
          `Set "repairLs.server.path" to a repair-ls executable, or install it with "npm install -g".`,
      );
      return;
    }
    const launch = located.launch;
    this.launch = launch;
    this.reachedRunning = false;
    this.output.appendLine(`Starting ${describeLaunch(launch)} (${launch.source})`);
    this.showState("starting");

    const clientOptions: LanguageClientOptions = {
      documentSelector: SUPPORTED_LANGUAGES.map((language) => ({ scheme: "file", language })),
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationFailedHandler: (error) => {
        this.reporter.report(this.failureMessage(launch, `initialization failed: ${errorText(error)}`));
        return false;
      },
      errorHandler: {
        error: (_error, _message, count) =>
          // A few unreadable messages are survivable; a stream that keeps failing means the server is gone.
          (count ?? 0) <= 3 ? { action: ErrorAction.Continue, handled: true } : { action: ErrorAction.Shutdown },
        closed: () => {
          const decision = this.restartPolicy.onClosed(Date.now(), this.reachedRunning);
          if (decision === "restart") {
            this.output.appendLine("[warn] The server stopped unexpectedly; restarting it once.");
            return { action: CloseAction.Restart, handled: true };
          }
          this.showState("stopped", "the server stopped");
          this.reporter.report(
            this.failureMessage(
              launch,
              this.reachedRunning ? "it stopped unexpectedly again" : "it stopped while starting",
            ),
          );
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
      middleware: {
        workspace: {
          // The repairLs section also holds the extension's own settings, which the server must not see.
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            return result instanceof ResponseError ? result : result.map((item) => withoutClientSettings(item));
          },
        },
      },
    };

    const client = new RepairLanguageClient(serverOptionsFor(launch), clientOptions, (message) =>
      this.reporter.report(this.failureMessage(launch, message)),
    );
    this.client = client;
    client.onDidChangeState((event) => {
      if (event.newState === State.Running) {
        this.reachedRunning = true;
        this.reporter.reset();
        this.showState("idle");
        void this.refreshStatus(client);
      } else if (event.newState === State.Stopped) {
        this.showState("stopped");
      }
    });
    client.onNotification(STATUS_NOTIFICATION, (params: unknown) => {
      if (isStatusParams(params)) this.showState(params.state, params.message);
    });
    client.onNotification(JOB_FINISHED_NOTIFICATION, (params: unknown) => {
      if (!isJobFinishedParams(params)) return;
      this.output.appendLine(
        `[info] Job ${params.jobId} (${params.kind}) ${params.status}: ${params.message} (${params.patches} patches)`,
      );
    });
    try {
      await client.start();
    } catch (error) {
      this.showState("stopped", "the server could not start");
      this.reporter.report(this.failureMessage(launch, errorText(error)));
    }
  }

  private failureMessage(launch: ServerLaunch, detail: string): string {
    return (
      `repair-ls: the server ${describeLaunch(launch)} failed: ${detail}. It will not be restarted automatically; ` +
      `see the "repair-ls" output, fix the problem, then run "Repair: Restart Server".`
    );
  }

  /** Seeds the status bar from repair.status; a server that cannot answer leaves the state as it is. */
  private async refreshStatus(client: RepairLanguageClient): Promise<void> {
    try {
      const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, {
        command: SERVER_COMMANDS.status,
        arguments: [],
      });
      if (isStatusParams(result)) this.showState(result.state, result.message);
    } catch (error) {
      this.output.appendLine(`[warn] ${SERVER_COMMANDS.status} failed: ${errorText(error)}`);
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client && client.state !== State.Stopped) {
      try {
        await client.stop();
      } catch (error) {
        this.output.appendLine(`[warn] stopping the server failed: ${errorText(error)}`);
      }
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    this.restartPolicy.reset();
    this.reporter.reset();
    await this.start();
  }

  /** Runs one of the server's commands, telling the user when the server cannot take it. */
  async execute(command: string, args: unknown[]): Promise<unknown> {
    const client = this.client;
    if (!client || client.state !== State.Running) {
      const where = this.launch ? ` (${describeLaunch(this.launch)})` : "";
      void vscode.window.showWarningMessage(
        `repair-ls is not running${where}. Run "Repair: Restart Server" after fixing the problem shown earlier.`,
      );
      return undefined;
    }
    try {
      return await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
    } catch (error) {
      void vscode.window.showErrorMessage(`repair-ls: ${command} failed: ${errorText(error)}`);
      return undefined;
    }
  }

  async fixAllFailing(): Promise<void> {
    const result = await this.execute(SERVER_COMMANDS.fixAllFailing, []);
    if (result !== undefined) this.showState("repairing", "fixing all failing tests");
  }

  async fixHere(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const client = this.client;
    if (!editor || !(SUPPORTED_LANGUAGES as readonly string[]).includes(editor.document.languageId)) {
      void vscode.window.showWarningMessage("Repair Here needs an editor with a file in a supported language.");
      return;
    }
    if (!client) {
      await this.execute(SERVER_COMMANDS.fixHere, []);
      return;
    }
    // An empty selection means "the line under the cursor".
    const selection = editor.selection;
    const range = selection.isEmpty ? editor.document.lineAt(selection.active.line).range : selection;
    const result = await this.execute(SERVER_COMMANDS.fixHere, [
      {
        uri: client.code2ProtocolConverter.asUri(editor.document.uri),
        range: client.code2ProtocolConverter.asRange(range),
      },
    ]);
    if (result !== undefined) this.showState("repairing", "repairing the selection");
  }

  async reindex(): Promise<void> {
    const result = await this.execute(SERVER_COMMANDS.reindex, []);
    if (result !== undefined) this.showState("indexing", "reindexing the workspace");
  }

  async cancel(): Promise<void> {
    const result = await this.execute(SERVER_COMMANDS.cancel, []);
    if (typeof result === "object" && result !== null && "cancelled" in result) {
      const cancelled = Number(result.cancelled);
      void vscode.window.showInformationMessage(
        cancelled === 1 ? "repair-ls: cancelled 1 job." : `repair-ls: cancelled ${cancelled} jobs.`,
      );
    }
  }
}

let extension: RepairExtension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const current = new RepairExtension(context);
  extension = current;
  context.subscriptions.push(
    current,
    vscode.commands.registerCommand(EXTENSION_COMMANDS.fixAllFailing, () => current.fixAllFailing()),
    vscode.commands.registerCommand(EXTENSION_COMMANDS.fixHere, () => current.fixHere()),
    vscode.commands.registerCommand(EXTENSION_COMMANDS.reindex, () => current.reindex()),
    vscode.commands.registerCommand(EXTENSION_COMMANDS.cancel, () => current.cancel()),
    vscode.commands.registerCommand(EXTENSION_COMMANDS.restart, () => current.restart()),
    vscode.commands.registerCommand(EXTENSION_COMMANDS.showOutput, () => current.showOutput()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // Which server runs, and with which Node.js, is decided at start: a change needs a restart.
      if (event.affectsConfiguration(`${CONFIG_SECTION}.server`)) void current.restart();
    }),
  );
  await current.start();
}

export async function deactivate(): Promise<void> {
  await extension?.stop();
  extension = undefined;
}
