import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type * as LanceDb from "@lancedb/lancedb";
import { PARENT_PID_VARIABLE } from "./parent-watch.js";
import { COLUMNS } from "./rows.js";

/** Builds the IVF_RQ vector index in the current process (see store.ts for why IVF_RQ). */
export async function buildVectorIndex(
  lancedb: typeof LanceDb,
  table: LanceDb.Table,
  numPartitions: number,
): Promise<void> {
  await table.createIndex(COLUMNS.vector, {
    config: lancedb.Index.ivfRq({ numPartitions, distanceType: "cosine" }),
    replace: true,
  });
}

/** The compiled worker script beside this module, if there is one (there is none when running from sources). */
function workerScript(): string | undefined {
  const path = fileURLToPath(new URL("./ann-worker.js", import.meta.url));
  return existsSync(path) ? path : undefined;
}

/**
 * Builds the vector index in a child process (ann-worker.js) so that its memory peak does not stay with the
 * language server; without a compiled worker (tests running sources) it builds in-process. Rejects with the
 * worker's reason on failure. `signal` kills the child.
 */
export function buildVectorIndexOutOfProcess(
  lancedb: typeof LanceDb,
  table: LanceDb.Table,
  dir: string,
  tableName: string,
  numPartitions: number,
  signal?: AbortSignal,
): Promise<"child" | "in-process"> {
  const script = workerScript();
  if (!script) return buildVectorIndex(lancedb, table, numPartitions).then(() => "in-process");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, dir, tableName, String(numPartitions)], {
      // stdin is a pipe never written to: it closes when this process dies, and the child then exits.
      stdio: ["pipe", "ignore", "pipe"],
      env: {
        ...process.env,
        LANCEDB_LOG: process.env.LANCEDB_LOG ?? "error",
        [PARENT_PID_VARIABLE]: String(process.pid),
      },
      ...(signal ? { signal } : {}),
    });
    child.stdin.on("error", () => undefined);
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve("child");
      else reject(new Error(`vector index build failed (exit ${code ?? "signal"}): ${stderr.trim() || "no message"}`));
    });
  });
}
