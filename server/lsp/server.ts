import { readFileSync } from "node:fs";
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DidRenameFilesNotification,
  ErrorCodes,
  FileChangeType,
  MessageType,
  ResponseError,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type DidChangeConfigurationParams,
  type DidChangeTextDocumentParams,
  type DidChangeWatchedFilesParams,
  type DidChangeWorkspaceFoldersParams,
  type DidCloseTextDocumentParams,
  type DidOpenTextDocumentParams,
  type RenameFilesParams,
  type DidSaveTextDocumentParams,
  type ExecuteCommandParams,
  type InitializeParams,
  type InitializeResult,
} from "vscode-languageserver/node.js";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import { LANGUAGES, languageForPath } from "../../grammars/languages.js";
import { computeCapabilities, renameFilesRegistration, type NegotiatedCapabilities } from "./capabilities.js";
import {
  diagnosticsFixedBy,
  fixAllAction,
  isCurrent,
  kindRequested,
  repairAction,
  repairDiagnostics,
  repairEdit,
  repairHereAction,
  repairTouches,
  DIAGNOSTIC_SOURCE,
  type CurrentFile,
  type RepairActionData,
} from "./code-actions.js";
import { DocumentStore, OpenDocument } from "./documents.js";
import { FolderIndexes } from "./indexing.js";
import { JobManager } from "./jobs.js";
import { ConnectionLogger } from "./logger.js";
import {
  CODE_ACTION_KINDS,
  CONFIG_PROBLEM_NOTIFICATION,
  CONFIG_SECTION,
  type ConfigProblemParams,
} from "./protocol-names.js";
import { RepairCache } from "./repair-cache.js";
import { describeReaped, reapLeftovers } from "../pipeline/leftovers/reap.js";
import { RepairCommands } from "./repair-commands.js";
import { redactOutgoingMessages } from "./message-redaction.js";
import {
  describeProblem,
  problemParams,
  readProjectSettings,
  resolveFolderSettings,
  type SourcedProblem,
} from "./settings.js";
import { WorkspaceTrust } from "./workspace-trust.js";
import { uriToPath, WorkspaceFolders, type FolderState } from "./workspace-folders.js";

export const SERVER_NAME = "repair-ls";

/**
 * The state of one language-server session and the behaviour behind each handler. The handler table
 * (handlers.ts) maps protocol methods to these methods; nothing else registers handlers.
 */
export class RepairServer {
  readonly documents = new DocumentStore();
  readonly folders = new WorkspaceFolders();
  readonly logger: ConnectionLogger;
  readonly cache = new RepairCache();
  readonly jobs: JobManager;
  readonly indexes: FolderIndexes;
  readonly commands: RepairCommands;
  readonly trust: WorkspaceTrust;
  negotiated: NegotiatedCapabilities | undefined;
  private renameRegistration = false;
  private initializationOptions: unknown;
  /** Problems already shown, so a refresh does not repeat the same message. */
  private readonly reportedProblems = new Set<string>();
  /** Current configuration problems, for repair.status: as sentences for people, and as data for clients. */
  configProblems: string[] = [];
  configIssues: ConfigProblemParams[] = [];
  /** Settles once the first configuration has been read; commands wait for it so they never run on defaults. */
  readonly ready: Promise<void>;
  private markReady: () => void = () => undefined;

