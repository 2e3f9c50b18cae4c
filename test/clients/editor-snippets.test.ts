import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { layerSettings } from "../../server/lsp/settings.js";
import { SUPPORTED_LANGUAGES } from "../../clients/vscode/src/protocol.js";
import { REPO_ROOT } from "../support/lsp-client.js";

interface HelixLanguages {
  "language-server": Record<string, { command: string; args?: string[]; config?: Record<string, unknown> }>;
  language: { name: string; "language-servers": string[] }[];
}

/** Helix's language names for the supported languages (Helix calls JSX and TSX by those names). */
const HELIX_LANGUAGES = ["python", "javascript", "jsx", "typescript", "tsx", "java", "c", "cpp", "go", "rust"];

function readHelixSnippet(): HelixLanguages {
  // Python's tomllib is a strict TOML 1.0 parser, as Helix's is; python3 is a test dependency already (pytest).
  const parsed = spawnSync(
    "python3",
    ["-c", "import json, sys, tomllib; json.dump(tomllib.load(open(sys.argv[1], 'rb')), sys.stdout)", "languages.toml"],
    { cwd: join(REPO_ROOT, "clients", "helix"), encoding: "utf8" },
  );
  expect(parsed.stderr).toBe("");
  return JSON.parse(parsed.stdout) as HelixLanguages;
}

/** The `M.<name> = { "a", "b" }` list literal of the Neovim module. */
function luaList(name: string): string[] {
  const source = readFileSync(join(REPO_ROOT, "clients", "neovim", "lua", "repair-ls", "init.lua"), "utf8");
  const match = new RegExp(`M\\.${name} = \\{([^}]*)\\}`).exec(source);
  if (!match?.[1]) throw new Error(`M.${name} not found in the Neovim module`);
  return [...match[1].matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? "");
}

describe("the Helix snippet", () => {
  it("defines repair-ls over stdio with settings the server accepts", () => {
    const snippet = readHelixSnippet();
    const server = snippet["language-server"]["repair-ls"];
    expect(server).toMatchObject({ command: "repair-ls", args: ["--stdio"] });
    // Helix sends `config` as initializationOptions, wrapped in the repairLs section.
    const { config, problems } = layerSettings([{ raw: server?.config, source: "initializationOptions" }]);
    expect(problems).toEqual([]);
    expect(config["ollama.model"]).toBe("qwen2.5-coder:7b");
  });

  it("adds repair-ls beside the usual server of every supported language", () => {
    const snippet = readHelixSnippet();
    expect(snippet.language.map((l) => l.name).sort()).toEqual([...HELIX_LANGUAGES].sort());
    for (const language of snippet.language) {
      expect(language["language-servers"], language.name).toContain("repair-ls");
      expect(language["language-servers"].length, `${language.name} keeps its usual server`).toBeGreaterThan(1);
    }
  });
});

describe("the Neovim module", () => {
  it("serves the same filetypes as the VS Code extension", () => {
    expect(luaList("filetypes")).toEqual([...SUPPORTED_LANGUAGES]);
  });

  it("detects the project root from the documented markers", () => {
    expect(new Set(luaList("root_markers"))).toEqual(
      new Set([
        ".git",
        "package.json",
        "pyproject.toml",
        "go.mod",
        "Cargo.toml",
        "pom.xml",
        "Makefile",
        ".repair-ls.json",
      ]),
    );
  });
});
