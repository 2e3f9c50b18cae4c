import { TextDocumentSyncKind, type ClientCapabilities, type ServerCapabilities } from "vscode-languageserver/node.js";
import { negotiatePositionEncoding, type PositionEncoding } from "./position-encoding.js";
import { CODE_ACTION_KINDS, COMMAND_IDS } from "./protocol-names.js";

export interface NegotiatedCapabilities {
  readonly capabilities: ServerCapabilities;
  readonly positionEncoding: PositionEncoding;
  /** Whether code actions can be resolved lazily (edits attached on codeAction/resolve). */
  readonly lazyCodeActionEdits: boolean;
  /** Whether the client accepts server-initiated work-done progress. */
  readonly workDoneProgress: boolean;
  readonly workspaceFolders: boolean;
  readonly pullConfiguration: boolean;
  readonly configurationChangeRegistration: boolean;
  readonly watchedFilesRegistration: boolean;
  readonly applyEdit: boolean;
  readonly versionedEdits: boolean;
}

/**
 * The one place that decides what the server offers, as a pure function of what the client can do. It is
 * snapshot-tested, so any change to the advertised surface shows up in review.
 */
export function computeCapabilities(client: ClientCapabilities): NegotiatedCapabilities {
  const positionEncoding = negotiatePositionEncoding(client.general?.positionEncodings);
  const codeAction = client.textDocument?.codeAction;
  const lazyCodeActionEdits = codeAction?.resolveSupport?.properties.includes("edit") ?? false;
  const literalSupport = codeAction?.codeActionLiteralSupport !== undefined;
  const workspaceFolders = client.workspace?.workspaceFolders === true;

  const capabilities: ServerCapabilities = {
    positionEncoding,
    textDocumentSync: {
      openClose: true,
      change: TextDocumentSyncKind.Incremental,
      save: { includeText: false },
    },
    codeActionProvider: literalSupport
      ? {
          codeActionKinds: Object.values(CODE_ACTION_KINDS),
          resolveProvider: lazyCodeActionEdits,
        }
      : true,
    executeCommandProvider: { commands: [...COMMAND_IDS] },
  };
  if (workspaceFolders) {
    capabilities.workspace = { workspaceFolders: { supported: true, changeNotifications: true } };
  }
  return {
    capabilities,
    positionEncoding,
    lazyCodeActionEdits,
    workDoneProgress: client.window?.workDoneProgress === true,
    workspaceFolders,
    pullConfiguration: client.workspace?.configuration === true,
    configurationChangeRegistration: client.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    watchedFilesRegistration: client.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    applyEdit: client.workspace?.applyEdit === true,
    versionedEdits: client.workspace?.workspaceEdit?.documentChanges === true,
  };
}

/**
 * Whether the server may register for workspace/didRenameFiles (so that the index moves a renamed file's rows
 * instead of embedding it again). Registered dynamically, so that the advertised static surface above is unchanged.
 */
export function renameFilesRegistration(client: ClientCapabilities): boolean {
  const fileOperations = client.workspace?.fileOperations;
  return fileOperations?.dynamicRegistration === true && fileOperations.didRename === true;
}
