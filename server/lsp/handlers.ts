import {
  CodeActionRequest,
  CodeActionResolveRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidChangeWorkspaceFoldersNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidRenameFilesNotification,
  DidSaveTextDocumentNotification,
  ErrorCodes,
  ExecuteCommandRequest,
  InitializedNotification,
  LSPErrorCodes,
  NotificationType,
  ParameterStructures,
  RequestType,
  ResponseError,
  type CancellationToken,
  type Connection,
} from "vscode-languageserver/node.js";
import type { z } from "zod";
import * as schemas from "./param-schemas.js";
import { REPORT_REQUEST } from "./protocol-names.js";
import type { RepairServer } from "./server.js";

/**
 * One handled method: the schema its params must pass, and the server method it calls. The handler receives the
 * client's params unchanged once they passed (schemas check what the server reads and keep everything else).
 */
interface RequestEntry {
  readonly params: z.ZodType;
  readonly handle: (server: RepairServer, params: never, token: CancellationToken) => unknown;
}

interface NotificationEntry {
  readonly params: z.ZodType;
  readonly handle: (server: RepairServer, params: never) => unknown;
}

/**
 * Every protocol method the server handles, in one table (initialize, shutdown and exit are registered through
 * the connection's own lifecycle hooks in server/lsp/connection.ts because the library manages their semantics).
 */
export const REQUEST_HANDLERS: Readonly<Record<string, RequestEntry>> = {
  [CodeActionRequest.method]: {
    params: schemas.codeActionParams,
    handle: (s, p: Parameters<RepairServer["codeActions"]>[0]) => s.codeActions(p),
  },
  [CodeActionResolveRequest.method]: {
    params: schemas.codeActionResolveParams,
    handle: (s, p: Parameters<RepairServer["resolveCodeAction"]>[0]) => s.resolveCodeAction(p),
  },
  [ExecuteCommandRequest.method]: {
    params: schemas.executeCommandParams,
    handle: (s, p: Parameters<RepairServer["executeCommand"]>[0]) => s.executeCommand(p),
  },
  [REPORT_REQUEST]: {
    params: schemas.reportParams,
    handle: (s, p: Parameters<RepairServer["report"]>[0]) => s.report(p),
  },
};

export const NOTIFICATION_HANDLERS: Readonly<Record<string, NotificationEntry>> = {
  [InitializedNotification.method]: { params: schemas.initializedParams, handle: (s) => s.initialized() },
  [DidOpenTextDocumentNotification.method]: {
    params: schemas.didOpenParams,
    handle: (s, p: Parameters<RepairServer["didOpen"]>[0]) => s.didOpen(p),
  },
  [DidChangeTextDocumentNotification.method]: {
    params: schemas.didChangeParams,
    handle: (s, p: Parameters<RepairServer["didChange"]>[0]) => s.didChange(p),
  },
  [DidCloseTextDocumentNotification.method]: {
    params: schemas.didCloseParams,
    handle: (s, p: Parameters<RepairServer["didClose"]>[0]) => s.didClose(p),
  },
  [DidSaveTextDocumentNotification.method]: {
    params: schemas.didSaveParams,
    handle: (s, p: Parameters<RepairServer["didSave"]>[0]) => s.didSave(p),
  },
  [DidChangeConfigurationNotification.method]: {
    params: schemas.didChangeConfigurationParams,
    handle: (s, p: Parameters<RepairServer["didChangeConfiguration"]>[0]) => s.didChangeConfiguration(p),
  },
  [DidChangeWorkspaceFoldersNotification.method]: {
    params: schemas.didChangeWorkspaceFoldersParams,
    handle: (s, p: Parameters<RepairServer["didChangeWorkspaceFolders"]>[0]) => s.didChangeWorkspaceFolders(p),
  },
  [DidChangeWatchedFilesNotification.method]: {
    params: schemas.didChangeWatchedFilesParams,
    handle: (s, p: Parameters<RepairServer["didChangeWatchedFiles"]>[0]) => s.didChangeWatchedFiles(p),
  },
  [DidRenameFilesNotification.method]: {
    params: schemas.didRenameFilesParams,
    handle: (s, p: Parameters<RepairServer["didRenameFiles"]>[0]) => s.didRenameFiles(p),
  },
};

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, "request cancelled");
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * Registers the table. Methods are registered as taking one params object (by name), so the library itself
 * answers InvalidParams to a request without params or with positional ones. Params failing their schema answer
 * InvalidParams (requests) or are logged and dropped (notifications: there is no response to carry an error).
 * A cancelled request answers RequestCancelled, and a handler bug answers InternalError instead of taking the
 * server down.
 */
export function registerHandlers(connection: Connection, server: RepairServer): void {
  for (const [method, entry] of Object.entries(REQUEST_HANDLERS)) {
    const type = new RequestType<unknown, unknown, void>(method, ParameterStructures.byName);
    connection.onRequest(type, async (params: unknown, token: CancellationToken) => {
      if (token.isCancellationRequested) return cancelled();
      const checked = entry.params.safeParse(params);
      if (!checked.success) {
        return new ResponseError(
          ErrorCodes.InvalidParams,
          `${method}: invalid params: ${schemas.describeIssues(checked.error)}`,
        );
      }
      try {
        const result = await entry.handle(server, params as never, token);
        return token.isCancellationRequested ? cancelled() : result;
      } catch (error) {
        if (error instanceof ResponseError) return error;
        server.logger.error(`${method} failed: ${describeError(error)}`);
        return new ResponseError(ErrorCodes.InternalError, `${method} failed: ${String(error)}`);
      }
    });
  }
  for (const [method, entry] of Object.entries(NOTIFICATION_HANDLERS)) {
    const type = new NotificationType<unknown>(method, ParameterStructures.byName);
    // The library spreads positional params into arguments, so anything but exactly one argument was not a
    // params object and fails the schema as the whole list.
    connection.onNotification(type, (...args: unknown[]) => {
      const params = args.length === 1 ? args[0] : args.length === 0 ? undefined : args;
      const checked = entry.params.safeParse(params);
      if (!checked.success) {
        server.logger.warn(`${method} dropped: invalid params: ${schemas.describeIssues(checked.error)}`);
        return;
      }
      const report = (error: unknown): void => server.logger.error(`${method} failed: ${describeError(error)}`);
      try {
        // Notifications have no response to carry an error, so an async failure is logged where it happens.
        Promise.resolve(entry.handle(server, params as never)).catch(report);
      } catch (error) {
        report(error);
      }
    });
  }
}
