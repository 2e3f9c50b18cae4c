import { readFile } from "node:fs/promises";
import ignore, { type Ignore } from "ignore";
import { toAbsolute } from "./paths.js";

/** One level of rules: the patterns of one .gitignore (or the configured excludes), relative to `base`. */
interface RuleLevel {
  /** Workspace-relative folder the patterns are relative to; "" for the workspace root. */
  readonly base: string;
  readonly rules: Ignore;
}

function isMissingFile(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR";
}

/** The repository's own exclude file: rules like a root .gitignore that are not committed. */
export const INFO_EXCLUDE = ".git/info/exclude";

/**
 * Git's ignore semantics for a workspace folder: the configured excludes apply first (as if they were a root
 * .gitignore), then `.git/info/exclude`, then every .gitignore from the root down to the file's folder, each
 * relative to its own folder, and the last matching rule wins (so a nested `!pattern` can re-include a file), as
 * git orders them. Rules are loaded lazily per folder and cached; invalidate() forgets a folder's rules when its
 * .gitignore changes (".git/info" for the exclude file).
 */
export class IgnoreRules {
  private readonly excludes: RuleLevel;
  private readonly perFolder = new Map<string, Promise<Ignore | undefined>>();
  private infoExclude: Promise<Ignore | undefined> | undefined;

  constructor(
    private readonly root: string,
    excludePatterns: readonly string[],
    private readonly onUnreadable: (relPath: string, error: unknown) => void = () => {},
  ) {
    this.excludes = { base: "", rules: ignore().add([...excludePatterns]) };
  }

  /** Forgets the cached rules of the folder holding a .gitignore that changed (".git/info" for its exclude file). */
  invalidate(folderRel: string): void {
    if (folderRel === ".git/info") this.infoExclude = undefined;
    else this.perFolder.delete(folderRel);
  }

  /** Whether a workspace-relative path (a folder when isFolder) is excluded from the index. */
  async isIgnored(relPath: string, isFolder: boolean): Promise<boolean> {
    const parts = relPath.split("/");
    // Every ancestor folder must be visible too: git never looks inside an ignored folder.
    let folder = "";
    for (let i = 0; i < parts.length - 1; i++) {
      folder = folder === "" ? (parts[i] ?? "") : `${folder}/${parts[i] ?? ""}`;
      if (await this.matches(folder, true)) return true;
    }
    return this.matches(relPath, isFolder);
  }

  /**
   * Whether the path itself is matched, assuming its ancestors are visible. The walk calls this directly because it
   * has already checked the ancestors on the way down.
   */
  async matches(relPath: string, isFolder: boolean): Promise<boolean> {
    let ignored = false;
    for (const level of await this.levelsFor(relPath)) {
      const inner = level.base === "" ? relPath : relPath.slice(level.base.length + 1);
      const result = level.rules.test(isFolder ? `${inner}/` : inner);
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  }

  private async levelsFor(relPath: string): Promise<RuleLevel[]> {
    const levels: RuleLevel[] = [this.excludes];
    this.infoExclude ??= this.loadFile(INFO_EXCLUDE);
    const infoRules = await this.infoExclude;
    if (infoRules) levels.push({ base: "", rules: infoRules });
    const parts = relPath.split("/");
    let folder = "";
    for (let i = 0; i < parts.length; i++) {
      const rules = await this.rulesOf(folder);
      if (rules) levels.push({ base: folder, rules });
      if (i === parts.length - 1) break;
      folder = folder === "" ? (parts[i] ?? "") : `${folder}/${parts[i] ?? ""}`;
    }
    return levels;
  }

  private rulesOf(folderRel: string): Promise<Ignore | undefined> {
    let pending = this.perFolder.get(folderRel);
    if (!pending) {
      pending = this.load(folderRel);
      this.perFolder.set(folderRel, pending);
    }
    return pending;
  }

  private load(folderRel: string): Promise<Ignore | undefined> {
    return this.loadFile(folderRel === "" ? ".gitignore" : `${folderRel}/.gitignore`);
  }

  private async loadFile(relPath: string): Promise<Ignore | undefined> {
    try {
      return ignore().add(await readFile(toAbsolute(this.root, relPath), "utf8"));
    } catch (error) {
      if (!isMissingFile(error)) this.onUnreadable(relPath, error);
      return undefined;
    }
  }
}
