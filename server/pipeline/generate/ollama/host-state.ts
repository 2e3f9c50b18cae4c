import { classifyFailure, ollamaClient, type FailureKind } from "./client.js";
import { parseShowResponse, type ModelInfo } from "./model-info.js";

/**
 * What the process knows about each Ollama host: reachable or not (one /api/tags per process, re-checked only
 * after a failure period), which models it has, and each model's /api/show facts. Kept at module level because
 * every repair task of the server talks to the same few hosts, and asking again per hunk would cost a round
 * trip each time and, when Ollama is down, a warning each time.
 */
export const RECHECK_AFTER_FAILURE_MS = 30_000;
/** The reachability probe is a cheap listing: it gets a short timeout whatever the request timeout is. */
export const PROBE_TIMEOUT_MS = 5_000;

export type Availability =
  | { readonly ok: true; readonly info: ModelInfo }
  | { readonly ok: false; readonly kind: FailureKind; readonly detail: string };

interface HostRecord {
  readonly checkedAt: number;
  readonly up: boolean;
  readonly models: readonly string[];
  readonly failure?: { readonly kind: FailureKind; readonly detail: string };
}

interface ModelRecord {
  readonly checkedAt: number;
  readonly info?: ModelInfo;
  readonly failure?: { readonly kind: FailureKind; readonly detail: string };
}

const hosts = new Map<string, HostRecord>();
const pendingProbes = new Map<string, Promise<HostRecord>>();
const models = new Map<string, ModelRecord>();
const pendingShows = new Map<string, Promise<ModelRecord>>();
const warned = new Set<string>();
const pendingLoads = new Map<string, Promise<LoadResult>>();

/** Forgets everything (tests use it to start from a fresh process state). */
export function resetOllamaState(): void {
  hosts.clear();
  pendingProbes.clear();
  models.clear();
  pendingShows.clear();
  warned.clear();
  pendingLoads.clear();
}

function modelKey(host: string, model: string): string {
  return `${host}\n${model}`;
}

/** Whether a tag listing holds a model, allowing the implicit `:latest` tag either way round. */
export function hasModel(names: readonly string[], model: string): boolean {
  const wanted = model.includes(":") ? model : `${model}:latest`;
  return names.some((n) => n === model || n === wanted || (!n.includes(":") && `${n}:latest` === wanted));
}

function raceWithSignal<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

async function probe(host: string, timeoutMs: number): Promise<HostRecord> {
  // The probe is shared by every task waiting on it, so it obeys only its own timeout: one task's
  // cancellation must not make the host look down to the others.
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    const listing = await ollamaClient(host, deadline).list();
    const names = Array.isArray(listing?.models) ? listing.models.map((m) => String(m.name ?? m.model)) : undefined;
    if (!names)
      return { checkedAt: Date.now(), up: false, models: [], failure: { kind: "garbage", detail: "no model list" } };
    return { checkedAt: Date.now(), up: true, models: names };
  } catch (error) {
    const failure = classifyFailure(
      error,
      { timedOut: deadline.aborted, cancelled: false, timeoutName: `no model list within ${timeoutMs} ms` },
      "tags",
    );
    return { checkedAt: Date.now(), up: false, models: [], failure: { kind: failure.kind, detail: failure.detail } };
  }
}

async function hostRecord(host: string, timeoutMs: number, refreshModels: boolean): Promise<HostRecord> {
  const known = hosts.get(host);
  const stale = known && Date.now() - known.checkedAt >= RECHECK_AFTER_FAILURE_MS;
  if (known && known.up && !(refreshModels && stale)) return known;
  if (known && !known.up && !stale) return known;
  let pending = pendingProbes.get(host);
  if (!pending) {
    pending = probe(host, timeoutMs).then((record) => {
      hosts.set(host, record);
      pendingProbes.delete(host);
      if (record.up) for (const key of [...warned]) if (key.startsWith(`${host}\n`)) warned.delete(key);
      return record;
    });
    pendingProbes.set(host, pending);
  }
  return pending;
}

