import { describe, expect, test } from "vitest";
import { defaultConfig, parseConfig, SETTINGS, SETTING_KEYS } from "../../server/core/config-schema.js";
import { resolveOllamaHost } from "../../server/core/ollama-host.js";
import { layerSettings } from "../../server/lsp/settings.js";

describe("configuration schema", () => {
  test("every key has a default that its own schema accepts, and a description", () => {
    for (const key of SETTING_KEYS) {
      const setting = SETTINGS[key];
      expect(setting.schema.safeParse(setting.default).success, key).toBe(true);
      expect(setting.description.length, key).toBeGreaterThan(10);
    }
  });

  test("flat and nested forms mean the same", () => {
    const flat = parseConfig({ "ollama.model": "codellama:7b-code", "retrieval.topK": 3 });
    const nested = parseConfig({ ollama: { model: "codellama:7b-code" }, retrieval: { topK: 3 } });
    expect(flat.config).toEqual(nested.config);
    expect(flat.config["ollama.model"]).toBe("codellama:7b-code");
    expect(flat.problems).toEqual([]);
  });

  test("an invalid value names the key and falls back, leaving the other keys applied", () => {
    const { config, problems } = parseConfig({ "retrieval.topK": "five", engine: "builtin", "test.allowRun": "maybe" });
    expect(config["retrieval.topK"]).toBe(defaultConfig()["retrieval.topK"]);
    expect(config.engine).toBe("builtin");
    expect(problems.map((p) => [p.key, p.kind])).toEqual([
      ["retrieval.topK", "invalid-value"],
      ["test.allowRun", "invalid-value"],
    ]);
    expect(problems[0]?.message).toMatch(/using 5/);
  });

  test("unknown keys are reported, a non-object is rejected whole", () => {
    expect(parseConfig({ "ollama.modle": "x" }).problems).toEqual([
      { key: "ollama.modle", kind: "unknown-key", message: "unknown setting (ignored)" },
    ]);
    const result = parseConfig(42);
    expect(result.config).toEqual(defaultConfig());
    expect(result.problems[0]).toMatchObject({ key: "(root)", kind: "unreadable" });
  });

  test("layers: later sources win, an invalid later value keeps the earlier valid one", () => {
    const { config, problems } = layerSettings([
      { raw: { repairLs: { "ollama.model": "a", "retrieval.topK": 7 } }, source: "init" },
      { raw: { "ollama.model": "b" }, source: "client" },
      { raw: { retrieval: { topK: -1 } }, source: "file" },
    ]);
    expect(config["ollama.model"]).toBe("b");
    expect(config["retrieval.topK"]).toBe(7);
    expect(problems).toEqual([expect.objectContaining({ key: "retrieval.topK", source: "file" })]);
  });
});

describe("resolveOllamaHost", () => {
  test.each([
    ["http://example.test:1234", {}, "http://example.test:1234"],
    ["", { OLLAMA_HOST: "10.0.0.5" }, "http://10.0.0.5:11434"],
    ["", { OLLAMA_HOST: ":9999" }, "http://127.0.0.1:9999"],
    ["", { OLLAMA_HOST: "0.0.0.0:11434" }, "http://127.0.0.1:11434"],
    ["", { OLLAMA_HOST: "https://ollama.internal" }, "https://ollama.internal"],
    ["", {}, "http://127.0.0.1:11434"],
  ])("setting %j with env %j -> %s", (setting, env, expected) => {
    expect(resolveOllamaHost(setting, env)).toBe(expected);
  });
});
