import { lstat, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The file that marks a folder as a repair-ls index folder, written when the server creates the folder. The server
 * clears (deletes) only folders that carry it, so a settings file pointing index.path at some other folder can at
 * worst make the index unavailable, never delete that folder's files.
 */
export const INDEX_MARKER = "REPAIR-LS-INDEX";
const MARKER_TEXT =
  "This folder is a repair-ls index. repair-ls created it and may delete everything in it.\n" +
  "Remove this file to stop repair-ls from using (and clearing) the folder.\n";

/** What index folders of versions before the marker hold: only these may be adopted without it. */
const LEGACY_ENTRIES = /^(meta\.json|meta\.json\.\d+\.tmp|lines\.lance|\.gitignore)$/;

/** The index folder holds files the server did not create; nothing in it is deleted. */
export class ForeignIndexFolderError extends Error {
  constructor(readonly dir: string) {
    super(
      `refusing to use ${dir} as the index folder: it is not empty and repair-ls did not create it ` +
        `(no ${INDEX_MARKER} file in it). Point index.path at a new or empty folder.`,
    );
    this.name = "ForeignIndexFolderError";
  }
}

async function entriesOf(dir: string): Promise<string[] | undefined> {
  try {
    return await readdir(dir);
  } catch {
    return undefined;
  }
}

/** Whether a folder without the marker is an index of an earlier version: only index entries, a real table folder. */
async function isLegacyIndex(dir: string, entries: readonly string[]): Promise<boolean> {
  if (!entries.includes("meta.json") || !entries.every((name) => LEGACY_ENTRIES.test(name))) return false;
  const table = await lstat(join(dir, "lines.lance")).catch(() => undefined);
  if (table && !table.isDirectory()) return false;
  try {
    const meta = JSON.parse(await readFile(join(dir, "meta.json"), "utf8")) as { schemaVersion?: unknown };
    return typeof meta.schemaVersion === "number";
  } catch {
    return false;
  }
}

/**
 * Makes `dir` the server's index folder for writing: creates it (with the marker) when missing or empty, adopts an
 * index folder of an earlier version by adding the marker, and rejects with ForeignIndexFolderError for any other
 * folder.
 */
export async function claimIndexFolder(dir: string): Promise<void> {
  const entries = await entriesOf(dir);
  if (entries?.includes(INDEX_MARKER)) return;
  if (entries && entries.length > 0 && !(await isLegacyIndex(dir, entries))) throw new ForeignIndexFolderError(dir);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, INDEX_MARKER), MARKER_TEXT);
}

/**
 * Deletes everything in the index folder and leaves it empty but for the marker. Rejects with
 * ForeignIndexFolderError, deleting nothing, unless the folder carries the marker (or is missing or empty).
 */
export async function clearIndexFolder(dir: string): Promise<void> {
  const entries = await entriesOf(dir);
  if (entries && entries.length > 0 && !entries.includes(INDEX_MARKER)) throw new ForeignIndexFolderError(dir);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, INDEX_MARKER), MARKER_TEXT);
}