async function show(host: string, model: string, timeoutMs: number): Promise<ModelRecord> {
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    const response: unknown = await ollamaClient(host, deadline).show({ model });
    return { checkedAt: Date.now(), info: parseShowResponse(model, response) };
  } catch (error) {
    const failure = classifyFailure(
      error,
      { timedOut: deadline.aborted, cancelled: false, timeoutName: `no /api/show answer within ${timeoutMs} ms` },
      "show",
    );
    return { checkedAt: Date.now(), failure: { kind: failure.kind, detail: failure.detail } };
  }
}

/**
 * Whether the model can be used now, and its facts. Never throws; resolves early with "cancelled" when the
 * signal aborts.
 */
export async function ollamaAvailability(
  host: string,
  model: string,
  requestTimeoutMs: number,
  signal: AbortSignal,
): Promise<Availability> {
  const cancelled: Availability = { ok: false, kind: "cancelled", detail: "cancelled" };
  const key = modelKey(host, model);
  const modelRecord = models.get(key);
  const modelStale = modelRecord?.failure && Date.now() - modelRecord.checkedAt >= RECHECK_AFTER_FAILURE_MS;
  const probeTimeout = Math.min(requestTimeoutMs, PROBE_TIMEOUT_MS);
  let record = await raceWithSignal(hostRecord(host, probeTimeout, modelStale === true), signal);
  if (record?.up && !hasModel(record.models, model) && Date.now() - record.checkedAt >= RECHECK_AFTER_FAILURE_MS) {
    // The model was missing a while ago: the user may have pulled it since.
    record = await raceWithSignal(hostRecord(host, probeTimeout, true), signal);
  }
  if (!record) return cancelled;
  if (!record.up) return { ok: false, kind: record.failure?.kind ?? "down", detail: record.failure?.detail ?? "" };
  if (!hasModel(record.models, model)) return { ok: false, kind: "missing", detail: "not in /api/tags" };

  let current = models.get(key);
  if (!current || (current.failure && Date.now() - current.checkedAt >= RECHECK_AFTER_FAILURE_MS)) {
    let pending = pendingShows.get(key);
    if (!pending) {
      pending = show(host, model, requestTimeoutMs).then((r) => {
        models.set(key, r);
        pendingShows.delete(key);
        return r;
      });
      pendingShows.set(key, pending);
    }
    const shown = await raceWithSignal(pending, signal);
    if (!shown) return cancelled;
    current = shown;
  }
  if (current.info) return { ok: true, info: current.info };
  return { ok: false, kind: current.failure?.kind ?? "error", detail: current.failure?.detail ?? "" };
}

/**
 * Records a failure seen while generating, so that the next tasks skip the host until the failure period is
 * over instead of each waiting for their own timeout.
 */
export function recordFailure(host: string, model: string, kind: FailureKind, detail: string): void {
  if (kind === "cancelled") return;
  if (kind === "load") {
    // The host is fine; this model does not load (too large for the machine): stop asking for a while.
    models.set(modelKey(host, model), { checkedAt: Date.now(), failure: { kind, detail } });
    return;
  }
  if (kind === "missing") {
    models.set(modelKey(host, model), { checkedAt: Date.now(), failure: { kind, detail } });
    // The model list is stale too: the model was there when the host was probed.
    const known = hosts.get(host);
    if (known?.up)
      hosts.set(host, { ...known, checkedAt: Date.now(), models: known.models.filter((n) => !hasModel([n], model)) });
    return;
  }
  hosts.set(host, { checkedAt: Date.now(), up: false, models: [], failure: { kind, detail } });
}

/**
 * The user-facing status line for a failure; each names what to do about it. For a timeout, `detail` names the
 * timeout that fired (the setting and its value), since the cure differs: a slow first token is a loading or
 * overloaded model, a task deadline is too much asked of one hunk.
 */
