import { MessageType, type Connection } from "vscode-languageserver/node.js";
import type { Config } from "../core/config-schema.js";

const ALLOW = "Allow";
const DENY = "Don't allow";

/**
 * Whether repair-ls may run a folder's tests. Running tests executes the project's code, so in an editor the user
 * is asked once per folder and session unless the "test.allowRun" setting already says; the headless CLI passes
 * its consent with the command. The question is asked from inside a background job, never from a request.
 */
export class TestPermission {
  private readonly answers = new Map<string, boolean>();

  constructor(private readonly connection: Connection) {}

  async allowed(folder: string, config: Config, grantedByCaller: boolean): Promise<boolean> {
    if (config["test.allowRun"] === "never") return false;
    if (config["test.allowRun"] === "always" || grantedByCaller) return true;
    const known = this.answers.get(folder);
    if (known !== undefined) return known;
    let answer: { title: string } | null | undefined;
    try {
      answer = await this.connection.window.showInformationMessage(
        `repair-ls needs to run the tests of ${folder} (in a scratch copy) to find and validate repairs. Allow?`,
        { title: ALLOW },
        { title: DENY },
      );
    } catch {
      answer = undefined;
    }
    // No answer (a dismissed prompt, or a client without message requests) is a no, and is not remembered.
    if (!answer) return false;
    const allowed = answer.title === ALLOW;
    this.answers.set(folder, allowed);
    return allowed;
  }

  static refusalMessage(folder: string): string {
    return `repair-ls did not run the tests of ${folder}: set "repairLs.test.allowRun" to "always" (or answer Allow) to repair there`;
  }

  notifyRefusal(folder: string): void {
    this.connection
      .sendNotification("window/showMessage", {
        type: MessageType.Warning,
        message: TestPermission.refusalMessage(folder),
      })
      .catch(() => undefined);
  }
}
