import { removeStaleScratchInBackground } from "../validate/scratch-folders.js";
import { killOrphanedRunProcesses } from "./marked-processes.js";

/** What a start found left behind by servers that died without cleaning up (killed, crashed). */
export interface ReapedLeftovers {
  /** Test processes (and their daemons) of runs whose server is gone, killed. */
  readonly processes: number;
  /** Names of the scratch folders of dead servers, removed. */
  readonly scratchFolders: readonly string[];
}

/**
 * Cleans up after servers that died without cleaning up: kills the processes of their test runs first (they may be
 * writing into the scratch folders), then removes their scratch folders. Stale index locks are taken over when
 * each folder's index opens (see index/lock.ts).
 */
export async function reapLeftovers(): Promise<ReapedLeftovers> {
  const processes = killOrphanedRunProcesses();
  const scratchFolders = await removeStaleScratchInBackground();
  return { processes, scratchFolders };
}

/** One log line about what was cleaned up, or undefined when nothing was. */
export function describeReaped(reaped: ReapedLeftovers): string | undefined {
  if (reaped.processes === 0 && reaped.scratchFolders.length === 0) return undefined;
  return (
    `removed what a previous server left behind: ${reaped.processes} test process(es), ` +
    `${reaped.scratchFolders.length} scratch folder(s)`
  );
}
