#!/usr/bin/env node
import {
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  createServerSocketTransport,
} from "vscode-languageserver/node.js";
import { startServer } from "../lsp/connection.js";
import { parseArgs, USAGE, type CliCommand } from "./args.js";
import { packageVersion } from "./version.js";

// Stdout carries the protocol. Anything a dependency prints through console.log would corrupt it, so console
// output is redirected to stderr for the whole process before anything else runs.
/* eslint-disable no-console */
console.log = console.error;
console.info = console.error;
console.debug = console.error;
/* eslint-enable no-console */

function serve(command: Extract<CliCommand, { kind: "serve" }>): void {
  const version = packageVersion();
  switch (command.transport) {
    case "stdio":
      startServer(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout), version);
      return;
    case "node-ipc":
      startServer(new IPCMessageReader(process), new IPCMessageWriter(process), version);
      return;
    case "socket": {
      const [reader, writer] = createServerSocketTransport(command.port);
      startServer(reader, writer, version);
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
    process.stderr.write(`repair-ls: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
