/**
 * The server's protocol surface, as the extension binds to it. These mirror server/lsp/protocol-names.ts; the
 * extension is its own package and cannot import the server's sources, so test/clients asserts that both agree.
 */
export const SERVER_COMMANDS = {
  fixHere: "repair.fixHere",
  fixAllFailing: "repair.fixAllFailing",
  reindex: "repair.reindex",
  cancel: "repair.cancel",
  status: "repair.status",
  repairApplied: "repair.applied",
} as const;

export const CONFIG_SECTION = "repairLs";
export const STATUS_NOTIFICATION = "repair/status";
export const JOB_FINISHED_NOTIFICATION = "repair/jobFinished";

/** VS Code language ids the server repairs; the document selector and the activation events use them. */
export const SUPPORTED_LANGUAGES = [
  "python",
  "javascript",
  "javascriptreact",
  "typescript",
  "typescriptreact",
  "java",
  "c",
  "cpp",
  "go",
  "rust",
] as const;

export type RepairState = "idle" | "indexing" | "repairing" | "ollama-unavailable";

export interface StatusParams {
  readonly state: RepairState;
  readonly message: string;
}

export interface JobFinishedParams {
  readonly jobId: string;
  readonly kind: string;
  readonly status: string;
  readonly message: string;
  readonly patches: number;
}

export function isStatusParams(value: unknown): value is StatusParams {
  if (typeof value !== "object" || value === null) return false;
  const { state, message } = value as Record<string, unknown>;
  return (
    (state === "idle" || state === "indexing" || state === "repairing" || state === "ollama-unavailable") &&
    (message === undefined || typeof message === "string")
  );
}

export function isJobFinishedParams(value: unknown): value is JobFinishedParams {
  if (typeof value !== "object" || value === null) return false;
  const { jobId, status } = value as Record<string, unknown>;
  return typeof jobId === "string" && typeof status === "string";
}