  constructor(
    readonly connection: Connection,
    readonly version: string,
  ) {
    // Before anything is sent: messages quote hosts and URLs, whose credentials must not reach the client's log.
    redactOutgoingMessages(connection);
    this.logger = new ConnectionLogger(connection);
    this.trust = new WorkspaceTrust(connection, this.logger);
    this.jobs = new JobManager(connection, this.logger, () => this.negotiated?.workDoneProgress === true);
    this.indexes = new FolderIndexes(this);
    this.commands = new RepairCommands(this);
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  initialize(params: InitializeParams): InitializeResult {
    this.negotiated = computeCapabilities(params.capabilities);
    this.renameRegistration = renameFilesRegistration(params.capabilities);
    this.documents.setEncoding(this.negotiated.positionEncoding);
    this.initializationOptions = params.initializationOptions;
    const folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: "root" }] : []);
    for (const folder of folders) this.folders.add(folder.uri, folder.name);
    return { capabilities: this.negotiated.capabilities, serverInfo: { name: SERVER_NAME, version: this.version } };
  }

  async initialized(): Promise<void> {
    // Test processes and scratch folders of a server that was killed (kill -9, a crash) are removed at start.
    void reapLeftovers().then(
      (reaped) => {
        const note = describeReaped(reaped);
        if (note) this.logger.info(note);
      },
      (error: unknown) => this.logger.warn(`cannot remove what a previous server left behind: ${String(error)}`),
    );
    try {
      if (this.negotiated?.configurationChangeRegistration) {
        await this.connection.client.register(DidChangeConfigurationNotification.type, { section: CONFIG_SECTION });
      }
      if (this.negotiated?.watchedFilesRegistration) {
        const extensions = [...new Set(LANGUAGES.flatMap((l) => l.extensions.map((e) => e.slice(1))))];
        await this.connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [
            { globPattern: `**/*.{${extensions.join(",")}}` },
            { globPattern: "**/.repair-ls.json" },
            // Ignore rules apply when a .gitignore changes, whoever changes it (git checkout, another editor).
            { globPattern: "**/.gitignore" },
          ],
        });
      }
      if (this.renameRegistration) {
        await this.connection.client.register(DidRenameFilesNotification.type, {
          filters: [{ scheme: "file", pattern: { glob: "**/*" } }],
        });
      }
      await this.refreshAllSettings();
    } finally {
      this.markReady();
    }
    this.logger.info(
      `${SERVER_NAME} ${this.version} ready (positions in ${this.negotiated?.positionEncoding ?? "utf-16"})`,
    );
    for (const folder of this.folders.all()) this.indexes.startInitial(folder);
  }

  /** Stops background work so that test processes and scratch copies are gone before the process exits. */
  async shutdown(): Promise<void> {
    this.jobs.cancel();
    await Promise.race([this.jobs.settle(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    await this.indexes.closeAll();
  }

  // --- Documents -----------------------------------------------------------------------------------------------

  didOpen(params: DidOpenTextDocumentParams): void {
    const { uri, languageId, version, text } = params.textDocument;
    this.documents.open(uri, languageId, version, text);
    this.afterTextChange(uri, text);
  }

  didChange(params: DidChangeTextDocumentParams): void {
    const document = this.documents.get(params.textDocument.uri);
    // A change for a document we never saw opened cannot be applied safely: ignore it rather than guess.
    if (!document) {
      this.logger.debug(`ignored didChange for unopened ${params.textDocument.uri}`);
      return;
    }
    document.applyChanges(params.contentChanges, params.textDocument.version);
    this.afterTextChange(document.uri, document.text);
    const path = uriToPath(document.uri);
    if (path) this.indexes.scheduleUpdate(path, document.text);
  }

  didClose(params: DidCloseTextDocumentParams): void {
    this.documents.close(params.textDocument.uri);
    // A closed buffer's unsaved text no longer counts: the index goes back to the file on disk.
    const path = uriToPath(params.textDocument.uri);
    if (path) this.indexes.updateFromDisk(path);
  }

  didSave(params: DidSaveTextDocumentParams): void {
    const path = uriToPath(params.textDocument.uri);
    if (path) this.indexes.updateFromDisk(path);
  }

  async didChangeWatchedFiles(params: DidChangeWatchedFilesParams): Promise<void> {
    for (const change of params.changes) {
      const path = uriToPath(change.uri);
      if (!path) continue;
      if (path.endsWith(".repair-ls.json")) {
        const folder = this.folders.folderOf(path);
        if (folder) await this.refreshSettings(folder);
        continue;
      }
      if (basename(path) === ".gitignore") {
        this.indexes.ignoreFileChanged(path);
        continue;
      }
      if (change.type === FileChangeType.Deleted) this.indexes.remove(path);
      // The open buffer is the truth for open documents; the disk copy of those is indexed on save.
      else if (!this.documents.get(change.uri)) this.indexes.updateFromDisk(path);
      if (!this.documents.get(change.uri)) {
        let text = "";
        try {
          text = readFileSync(path, "utf8");
        } catch {
          // A deleted file invalidates every repair of it: an empty text never matches a repair's base.
        }
        this.publishDiagnostics(this.cache.invalidate(path, text));
      }
    }
  }

  /**
   * Renamed files and folders: the index moves their rows; repairs of the old path are dropped (an empty text never
   * matches a repair's base). Watched-file events for the same rename may follow and find nothing left to do.
   */
  didRenameFiles(params: RenameFilesParams): void {
    for (const file of params.files) {
      const oldPath = uriToPath(file.oldUri);
      const newPath = uriToPath(file.newUri);
      if (!oldPath || !newPath) continue;
      this.indexes.rename(oldPath, newPath);
      this.publishDiagnostics(this.cache.invalidate(oldPath, ""));
    }
  }

  /** A repair computed against another text of this document is dropped, with its diagnostics. */
  private afterTextChange(uri: string, text: string): void {
    const path = uriToPath(uri);
    if (path) this.publishDiagnostics(this.cache.invalidate(path, text));
  }

  /** The current text of a file: the open buffer if there is one (with its version), else the disk. */
  currentFile(path: string): CurrentFile | undefined {
    const uri = pathToFileURL(path).href;
    const open = this.documents.get(uri);
    if (open) return { document: open, version: open.version };
    try {
      const text = readFileSync(path, "utf8");
      return {
        document: new OpenDocument(uri, "", 0, text, this.negotiated?.positionEncoding ?? "utf-16"),
        version: null,
      };
    } catch {
      return undefined;
    }
  }

  /** Open buffers of a folder, which override the disk in repairs (unsaved edits are what the user sees). */
  overlays(folder: FolderState): Map<string, string> {
    const overlays = new Map<string, string>();
    for (const document of this.documents.all()) {
      const path = uriToPath(document.uri);
      if (path && this.folders.folderOf(path) === folder) overlays.set(path, document.text);
    }
    return overlays;
  }

  publishDiagnostics(paths: Iterable<string>): void {
    for (const path of paths) {
      const current = this.currentFile(path);
      const diagnostics: Diagnostic[] = current
        ? this.cache.forFile(path).flatMap((repair) => repairDiagnostics(repair, path, current.document))
        : [];
      this.connection.sendDiagnostics({ uri: pathToFileURL(path).href, diagnostics }).catch(() => undefined);
    }
  }

  // --- Workspace and configuration -----------------------------------------------------------------------------

  async didChangeConfiguration(_params: DidChangeConfigurationParams): Promise<void> {
    await this.refreshAllSettings();
  }

  async didChangeWorkspaceFolders(params: DidChangeWorkspaceFoldersParams): Promise<void> {
    for (const removed of params.event.removed) {
      const folder = this.folders.remove(removed.uri);
      if (folder) {
        await this.indexes.close(folder);
        this.publishDiagnostics(this.cache.clearFolder(folder.path));
      }
    }
    for (const added of params.event.added) {
      const folder = this.folders.add(added.uri, added.name);
      if (!folder) continue;
      await this.refreshSettings(folder);
      this.indexes.startInitial(folder);
    }
  }

  async refreshAllSettings(): Promise<void> {
    this.configProblems = [];
    this.configIssues = [];
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
    const projectSource = `${folder.path}/.repair-ls.json`;
    const { config, problems, untrustedKeys, refusals } = await resolveFolderSettings({
      folderPath: folder.path,
      userLayers: [
        { raw: this.initializationOptions, source: "initializationOptions" },
        { raw: clientSettings, source: `the editor's ${CONFIG_SECTION} settings` },
      ],
      workspaceFile: { raw: project.raw, source: projectSource },
      isTrusted: (userConfig) => this.trust.isTrusted(folder.path, userConfig),
    });
    folder.config = config;
    this.logger.setLevel(config.logLevel);
    this.reportProblems([...project.problems, ...problems]);
    for (const refusal of refusals) this.trust.warnOnce(refusal);
    // Every settings change reaches the folder's open index (reopened when the embedder or its place changed).
    await this.indexes.reconfigure(folder);
    // The folder runs untrusted until the user answers; their answer applies the settings again.
    if (untrustedKeys.length > 0) {
      this.trust.review(folder.path, untrustedKeys, projectSource, () => this.refreshSettings(folder));
    }
  }

  /** The client's invocation (the CLI, or a command passing allowRun) is the user's consent for that folder. */
  async trustForSession(folder: FolderState): Promise<void> {
    if (!(await this.trust.grantForSession(folder.path))) return;
    await this.refreshSettings(folder);
  }

  private reportProblems(problems: readonly SourcedProblem[]): void {
    for (const problem of problems) {
      const message = describeProblem(problem);
      if (!this.configProblems.includes(message)) {
        this.configProblems.push(message);
        this.configIssues.push(problemParams(problem));
      }
      if (this.reportedProblems.has(message)) continue;
      this.reportedProblems.add(message);
      this.logger.warn(message);
      this.connection.sendNotification(CONFIG_PROBLEM_NOTIFICATION, problemParams(problem)).catch(() => undefined);
      this.connection
        .sendNotification("window/showMessage", { type: MessageType.Warning, message })
        .catch(() => undefined);
    }
  }

  // --- Repairs -------------------------------------------------------------------------------------------------

  /**
   * Answers from the cache only: validated repairs touching the range (never for a changed document), then
   * "Repair here" for the range and for each diagnostic in the request's context.
   */
  codeActions(params: CodeActionParams): CodeAction[] {
    const uri = params.textDocument.uri;
    const path = uriToPath(uri);
    // Documents that are not open, outside every folder or of unknown languages get no actions rather than an
    // error: clients routinely ask for every buffer.
    const document = this.documents.get(uri);
    if (!path || !document || !this.folders.folderOf(path) || !languageForPath(path)) return [];
    // A buffer with NUL characters is binary whatever its name says: there is no code to repair.
    if (document.text.slice(0, 8192).includes("\u0000")) return [];
    const lazy = this.negotiated?.lazyCodeActionEdits === true;
    const versioned = this.negotiated?.versionedEdits !== false;
    const actions: CodeAction[] = [];
    const current = (p: string): CurrentFile | undefined => this.currentFile(p);
    const repairs = this.cache
      .forFile(path)
      .filter((r) => repairTouches(r, path, params.range) && isCurrent(r, current));
    const only = params.context.only;
    if (kindRequested(only, CODE_ACTION_KINDS.fixAll)) {
      const all = fixAllAction(this.cache.forFile(path), current, versioned);
      if (all) actions.push(all);
    }
    repairs.forEach((repair, index) => {
      const kind = repair.verdict === "repair" ? CODE_ACTION_KINDS.repair : CODE_ACTION_KINDS.partial;
      if (!kindRequested(only, kind)) return;
      const data: RepairActionData | undefined = lazy ? { repairId: repair.id, uri, range: params.range } : undefined;
      actions.push(
        repairAction({
          repair,
          preferred: index === 0,
          diagnostics: diagnosticsFixedBy(repair, path, params.context.diagnostics),
          edit: lazy ? undefined : repairEdit(repair, current, versioned),
          lazyData: data,
        }),
      );
    });
    if (!kindRequested(only, CODE_ACTION_KINDS.repairHere)) return actions;
    actions.push(repairHereAction(uri, params.range, undefined));
    for (const diagnostic of params.context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) actions.push(repairHereAction(uri, diagnostic.range, diagnostic));
    }
    return actions;
  }

  /** Attaches the edit, re-checking that the files still have the texts the repair was computed against. */
  resolveCodeAction(action: CodeAction): CodeAction {
    const data = action.data as Partial<RepairActionData> | undefined;
    if (!data?.repairId) return action;
    const repair = this.cache.get(data.repairId);
    const edit = repair
      ? repairEdit(repair, (p) => this.currentFile(p), this.negotiated?.versionedEdits !== false)
      : undefined;
    if (edit) return { ...action, edit };
    // The document changed (or the repair was superseded): offer to recompute instead of applying a stale edit.
    const range = data.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return {
      ...action,
      title: `${action.title} (outdated: recompute)`,
      command: repairHereAction(data.uri ?? "", range, undefined).command,
    };
  }

  async executeCommand(params: ExecuteCommandParams): Promise<unknown> {
    await this.ready;
    return this.commands.execute(params.command, params.arguments ?? []);
  }

  /** The full report of a finished job (`repair/report`), for headless clients. */
  report(params: { jobId?: unknown }): unknown {
    if (typeof params?.jobId !== "string")
      throw new ResponseError(ErrorCodes.InvalidParams, "repair/report needs { jobId }");
    const report = this.commands.reports.get(params.jobId);
    if (!report) throw new ResponseError(ErrorCodes.InvalidParams, `no finished job ${params.jobId}`);
    return report;
  }
}
