/**
 * An Ollama-protocol server on loopback for tests. It speaks the documented REST API (/api/tags, /api/show,
 * /api/ps, /api/generate, /api/chat, /api/embed) over real HTTP, records every request, and answers from a script,
 * so the production code path (the `ollama` npm client) is exactly the one used against a real Ollama.
 *
 * It is strict on purpose: every rule of Ollama's server that the production code relies on is enforced here the
 * way Ollama's own routes enforce it (see ollama-rules.ts), so a client that would break against a real model
 * breaks against this server first.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  applyStops,
  countTokens,
  keepAliveMs,
  OllamaHttpError as HttpError,
  renderPrompt,
  splitThinking,
  truncateToContext,
  truncateToTokens,
  type RenderedPrompt,
} from "./ollama-rules.js";

export { countTokens, type RenderedPrompt } from "./ollama-rules.js";

export interface TestModel {
  readonly name: string;
  /** The model's prompt template; a template with {{ .Suffix }} accepts a suffix (fill-in-the-middle). */
  readonly template: string;
  /** The length the model was trained for (model_info's `<family>.context_length`). */
  readonly contextLength: number;
  readonly family: string;
  /** Capabilities /api/show reports; derived from the template when absent. */
  readonly capabilities?: readonly string[];
  /** Modelfile parameters as /api/show prints them ("stop \"<|im_end|>\"\nnum_ctx 8192"). */
  readonly parameters?: string;
  /** Digest /api/tags reports. */
  readonly digest?: string;
  /** Milliseconds a load takes (the model is loaded on first use and after its keep_alive expires). */
  readonly loadDelayMs?: number;
  /** When set, every load fails with HTTP 500 and this message, as Ollama does when the model does not fit. */
  readonly loadFailure?: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/**
 * A scripted answer. `text` (and `thinking`, for thinking models) is what the model emits: the server applies the
 * request's stop strings, num_predict and think flag to it as Ollama does. `json` and `raw` bypass every rule and
 * are sent as they are (for garbage answers and protocol errors); `status` goes with them.
 */
export interface ScriptedReply {
  readonly status?: number;
  /** Delay before the answer starts (after the model is loaded). */
  readonly delayMs?: number;
  /** Delay between streamed tokens, for time-to-first-token and total-deadline tests. */
  readonly tokenDelayMs?: number;
  readonly text?: string;
  readonly thinking?: string;
  readonly json?: unknown;
  readonly raw?: string;
}

/** What a generate or chat script sees besides the request body: the prompt as the template rendered it. */
export interface ScriptContext {
  readonly model: TestModel;
  readonly rendered: RenderedPrompt;
}

export type Responder = (body: Record<string, unknown>, context: ScriptContext) => string | ScriptedReply;

export interface OllamaScript {
  models?: TestModel[];
  /** The model's output for /api/generate. Defaults to an empty completion. */
  generate?: Responder;
  /** The model's output for /api/chat. */
  chat?: Responder;
  /** Embedding dimension for /api/embed (deterministic vectors derived from the text). */
  embedDimension?: number;
  /** Overrides any route before the rules: return undefined to fall through. */
  override?: (path: string, body: Record<string, unknown>) => ScriptedReply | undefined;
}

export interface OllamaTestServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Loads started per model name (a load aborted by a disconnecting client counts, and must be redone). */
  readonly loads: Map<string, number>;
  /** Largest number of generate/chat requests that ran at once per model (Ollama runs one at a time). */
  readonly maxParallel: Map<string, number>;
  /** Largest number of generate/chat requests open at once per model, queued ones included (the client's view). */
  readonly maxOpen: Map<string, number>;
  /** Replace the script while the server runs. */
  script: OllamaScript;
  close(): Promise<void>;
}

const QWEN_FIM = "<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>";
const QWEN_CHAT =
  "{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n";

/** Qwen2.5-Coder base: a bare template, so Ollama never fills in the middle for it (send raw FIM tokens). */
export const BASE_MODEL: TestModel = {
  name: "qwen2.5-coder:7b-base",
  template: "{{ .Prompt }}",
  contextLength: 32768,
  family: "qwen2",
  capabilities: ["completion"],
  digest: "b1a5e0c0ffee",
};

