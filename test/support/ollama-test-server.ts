/**
 * An Ollama-protocol server on loopback for tests. It speaks the documented REST API (/api/tags, /api/show,
 * /api/generate, /api/chat, /api/embed) over real HTTP, records every request, and answers from a script, so the
 * production code path (the `ollama` npm client) is exactly the one used against a real Ollama.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface TestModel {
  readonly name: string;
  /** The model's prompt template; include {{ .Suffix }} to advertise fill-in-the-middle support. */
  readonly template: string;
  readonly contextLength: number;
  readonly family: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** A scripted answer: a JSON body, optionally with a status and a delay, or raw text (for garbage answers). */
export interface ScriptedReply {
  readonly status?: number;
  readonly delayMs?: number;
  readonly json?: unknown;
  readonly raw?: string;
}

export interface OllamaScript {
  models?: TestModel[];
  /** Text for /api/generate; receives the request body. Defaults to an empty completion. */
  generate?: (body: Record<string, unknown>) => string | ScriptedReply;
  /** Assistant message content for /api/chat. */
  chat?: (body: Record<string, unknown>) => string | ScriptedReply;
  /** Embedding dimension for /api/embed (deterministic vectors derived from the text). */
  embedDimension?: number;
  /** Overrides any route before the defaults: return undefined to fall through. */
  override?: (path: string, body: Record<string, unknown>) => ScriptedReply | undefined;
}

export interface OllamaTestServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replace the script while the server runs. */
  script: OllamaScript;
  close(): Promise<void>;
}

export const FIM_MODEL: TestModel = {
  name: "qwen2.5-coder:7b",
  template:
    "{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>{{ else }}{{ .Prompt }}{{ end }}",
  contextLength: 32768,
  family: "qwen2",
};

export const CHAT_MODEL: TestModel = {
  name: "llama3.2:3b",
  template: "{{ range .Messages }}<|start|>{{ .Role }}\n{{ .Content }}<|end|>{{ end }}",
  contextLength: 8192,
  family: "llama",
};

export const EMBED_MODEL: TestModel = {
  name: "nomic-embed-text:latest",
  template: "{{ .Prompt }}",
  contextLength: 2048,
  family: "nomic-bert",
};

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

function toReply(value: string | ScriptedReply, wrap: (text: string) => unknown): ScriptedReply {
  return typeof value === "string" ? { json: wrap(value) } : value;
}

function findModel(script: OllamaScript, name: unknown): TestModel | undefined {
  const models = script.models ?? [FIM_MODEL, CHAT_MODEL, EMBED_MODEL];
  return models.find((m) => m.name === name || m.name === `${String(name)}:latest`);
}

function route(script: OllamaScript, method: string, path: string, body: Record<string, unknown>): ScriptedReply {
  const overridden = script.override?.(path, body);
  if (overridden) return overridden;
  const models = script.models ?? [FIM_MODEL, CHAT_MODEL, EMBED_MODEL];
  const missing = { status: 404, json: { error: `model "${String(body.model)}" not found, try pulling it first` } };
  const now = new Date().toISOString();
  if (method === "GET" && path === "/api/tags") {
    return {
      json: {
        models: models.map((m) => ({
          name: m.name,
          model: m.name,
          modified_at: now,
          size: 1,
          digest: "0",
          details: { family: m.family },
        })),
      },
    };
  }
  if (method === "GET" && path === "/api/version") return { json: { version: "0.12.0-test" } };
  if (method !== "POST") return { status: 404, json: { error: "not found" } };
  const model = findModel(script, body.model);
  switch (path) {
    case "/api/show":
      if (!model) return missing;
      return {
        json: {
          template: model.template,
          parameters: "",
          details: { family: model.family },
          model_info: { [`${model.family}.context_length`]: model.contextLength },
          capabilities: model.template.includes(".Suffix") ? ["completion", "insert"] : ["completion"],
        },
      };
    case "/api/generate": {
      if (!model) return missing;
      const reply = toReply(script.generate?.(body) ?? "", (text) => ({
        model: model.name,
        created_at: now,
        response: text,
        done: true,
        done_reason: "stop",
      }));
      return reply;
    }
    case "/api/chat": {
      if (!model) return missing;
      return toReply(script.chat?.(body) ?? "", (text) => ({
        model: model.name,
        created_at: now,
        message: { role: "assistant", content: text },
        done: true,
        done_reason: "stop",
      }));
    }
    case "/api/embed": {
      if (!model) return missing;
      const inputs = Array.isArray(body.input)
        ? body.input.map(String)
        : [typeof body.input === "string" ? body.input : ""];
      const dimension = script.embedDimension ?? 64;
      return { json: { model: model.name, embeddings: inputs.map((t) => fakeEmbedding(t, dimension)) } };
    }
    default:
      return { status: 404, json: { error: "not found" } };
  }
}

/** Starts the server on an ephemeral loopback port. */
export async function startOllamaTestServer(script: OllamaScript = {}): Promise<OllamaTestServer> {
  const requests: RecordedRequest[] = [];
  const state = { script };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const body = await readBody(req);
      requests.push({ method: req.method ?? "GET", path, body });
      const reply = route(state.script, req.method ?? "GET", path, body);
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (res.destroyed) return;
      res.statusCode = reply.status ?? 200;
      res.setHeader("content-type", reply.raw !== undefined ? "text/plain" : "application/json");
      res.end(reply.raw ?? JSON.stringify(reply.json ?? {}));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
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
