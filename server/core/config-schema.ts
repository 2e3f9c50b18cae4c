import { z } from "zod";
import { isKeepAlive } from "./ollama-keep-alive.js";

/**
 * The one configuration schema. Every key has a default and a one-line description; the description is what
 * editors show (the VS Code extension contributes exactly these keys), so it is written for users.
 *
 * Keys are dotted paths. Sources (initializationOptions, workspace/configuration, .repair-ls.json) may give them
 * either flat ("ollama.model": "x") or nested ({ "ollama": { "model": "x" } }).
 */
interface Setting<T extends z.ZodType> {
  readonly schema: T;
  readonly default: z.infer<T>;
  readonly description: string;
}

function setting<T extends z.ZodType>(schema: T, defaultValue: z.infer<T>, description: string): Setting<T> {
  return { schema, default: defaultValue, description };
}

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().min(0);
const fraction = z.number().min(-1).max(1);

export const SETTINGS = {
  logLevel: setting(
    z.enum(["error", "warn", "info", "debug"]),
    "info",
    "Least severe log level sent to the client's log (REPAIR_LS_LOG overrides it).",
  ),
  engine: setting(
    z.enum(["auto", "builtin", "ollama"]),
    "auto",
    "Candidate generators: auto uses Ollama when reachable plus the built-in engine; builtin never calls a model.",
  ),

  "index.enabled": setting(z.boolean(), true, "Index workspace source lines for context retrieval."),
  "index.path": setting(
    z.string().min(1),
    ".repair-ls/index",
    "Folder of the LanceDB index, relative to the workspace folder unless absolute; .repair-ls.json may only pick one inside .repair-ls/.",
  ),
  "index.exclude": setting(
    z.array(z.string()),
    [".git", "node_modules", ".repair-ls", "dist", "build", "out", "target", "vendor", "__pycache__", ".venv", "venv"],
    "Gitignore-style patterns excluded from indexing, on top of the workspace's .gitignore files.",
  ),
  "index.maxFileBytes": setting(positiveInt, 1_000_000, "Files larger than this many bytes are not indexed."),
  "index.embedder": setting(
    z.enum(["builtin", "ollama"]),
    "builtin",
    "Line embedder: builtin needs no model; ollama calls /api/embed with index.embeddingModel.",
  ),
  "index.embeddingModel": setting(
    z.string().min(1),
    "nomic-embed-text",
    "Ollama model used when index.embedder is ollama.",
  ),
  "index.debounceMs": setting(
    nonNegativeInt,
    400,
    "Delay after the last edit of an open document before it is re-indexed.",
  ),

  "retrieval.topK": setting(positiveInt, 5, "Context lines retrieved per hunk (MultiMend uses 5)."),
  "retrieval.threshold": setting(fraction, 0.5, "Minimum cosine similarity of a retrieved line (MultiMend uses 0.5)."),
  "retrieval.hybrid": setting(
    z.boolean(),
    true,
    "Combine vector similarity with full-text matches when ranking lines.",
  ),

  "ollama.host": setting(
    z.string(),
    "",
    "Ollama server URL; empty means the OLLAMA_HOST environment variable, else http://127.0.0.1:11434.",
  ),
  "ollama.model": setting(z.string().min(1), "qwen2.5-coder:7b", "Ollama model that proposes patches."),
  "ollama.mode": setting(
    z.enum(["auto", "fim", "chat"]),
    "auto",
    "Prompting style: auto fills in the middle with the family's tokens for base models and chats with instruct models.",
  ),
  "ollama.samples": setting(
    nonNegativeInt,
    8,
    "Sampled candidates per hunk (distinct seeds), in addition to one greedy answer.",
  ),
  "ollama.temperature": setting(z.number().min(0).max(2), 0.8, "Sampling temperature of the sampled candidates."),
  "ollama.numPredict": setting(positiveInt, 256, "Maximum tokens the model may generate per candidate."),
  "ollama.keepAlive": setting(
    z.string().refine(isKeepAlive, 'a Go duration such as "30m" or "1h", or a number of seconds (-1: forever)'),
    "30m",
    "How long Ollama keeps the model loaded between requests: a duration such as 30m, or seconds (-1: forever).",
  ),
  "ollama.requestTimeoutMs": setting(
    positiveInt,
    60_000,
    "Milliseconds an answer may take to start, and again to finish once started (model loads get their own time).",
  ),
  "ollama.taskTimeoutMs": setting(
    positiveInt,
    180_000,
    "Timeout of all Ollama requests for one repair task, in milliseconds.",
  ),
  "ollama.concurrency": setting(
    positiveInt,
    1,
    "Ollama requests in flight at once (Ollama itself runs one request per model at a time by default).",
  ),

  "ollama.strategies": setting(
    z.array(z.enum(["feedback", "function", "joint", "mask", "rtt"])),
    ["feedback", "joint", "function", "mask"],
    "Model strategies run in this order beside the per-hunk candidates: feedback (failing-test feedback rounds), joint (SEARCH/REPLACE for every suspicious place), function (suggestion, then the whole fixed function), mask (fill a masked condition, return or assigned value), rtt (opt-in round-trip translation: a plain-English description of the function, then the function rewritten from it alone).",
  ),
  "ollama.strategyCalls": setting(
    nonNegativeInt,
    6,
    "Model calls each strategy may make per repair task (0 turns the strategies off); their patches count against repair.maxValidations.",
  ),

  "ollama.executionValues": setting(
    z.boolean(),
    true,
    "Before the chat strategies, run the first failing test once more to record the values of the names read on the suspicious lines (Python with pytest, JavaScript with node --test), and show them in their prompts; one extra test run per task, no model call.",
  ),

  "memory.gitHistory": setting(
    z.boolean(),
    true,
    "Learn edit templates from small fix commits of the workspace's git history (off for repositories you do not want read).",
  ),
  "memory.maxCommits": setting(positiveInt, 1000, "Most recent commits read when mining the git history for fixes."),

  "test.command": setting(z.string(), "", "Command that runs the project's tests; empty means auto-detect."),
  "test.allowRun": setting(
    z.enum(["ask", "always", "never"]),
    "ask",
    "Whether repair-ls may run the workspace's tests: ask once per workspace, always, or never.",
  ),
  "test.timeoutSeconds": setting(
    positiveInt,
    120,
    "A test run that takes longer is killed with its whole process group.",
  ),

  "repair.candidatesPerHunk": setting(positiveInt, 60, "Candidates kept per hunk after filtering and ranking."),
  // Sized for warm validation (tens of candidates a second): at 300, a fast runner spent the whole count in about
  // 15 s of a 600 s budget while the fix sat further down the list; runners that stay slow meet the time budget
  // first, as before.
  "repair.maxValidations": setting(positiveInt, 1000, "Test runs one repair task may spend on candidates."),
  "repair.budgetSeconds": setting(positiveInt, 600, "Wall-clock budget of one repair task."),
  "repair.workers": setting(nonNegativeInt, 0, "Parallel validation workers; 0 picks one per core."),
  "repair.stopAfterPlausible": setting(
    positiveInt,
    1,
    "Stop validating after this many plausible patches (more gives alternatives to rank, at the cost of time).",
  ),
  "repair.maxHunks": setting(positiveInt, 4, "Most edit sites one patch may touch."),
  "repair.applyAutomatically": setting(z.boolean(), false, "Apply the best validated repair with workspace/applyEdit."),

  "security.trustedFolders": setting(
    z.array(z.string()),
    [],
    "Folders (with their subfolders) whose .repair-ls.json may name programs and hosts; honoured from user settings only.",
  ),
  "security.trustWorkspaceSettings": setting(
    z.boolean(),
    false,
    "Trust every folder's .repair-ls.json as if it were in security.trustedFolders; honoured from user settings only.",
  ),
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type Config = { readonly [K in SettingKey]: z.infer<(typeof SETTINGS)[K]["schema"]> };

/** Keys only the user sets (editor settings, initializationOptions, CLI): a workspace file cannot trust itself. */
export const USER_ONLY_KEYS: readonly SettingKey[] = ["security.trustedFolders", "security.trustWorkspaceSettings"];

/**
 * Values a workspace's .repair-ls.json may set only in a folder the user trusts, because each runs a program, sends
 * code to a host, or acts without asking. Each predicate says whether a value escalates; values that only restrict
 * (test.allowRun "never", index.embedder "builtin") are honoured everywhere. index.path has its own rule (it must
 * stay inside the folder's .repair-ls/), see server/lsp/settings.ts.
 */
export const TRUST_REQUIRED: { readonly [K in SettingKey]?: (value: Config[K]) => boolean } = {
  "test.command": (command) => command.trim() !== "",
  "test.allowRun": (allow) => allow === "always",
  "ollama.host": (host) => host.trim() !== "",
  "index.embedder": (embedder) => embedder === "ollama",
  "repair.applyAutomatically": (apply) => apply,
};

export interface ConfigProblem {
  /** The dotted key, or the unknown key the user wrote. */
  readonly key: string;
  /**
   * What is wrong: a key no setting has (ignored, so nothing changes), a value its schema refuses (the layer below
   * is used instead), or settings that could not be read at all.
   */
  readonly kind: ConfigProblemKind;
  readonly message: string;
}

export type ConfigProblemKind = "unknown-key" | "invalid-value" | "unreadable";

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

export function defaultConfig(): Config {
  return Object.fromEntries(SETTING_KEYS.map((k) => [k, SETTINGS[k].default])) as Config;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Flattens nested objects into dotted keys, stopping at known keys so that array and object values stay whole. */
export function flatten(raw: unknown, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!isPlainObject(raw)) return out;
  for (const [k, v] of Object.entries(raw)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (key in SETTINGS || !isPlainObject(v)) out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

/**
 * Validates user settings key by key. A bad value is reported and replaced by the value from `base` (the
 * defaults, or a lower-priority source), so one typo never takes the other settings down with it.
 */
export function parseConfig(
  raw: unknown,
  base: Config = defaultConfig(),
): { config: Config; problems: ConfigProblem[] } {
  const config: Record<string, unknown> = { ...base };
  const problems: ConfigProblem[] = [];
  if (raw !== undefined && raw !== null && !isPlainObject(raw)) {
    problems.push({ key: "(root)", kind: "unreadable", message: "settings must be an object" });
    return { config: config as Config, problems };
  }
  for (const [key, value] of flatten(raw)) {
    if (!(key in SETTINGS)) {
      problems.push({ key, kind: "unknown-key", message: "unknown setting (ignored)" });
      continue;
    }
    if (value === null || value === undefined) continue;
    const result = SETTINGS[key as SettingKey].schema.safeParse(value);
    if (result.success) config[key] = result.data;
    else {
      const reason = result.error.issues.map((i) => i.message).join("; ");
      problems.push({ key, kind: "invalid-value", message: `${reason} (using ${JSON.stringify(config[key])})` });
    }
  }
  return { config: config as Config, problems };
}
