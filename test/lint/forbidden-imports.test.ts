/**
 * The layering invariants of ARCHITECTURE.md are enforced by ESLint's no-restricted-imports (.ci/eslint.config.js):
 * this test runs the project's own configuration through ESLint's Node API on small files placed where a forbidden
 * import would hurt, and expects the rule to fire. Type-aware rules are switched off for speed: only the import
 * rules are under test, and they need no types.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { afterEach, describe, expect, it } from "vitest";
import { packageRoot } from "../../grammars/paths.js";

const root = packageRoot();
const placed: string[] = [];

afterEach(() => {
  for (const file of placed.splice(0)) rmSync(file, { force: true });
});

/** The messages of one rule (no-restricted-imports unless named) ESLint reports for a file with this text at this place in the repository. */
async function ruleErrors(relFolder: string, text: string, rule = "no-restricted-imports"): Promise<string[]> {
  const file = join(root, relFolder, `lint-probe-${randomUUID()}.ts`);
  mkdirSync(join(root, relFolder), { recursive: true });
  placed.push(file);
  writeFileSync(file, text);
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: join(root, ".ci", "eslint.config.js"),
    overrideConfig: [tseslint.configs.disableTypeChecked],
  });
  const [result] = await eslint.lintFiles([file]);
  return (result?.messages ?? []).filter((m) => m.ruleId === rule).map((m) => m.message);
}

