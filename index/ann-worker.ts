/**
 * Child-process entry point that builds the vector (ANN) index of an index folder:
 *
 *   node ann-worker.js <index-dir> <table> <partitions>
 *
 * Building it reads every vector into memory (~650 MB at 500k lines) and the allocator does not give that memory
 * back, so a language server that built it in-process would stay that large for the rest of the session. In a
 * short-lived child the peak is paid once and returned to the system at exit. The parent holds the writer lock
 * and writes nothing while the child runs. Exit code 0 on success; the reason on stderr otherwise. The child exits
 * as soon as its parent is gone (the parent's next start would otherwise race it for the table).
 */
import { loadLanceDb } from "./lancedb-loader.js";
import { exitWhenParentGoes } from "./parent-watch.js";
import { buildVectorIndex } from "./vector-index.js";
import { errorMessage } from "../server/core/error-message.js";

async function main(): Promise<void> {
  exitWhenParentGoes();
  const [dir, tableName, partitions] = process.argv.slice(2);
  if (!dir || !tableName || !partitions) throw new Error("usage: ann-worker <index-dir> <table> <partitions>");
  const lancedb = await loadLanceDb();
  const connection = await lancedb.connect(dir);
  const table = await connection.openTable(tableName);
  await buildVectorIndex(lancedb, table, Number(partitions));
  table.close();
  connection.close();
}

main().then(
  // stdin (the parent watch) would keep the process alive after the work is done.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${errorMessage(error)}\n`);
    process.exit(1);
  },
);
