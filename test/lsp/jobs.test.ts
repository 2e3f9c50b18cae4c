import type { Connection } from "vscode-languageserver";
import { describe, expect, test } from "vitest";
import { JobManager } from "../../server/lsp/jobs.js";
import { STATUS_NOTIFICATION } from "../../server/lsp/protocol-names.js";
import { silentLogger } from "../../server/core/types.js";

/** A connection that records the notifications a job manager sends (progress is off: log lines instead). */
function recordingConnection(): { connection: Connection; sent: { method: string; params: unknown }[] } {
  const sent: { method: string; params: unknown }[] = [];
  const connection = {
    sendNotification: (method: string, params: unknown) => {
      sent.push({ method, params });
      return Promise.resolve();
    },
  } as unknown as Connection;
  return { connection, sent };
}

describe("the Ollama status", () => {
  test("'Ollama unavailable' clears when a request succeeds, and a later outage is shown again", async () => {
    const { connection, sent } = recordingConnection();
    const jobs = new JobManager(connection, silentLogger, () => false);
    const states = () =>
      sent.filter((m) => m.method === STATUS_NOTIFICATION).map((m) => (m.params as { state: string }).state);
    const warnings = () => sent.filter((m) => m.method === "window/showMessage").length;
    const run = (fn: (progress: { warn(m: string): void; recovered(s: "ollama"): void }) => void) =>
      new Promise<void>((resolve) => {
        jobs.start("fix-all", "/w", "repairing", (_signal, progress) => {
          fn(progress);
          resolve();
          return Promise.resolve({ status: "done", message: "ok", patches: 0 });
        });
      });
    await run((p) => p.warn("Ollama is not reachable at http://127.0.0.1:9"));
    await jobs.settle();
    expect(jobs.status().state).toBe("ollama-unavailable");
    expect(warnings()).toBe(1);
    await run((p) => p.recovered("ollama"));
    await jobs.settle();
    expect(jobs.status().state).toBe("idle");
    expect(states()).toContain("ollama-unavailable");
    expect(states().at(-1)).toBe("idle");
    await run((p) => p.warn("Ollama is not reachable at http://127.0.0.1:9"));
    await jobs.settle();
    expect(warnings()).toBe(2);
  });
});