describe("no-restricted-imports", () => {
  it("refuses the protocol library in the index", async () => {
    const errors = await ruleErrors(
      "index",
      'import { createConnection } from "vscode-languageserver/node.js";\nexport const probe = createConnection;\n',
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("Only server/lsp/");
  });

  it("refuses the protocol packages and the LSP layer in the pipeline, the grammars and the core", async () => {
    expect(
      await ruleErrors(
        "server/pipeline",
        'import type { Range } from "vscode-languageserver-protocol";\nexport type Probe = Range;\n',
      ),
    ).toHaveLength(1);
    expect(
      await ruleErrors(
        "grammars",
        'import { RepairServer } from "../server/lsp/server.js";\nexport const p = RepairServer;\n',
      ),
    ).toHaveLength(1);
    expect(
      await ruleErrors(
        "server/core",
        'import { COMMANDS } from "../lsp/protocol-names.js";\nexport const p = COMMANDS;\n',
      ),
    ).toHaveLength(1);
  });

  it("keeps server/core free of every other project layer, and lets it import itself", async () => {
    for (const probe of [
      'import { LANGUAGES } from "../../grammars/languages.js";\nexport const p = LANGUAGES;\n',
      'import { WorkspaceIndex } from "../../index/workspace-index.js";\nexport const p = WorkspaceIndex;\n',
      'import { runTests } from "../pipeline/runners/run-tests.js";\nexport const p = runTests;\n',
    ]) {
      const errors = await ruleErrors("server/core", probe);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain("depends on nothing else");
    }
    expect(
      await ruleErrors(
        "server/core",
        'import { LANGUAGE_IDS } from "./language-ids.js";\nexport const p = LANGUAGE_IDS;\n',
      ),
    ).toEqual([]);
  });

  it("lets the CLI use the shared protocol module and nothing else of the server", async () => {
    expect(
      await ruleErrors(
        "server/cli",
        'import { COMMANDS } from "../lsp/protocol-names.js";\nexport const p = COMMANDS;\n',
      ),
    ).toEqual([]);
    expect(
      await ruleErrors(
        "server/cli",
        'import { RepairServer } from "../lsp/server.js";\nexport const p = RepairServer;\n',
      ),
    ).toHaveLength(1);
  });

  it("has the LSP layer import the protocol through vscode-languageserver/node", async () => {
    expect(
      await ruleErrors(
        "server/lsp",
        'import { MessageType } from "vscode-languageserver";\nexport const p = MessageType;\n',
      ),
    ).toHaveLength(1);
    expect(
      await ruleErrors(
        "server/lsp",
        'import { MessageType } from "vscode-languageserver/node.js";\nexport const p = MessageType;\n',
      ),
    ).toEqual([]);
  });

  it("accepts an index module that imports only what it may", async () => {
    expect(await ruleErrors("index", 'import { posix } from "node:path";\nexport const probe = posix.sep;\n')).toEqual(
      [],
    );
  });
});

describe("one mechanism per job", () => {
  it("refuses a hand-written error message conversion outside server/core/error-message.ts", async () => {
    const text =
      "export function probe(error: unknown): string {\n  return error instanceof Error ? error.message : String(error);\n}\n";
    const errors = await ruleErrors("server/pipeline", text, "no-restricted-syntax");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("errorMessage()");
  });

  it("refuses mkdtemp in a test outside test/support, and lets the shared helper use it", async () => {
    const imported =
      'import { mkdtempSync } from "node:fs";\nimport { tmpdir } from "node:os";\nexport const dir = mkdtempSync(tmpdir());\n';
    const errors = await ruleErrors("test/engine", imported);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("tempDir()");
    expect(
      await ruleErrors("test/engine", 'import { mkdtemp } from "node:fs/promises";\nexport const p = mkdtemp;\n'),
    ).toHaveLength(1);
    const namespaced = 'import * as fs from "node:fs";\nexport const dir = fs.mkdtempSync("/tmp/x-");\n';
    expect(await ruleErrors("test/engine", namespaced, "no-restricted-properties")).toHaveLength(1);
    expect(await ruleErrors("test/support", imported)).toEqual([]);
  });

  it("refuses CRLF handling outside server/core/line-text.ts", async () => {
    const detect = 'export const crlf = (text: string): boolean => text.includes("\\r\\n");\n';
    const normalise = 'export const lf = (text: string): string => text.replace(/\\r\\n/g, "\\n");\n';
    for (const text of [detect, normalise]) {
      const errors = await ruleErrors("server/pipeline", text, "no-restricted-syntax");
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain("server/core/line-text.ts");
    }
    // Splitting on either terminator is reading lines, not choosing one: allowed.
    const split = "export const rows = (text: string): string[] => text.split(/\\r?\\n/);\n";
    expect(await ruleErrors("server/pipeline", split, "no-restricted-syntax")).toEqual([]);
  });

  it("refuses hand-made abort chains and abort timers: AbortSignal.any and AbortSignal.timeout do both", async () => {
    const chain = [
      "export function probe(parent: AbortSignal): AbortSignal {",
      "  const controller = new AbortController();",
      '  parent.addEventListener("abort", () => controller.abort(parent.reason));',
      "  return controller.signal;",
      "}",
      "",
    ].join("\n");
    const timer = [
      "export function probe(ms: number): AbortSignal {",
      "  const controller = new AbortController();",
      "  setTimeout(() => controller.abort(), ms);",
      "  return controller.signal;",
      "}",
      "",
    ].join("\n");
    const chainErrors = await ruleErrors("index", chain, "no-restricted-syntax");
    expect(chainErrors).toHaveLength(1);
    expect(chainErrors[0]).toContain("AbortSignal.any");
    const timerErrors = await ruleErrors("server/lsp", timer, "no-restricted-syntax");
    expect(timerErrors).toHaveLength(1);
    expect(timerErrors[0]).toContain("AbortSignal.timeout");
    const joined =
      "export const probe = (parent: AbortSignal, ms: number): AbortSignal =>\n  AbortSignal.any([parent, AbortSignal.timeout(ms)]);\n";
    expect(await ruleErrors("index", joined, "no-restricted-syntax")).toEqual([]);
  });

  it("refuses a module prefix written by hand in a log message", async () => {
    const text =
      'import type { Logger } from "../core/types.js";\nexport const probe = (logger: Logger, n: number): void => logger.info(`index: ${n} files`);\n';
    const errors = await ruleErrors("server/pipeline", text, "no-restricted-syntax");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("moduleLogger");
    const named =
      'import { moduleLogger, type Logger } from "../core/types.js";\nexport const probe = (logger: Logger, n: number): void => moduleLogger(logger, "index").info(`${n} files`);\n';
    expect(await ruleErrors("server/pipeline", named, "no-restricted-syntax")).toEqual([]);
  });
});
