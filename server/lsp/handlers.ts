import {
  CodeActionRequest,
  CodeActionResolveRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidChangeWorkspaceFoldersNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  ErrorCodes,
  ExecuteCommandRequest,
  InitializedNotification,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Connection,
} from "vscode-languageserver";
import { REPORT_REQUEST } from "./protocol-names.js";
import type { RepairServer } from "./server.js";

type RequestHandler = (server: RepairServer, params: never, token: CancellationToken) => unknown;
type NotificationHandler = (server: RepairServer, params: never) => unknown;

/**
 * Every protocol method the server handles, in one table (initialize, shutdown and exit are registered through
 * the connection's own lifecycle hooks in server/lsp/connection.ts because the library manages their semantics).
 */
export const REQUEST_HANDLERS: Readonly<Record<string, RequestHandler>> = {
  [CodeActionRequest.method]: (s, p: Parameters<RepairServer["codeActions"]>[0]) => s.codeActions(p),
  [CodeActionResolveRequest.method]: (s, p: Parameters<RepairServer["resolveCodeAction"]>[0]) => s.resolveCodeAction(p),
  [ExecuteCommandRequest.method]: (s, p: Parameters<RepairServer["executeCommand"]>[0]) => s.executeCommand(p),
  [REPORT_REQUEST]: (s, p: Parameters<RepairServer["report"]>[0]) => s.report(p),
};

export const NOTIFICATION_HANDLERS: Readonly<Record<string, NotificationHandler>> = {
  [InitializedNotification.method]: (s) => s.initialized(),
  [DidOpenTextDocumentNotification.method]: (s, p: Parameters<RepairServer["didOpen"]>[0]) => s.didOpen(p),
  [DidChangeTextDocumentNotification.method]: (s, p: Parameters<RepairServer["didChange"]>[0]) => s.didChange(p),
  [DidCloseTextDocumentNotification.method]: (s, p: Parameters<RepairServer["didClose"]>[0]) => s.didClose(p),
  [DidSaveTextDocumentNotification.method]: (s, p: Parameters<RepairServer["didSave"]>[0]) => s.didSave(p),
  [DidChangeConfigurationNotification.method]: (s, p: Parameters<RepairServer["didChangeConfiguration"]>[0]) =>
    s.didChangeConfiguration(p),
  [DidChangeWorkspaceFoldersNotification.method]: (s, p: Parameters<RepairServer["didChangeWorkspaceFolders"]>[0]) =>
    s.didChangeWorkspaceFolders(p),
  [DidChangeWatchedFilesNotification.method]: (s, p: Parameters<RepairServer["didChangeWatchedFiles"]>[0]) =>
    s.didChangeWatchedFiles(p),
};

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, "request cancelled");
}

/**
 * Registers the table. Requests are wrapped so that a cancelled request answers RequestCancelled, and a handler
 * bug answers an InternalError instead of taking the server down; notifications log their failures.
 */
export function registerHandlers(connection: Connection, server: RepairServer): void {
  for (const [method, handler] of Object.entries(REQUEST_HANDLERS)) {
    connection.onRequest(method, async (params: unknown, token: CancellationToken) => {
      if (token.isCancellationRequested) return cancelled();
      try {
        const result = await handler(server, params as never, token);
        return token.isCancellationRequested ? cancelled() : result;
      } catch (error) {
        if (error instanceof ResponseError) return error;
        server.logger.error(
          `${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        return new ResponseError(ErrorCodes.InternalError, `${method} failed: ${String(error)}`);
      }
    });
  }
  for (const [method, handler] of Object.entries(NOTIFICATION_HANDLERS)) {
    connection.onNotification(method, (params: unknown) => {
      const report = (error: unknown): void =>
        server.logger.error(
          `${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      try {
        // Notifications have no response to carry an error, so an async failure is logged where it happens.
        Promise.resolve(handler(server, params as never)).catch(report);
      } catch (error) {
        report(error);
      }
    });
  }
}
