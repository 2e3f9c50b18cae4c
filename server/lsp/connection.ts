import {
  createConnection,
  LSPErrorCodes,
  ProposedFeatures,
  type Connection,
  type Message,
  type MessageReader,
  type MessageWriter,
  type RequestMessage,
  type ResponseMessage,
} from "vscode-languageserver/node.js";
import { registerHandlers } from "./handlers.js";
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

/** Creates the connection over the given transport, wires the server into it, and starts listening. */
export function startServer(
  reader: MessageReader,
  writer: MessageWriter,
  version: string,
): { connection: Connection; server: RepairServer } {
  const connection = createConnection(ProposedFeatures.all, reader, writer, {
    connectionStrategy: { cancelUndispatched },
  });
  const server = new RepairServer(connection, version);
  connection.onInitialize((params) => server.initialize(params));
  connection.onShutdown(() => server.shutdown());
  registerHandlers(connection, server);
  // Unknown requests are answered MethodNotFound by the library itself; unknown notifications are ignored.
  // Errors while reading or writing a message (malformed JSON, a broken header) are logged, never fatal.
  reader.onError((error) => server.logger.error(`could not read a message: ${error.message}`));
  writer.onError(([error]) => server.logger.error(`could not write a message: ${error.message}`));
  connection.listen();
  return { connection, server };
}
