import { sep } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultConfig, type Config } from "../core/config-schema.js";

export interface FolderState {
  readonly uri: string;
  readonly path: string;
  readonly name: string;
  config: Config;
}

/** Converts a file: URI into a path, or undefined for other schemes (untitled:, git:, ...) and malformed URIs. */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith("file:")) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** The workspace folders, and which folder a file belongs to (the deepest one containing it, for nested roots). */
export class WorkspaceFolders {
  private readonly folders = new Map<string, FolderState>();

  add(uri: string, name: string): FolderState | undefined {
    const path = uriToPath(uri);
    if (!path) return undefined;
    const existing = this.folders.get(uri);
    if (existing) return existing;
    const state: FolderState = { uri, path, name, config: defaultConfig() };
    this.folders.set(uri, state);
    return state;
  }

  remove(uri: string): FolderState | undefined {
    const state = this.folders.get(uri);
    this.folders.delete(uri);
    return state;
  }

  all(): FolderState[] {
    return [...this.folders.values()];
  }

  get(uri: string): FolderState | undefined {
    return this.folders.get(uri);
  }

  /** The folder containing a path (or file: URI), or undefined when the file is outside every folder. */
  folderOf(pathOrUri: string): FolderState | undefined {
    const path = pathOrUri.startsWith("file:") ? uriToPath(pathOrUri) : pathOrUri;
    if (!path) return undefined;
    let best: FolderState | undefined;
    for (const folder of this.folders.values()) {
      const inside =
        path === folder.path || path.startsWith(folder.path.endsWith(sep) ? folder.path : folder.path + sep);
      if (inside && (!best || folder.path.length > best.path.length)) best = folder;
    }
    return best;
  }
}
