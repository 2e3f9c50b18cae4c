import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";

/** What a lock file says about its holder. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  readonly token: string;
  readonly startedAt: string;
}

function isAlive(holder: LockHolder): boolean {
  // A lock from another machine (a shared network folder) cannot be checked, so it is respected.
  if (holder.hostname !== hostname()) return true;
  if (holder.pid === process.pid) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === "number" && typeof value.hostname === "string" && typeof value.token === "string") {
      return { pid: value.pid, hostname: value.hostname, token: value.token, startedAt: String(value.startedAt) };
    }
  } catch {
    // Fall through: unparseable.
  }
  return undefined;
}

async function readHolder(path: string): Promise<{ holder: LockHolder | undefined } | undefined> {
  try {
    return { holder: parseHolder(await readFile(path, "utf8")) };
  } catch {
    return undefined;
  }
}

/**
 * A lock is stale when its process is gone, or when it cannot be parsed: locks are only ever created whole (see
 * createExclusive), so an unparseable one is damage or garbage, never a lock being written.
 */
function isStale(found: { holder: LockHolder | undefined }): boolean {
  return found.holder ? !isAlive(found.holder) : true;
}

/**
 * The one-writer-per-index lock: a file holding the writer's pid, host and a random token. It is created atomically
 * (written to a private temporary file, then hard-linked into place, which fails if the lock exists), so a reader
 * never sees a half-written lock. A lock whose process is gone is stale and taken over; the takeover renames the
 * stale file away first, so of two processes racing for it only one wins.
 */
export class WriterLock {
  private released = false;

  private constructor(
    readonly path: string,
    readonly holder: LockHolder,
  ) {}

  /** Takes the lock, or reports who holds it. */
  static async tryAcquire(path: string): Promise<{ lock: WriterLock } | { holder: LockHolder | undefined }> {
    await mkdir(dirname(path), { recursive: true });
    const holder: LockHolder = {
      pid: process.pid,
      hostname: hostname(),
      token: randomUUID(),
      startedAt: new Date().toISOString(),
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await createExclusive(path, holder)) return { lock: new WriterLock(path, holder) };
      const found = await readHolder(path);
      if (!found) continue; // Released between our attempt and the read: try again.
      if (!isStale(found)) return { holder: found.holder };
      await takeOverStale(path);
    }
    const found = await readHolder(path);
    return { holder: found?.holder };
  }

  /** Removes the lock if it is still ours. Safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const found = await readHolder(this.path);
    if (found?.holder?.token === this.holder.token) await unlink(this.path).catch(() => undefined);
  }
}

async function createExclusive(path: string, holder: LockHolder): Promise<boolean> {
  const temporary = `${path}.${holder.token}.tmp`;
  await writeFile(temporary, JSON.stringify(holder));
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

async function takeOverStale(path: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch {
    return; // Someone else moved it first.
  }
  // Between our staleness check and the rename another process may have installed a fresh lock: put it back.
  const moved = await readHolder(aside);
  if (moved && !isStale(moved)) {
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}