/** Qwen2.5-Coder instruct: a chat template that also renders {{ .Suffix }}. */
export const FIM_MODEL: TestModel = {
  name: "qwen2.5-coder:7b",
  template: `{{- if .Suffix }}${QWEN_FIM}{{- else }}${QWEN_CHAT}{{- end }}`,
  contextLength: 32768,
  family: "qwen2",
  capabilities: ["completion", "tools", "insert"],
  digest: "dae161e27b0e",
};

/** The instruct model under its other common name. */
export const INSTRUCT_MODEL: TestModel = { ...FIM_MODEL, name: "qwen2.5-coder:7b-instruct" };

/** A thinking model: it thinks unless the request says `think: false`. */
export const THINKING_MODEL: TestModel = {
  name: "qwen3:8b",
  template: `{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n{{ if .Think }}<think>\n{{ end }}`,
  contextLength: 40960,
  family: "qwen3",
  capabilities: ["completion", "tools", "thinking"],
  parameters: 'stop "<|im_start|>"\nstop "<|im_end|>"\ntemperature 0.6',
  digest: "500a1f067a9f",
};

/** DeepSeek-Coder-V2 instruct: its own FIM tokens, a User/Assistant chat, and Modelfile stop strings. */
export const DEEPSEEK_MODEL: TestModel = {
  name: "deepseek-coder-v2:16b",
  template:
    '{{- if .Suffix }}<｜fim▁begin｜>{{ .Prompt }}<｜fim▁hole｜>{{ .Suffix }}<｜fim▁end｜>{{- else }}{{ range .Messages }}{{ if eq .Role "user" }}User: {{ .Content }}\n\n{{ else }}Assistant: {{ .Content }}<｜end▁of▁sentence｜>{{ end }}{{ end }}Assistant:{{ end }}',
  contextLength: 163840,
  family: "deepseek2",
  capabilities: ["completion", "insert"],
  parameters: 'stop "User:"\nstop "Assistant:"',
  digest: "63fb193b3a9b",
};

export const CHAT_MODEL: TestModel = {
  name: "llama3.2:3b",
  template:
    "{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>{{ end }}<|start_header_id|>assistant<|end_header_id|>\n\n",
  contextLength: 131072,
  family: "llama",
  capabilities: ["completion", "tools"],
  parameters: 'stop "<|start_header_id|>"\nstop "<|end_header_id|>"\nstop "<|eot_id|>"',
  digest: "a80c4f17acd5",
};

export const EMBED_MODEL: TestModel = {
  name: "nomic-embed-text:latest",
  template: "{{ .Prompt }}",
  contextLength: 2048,
  family: "nomic-bert",
  capabilities: ["embedding"],
  parameters: "num_ctx 8192",
  digest: "0a109f422b47",
};

export const DEFAULT_MODELS: readonly TestModel[] = [BASE_MODEL, FIM_MODEL, CHAT_MODEL, EMBED_MODEL];
/** The server's default context when neither the request nor the Modelfile sets num_ctx. */
export const SERVER_NUM_CTX = 4096;

/** A deterministic unit vector for a text, so embedding tests can compare results across runs. */
export function fakeEmbedding(text: string, dimension: number): number[] {
  const v = new Array<number>(dimension).fill(0);
  for (let i = 0; i < text.length; i++) {
    const slot = (text.charCodeAt(i) * 31 + i) % dimension;
    v[slot] = (v[slot] ?? 0) + 1;
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

export function capabilitiesOf(model: TestModel): readonly string[] {
  if (model.capabilities) return model.capabilities;
  return model.template.includes(".Suffix") ? ["completion", "insert"] : ["completion"];
}

function findModel(models: readonly TestModel[], name: unknown): TestModel | undefined {
  if (typeof name !== "string" || name === "") return undefined;
  // Ollama resolves names case-insensitively and adds the implicit ":latest" tag.
  const wanted = (name.includes(":") ? name : `${name}:latest`).toLowerCase();
  return models.find((m) => m.name.toLowerCase() === wanted);
}

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        const parsed: unknown = text ? JSON.parse(text) : {};
        resolve(typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {});
      } catch {
        resolve({ unparseable: text });
      }
    });
  });
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function parameterValues(model: TestModel, key: string): string[] {
  const out: string[] = [];
  for (const line of (model.parameters ?? "").split("\n")) {
    const match = /^\s*(\w+)\s+(.+?)\s*$/.exec(line);
    if (match?.[1] === key) out.push(match[2]!.replace(/^"(.*)"$/, "$1"));
  }
  return out;
}

