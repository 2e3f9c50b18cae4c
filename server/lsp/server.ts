import {
  DidChangeConfigurationNotification,
  MessageType,
  ResponseError,
  ErrorCodes,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type DidChangeConfigurationParams,
  type DidChangeTextDocumentParams,
  type DidChangeWatchedFilesParams,
  type DidChangeWorkspaceFoldersParams,
  type DidCloseTextDocumentParams,
  type DidOpenTextDocumentParams,
  type DidSaveTextDocumentParams,
  type ExecuteCommandParams,
  type InitializeParams,
  type InitializeResult,
} from "vscode-languageserver";
import { computeCapabilities, type NegotiatedCapabilities } from "./capabilities.js";
import { DocumentStore } from "./documents.js";
import { ConnectionLogger } from "./logger.js";
import { CONFIG_SECTION } from "./protocol-names.js";
import { describeProblem, layerSettings, readProjectSettings, type SourcedProblem } from "./settings.js";
import { WorkspaceFolders, type FolderState } from "./workspace-folders.js";

export const SERVER_NAME = "repair-ls";

/**
 * The state of one language-server session and the behaviour behind each handler. The handler table
 * (handlers.ts) maps protocol methods to these methods; nothing else registers handlers.
 */
export class RepairServer {
  readonly documents = new DocumentStore();
  readonly folders = new WorkspaceFolders();
  readonly logger: ConnectionLogger;
  negotiated: NegotiatedCapabilities | undefined;
  private initializationOptions: unknown;
  /** Problems already shown, so a refresh does not repeat the same message. */
  private readonly reportedProblems = new Set<string>();

  constructor(
    readonly connection: Connection,
    readonly version: string,
  ) {
    this.logger = new ConnectionLogger(connection);
  }

  initialize(params: InitializeParams): InitializeResult {
    this.negotiated = computeCapabilities(params.capabilities);
    this.documents.setEncoding(this.negotiated.positionEncoding);
    this.initializationOptions = params.initializationOptions;
    const folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: "root" }] : []);
    for (const folder of folders) this.folders.add(folder.uri, folder.name);
    return { capabilities: this.negotiated.capabilities, serverInfo: { name: SERVER_NAME, version: this.version } };
  }

  async initialized(): Promise<void> {
    if (this.negotiated?.configurationChangeRegistration) {
      await this.connection.client.register(DidChangeConfigurationNotification.type, { section: CONFIG_SECTION });
    }
    await this.refreshAllSettings();
    this.logger.info(
      `${SERVER_NAME} ${this.version} ready (positions in ${this.negotiated?.positionEncoding ?? "utf-16"})`,
    );
  }

  shutdown(): void {
    this.logger.debug("shutdown requested");
  }

  // --- Documents -----------------------------------------------------------------------------------------------

  didOpen(params: DidOpenTextDocumentParams): void {
    const { uri, languageId, version, text } = params.textDocument;
    this.documents.open(uri, languageId, version, text);
  }

  didChange(params: DidChangeTextDocumentParams): void {
    const document = this.documents.get(params.textDocument.uri);
    // A change for a document we never saw opened cannot be applied safely: ignore it rather than guess.
    if (!document) {
      this.logger.debug(`ignored didChange for unopened ${params.textDocument.uri}`);
      return;
    }
    document.applyChanges(params.contentChanges, params.textDocument.version);
  }

  didClose(params: DidCloseTextDocumentParams): void {
    this.documents.close(params.textDocument.uri);
  }

  didSave(_params: DidSaveTextDocumentParams): void {}

  didChangeWatchedFiles(_params: DidChangeWatchedFilesParams): void {}

  // --- Workspace and configuration -----------------------------------------------------------------------------

  async didChangeConfiguration(_params: DidChangeConfigurationParams): Promise<void> {
    await this.refreshAllSettings();
  }

  async didChangeWorkspaceFolders(params: DidChangeWorkspaceFoldersParams): Promise<void> {
    for (const removed of params.event.removed) this.folders.remove(removed.uri);
    for (const added of params.event.added) {
      const folder = this.folders.add(added.uri, added.name);
      if (folder) await this.refreshSettings(folder);
    }
  }

  async refreshAllSettings(): Promise<void> {
    await Promise.all(this.folders.all().map((folder) => this.refreshSettings(folder)));
  }

  /** Recomputes one folder's configuration from every source and reports invalid values once. */
  async refreshSettings(folder: FolderState): Promise<void> {
    let clientSettings: unknown;
    if (this.negotiated?.pullConfiguration) {
      try {
        clientSettings = await this.connection.workspace.getConfiguration({
          scopeUri: folder.uri,
          section: CONFIG_SECTION,
        });
      } catch (error) {
        this.logger.warn(`workspace/configuration failed: ${String(error)}`);
      }
    }
    const project = await readProjectSettings(folder.path);
    const { config, problems } = layerSettings([
      { raw: this.initializationOptions, source: "initializationOptions" },
      { raw: clientSettings, source: `the editor's ${CONFIG_SECTION} settings` },
      { raw: project.raw, source: `${folder.path}/.repair-ls.json` },
    ]);
    folder.config = config;
    this.logger.setLevel(config.logLevel);
    this.reportProblems([...project.problems, ...problems]);
  }

  private reportProblems(problems: readonly SourcedProblem[]): void {
    for (const problem of problems) {
      const message = describeProblem(problem);
      if (this.reportedProblems.has(message)) continue;
      this.reportedProblems.add(message);
      this.logger.warn(message);
      this.connection
        .sendNotification("window/showMessage", { type: MessageType.Warning, message })
        .catch(() => undefined);
    }
  }

  // --- Repairs -------------------------------------------------------------------------------------------------

  codeActions(params: CodeActionParams): CodeAction[] {
    // Requests for documents that are not open, or outside every folder, get no actions rather than an error:
    // clients routinely ask for every buffer.
    if (!this.documents.get(params.textDocument.uri)) return [];
    return [];
  }

  resolveCodeAction(action: CodeAction): CodeAction {
    return action;
  }

  executeCommand(params: ExecuteCommandParams): unknown {
    throw new ResponseError(ErrorCodes.InvalidParams, `unknown command: ${params.command}`);
  }
}
