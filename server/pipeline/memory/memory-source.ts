import { dirname } from "node:path";
import type { GenerateOptions } from "../candidates.js";
import { splitFile } from "../../core/line-text.js";
import type { Candidate, HunkContext } from "../../core/types.js";
import { applyTemplate, templateOf, type EditTemplate } from "./edit-template.js";
import { gitTopLevel, mineFixCommits, type RepairExample } from "./git-history.js";
import { BUILTIN_DIMENSION, embedBuiltin } from "../../../index/embedders/builtin.js";
import { loadExamples, memoryFolderOf } from "./memory-store.js";
import { errorMessage } from "../../core/error-message.js";

/**
 * Score of a candidate from the repository's own fix history: above every template prior, since an edit this
 * project already needed once is the most likely edit for a bug of the same shape. Newer examples rank first.
 */
const MEMORY_SCORE = 0.97;
/** Candidates from history per hunk: the specific ones come first and validation decides. */
const MAX_MEMORY_CANDIDATES = 8;

const topLevels = new Map<string, Promise<string | undefined>>();
const templates = new Map<string, Promise<EditTemplate[]>>();
const histories = new Map<string, Promise<RepairExample[]>>();

/** Few-shot examples shown to a model per hunk. */
const FEW_SHOT_EXAMPLES = 3;

function minedHistory(topLevel: string, maxCommits: number): Promise<RepairExample[]> {
  const key = `${topLevel}\u0000${maxCommits}`;
  let pending = histories.get(key);
  if (!pending) {
    pending = mineFixCommits(topLevel, maxCommits);
    histories.set(key, pending);
  }
  return pending;
}

/** The edit templates of a repository's fix history, mined once per repository and commit bound. */
function historyTemplates(topLevel: string, maxCommits: number): Promise<EditTemplate[]> {
  const key = `${topLevel}\u0000${maxCommits}`;
  let pending = templates.get(key);
  if (!pending) {
    pending = minedHistory(topLevel, maxCommits).then((examples) =>
      examples.map(templateOf).filter((t): t is EditTemplate => t !== undefined),
    );
    templates.set(key, pending);
  }
  return pending;
}

/** Forgets mined histories (a test, or a workspace whose history changed, starts again). */
export function resetRepairMemory(): void {
  topLevels.clear();
  templates.clear();
  histories.clear();
}

/** Edit templates of the repairs applied in this workspace (its LanceDB memory), most similar first. */
async function storedTemplates(context: HunkContext, options: GenerateOptions): Promise<EditTemplate[]> {
  const folder = memoryFolderOf(context.hunk.file, options.config["index.path"]);
  if (!folder) return [];
  try {
    const examples = await loadExamples(folder, context.language, context.buggyText);
    return examples.map(templateOf).filter((t): t is EditTemplate => t !== undefined);
  } catch (error) {
    options.logger.debug(`repair memory: ${errorMessage(error)}`);
    return [];
  }
}

async function topLevelOf(file: string): Promise<string | undefined> {
  const folder = dirname(file);
  let top = topLevels.get(folder);
  if (!top) {
    top = gitTopLevel(folder);
    topLevels.set(folder, top);
  }
  return top;
}

/**
 * The repair memory's examples most similar to a hunk (built-in embeddings of the buggy lines), for a model's
 * prompt: applied repairs and mined fixes of the hunk's language.
 */
export async function fewShotExamples(context: HunkContext, options: GenerateOptions): Promise<RepairExample[]> {
  const folder = memoryFolderOf(context.hunk.file, options.config["index.path"]);
  const stored = folder ? await loadExamples(folder, context.language, context.buggyText).catch(() => []) : [];
  const topLevel = options.config["memory.gitHistory"] ? await topLevelOf(context.hunk.file) : undefined;
  const mined = topLevel
    ? (await minedHistory(topLevel, options.config["memory.maxCommits"])).filter((e) => e.language === context.language)
    : [];
  const pool = [...stored, ...mined];
  if (pool.length === 0 || context.buggyText.trim() === "") return [];
  const vectors = embedBuiltin([context.buggyText, ...pool.map((e) => e.buggy.join("\n"))]);
  const similarity = (i: number): number => {
    let sum = 0;
    for (let d = 0; d < BUILTIN_DIMENSION; d++) sum += vectors[d]! * vectors[(i + 1) * BUILTIN_DIMENSION + d]!;
    return sum;
  };
  return pool
    .map((example, i) => ({ example, score: similarity(i) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, FEW_SHOT_EXAMPLES)
    .map((s) => s.example);
}

/** Edit templates of the workspace's fix history; [] when memory.gitHistory is off or there is no repository. */
async function historyShapes(context: HunkContext, options: GenerateOptions): Promise<EditTemplate[]> {
  const { config } = options;
  if (!config["memory.gitHistory"]) return [];
  const topLevel = await topLevelOf(context.hunk.file);
  if (!topLevel) return [];
  return (await historyTemplates(topLevel, config["memory.maxCommits"])).filter((t) => t.language === context.language);
}

/**
 * Candidates from the repair memory without a model: repairs applied in the workspace and small fix commits of its
 * history, abstracted into edit templates, applied to the hunk's lines wherever the shape matches.
 */
export async function memoryCandidates(context: HunkContext, options: GenerateOptions): Promise<Candidate[]> {
  if (options.signal.aborted) return [];
  const [stored, mined] = await Promise.all([storedTemplates(context, options), historyShapes(context, options)]);
  // The user's own applied repairs come first: each was validated and confirmed in this workspace.
  const shapes = [...stored, ...mined];
  const { hunk } = context;
  const lines = splitFile(context.fileText).lines;
  const seen = new Set<string>();
  const out: Candidate[] = [];
  shapes.forEach((template, rank) => {
    for (let line = hunk.startLine; line < hunk.endLine; line++) {
      for (const edited of applyTemplate(template, lines[line]!)) {
        const text = lines
          .slice(hunk.startLine, hunk.endLine)
          .map((l, i) => (hunk.startLine + i === line ? edited : l))
          .join("\n");
        if (seen.has(text) || out.length >= MAX_MEMORY_CANDIDATES) continue;
        seen.add(text);
        out.push({
          text,
          score: MEMORY_SCORE - rank * 0.001,
          generator: "memory",
          editKind: "memory",
          description: template.description,
        });
      }
    }
  });
  return out;
}
