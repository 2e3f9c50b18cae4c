// Lint configuration. It lives in .ci/ so that the top level stays the fixed set of folders; the lint script
// passes it with --config. Type-aware rules need the TypeScript project, hence projectService.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

// One mechanism per job: each selector below refuses a hand-made copy of a mechanism that has one home.
const ERROR_MESSAGE_RULE = {
  // A caught value becomes a message through errorMessage() (server/core/error-message.ts).
  selector:
    "ConditionalExpression[test.operator='instanceof'][test.right.name='Error'][consequent.property.name='message']",
  message: "Use errorMessage() or briefErrorMessage() from server/core/error-message.ts.",
};
const LINE_END_RULE = {
  // Line ends are detected, normalised and written in one place (server/core/line-text.ts).
  selector: "Literal[raw=/\\\\r\\\\n/]",
  message: "Use detectEol, normaliseLineEnds or the splice of server/core/line-text.ts instead of handling CRLF here.",
};
const LOG_PREFIX_RULE = {
  // A module names itself once, through moduleLogger (server/core/types.ts), not in every message.
  selector:
    "CallExpression[callee.property.name=/^(error|warn|info|debug)$/] > TemplateLiteral > TemplateElement[value.raw=/^(index|repair|strategies|Ollama|validation): /]",
  message: 'Log through moduleLogger(logger, "module") instead of writing the module\'s prefix in the message.',
};
const ABORT_CHAIN_RULES = [
  {
    // Forwarding a parent signal's abort by hand is what AbortSignal.any does.
    selector:
      "CallExpression[callee.property.name='abort'][arguments.0.type='MemberExpression'][arguments.0.property.name='reason']",
    message: "Chain signals with AbortSignal.any([parent, ...]) instead of forwarding the parent's abort by hand.",
  },
  {
    // A timer that aborts a controller is what AbortSignal.timeout does.
    selector: "CallExpression[callee.name='setTimeout'] CallExpression[callee.property.name='abort']",
    message: "Use AbortSignal.timeout(ms) (joined with AbortSignal.any) instead of a timer that aborts a controller.",
  },
];

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      "test/fixtures/**",
      "clients/*/dist/**",
      "clients/*/node_modules/**",
      "coverage/**",
      "**/.repair-ls/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: new URL("..", import.meta.url).pathname },
    },
    rules: {
      // Stdout carries the LSP protocol: any stray console output corrupts the stream.
      "no-console": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": ["error", ERROR_MESSAGE_RULE, LINE_END_RULE, LOG_PREFIX_RULE, ...ABORT_CHAIN_RULES],
    },
  },
  {
    // The homes of the mechanisms, and the protocol's own CRLF header framing, may do what the rules refuse elsewhere.
    files: ["server/core/line-text.ts", "server/lsp/message-framer.ts"],
    rules: { "no-restricted-syntax": ["error", ERROR_MESSAGE_RULE, LOG_PREFIX_RULE, ...ABORT_CHAIN_RULES] },
  },
  {
    files: ["server/core/error-message.ts", "clients/**", "test/**"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    // Invariant: only server/lsp/ knows the protocol. The grammars, the index, the pipeline, the configuration and
    // the dependency-free helpers import neither the protocol libraries nor the LSP layer.
    files: [
      "grammars/**/*.ts",
      "index/**/*.ts",
      "server/pipeline/**/*.ts",
      "server/security/**/*.ts",
      "server/net/**/*.ts",
    ],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["vscode-languageserver", "vscode-languageserver/**", "vscode-languageserver-*", "vscode-jsonrpc"],
              message: "Only server/lsp/ (and the CLI's client side) may know the protocol; pass plain data instead.",
            },
            {
              group: ["**/lsp/*", "**/cli/*"],
              message: "The protocol and CLI layers depend on this code, never the other way round.",
            },
          ],
        },
      ],
    },
  },
  {
    // Invariant: server/core/ (the shared types, the configuration table, language ids, errorMessage) depends on
    // nothing else in the project, so the dependency graph reads bottom-up: core, grammars, index, pipeline, lsp, cli.
    files: ["server/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["vscode-languageserver", "vscode-languageserver/**", "vscode-languageserver-*", "vscode-jsonrpc"],
              message: "server/core/ is plain data and helpers; only server/lsp/ knows the protocol.",
            },
            {
              group: ["../**", "!../core/**"],
              message: "server/core/ depends on nothing else in the project; move the shared piece into core instead.",
            },
          ],
        },
      ],
    },
  },
  {
    // Invariant: the LSP layer imports the protocol one way, through vscode-languageserver/node.
    files: ["server/lsp/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "vscode-languageserver", message: "Import the protocol from vscode-languageserver/node.js." },
          ],
          patterns: [
            {
              group: ["vscode-languageserver-*", "vscode-jsonrpc"],
              message: "Import the protocol from vscode-languageserver/node.js.",
            },
          ],
        },
      ],
    },
  },
  {
    // Invariant: the headless CLI talks to the server as any client does, through the shared protocol module
    // (command and notification names, the JSON report), never through the server's internals. main.ts is the
    // server's executable and starts it, so it alone may reach the LSP layer.
    files: ["server/cli/**/*.ts"],
    ignores: ["server/cli/main.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/lsp/*", "!**/lsp/protocol-names.js", "!**/lsp/job-report.js"],
              message: "The CLI reaches the server through server/lsp/protocol-names.ts and job-report.ts only.",
            },
          ],
        },
      ],
    },
  },
  {
    // The VS Code extension is its own package: it mirrors the protocol in src/protocol.ts and never imports the
    // server's sources (test/clients checks that both agree).
    files: ["clients/vscode/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [{ group: ["../../**"], message: "The extension cannot import from outside its own package." }],
        },
      ],
    },
  },
  {
    // Tests and benchmarks may print (their stdout is not a protocol stream).
    files: ["test/**/*.ts"],
    rules: { "no-console": "off" },
  },
  {
    // One mechanism per job: tests make temporary folders through test/support/temp.ts (tempDir removes them when
    // the test ends, makeTempDir for scripts that remove their own), never by calling mkdtemp themselves.
    files: ["test/**/*.ts"],
    ignores: ["test/support/**", "test/fixtures/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: ["node:fs", "fs", "node:fs/promises", "fs/promises"].map((name) => ({
            name,
            importNames: ["mkdtempSync", "mkdtemp"],
            message: "Make temporary folders with tempDir() (or makeTempDir()) from test/support/temp.ts.",
          })),
        },
      ],
      "no-restricted-properties": [
        "error",
        ...["mkdtempSync", "mkdtemp"].map((property) => ({
          property,
          message: "Make temporary folders with tempDir() (or makeTempDir()) from test/support/temp.ts.",
        })),
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
);
