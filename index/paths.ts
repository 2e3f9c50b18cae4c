import { isAbsolute, join, relative, sep } from "node:path";

/**
 * The workspace-relative, posix-separated form of an absolute path, which is how the index names files (so an
 * index moved with its folder, or built on another OS, still matches). Undefined for paths outside the root.
 */
export function toWorkspaceRelative(root: string, absPath: string): string | undefined {
  const rel = relative(root, absPath);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return sep === "/" ? rel : rel.split(sep).join("/");
}

/** The absolute path of a workspace-relative index path. */
export function toAbsolute(root: string, relPath: string): string {
  return join(root, ...relPath.split("/"));
}

/** A SQL string literal for LanceDB filters: single quotes are doubled, as standard SQL requires. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
