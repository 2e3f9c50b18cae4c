import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";

/** Environment variable naming the file of remembered trust answers (tests point it at a temporary folder). */
export const TRUST_FILE_ENV = "REPAIR_LS_TRUST_FILE";

export type TrustAnswer = "trusted" | "untrusted";

interface TrustFile {
  readonly version: 1;
  /** Answers keyed by the folder's real path. */
  readonly folders: Record<string, TrustAnswer>;
}

/**
 * Where the user's answers live: a user-level state file outside every workspace ($XDG_STATE_HOME/repair-ls, else
 * ~/.local/state/repair-ls), so that no repository can ship an answer for itself.
 */
export function trustFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[TRUST_FILE_ENV];
  if (override && isAbsolute(override)) return override;
  const stateHome = env.XDG_STATE_HOME;
  const base = stateHome && isAbsolute(stateHome) ? stateHome : join(homedir(), ".local", "state");
  return join(base, "repair-ls", "trusted-folders.json");
}

function isAnswer(value: unknown): value is TrustAnswer {
  return value === "trusted" || value === "untrusted";
}

/** The user's remembered answers to "trust this folder?", one per folder, read and written as a small JSON file. */
export class TrustAnswers {
  constructor(readonly file: string = trustFilePath()) {}

  /** Every remembered answer; a missing or damaged file holds none (the user is asked again). */
  async all(): Promise<Map<string, TrustAnswer>> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.file, "utf8"));
    } catch {
      return new Map();
    }
    const folders = (parsed as Partial<TrustFile> | null)?.folders;
    if (typeof folders !== "object" || folders === null) return new Map();
    return new Map(Object.entries(folders).filter((entry): entry is [string, TrustAnswer] => isAnswer(entry[1])));
  }

  async get(folder: string): Promise<TrustAnswer | undefined> {
    return (await this.all()).get(folder);
  }

  /** Remembers an answer; the file is replaced atomically and readable by the user only. */
  async set(folder: string, answer: TrustAnswer): Promise<void> {
    const answers = await this.all();
    answers.set(folder, answer);
    const content: TrustFile = { version: 1, folders: Object.fromEntries(answers) };
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, this.file);
  }
}
