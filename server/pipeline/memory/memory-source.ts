import { dirname } from "node:path";
import type { GenerateOptions } from "../candidates.js";
import { splitFile } from "../generate/hunk-text.js";
import type { Candidate, HunkContext } from "../types.js";
import { applyTemplate, templateOf, type EditTemplate } from "./edit-template.js";
import { gitTopLevel, mineFixCommits } from "./git-history.js";

/**
 * Score of a candidate from the repository's own fix history: above every template prior, since an edit this
 * project already needed once is the most likely edit for a bug of the same shape. Newer examples rank first.
 */
const MEMORY_SCORE = 0.97;
/** Candidates from history per hunk: the specific ones come first and validation decides. */
const MAX_MEMORY_CANDIDATES = 8;

const topLevels = new Map<string, Promise<string | undefined>>();
const templates = new Map<string, Promise<EditTemplate[]>>();

/** The edit templates of a repository's fix history, mined once per repository and commit bound. */
function historyTemplates(topLevel: string, maxCommits: number): Promise<EditTemplate[]> {
  const key = `${topLevel}\u0000${maxCommits}`;
  let pending = templates.get(key);
  if (!pending) {
    pending = mineFixCommits(topLevel, maxCommits).then((examples) =>
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
}

/**
 * Candidates from the repair memory without a model: the workspace's small fix commits, abstracted into edit
 * templates, applied to the hunk's lines wherever the shape matches. [] when memory.gitHistory is off or the
 * workspace is not a git repository.
 */
export async function memoryCandidates(context: HunkContext, options: GenerateOptions): Promise<Candidate[]> {
  const { config } = options;
  if (!config["memory.gitHistory"] || options.signal.aborted) return [];
  const folder = dirname(context.hunk.file);
  let top = topLevels.get(folder);
  if (!top) {
    top = gitTopLevel(folder);
    topLevels.set(folder, top);
  }
  const topLevel = await top;
  if (!topLevel) return [];
  const shapes = (await historyTemplates(topLevel, config["memory.maxCommits"])).filter(
    (t) => t.language === context.language,
  );
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
