import { MessageType, type Connection } from "vscode-languageserver/node.js";
import type { Logger } from "../core/types.js";

export type LogLevel = "error" | "warn" | "info" | "debug";

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export function isLogLevel(value: string | undefined): value is LogLevel {
  return value !== undefined && value in RANK;
}

/**
 * A Logger that writes to the client's log through window/logMessage. Stdout carries the protocol, so this is the
 * only way the server speaks. REPAIR_LS_LOG, when set to a valid level, wins over the setting so that a user can
 * debug a server whose configuration is itself the problem.
 */
export class ConnectionLogger implements Logger {
  private level: LogLevel;
  private readonly envLevel: LogLevel | undefined;

  constructor(
    private readonly connection: Connection,
    level: LogLevel = "info",
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const fromEnv = env.REPAIR_LS_LOG?.toLowerCase();
    this.envLevel = isLogLevel(fromEnv) ? fromEnv : undefined;
    this.level = this.envLevel ?? level;
  }

  setLevel(level: LogLevel): void {
    this.level = this.envLevel ?? level;
  }

  private send(level: LogLevel, type: MessageType, message: string): void {
    if (RANK[level] > RANK[this.level]) return;
    // A closed connection must not turn a log line into a crash.
    this.connection.sendNotification("window/logMessage", { type, message }).catch(() => undefined);
  }

  error(message: string): void {
    this.send("error", MessageType.Error, message);
  }
  warn(message: string): void {
    this.send("warn", MessageType.Warning, message);
  }
  info(message: string): void {
    this.send("info", MessageType.Info, message);
  }
  debug(message: string): void {
    this.send("debug", MessageType.Log, message);
  }
}
