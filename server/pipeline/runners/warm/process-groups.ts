import { killGroup } from "../process.js";

/**
 * Process groups of warm servers and of the runs they started that are still alive. Every warm server (whatever
 * its language) registers its group here, so that one exit hook kills them all when this process exits: a server
 * that outlived the language server would keep a scratch copy busy and hold CPU forever.
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Registers a process group (led by `pid`) to be killed when this process exits. */
export function trackGroup(pid: number): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const group of liveGroups) killGroup(group);
    });
  }
  liveGroups.add(pid);
}

/** Kills a tracked process group now and forgets it. */
export function releaseGroup(pid: number): void {
  killGroup(pid);
  liveGroups.delete(pid);
}
