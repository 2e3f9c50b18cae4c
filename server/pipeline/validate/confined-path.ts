import { copyFile, lstat, mkdir, readdir, realpath, stat, symlink, unlink } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { isWithin } from "./tree-copy.js";

/** The real path of an existing path, or undefined when it (or a link on the way) does not resolve. */
async function realOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch {
    return undefined;
  }
}

/**
 * Replaces the symbolic link `link`, whose target `real` lies outside the scratch folders, by something of the copy's
 * own: a folder of links to the target's entries (so only the path being written is unfolded, one level at a time),
 * or a private copy of the target file. A dangling link is removed.
 */
async function unfold(link: string, real: string | undefined): Promise<void> {
  await unlink(link);
  if (real === undefined) return;
  if ((await stat(real)).isDirectory()) {
    await mkdir(link);
    for (const name of await readdir(real)) await symlink(join(real, name), join(link, name));
  } else {
    await copyFile(real, link);
  }
}

/**
 * The path to write for `target`, a path under `root` in a scratch copy, such that the write lands inside one of
 * the `own` folders (the scratch copy's own folders, given as real paths) and never goes through a symbolic link
 * to the user's files. Each link met on the way that leads outside `own` is unfolded in place (see unfold); links
 * that stay inside are followed. Folders that do not exist yet are left for the caller to create.
 */
export async function confinedPath(root: string, target: string, own: readonly string[]): Promise<string> {
  const parts = relative(root, target).split(sep);
  if (parts[0] === ".." || parts[0] === "") throw new Error(`${target} is not inside ${root}`);
  let current = await realpath(root);
  if (!own.some((folder) => isWithin(folder, current))) throw new Error(`${root} is not a scratch folder`);
  for (const [i, part] of parts.entries()) {
    const next = join(current, part);
    let info;
    try {
      info = await lstat(next);
    } catch {
      return join(next, ...parts.slice(i + 1));
    }
    if (info.isSymbolicLink()) {
      const real = await realOrUndefined(next);
      if (real !== undefined && own.some((folder) => isWithin(folder, real))) {
        current = real;
        continue;
      }
      await unfold(next, real);
    }
    current = next;
  }
  return current;
}
