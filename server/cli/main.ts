#!/usr/bin/env node
import { createConnection as connectSocket } from "node:net";
import {
  IPCMessageWriter,
  SocketMessageWriter,
  StreamMessageWriter,
  type MessageWriter,
} from "vscode-languageserver/node.js";
import { startServer } from "../lsp/connection.js";
import { GuardedIpcReader, GuardedStreamReader, type ReplyToClient } from "../lsp/guarded-readers.js";
import { parseArgs, USAGE, type CliCommand } from "./args.js";
import { packageVersion } from "./version.js";
import { errorMessage } from "../core/error-message.js";

// Stdout carries the protocol. Anything a dependency prints through console.log would corrupt it, so console
// output is redirected to stderr for the whole process before anything else runs.
/* eslint-disable no-console */
console.log = console.error;
console.info = console.error;
console.debug = console.error;
/* eslint-enable no-console */

/** Answers refused messages through the same writer the connection uses; write errors surface on the writer. */
function replyThrough(writer: MessageWriter): ReplyToClient {
  return (response) => void writer.write(response).catch(() => undefined);
}

/**
 * Every transport reads through a guarded reader (server/lsp/guarded-readers.ts), never the library's own, so
 * malformed, oversized or deeply nested messages are refused before the library's recursive code sees them.
 */
function serve(command: Extract<CliCommand, { kind: "serve" }>): void {
  const version = packageVersion();
  switch (command.transport) {
    case "stdio": {
      const writer = new StreamMessageWriter(process.stdout);
      startServer(new GuardedStreamReader(process.stdin, replyThrough(writer)), writer, version);
      return;
    }
    case "node-ipc": {
      const writer = new IPCMessageWriter(process);
      startServer(new GuardedIpcReader(process, replyThrough(writer)), writer, version);
      return;
    }
    case "socket": {
      // As the library's createServerSocketTransport: the client listens on the port and the server connects.
      const socket = connectSocket(command.port, "127.0.0.1");
      const writer = new SocketMessageWriter(socket);
      startServer(new GuardedStreamReader(socket, replyThrough(writer)), writer, version);
      return;
    }
  }
}

async function main(argv: readonly string[]): Promise<number | undefined> {
  const command = parseArgs(argv);
  switch (command.kind) {
    case "version":
      process.stdout.write(`repair-ls ${packageVersion()}\n`);
      return 0;
    case "help":
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case "error":
      process.stderr.write(`repair-ls: ${command.message}\n${USAGE}\n`);
      return 2;
    case "fix-all": {
      const { runFixAll } = await import("./fix-all.js");
      return runFixAll(command.args);
    }
    case "merge-reports": {
      const { runMergeReports } = await import("./merge-reports.js");
      return runMergeReports(command.args);
    }
    case "apply": {
      const { runApply } = await import("./apply-report.js");
      return runApply(command.args);
    }
    case "serve":
      serve(command);
      return undefined;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`repair-ls: ${errorMessage(error)}\n`);
    process.exitCode = 2;
  },
);