/** Per-model state: one request at a time (Ollama's default OLLAMA_NUM_PARALLEL for a queue of one model). */
interface ModelSlot {
  queue: Promise<void>;
  loadedUntil: number;
  running: number;
}

function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Starts the server on an ephemeral loopback port. */
export async function startOllamaTestServer(script: OllamaScript = {}): Promise<OllamaTestServer> {
  const requests: RecordedRequest[] = [];
  const loads = new Map<string, number>();
  const maxParallel = new Map<string, number>();
  const maxOpen = new Map<string, number>();
  const open = new Map<string, number>();
  const slots = new Map<string, ModelSlot>();
  const state = { script };
  const models = (): readonly TestModel[] => state.script.models ?? DEFAULT_MODELS;

  const slotOf = (model: TestModel): ModelSlot => {
    let slot = slots.get(model.name);
    if (!slot) {
      slot = { queue: Promise.resolve(), loadedUntil: 0, running: 0 };
      slots.set(model.name, slot);
    }
    return slot;
  };

  /** Loads the model if needed; a disconnecting client aborts the load, which must then be redone. */
  const ensureLoaded = async (model: TestModel, keepAlive: number, signal: AbortSignal): Promise<boolean> => {
    const slot = slotOf(model);
    if (Date.now() >= slot.loadedUntil) {
      loads.set(model.name, (loads.get(model.name) ?? 0) + 1);
      if (model.loadFailure) throw new HttpError(500, model.loadFailure);
      if (!(await wait(model.loadDelayMs ?? 0, signal))) return false;
    }
    slot.loadedUntil = keepAlive < 0 ? Number.POSITIVE_INFINITY : Date.now() + keepAlive;
    return true;
  };

  /** Runs `work` when the model's single slot is free, in arrival order. */
  const exclusive = async <T>(model: TestModel, work: () => Promise<T>): Promise<T> => {
    const slot = slotOf(model);
    const previous = slot.queue;
    let release = (): void => {};
    slot.queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    slot.running++;
    maxParallel.set(model.name, Math.max(maxParallel.get(model.name) ?? 0, slot.running));
    try {
      return await work();
    } finally {
      slot.running--;
      release();
    }
  };

  const send = (res: ServerResponse, status: number, json: unknown): void => {
    if (res.destroyed) return;
    res.statusCode = status;
    res.setHeader("content-type", "application/json; charset=utf-8");
    res.end(JSON.stringify(json));
  };

  const sendReply = async (res: ServerResponse, reply: ScriptedReply, signal: AbortSignal): Promise<void> => {
    if (reply.delayMs && !(await wait(reply.delayMs, signal))) return;
    if (res.destroyed) return;
    res.statusCode = reply.status ?? 200;
    res.setHeader("content-type", reply.raw !== undefined ? "text/plain" : "application/json; charset=utf-8");
    res.end(reply.raw ?? JSON.stringify(reply.json ?? {}));
  };

  /** generate and chat share every rule; they differ only in how the text is wrapped. */
  const complete = async (
    path: "/api/generate" | "/api/chat",
    body: Record<string, unknown>,
    res: ServerResponse,
    signal: AbortSignal,
  ): Promise<void> => {
    // keep_alive is parsed with the body, before the model is looked up.
    const keepAlive = keepAliveMs(body.keep_alive);
    const model = findModel(models(), body.model);
    if (!model) throw new HttpError(404, `model "${String(body.model)}" not found, try pulling it first`);
    const caps = capabilitiesOf(model);
    if (!caps.includes("completion"))
      throw new HttpError(
        400,
        `"${String(body.model)}" does not support ${path === "/api/chat" ? "chat" : "generate"}`,
      );
    const thinks = caps.includes("thinking");
    if (body.think === true && !thinks) throw new HttpError(400, `"${String(body.model)}" does not support thinking`);
    const suffix = typeof body.suffix === "string" ? body.suffix : "";
    if (path === "/api/generate" && suffix !== "" && !caps.includes("insert"))
      throw new HttpError(400, `registry.ollama.ai/library/${model.name} does not support insert`);
    const options = record(body.options);
    const numCtx =
      typeof options.num_ctx === "number"
        ? options.num_ctx
        : Number(parameterValues(model, "num_ctx")[0] ?? SERVER_NUM_CTX) || SERVER_NUM_CTX;
    const numKeep = typeof options.num_keep === "number" ? options.num_keep : 4;
    const rendered = truncateToContext(renderPrompt(path, body, model), numCtx, numKeep);
    const stream = body.stream !== false;

    open.set(model.name, (open.get(model.name) ?? 0) + 1);
    maxOpen.set(model.name, Math.max(maxOpen.get(model.name) ?? 0, open.get(model.name)!));
    res.on("close", () => open.set(model.name, (open.get(model.name) ?? 1) - 1));
    await exclusive(model, async () => {
      if (!(await ensureLoaded(model, keepAlive, signal))) return;
      // An empty prompt only loads the model (the warm-up request clients send).
      if (path === "/api/generate" && (body.prompt ?? "") === "") {
        send(res, 200, {
          model: body.model,
          created_at: new Date().toISOString(),
          response: "",
          done: true,
          done_reason: "load",
        });
        return;
      }
      const responder = path === "/api/chat" ? state.script.chat : state.script.generate;
      const scripted = responder?.(body, { model, rendered }) ?? "";
      const reply: ScriptedReply = typeof scripted === "string" ? { text: scripted } : scripted;
      if (reply.json !== undefined || reply.raw !== undefined) {
        await sendReply(res, reply, signal);
        return;
      }
      if (reply.delayMs && !(await wait(reply.delayMs, signal))) return;
      // The model's output: its thinking first (unless told not to think), then the answer.
      const thinking =
        thinks && body.think !== false ? (reply.thinking ?? "Let me look at the code carefully first.") : "";
      const stops = Array.isArray(options.stop) ? options.stop.map(String) : parameterValues(model, "stop");
      const numPredict = typeof options.num_predict === "number" && options.num_predict >= 0 ? options.num_predict : -1;
      const output = applyStops(`${thinking ? `${thinking}</think>` : ""}${reply.text ?? ""}`, stops);
      const limited = truncateToTokens(output.text, numPredict);
      const doneReason = limited.cut ? "length" : "stop";
      const parts = thinking ? splitThinking(limited.text) : { thinking: "", content: limited.text };
      const done = {
        done: true,
        done_reason: doneReason,
        prompt_eval_count: rendered.promptTokens,
        eval_count: countTokens(limited.text),
      };
      const wrap = (content: string, thought: string): Record<string, unknown> =>
        path === "/api/chat"
          ? {
              model: body.model,
              created_at: new Date().toISOString(),
              message: { role: "assistant", content, ...(thought ? { thinking: thought } : {}) },
            }
          : {
              model: body.model,
              created_at: new Date().toISOString(),
              response: content,
              ...(thought ? { thinking: thought } : {}),
            };
      if (!stream) {
        send(res, 200, { ...wrap(parts.content, parts.thinking), ...done });
        return;
      }
      res.statusCode = 200;
      res.setHeader("content-type", "application/x-ndjson");
      const contentTokens = parts.content.match(/\s*\S+|\s+$/g) ?? [];
      if (parts.thinking) res.write(JSON.stringify({ ...wrap("", parts.thinking), done: false }) + "\n");
      for (const token of contentTokens) {
        if (reply.tokenDelayMs && !(await wait(reply.tokenDelayMs, signal))) return;
        if (res.destroyed) return;
        res.write(JSON.stringify({ ...wrap(token, ""), done: false }) + "\n");
      }
      res.end(JSON.stringify({ ...wrap("", ""), ...done }) + "\n");
    });
  };

  const handle = async (
    method: string,
    path: string,
    body: Record<string, unknown>,
    res: ServerResponse,
    signal: AbortSignal,
  ): Promise<void> => {
    const overridden = state.script.override?.(path, body);
    if (overridden) return sendReply(res, overridden, signal);
    const now = new Date().toISOString();
    if (method === "GET" && path === "/") {
      res.setHeader("content-type", "text/plain; charset=utf-8");
      res.end("Ollama is running");
      return;
    }
    if (method === "GET" && path === "/api/version") return send(res, 200, { version: "0.12.0-test" });
    if (method === "GET" && path === "/api/tags") {
      return send(res, 200, {
        models: models().map((m) => ({
          name: m.name,
          model: m.name,
          modified_at: now,
          size: 4_683_087_332,
          digest: m.digest ?? "0",
          details: { format: "gguf", family: m.family, families: [m.family] },
        })),
      });
    }
    if (method === "GET" && path === "/api/ps") {
      const loaded = models().filter((m) => Date.now() < (slots.get(m.name)?.loadedUntil ?? 0));
      return send(res, 200, {
        models: loaded.map((m) => ({
          name: m.name,
          model: m.name,
          digest: m.digest ?? "0",
          details: { family: m.family },
        })),
      });
    }
    if (method === "POST" && path === "/api/show") {
      const model = findModel(models(), body.model ?? body.name);
      if (!model) throw new HttpError(404, `model '${String(body.model)}' not found`);
      return send(res, 200, {
        template: model.template,
        parameters: model.parameters ?? "",
        details: { format: "gguf", family: model.family, families: [model.family] },
        model_info: { "general.architecture": model.family, [`${model.family}.context_length`]: model.contextLength },
        capabilities: capabilitiesOf(model),
      });
    }
    if (method === "POST" && (path === "/api/generate" || path === "/api/chat"))
      return complete(path, body, res, signal);
    if (method === "POST" && path === "/api/embed") {
      const keepAlive = keepAliveMs(body.keep_alive);
      const model = findModel(models(), body.model);
      if (!model) throw new HttpError(404, `model "${String(body.model)}" not found, try pulling it first`);
      if (!capabilitiesOf(model).includes("embedding"))
        throw new HttpError(400, `"${String(body.model)}" does not support embeddings`);
      if (
        body.input !== undefined &&
        typeof body.input !== "string" &&
        !(Array.isArray(body.input) && body.input.every((x) => typeof x === "string"))
      )
        throw new HttpError(400, "invalid input type");
      const inputs: string[] = Array.isArray(body.input)
        ? body.input.map(String)
        : typeof body.input === "string" && body.input
          ? [body.input]
          : [];
      await exclusive(model, async () => {
        if (!(await ensureLoaded(model, keepAlive, signal))) return;
        const dimension = state.script.embedDimension ?? 64;
        send(res, 200, { model: body.model, embeddings: inputs.map((t) => fakeEmbedding(t, dimension)) });
      });
      return;
    }
    // Gin's answer to an unknown route: plain text, not JSON.
    res.statusCode = 404;
    res.setHeader("content-type", "text/plain");
    res.end("404 page not found");
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const body = await readBody(req);
      requests.push({ method: req.method ?? "GET", path, body });
      // The request's context ends when the client goes away, as Go's request context does in Ollama.
      const disconnected = new AbortController();
      res.on("close", () => disconnected.abort());
      try {
        await handle(req.method ?? "GET", path, body, res, disconnected.signal);
      } catch (error) {
        const status = error instanceof HttpError ? error.status : 500;
        send(res, status, { error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    loads,
    maxParallel,
    maxOpen,
    get script() {
      return state.script;
    },
    set script(s: OllamaScript) {
      state.script = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
