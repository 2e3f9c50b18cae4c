import type * as LanceDb from "@lancedb/lancedb";
import { briefErrorMessage } from "../server/core/error-message.js";

/** The index cannot work at all on this machine (native library missing or broken); retrieval must go without. */
export class IndexUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "IndexUnavailableError";
  }
}

let loading: Promise<typeof LanceDb> | undefined;

function nativeFailureMessage(error: unknown): string {
  const detail = briefErrorMessage(error);
  return (
    `LanceDB's native library could not be loaded on ${process.platform}-${process.arch} (${detail}). ` +
    `The workspace index is disabled. Reinstall dependencies without --omit=optional so that the ` +
    `@lancedb/lancedb-${process.platform}-${process.arch}* package is present, and check that the CPU supports AVX2.`
  );
}

/**
 * Loads LanceDB on first use. LANCEDB_LOG is set to "error" first unless the user set it: the native logger
 * initialises on load and would otherwise print a warning for every query with a column selection. A failure to
 * load the native binary (wrong architecture, missing optional package, CPU without AVX2) becomes one clear
 * IndexUnavailableError instead of a stack trace; the next call tries again.
 */
export function loadLanceDb(): Promise<typeof LanceDb> {
  process.env.LANCEDB_LOG ??= "error";
  loading ??= import("@lancedb/lancedb").catch((error: unknown) => {
    loading = undefined;
    throw new IndexUnavailableError(nativeFailureMessage(error), { cause: error });
  });
  return loading;
}