export function failureMessage(kind: FailureKind, host: string, model: string, detail: string): string {
  switch (kind) {
    case "down":
      return `Ollama is not reachable at ${host}: start it with \`ollama serve\` (or set ollama.host); using the built-in engine.`;
    case "missing":
      return `Ollama at ${host} does not have the model ${model}: run \`ollama pull ${model}\`; using the built-in engine.`;
    case "load":
      return `Ollama at ${host} could not load ${model} (${detail}): choose a smaller model in ollama.model; using the built-in engine.`;
    case "timeout":
      return `Ollama at ${host} did not answer in time: ${detail}; using the built-in engine for now.`;
    case "garbage":
      return `The server at ${host} did not answer like Ollama (${detail}); check ollama.host; using the built-in engine.`;
    case "error":
    case "cancelled":
      return `Ollama at ${host} failed (${detail}); using the built-in engine.`;
  }
}

/** Warns once per host, model and kind of failure until the host is seen working again. */
export function warnOnce(
  host: string,
  model: string,
  kind: FailureKind,
  message: string,
  warn: (m: string) => void,
): void {
  const key = `${host}\n${model}\n${kind}`;
  if (warned.has(key)) return;
  warned.add(key);
  warn(message);
}

/** Clears the warnings of a host that answered properly, so that a later outage is reported again. */
export function recordSuccess(host: string): void {
  for (const key of [...warned]) if (key.startsWith(`${host}\n`)) warned.delete(key);
}

/**
 * How long a model load may take. Loading a 7B model from disk takes seconds to minutes (45-100 s are common on
 * laptops), so a load gets its own long deadline instead of a request timeout: aborting a load wastes it, because
 * Ollama stops loading when the client disconnects.
 */
export const LOAD_TIMEOUT_MS = 10 * 60_000;

export type LoadResult =
  { readonly ok: true } | { readonly ok: false; readonly kind: FailureKind; readonly detail: string };

async function loadedModels(host: string, timeoutMs: number): Promise<readonly string[] | undefined> {
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    const listing = await ollamaClient(host, deadline).ps();
    return Array.isArray(listing?.models) ? listing.models.map((m) => String(m.name ?? m.model)) : undefined;
  } catch {
    // Older servers have no /api/ps; loading is then checked by the warm-up request itself.
    return undefined;
  }
}

async function warmUp(host: string, model: string, keepAlive: string | number): Promise<LoadResult> {
  const deadline = AbortSignal.timeout(LOAD_TIMEOUT_MS);
  try {
    // An empty prompt makes Ollama load the model and answer at once, without generating.
    await ollamaClient(host, deadline).generate({ model, prompt: "", keep_alive: keepAlive, stream: false });
    return { ok: true };
  } catch (error) {
    const failure = classifyFailure(
      error,
      {
        timedOut: deadline.aborted,
        cancelled: false,
        timeoutName: `the model did not load within ${LOAD_TIMEOUT_MS / 60_000} min`,
      },
      "generate",
    );
    return { ok: false, kind: failure.kind, detail: failure.detail };
  }
}

/**
 * Makes sure the model is loaded before timed requests are sent: /api/ps says whether it is; if not, one shared
 * warm-up request loads it under LOAD_TIMEOUT_MS. `onLoading` is called when a load is needed, so the user sees
 * "loading" rather than a silent wait. A task that gives up stops waiting, but the load goes on for the next one.
 */
export async function ensureModelLoaded(
  host: string,
  model: string,
  keepAlive: string | number,
  signal: AbortSignal,
  onLoading: () => void,
): Promise<LoadResult> {
  const loaded = await raceWithSignal(loadedModels(host, PROBE_TIMEOUT_MS), signal);
  if (signal.aborted) return { ok: false, kind: "cancelled", detail: "cancelled" };
  if (loaded && hasModel(loaded, model)) return { ok: true };
  const key = modelKey(host, model);
  let pending = pendingLoads.get(key);
  if (!pending) {
    onLoading();
    pending = warmUp(host, model, keepAlive).finally(() => pendingLoads.delete(key));
    pendingLoads.set(key, pending);
  }
  return (await raceWithSignal(pending, signal)) ?? { ok: false, kind: "cancelled", detail: "cancelled" };
}
