import { MessageType, type Connection, type WorkDoneProgressServerReporter } from "vscode-languageserver/node.js";
import type { ProgressSink } from "../core/types.js";

/**
 * Reports one job's progress to the client: `$/progress` begin/report/end (through the library's work-done
 * progress, which also routes the client's cancel button to onCancel) when the client supports server-initiated
 * progress, else plain window/logMessage lines so that lesser clients still see what is happening.
 */
export class JobProgress implements ProgressSink {
  private lastPercentage = 0;
  private lastMessage = "";
  private ended = false;

  private constructor(
    private readonly connection: Connection,
    private readonly title: string,
    private readonly reporter: WorkDoneProgressServerReporter | undefined,
    private readonly onWarn: (message: string) => void,
    private readonly onRecovered: (source: "ollama") => void,
  ) {}

  static async begin(options: {
    connection: Connection;
    supported: boolean;
    title: string;
    onCancel: () => void;
    onWarn: (message: string) => void;
    onRecovered: (source: "ollama") => void;
  }): Promise<JobProgress> {
    let reporter: WorkDoneProgressServerReporter | undefined;
    if (options.supported) {
      try {
        reporter = await options.connection.window.createWorkDoneProgress();
        reporter.token.onCancellationRequested(options.onCancel);
        reporter.begin(options.title, 0, undefined, true);
      } catch {
        // The client refused the token: fall back to log lines rather than failing the job.
        reporter = undefined;
      }
    }
    const progress = new JobProgress(options.connection, options.title, reporter, options.onWarn, options.onRecovered);
    if (!reporter) progress.log(`${options.title}: started`);
    return progress;
  }

  private log(message: string): void {
    this.connection.sendNotification("window/logMessage", { type: MessageType.Info, message }).catch(() => undefined);
  }

  report(message: string, percentage?: number): void {
    if (this.ended) return;
    // Percentages only move forward: clients draw a bar, and a bar that jumps back reads as a bug.
    if (percentage !== undefined) {
      this.lastPercentage = Math.max(this.lastPercentage, Math.min(100, Math.round(percentage)));
    }
    if (message === this.lastMessage && percentage === undefined) return;
    this.lastMessage = message;
    if (this.reporter) this.reporter.report(this.lastPercentage, message);
    else this.log(`${this.title}: ${message}`);
  }

  warn(message: string): void {
    this.onWarn(message);
  }

  recovered(source: "ollama"): void {
    this.onRecovered(source);
  }

  end(message: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.reporter) {
      // The end notification carries no message in the library's reporter, so the outcome goes to the log too.
      this.reporter.done();
    }
    this.log(`${this.title}: ${message}`);
  }
}
