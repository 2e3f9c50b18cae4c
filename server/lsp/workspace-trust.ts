import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { MessageType, type Connection } from "vscode-languageserver/node.js";
import { toWorkspaceRelative } from "../../index/paths.js";
import type { Config } from "../core/config-schema.js";
import type { Logger } from "../core/types.js";
import { realLocation } from "./settings.js";
import { TrustAnswers } from "./trust-answers.js";

const TRUST = "Trust folder";
const DONT_TRUST = "Don't trust";

/** The real path of a folder, so that a folder reached through a link is the same folder. */
function realFolder(path: string): Promise<string> {
  return realLocation(path.startsWith("~/") ? join(homedir(), path.slice(2)) : path);
}

/** Entries of security.trustedFolders count only when absolute (or under ~/): a relative one names no folder. */
function isFolderEntry(entry: string): boolean {
  return isAbsolute(entry) || entry.startsWith("~/");
}

function isSameOrInside(path: string, ancestor: string): boolean {
  return path === ancestor || toWorkspaceRelative(ancestor, path) !== undefined;
}

/**
 * Whether the user trusts a workspace folder's own settings file, in the spirit of VS Code's workspace trust and
 * git's safe.directory: a cloned repository is untrusted until the user says otherwise, through user settings
 * (security.trustedFolders, security.trustWorkspaceSettings), an answer to a prompt (asked once per folder and
 * remembered in a user-level file), or the invocation itself (the CLI and clients that pass allowRun).
 */
export class WorkspaceTrust {
  /** Folders trusted for this session by the client's invocation, by real path. */
  private readonly sessionGrants = new Set<string>();
  /** Folders asked about this session: the user is asked once even if they dismiss the question. */
  private readonly prompted = new Set<string>();
  /** Messages already shown, so that refreshes do not repeat them. */
  private readonly shown = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly logger: Logger,
    private readonly answers: TrustAnswers = new TrustAnswers(),
  ) {}

  async isTrusted(folderPath: string, userConfig: Config): Promise<boolean> {
    if (userConfig["security.trustWorkspaceSettings"]) return true;
    const folder = await realFolder(folderPath);
    if (this.sessionGrants.has(folder)) return true;
    for (const entry of userConfig["security.trustedFolders"].filter(isFolderEntry)) {
      if (isSameOrInside(folder, await realFolder(entry))) return true;
    }
    return (await this.answers.get(folder)) === "trusted";
  }

  /** Trusts a folder for this session on the client's word; true when that is news (settings need a refresh). */
  async grantForSession(folderPath: string): Promise<boolean> {
    const folder = await realFolder(folderPath);
    if (this.sessionGrants.has(folder)) return false;
    this.sessionGrants.add(folder);
    return true;
  }

  /**
   * Tells the user which keys of the folder's settings file are ignored, and asks (once per folder and session,
   * unless an answer is remembered) whether to trust the folder; when the user trusts it, `onTrusted` applies the
   * folder's settings again. The answer is remembered either way; a dismissed prompt, or a client that cannot ask,
   * leaves the folder untrusted. Returns at once: the question waits for the user, and start-up must not.
   */
  review(folderPath: string, ignoredKeys: readonly string[], source: string, onTrusted: () => Promise<void>): void {
    const them = ignoredKeys.length === 1 ? "it" : "them";
    this.warnOnce(
      `repair-ls: ignored ${ignoredKeys.map((k) => `"${k}"`).join(", ")} in ${source} until you trust ${folderPath}: ` +
        `a cloned repository could use ${them} to run programs or send your code elsewhere. ` +
        `Answer "${TRUST}" when asked, or add the folder to your "repairLs.security.trustedFolders" setting.`,
    );
    if (this.prompted.has(folderPath)) return;
    this.prompted.add(folderPath);
    this.askUnlessAnswered(folderPath, ignoredKeys)
      .then(async (trusted) => {
        if (!trusted) return;
        await onTrusted();
        this.logger.info(`the settings of ${folderPath} are trusted and applied`);
      })
      .catch((error: unknown) =>
        this.logger.warn(`applying the trust answer for ${folderPath} failed: ${String(error)}`),
      );
  }

  /** Asks whether to trust the folder unless the user answered before; true when the user trusts it now. */
  private async askUnlessAnswered(folderPath: string, keys: readonly string[]): Promise<boolean> {
    const folder = await realFolder(folderPath);
    if ((await this.answers.get(folder)) !== undefined) return false;
    let answer: { title: string } | null | undefined;
    try {
      answer = await this.connection.window.showWarningMessage(
        `Trust the repair-ls settings of ${folderPath}? Its .repair-ls.json sets ${keys.join(", ")}, which can run programs or send code to another host.`,
        { title: TRUST },
        { title: DONT_TRUST },
      );
    } catch {
      answer = undefined;
    }
    if (!answer) return false;
    const trusted = answer.title === TRUST;
    await this.answers
      .set(folder, trusted ? "trusted" : "untrusted")
      .catch((error: unknown) =>
        this.logger.warn(`could not remember the trust answer in ${this.answers.file}: ${String(error)}`),
      );
    if (trusted) this.sessionGrants.add(folder);
    return trusted;
  }

  /** Shows a warning once per session. */
  warnOnce(message: string): void {
    if (this.shown.has(message)) return;
    this.shown.add(message);
    this.logger.warn(message);
    this.connection
      .sendNotification("window/showMessage", { type: MessageType.Warning, message })
      .catch(() => undefined);
  }
}
