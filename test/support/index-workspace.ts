import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { makeTempDir, removeTempDir } from "./temp.js";

/** A throw-away workspace folder in the system temp dir, made from a map of relative paths to contents. */
export interface TempWorkspace {
  readonly root: string;
  path(rel: string): string;
  write(rel: string, content: string | Uint8Array): Promise<void>;
  remove(): Promise<void>;
}

export async function makeTempWorkspace(
  files: Record<string, string | Uint8Array>,
  prefix = "repair-ls-index-",
): Promise<TempWorkspace> {
  const root = makeTempDir(prefix);
  const workspace: TempWorkspace = {
    root,
    path: (rel) => join(root, ...rel.split("/")),
    async write(rel, content) {
      const target = join(root, ...rel.split("/"));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    },
    remove: () => Promise.resolve(removeTempDir(root)),
  };
  for (const [rel, content] of Object.entries(files)) await workspace.write(rel, content);
  return workspace;
}
