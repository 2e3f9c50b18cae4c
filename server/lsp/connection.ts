import {
  createConnection,
  ErrorCodes,
  InitializeRequest,
  LSPErrorCodes,
  Message,
  ProposedFeatures,
  type Connection,
  type MessageReader,
  type MessageStrategy,
  type MessageWriter,
  type RequestMessage,
  type ResponseMessage,
} from "vscode-languageserver/node.js";
import { registerHandlers } from "./handlers.js";
import { describeIssues, initializeParams } from "./param-schemas.js";
import { RepairServer } from "./server.js";

/**
 * Answers a request that was cancelled while still queued without running it, which is what $/cancelRequest asks
 * for; the library's default would run it anyway.
 */
function cancelUndispatched(message: Message): ResponseMessage {
  return {
    jsonrpc: "2.0",
    id: (message as RequestMessage).id,
    error: { code: LSPErrorCodes.RequestCancelled, message: "request cancelled before it started" },
  };
}

/**
 * Answers an initialize request whose params fail their schema with InvalidParams. This has to happen before the
 * library dispatches it: the library's features read the client's capabilities before the server's handler runs,
 * and would fail on them with an internal error.
 */
function checkInitializeParams(writer: MessageWriter): MessageStrategy {
  return {
    handleMessage(message, next) {
      if (Message.isRequest(message) && message.method === InitializeRequest.method) {
        const checked = initializeParams.safeParse(message.params);
        if (!checked.success) {
          const response: ResponseMessage = {
            jsonrpc: "2.0",
            id: message.id,
            error: {
              code: ErrorCodes.InvalidParams,
              message: `initialize: invalid params: ${describeIssues(checked.error)}`,
              data: { retry: false },
            },
          };
          void writer.write(response).catch(() => undefined);
          return;
        }
      }
      next(message);
    },
  };
}

/** Creates the connection over the given transport, wires the server into it, and starts listening. */
export function startServer(
  reader: MessageReader,
  writer: MessageWriter,
  version: string,
): { connection: Connection; server: RepairServer } {
  const connection = createConnection(ProposedFeatures.all, reader, writer, {
    connectionStrategy: { cancelUndispatched },
    messageStrategy: checkInitializeParams(writer),
  });
  const server = new RepairServer(connection, version);
  connection.onInitialize((params) => {
    // While initializing, before this handler runs, the library's workspace-folders feature claims
    // workspace/didChangeWorkspaceFolders for an event of its own that nothing here listens to; registering the
    // table again takes the method back, so folder changes reach the server (with their params checked).
    registerHandlers(connection, server);
    return server.initialize(params);
  });
  let shutdownReceived = false;
  connection.onShutdown(() => {
    shutdownReceived = true;
    return server.shutdown();
  });
  registerHandlers(connection, server);
  // Unknown requests are answered MethodNotFound by the library itself; unknown notifications are ignored.
  // Errors while reading or writing a message (malformed JSON, a broken header, a message refused by the guarded
  // reader) are logged, never fatal.
  reader.onError((error) => server.logger.error(`could not read a message: ${error.message}`));
  writer.onError(([error]) => server.logger.error(`could not write a message: ${error.message}`));
  // The library exits on its own when the input ends only if it was handed a raw stream; with a MessageReader it
  // would linger forever (the client-process watchdog keeps the event loop alive). A client whose pipe or socket
  // closed cannot send exit any more, so background work is stopped (bounded) and the process ends with the code
  // the protocol prescribes for exit: 0 after a shutdown request, 1 otherwise.
  reader.onClose(() => {
    const code = shutdownReceived ? 0 : 1;
    const stopped = shutdownReceived ? Promise.resolve() : server.shutdown();
    const deadline = new Promise((resolve) => setTimeout(resolve, 15_000));
    void Promise.race([stopped, deadline])
      .catch((error: unknown) => server.logger.error(`stopping after the client went away: ${String(error)}`))
      .finally(() => process.exit(code));
  });
  connection.listen();
  return { connection, server };
}
