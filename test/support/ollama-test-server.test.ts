import { afterEach, describe, expect, it } from "vitest";
import {
  BASE_MODEL,
  CHAT_MODEL,
  DEEPSEEK_MODEL,
  EMBED_MODEL,
  FIM_MODEL,
  THINKING_MODEL,
  countTokens,
  startOllamaTestServer,
  type OllamaTestServer,
  type RenderedPrompt,
} from "./ollama-test-server.js";

/**
 * The strict test server refuses or behaves as Ollama's server does, rule by rule (server/routes.go, api/types.go,
 * the runner's context shift). Each test speaks plain HTTP, so it proves the server, not our client.
 */
let server: OllamaTestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function post(
  path: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server!.url}${path}`, {
    method: "POST",
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const ALL = [BASE_MODEL, FIM_MODEL, THINKING_MODEL, DEEPSEEK_MODEL, CHAT_MODEL, EMBED_MODEL];

describe("fill-in-the-middle rendering", () => {
  it("fills in the middle only for a template with .Suffix and a non-empty suffix", async () => {
    const seen: RenderedPrompt[] = [];
    server = await startOllamaTestServer({
      models: ALL,
      generate: (_body, { rendered }) => {
        seen.push(rendered);
        return "x";
      },
    });
    const base = { model: FIM_MODEL.name, prompt: "def f():\n", stream: false };
    expect((await post("/api/generate", { ...base, suffix: "    return 1\n" })).status).toBe(200);
    // An empty suffix renders the prompt as a plain chat turn, so the model answers as a chat assistant.
    expect((await post("/api/generate", { ...base, suffix: "" })).status).toBe(200);
    expect(seen.map((r) => r.kind)).toEqual(["fim", "chat"]);
  });

  it('refuses a suffix for a template without .Suffix with a 400 "does not support insert"', async () => {
    server = await startOllamaTestServer({ models: ALL, generate: () => "x" });
    const reply = await post("/api/generate", { model: BASE_MODEL.name, prompt: "a", suffix: "b", stream: false });
    expect(reply.status).toBe(400);
    expect(reply.json.error).toMatch(/does not support insert/);
    // Raw mode with the family's own tokens is how a base model fills in the middle.
    const raw = await post("/api/generate", {
      model: BASE_MODEL.name,
      prompt: "<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>",
      raw: true,
      stream: false,
    });
    expect(raw.status).toBe(200);
  });
});

describe("keep_alive", () => {
  it("accepts Go durations and numbers, and refuses numbers in strings with Go's message", async () => {
    server = await startOllamaTestServer({ models: ALL, generate: () => "x" });
    const ask = (keep_alive: unknown): Promise<{ status: number; json: Record<string, unknown> }> =>
      post("/api/generate", { model: FIM_MODEL.name, prompt: "a", keep_alive, stream: false });
    for (const ok of ["30m", "5s", "1h30m", "0", 30, -1, 0]) expect((await ask(ok)).status).toBe(200);
    for (const bad of ["30", "-1"]) {
      const reply = await ask(bad);
      expect(reply.status).toBe(400);
      expect(reply.json.error).toBe(`time: missing unit in duration "${bad}"`);
    }
    expect((await ask("soon")).json.error).toBe('time: invalid duration "soon"');
  });

  it("keeps the model loaded for keep_alive, and reloads it after keep_alive 0", async () => {
    server = await startOllamaTestServer({ models: ALL, generate: () => "x" });
    await post("/api/generate", { model: FIM_MODEL.name, prompt: "a", keep_alive: "30m", stream: false });
    await post("/api/generate", { model: FIM_MODEL.name, prompt: "a", keep_alive: 0, stream: false });
    await post("/api/generate", { model: FIM_MODEL.name, prompt: "a", stream: false });
    expect(server.loads.get(FIM_MODEL.name)).toBe(2);
  });
});

describe("stop strings and num_predict", () => {
  it('cuts at the first stop string with done_reason "stop", and at num_predict with "length"', async () => {
    server = await startOllamaTestServer({ models: ALL, generate: () => "    return a < b\n<|endoftext|>import os\n" });
    const stopped = await post("/api/generate", {
      model: BASE_MODEL.name,
      prompt: "p",
      raw: true,
      options: { stop: ["<|endoftext|>"] },
      stream: false,
    });
    expect(stopped.json).toMatchObject({ response: "    return a < b\n", done_reason: "stop" });
    const cut = await post("/api/generate", {
      model: BASE_MODEL.name,
      prompt: "p",
      raw: true,
      options: { num_predict: 3 },
      stream: false,
    });
    expect(cut.json).toMatchObject({ response: "    return a <", done_reason: "length", eval_count: 3 });
  });

  it("uses the Modelfile's stop strings when the request sets none, and the request's instead of them", async () => {
    server = await startOllamaTestServer({ models: ALL, chat: () => "fixed\nUser: and now?" });
    const chat = { model: DEEPSEEK_MODEL.name, messages: [{ role: "user", content: "fix" }], stream: false };
    expect((await post("/api/chat", chat)).json.message).toMatchObject({ content: "fixed\n" });
    const replaced = await post("/api/chat", { ...chat, options: { stop: ["and"] } });
    expect((replaced.json.message as { content: string }).content).toBe("fixed\nUser: ");
  });
});

describe("thinking models", () => {
  it("think by default: the thinking goes to `thinking` and a small num_predict leaves the answer empty", async () => {
    server = await startOllamaTestServer({
      models: ALL,
      chat: () => ({
        thinking: "The loop bound looks off by one, so the comparison should be strict.",
        text: "```\nx\n```",
      }),
    });
    const base = { model: THINKING_MODEL.name, messages: [{ role: "user", content: "fix" }], stream: false };
    const thinking = await post("/api/chat", { ...base, options: { num_predict: 8 } });
    expect(thinking.json.message).toMatchObject({ content: "" });
    expect((thinking.json.message as { thinking: string }).thinking).toContain("The loop bound");
    expect(thinking.json.done_reason).toBe("length");
    const direct = await post("/api/chat", { ...base, think: false, options: { num_predict: 8 } });
    expect(direct.json.message).toEqual({ role: "assistant", content: "```\nx\n```" });
  });

  it('refuses think: true for a model without the "thinking" capability, but accepts think: false', async () => {
    server = await startOllamaTestServer({ models: ALL, generate: () => "x" });
    const ask = (think: boolean): Promise<{ status: number; json: Record<string, unknown> }> =>
      post("/api/generate", { model: FIM_MODEL.name, prompt: "a", think, stream: false });
    expect(await ask(true)).toEqual({ status: 400, json: { error: `"${FIM_MODEL.name}" does not support thinking` } });
    expect((await ask(false)).status).toBe(200);
  });
});

describe("scheduling and loading", () => {
  it("runs one request at a time per model and queues the others", async () => {
    server = await startOllamaTestServer({ models: ALL, generate: () => ({ text: "x", delayMs: 30 }) });
    await Promise.all(
      [1, 2, 3, 4].map(() => post("/api/generate", { model: FIM_MODEL.name, prompt: "a", stream: false })),
    );
    expect(server.maxParallel.get(FIM_MODEL.name)).toBe(1);
    expect(server.loads.get(FIM_MODEL.name)).toBe(1);
  });

  it("aborts a load when the client disconnects, so the next request loads again", async () => {
    server = await startOllamaTestServer({ models: [{ ...FIM_MODEL, loadDelayMs: 400 }], generate: () => "x" });
    const controller = new AbortController();
    const first = post("/api/generate", { model: FIM_MODEL.name, prompt: "a", stream: false }, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(first).rejects.toThrow();
    const second = await post("/api/generate", { model: FIM_MODEL.name, prompt: "a", stream: false });
    expect(second.status).toBe(200);
    expect(server.loads.get(FIM_MODEL.name)).toBe(2);
  });

  it('loads on an empty prompt without generating (done_reason "load"), and lists loaded models in /api/ps', async () => {
    server = await startOllamaTestServer({ models: ALL, generate: () => "never" });
    const before = (await (await fetch(`${server.url}/api/ps`)).json()) as { models: unknown[] };
    expect(before.models).toEqual([]);
    const warm = await post("/api/generate", { model: FIM_MODEL.name, keep_alive: "30m", stream: false });
    expect(warm.json).toMatchObject({ response: "", done: true, done_reason: "load" });
    const after = (await (await fetch(`${server.url}/api/ps`)).json()) as { models: Array<{ name: string }> };
    expect(after.models.map((m) => m.name)).toEqual([FIM_MODEL.name]);
  });

  it("fails a load that does not fit with a 500, every time it is asked", async () => {
    const message = "model requires more system memory (9.5 GiB) than is available (3.1 GiB)";
    server = await startOllamaTestServer({ models: [{ ...FIM_MODEL, loadFailure: message }], generate: () => "x" });
    for (let i = 0; i < 2; i++)
      expect(await post("/api/generate", { model: FIM_MODEL.name, prompt: "a", stream: false })).toEqual({
        status: 500,
        json: { error: message },
      });
  });

  it("streams NDJSON by default, token by token, ending with the done record", async () => {
    server = await startOllamaTestServer({ models: ALL, generate: () => "return a < b" });
    const response = await fetch(`${server.url}/api/generate`, {
      method: "POST",
      body: JSON.stringify({ model: BASE_MODEL.name, prompt: "p", raw: true }),
    });
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    const records = (await response.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { response: string; done: boolean; done_reason?: string });
    expect(records.map((r) => r.response).join("")).toBe("return a < b");
    expect(records.length).toBeGreaterThan(2);
    expect(records.at(-1)).toMatchObject({ done: true, done_reason: "stop" });
  });
});

describe("context truncation", () => {
  it("keeps num_keep head tokens plus the tail, and reports the kept size in prompt_eval_count", async () => {
    let seen: RenderedPrompt | undefined;
    server = await startOllamaTestServer({
      models: ALL,
      generate: (_body, { rendered }) => {
        seen = rendered;
        return "x";
      },
    });
    const prompt = ["HEAD", ...Array.from({ length: 300 }, (_, i) => `w${i}`), "TAIL"].join(" ");
    const reply = await post("/api/generate", {
      model: BASE_MODEL.name,
      prompt,
      raw: true,
      options: { num_ctx: 100, num_keep: 1 },
      stream: false,
    });
    expect(reply.json.prompt_eval_count).toBe(100);
    expect(seen?.truncated).toBe(true);
    expect(seen?.text.startsWith("HEAD w2")).toBe(true);
    expect(seen?.text.endsWith("w299 TAIL")).toBe(true);
    expect(countTokens(seen!.text)).toBe(100);
  });
});

describe("/api/show, /api/embed and names", () => {
  it("describes each family with its template, parameters and capabilities", async () => {
    server = await startOllamaTestServer({ models: ALL });
    const show = async (model: string): Promise<Record<string, unknown>> => (await post("/api/show", { model })).json;
    expect(await show(BASE_MODEL.name)).toMatchObject({ template: "{{ .Prompt }}", capabilities: ["completion"] });
    expect((await show(FIM_MODEL.name)).capabilities).toContain("insert");
    expect((await show(FIM_MODEL.name)).template).toContain("<|im_start|>");
    expect((await show(THINKING_MODEL.name)).capabilities).toContain("thinking");
    const deepseek = await show(DEEPSEEK_MODEL.name);
    expect(deepseek.template).toContain("<｜fim▁hole｜>");
    expect(deepseek.parameters).toContain('stop "User:"');
    expect((await show(EMBED_MODEL.name)).model_info).toMatchObject({ "nomic-bert.context_length": 2048 });
  });

  it("embeds only with embedding models", async () => {
    server = await startOllamaTestServer({ models: ALL, embedDimension: 8 });
    const ok = await post("/api/embed", { model: EMBED_MODEL.name, input: ["a", "b"] });
    expect((ok.json.embeddings as unknown[]).length).toBe(2);
    const refused = await post("/api/embed", { model: FIM_MODEL.name, input: ["a"] });
    expect(refused).toEqual({ status: 400, json: { error: `"${FIM_MODEL.name}" does not support embeddings` } });
  });

  it("resolves names case-insensitively and with the implicit :latest tag", async () => {
    server = await startOllamaTestServer({ models: ALL, generate: () => "x" });
    expect((await post("/api/generate", { model: "Qwen2.5-Coder:7B", prompt: "a", stream: false })).status).toBe(200);
    expect((await post("/api/embed", { model: "nomic-embed-text", input: "a" })).status).toBe(200);
  });

  it('answers 404 "not found, try pulling it first" for an unknown model, and plain text for an unknown path', async () => {
    server = await startOllamaTestServer({ models: ALL });
    expect(await post("/api/generate", { model: "nope:1b", prompt: "a", stream: false })).toEqual({
      status: 404,
      json: { error: 'model "nope:1b" not found, try pulling it first' },
    });
    const wrong = await fetch(`${server.url}/v1/api/tags`);
    expect(wrong.status).toBe(404);
    expect(await wrong.text()).toBe("404 page not found");
  });
});
