/** A content hash of every file under a folder (symlinks by target), to assert that a run changed nothing. */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";

export function snapshotTree(root: string): string {
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      hash.update(`${path.slice(root.length)}\u0000`);
      if (entry.isSymbolicLink()) hash.update(`-> ${readlinkSync(path)}`);
      else if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hash.update(readFileSync(path));
    }
  };
  walk(root);
  return hash.digest("hex");
}

/** Scratch folders of this process under the scratch root (what a finished task must not leave behind). */
export function ownScratchDirs(scratchRoot: string): string[] {
  try {
    return readdirSync(scratchRoot).filter((name) => name.startsWith(`${process.pid}-`));
  } catch {
    return [];
  }
}
