import { expect, test } from "vitest";
import { parseArgs } from "../../server/cli/args.js";

test.each([
  [[], { kind: "serve", transport: "stdio" }],
  [["--stdio"], { kind: "serve", transport: "stdio" }],
  [["--node-ipc"], { kind: "serve", transport: "node-ipc" }],
  [["--socket=5007"], { kind: "serve", transport: "socket", port: 5007 }],
  [["--stdio", "--clientProcessId=123"], { kind: "serve", transport: "stdio" }],
  [["--version"], { kind: "version" }],
  [["--help"], { kind: "help" }],
  [["fix-all", "dir", "--apply"], { kind: "fix-all", args: ["dir", "--apply"] }],
  [["--bogus"], { kind: "error", message: "unknown option: --bogus" }],
  [["--socket", "5007"], { kind: "serve", transport: "socket", port: 5007 }],
  [["--port=5008"], { kind: "serve", transport: "socket", port: 5008 }],
  [["-v"], { kind: "version" }],
  [["stray"], { kind: "error", message: "unknown option: stray" }],
  [["--stdio=yes"], { kind: "error", message: "--stdio takes no value" }],
  [["--socket=0"], { kind: "error", message: "invalid port in --socket=0: expected a number from 1 to 65535" }],
  [["--socket=http"], { kind: "error", message: "invalid port in --socket=http: expected a number from 1 to 65535" }],
])("parseArgs(%j)", (argv, expected) => {
  expect(parseArgs(argv)).toEqual(expected);
});
