import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";

/**
 * The environment variable that marks every process of one test run (the command, its children and any daemon it
 * starts, since the environment is inherited across fork, exec and setsid). Its value is `<server pid>-<random>`,
 * so that processes outliving a crashed server can be told apart from those of a live one.
 */
export const RUN_MARK_VARIABLE = "REPAIR_LS_RUN";

/** Most sweeps of one mark: a process that forks while being killed leaves a child, which the next sweep finds. */
const MAX_SWEEPS = 5;

/** A fresh mark for one test run of this process. */
export function newRunMark(): string {
  return `${process.pid}-${randomBytes(8).toString("hex")}`;
}

/** Whether a process exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The server pid a mark was made by, or undefined for a value that is not a mark. */
function ownerOf(mark: string): number | undefined {
  const pid = Number(/^(\d+)-[0-9a-f]+$/.exec(mark)?.[1]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Processes whose environment carries a run mark accepted by `wanted`, read from /proc/<pid>/environ (Linux; on
 * systems without /proc the answer is empty and process groups are the only tracking). Processes of other users
 * cannot be read and are never matched; zombies have an empty environment and are not matched either.
 */
function markedProcesses(wanted: (mark: string) => boolean): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const prefix = `${RUN_MARK_VARIABLE}=`;
  const found: number[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, "latin1");
    } catch {
      continue;
    }
    for (const variable of environ.split("\0")) {
      if (variable.startsWith(prefix) && wanted(variable.slice(prefix.length))) {
        found.push(pid);
        break;
      }
    }
  }
  return found;
}

function killNow(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Gone already.
  }
}

/** Kills processes matched by `wanted` until none is left; returns how many distinct processes were killed. */
function sweep(wanted: (mark: string) => boolean): number {
  const killed = new Set<number>();
  for (let round = 0; round < MAX_SWEEPS; round++) {
    const found = markedProcesses(wanted).filter((pid) => !killed.has(pid));
    if (found.length === 0) break;
    for (const pid of found) {
      killNow(pid);
      killed.add(pid);
    }
  }
  return killed.size;
}

/** Kills every process that carries this run's mark (daemons included); returns how many there were. */
export function killMarkedProcesses(mark: string): number {
  return sweep((value) => value === mark);
}

/**
 * Kills the processes of runs whose server is gone (it crashed or was killed before it could clean up); returns
 * how many there were. Runs of live servers, this one included, are left alone.
 */
export function killOrphanedRunProcesses(): number {
  const ownerAlive = new Map<number, boolean>();
  return sweep((mark) => {
    const owner = ownerOf(mark);
    if (owner === undefined || owner === process.pid) return false;
    let alive = ownerAlive.get(owner);
    if (alive === undefined) {
      alive = pidAlive(owner);
      ownerAlive.set(owner, alive);
    }
    return !alive;
  });
}
