import { fstatSync } from "node:fs";

/** The environment variable in which the parent passes its pid to the child. */
export const PARENT_PID_VARIABLE = "REPAIR_LS_PARENT_PID";

/** How often a child checks that its parent is still the process that started it. */
const PARENT_POLL_MS = 1_000;

/**
 * Makes this child process exit when its parent dies, even by SIGKILL, so that it never keeps writing to files the
 * next parent will own. The parent spawns it with a pipe as stdin and never writes to it: the pipe reaches
 * end-of-file when the parent is gone. Polling the parent pid covers a child spawned without that pipe (the parent
 * changes when the child is re-parented to init or a subreaper); the parent passes its pid in PARENT_PID_VARIABLE.
 */
export function exitWhenParentGoes(): void {
  // The parent names itself: if it died before this ran, process.ppid would already be the new parent.
  const parent = Number(process.env[PARENT_PID_VARIABLE]) || process.ppid;
  const leave = (): never => process.exit(1);
  // Only a pipe says anything: /dev/null (stdin ignored) ends at once, and a terminal never does.
  if (fstatSync(0).isFIFO()) {
    process.stdin.on("end", leave);
    process.stdin.on("error", leave);
    process.stdin.resume();
  }
  setInterval(() => {
    if (process.ppid !== parent) leave();
  }, PARENT_POLL_MS).unref();
}
