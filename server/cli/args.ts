import { readArgs, type OptionTable } from "./options.js";

/** What the command line asks for. Parsing is pure so that every flag combination is unit-tested. */
export type CliCommand =
  | { readonly kind: "serve"; readonly transport: "stdio" }
  | { readonly kind: "serve"; readonly transport: "socket"; readonly port: number }
  | { readonly kind: "serve"; readonly transport: "node-ipc" }
  | { readonly kind: "version" }
  | { readonly kind: "help" }
  | { readonly kind: "fix-all"; readonly args: readonly string[] }
  | { readonly kind: "merge-reports"; readonly args: readonly string[] }
  | { readonly kind: "apply"; readonly args: readonly string[] }
  | { readonly kind: "error"; readonly message: string };

export const USAGE = `Usage: repair-ls [--stdio | --socket=PORT | --node-ipc]   run the language server (stdio by default)
       repair-ls fix-all [DIR] [options]                   repair every failing test headlessly (see fix-all --help)
       repair-ls merge-reports REPORT.json... [options]    join the reports of fix-all --shard runs (see --help)
       repair-ls apply REPORT.json [DIR]                   write a report's repairs and confirm them (see --help)
       repair-ls --version | --help`;

const SERVER_OPTIONS: OptionTable = {
  version: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
  stdio: { type: "boolean" },
  "node-ipc": { type: "boolean" },
  socket: { type: "string" },
  port: { type: "string" },
  // Sent by vscode-languageclient alongside the transport flag; the server watches the parent through
  // initialize's processId instead, so the flag is accepted and ignored.
  clientProcessId: { type: "string" },
};

export function parseArgs(argv: readonly string[]): CliCommand {
  if (argv[0] === "fix-all") return { kind: "fix-all", args: argv.slice(1) };
  if (argv[0] === "merge-reports") return { kind: "merge-reports", args: argv.slice(1) };
  if (argv[0] === "apply") return { kind: "apply", args: argv.slice(1) };
  const written = readArgs(argv, SERVER_OPTIONS);
  if ("error" in written) return { kind: "error", message: written.error };
  const [stray] = written.positionals;
  if (stray !== undefined) return { kind: "error", message: `unknown option: ${stray}` };
  let command: CliCommand = { kind: "serve", transport: "stdio" };
  for (const { name, value } of written.options) {
    if (name === "version") return { kind: "version" };
    if (name === "help") return { kind: "help" };
    if (name === "stdio") command = { kind: "serve", transport: "stdio" };
    else if (name === "node-ipc") command = { kind: "serve", transport: "node-ipc" };
    else if (name === "socket" || name === "port") {
      const port = Number(value);
      if (!value || !Number.isInteger(port) || port <= 0 || port > 65535) {
        return {
          kind: "error",
          message: `invalid port in --${name}=${value ?? ""}: expected a number from 1 to 65535`,
        };
      }
      command = { kind: "serve", transport: "socket", port };
    }
  }
  return command;
}
