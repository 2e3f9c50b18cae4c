import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { BUILTIN_DIMENSION, embedBuiltin } from "../../../index/embedders/builtin.js";
import { loadLanceDb } from "../../../index/lancedb-loader.js";
import { languageForPath } from "../../../grammars/languages.js";
import type { LanguageId } from "../../../grammars/languages.js";
import type { RepairExample } from "./git-history.js";
import { errorMessage } from "../../core/error-message.js";

/** The table of repair examples, in its own LanceDB database beside the workspace index's. */
const TABLE = "repair_examples";
/** Most stored examples read back for one workspace (the newest are the most relevant to the code as it is now). */
const MAX_STORED = 2_000;

/**
 * The repair memory's database folder: "memory" beside the index's folder (.repair-ls/memory for the default
 * index.path), so that it lives and is ignored with the index but never shares its lock or its tables.
 */
export function memoryFolder(root: string, indexPath: string): string {
  const index = isAbsolute(indexPath) ? indexPath : resolve(root, indexPath);
  return join(dirname(index), "memory");
}

/** The memory folder of the workspace holding `file`: the nearest ancestor whose memory folder exists. */
export function memoryFolderOf(file: string, indexPath: string): string | undefined {
  for (let folder = dirname(file); ; folder = dirname(folder)) {
    const candidate = memoryFolder(folder, indexPath);
    if (existsSync(candidate)) return candidate;
    if (dirname(folder) === folder) return undefined;
  }
}

interface ExampleRow {
  buggy: string;
  fixed: string;
  language: string;
  tests: string;
  source: string;
  vector: number[];
}

/**
 * Adds examples (applied repairs) to the workspace's repair memory: buggy and fixed hunk, language, failing-test
 * summary and the built-in embedding of the buggy hunk.
 */
export async function storeExamples(folder: string, examples: readonly RepairExample[]): Promise<void> {
  if (examples.length === 0) return;
  await mkdir(folder, { recursive: true });
  const lancedb = await loadLanceDb();
  const connection = await lancedb.connect(folder);
  try {
    const vectors = embedBuiltin(examples.map((e) => e.buggy.join("\n")));
    const rows: ExampleRow[] = examples.map((e, i) => ({
      buggy: e.buggy.join("\n"),
      fixed: e.fixed.join("\n"),
      language: e.language,
      tests: e.tests ?? "",
      source: e.source,
      vector: Array.from(vectors.subarray(i * BUILTIN_DIMENSION, (i + 1) * BUILTIN_DIMENSION)),
    }));
    const names = await connection.tableNames();
    if (names.includes(TABLE)) {
      const table = await connection.openTable(TABLE);
      try {
        await table.add(rows as unknown as Record<string, unknown>[]);
      } finally {
        table.close();
      }
    } else (await connection.createTable(TABLE, rows as unknown as Record<string, unknown>[])).close();
  } finally {
    connection.close();
  }
}

/** The stored examples of one language, most similar to `buggyText` first (every one when no text is given). */
export async function loadExamples(folder: string, language: LanguageId, buggyText?: string): Promise<RepairExample[]> {
  if (!existsSync(folder)) return [];
  const lancedb = await loadLanceDb();
  const connection = await lancedb.connect(folder);
  try {
    if (!(await connection.tableNames()).includes(TABLE)) return [];
    const table = await connection.openTable(TABLE);
    try {
      const filter = `language = '${language.replace(/'/g, "''")}'`;
      const rows = (
        buggyText === undefined
          ? await table.query().where(filter).limit(MAX_STORED).toArray()
          : await table
              .vectorSearch(Array.from(embedBuiltin([buggyText])))
              .where(filter)
              .limit(MAX_STORED)
              .toArray()
      ) as ExampleRow[];
      return rows.map((r) => ({
        buggy: r.buggy.split("\n"),
        fixed: r.fixed === "" ? [] : r.fixed.split("\n"),
        language,
        source: r.source,
        ...(r.tests ? { tests: r.tests } : {}),
      }));
    } finally {
      table.close();
    }
  } finally {
    connection.close();
  }
}

/** One applied edit of a repair: the lines it replaced and the lines it wrote, in a file of the workspace. */
export interface AppliedEdit {
  readonly file: string;
  readonly oldText: string;
  readonly newText: string;
}

/**
 * Remembers the edits of a repair the user applied (code action or fix-all --apply) as examples of the workspace's
 * repair memory. Never throws: a memory that cannot be written only loses the example (the reason is returned).
 */
export async function rememberAppliedRepair(
  root: string,
  indexPath: string,
  edits: readonly AppliedEdit[],
  description: string,
  failingTests: readonly string[],
): Promise<string | undefined> {
  const lines = (text: string): string[] => text.replace(/\r?\n$/, "").split(/\r?\n/);
  const examples: RepairExample[] = [];
  for (const edit of edits) {
    const language = languageForPath(edit.file)?.id;
    if (!language || edit.oldText === "") continue;
    examples.push({
      buggy: lines(edit.oldText),
      fixed: edit.newText === "" ? [] : lines(edit.newText),
      language,
      source: `applied repair: ${description.slice(0, 60)}`,
      tests: failingTests.slice(0, 5).join(", "),
    });
  }
  try {
    await storeExamples(memoryFolder(root, indexPath), examples);
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}
