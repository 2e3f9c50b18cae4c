import type { ConfigProblemKind } from "../core/config-schema.js";

/** Command identifiers the server executes (workspace/executeCommand). Clients bind their UI to these. */
export const COMMANDS = {
  fixHere: "repair.fixHere",
  fixAllFailing: "repair.fixAllFailing",
  reindex: "repair.reindex",
  cancel: "repair.cancel",
  status: "repair.status",
  /** Run by a repair's code action after its edit is applied: { repairIds: string[] }; the repair memory learns it. */
  repairApplied: "repair.applied",
} as const;

export const COMMAND_IDS: readonly string[] = Object.values(COMMANDS);

/**
 * Namespaced code action kinds (as Biome does), so users can filter or auto-apply repairs specifically. Kinds nest
 * by dots, so each is chosen for what a filter on it must (not) select: auto-applying `quickfix.repair-ls` applies
 * validated repairs only; partial patches and "Repair here" (which starts a job that runs the tests) are siblings
 * that no such filter reaches; `source.fixAll.repair-ls` applies every validated repair of a document (on save).
 */
export const CODE_ACTION_KINDS = {
  repair: "quickfix.repair-ls",
  partial: "quickfix.repair-ls-partial",
  repairHere: "quickfix.repair-ls-here",
  fixAll: "source.fixAll.repair-ls",
} as const;

/** The configuration section clients store repair-ls settings under (workspace/configuration). */
export const CONFIG_SECTION = "repairLs";

/** Notification the server sends when a background repair job ends; the fix-all client waits for it. */
export const JOB_FINISHED_NOTIFICATION = "repair/jobFinished";

/**
 * Notification the server sends whenever its overall state changes, for status bars:
 * params { state: "idle" | "indexing" | "repairing" | "ollama-unavailable", message: string }.
 */
export const STATUS_NOTIFICATION = "repair/status";

/** Request for a finished job's full report (JobReport in job-report.ts): params { jobId }. */
export const REPORT_REQUEST = "repair/report";

/**
 * Notification the server sends once for each invalid configuration value or unknown key, as data (the same
 * problem is also shown to people through window/showMessage): params ConfigProblemParams. `repair.status` answers
 * with the problems found so far in `configIssues`. Headless clients decide from `kind`, never from the wording.
 */
export const CONFIG_PROBLEM_NOTIFICATION = "repair/configProblem";

export interface ConfigProblemParams {
  /** The dotted setting key as written, "(file)" for a settings file that cannot be read, "(root)" for a non-object. */
  readonly key: string;
  /** "unknown-key" is ignored; "invalid-value" falls back to the layer below; "unreadable" drops the whole source. */
  readonly kind: ConfigProblemKind;
  /** Where the value came from: a settings file's path, "initializationOptions", or the editor's settings. */
  readonly source: string;
  readonly message: string;
}
