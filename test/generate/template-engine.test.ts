import { describe, expect, it } from "vitest";
import { syntaxErrors } from "../../grammars/parser.js";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import { replaceHunk } from "../../server/pipeline/generate/hunk-text.js";
import { splitFile } from "../../server/core/line-text.js";
import { generateCandidates } from "../../server/pipeline/generate/index.js";
import { problemCount } from "../../server/pipeline/generate/syntax-check.js";
import { silentLogger, silentProgress, type Candidate, type HunkContext } from "../../server/core/types.js";
import { hunkContext, NO_EVIDENCE } from "./hunk-fixture.js";
import { donor, PROGRAMS } from "./template-cases.js";

const BUILTIN: Config = { ...defaultConfig(), engine: "builtin" };

function generate(context: HunkContext): Promise<Candidate[]> {
  return generateCandidates(context, NO_EVIDENCE, {
    config: BUILTIN,
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
  });
}

function show(candidates: readonly Candidate[]): string {
  return candidates
    .slice(0, 25)
    .map((c, i) => `${i}. ${c.score.toFixed(3)} ${c.editKind} ${JSON.stringify(c.text)}`)
    .join("\n");
}

describe.each(PROGRAMS)("template engine on $language", ({ language, source, cases }) => {
  it("parses its bug program without syntax errors", async () => {
    expect(await syntaxErrors(source, language)).toEqual([]);
    expect(await problemCount(source, language)).toBe(0);
  });

  it.each(cases)("proposes the known fix for the $kind bug", async (bug) => {
    const context = await hunkContext(
      language,
      source,
      bug.hunk,
      (bug.donors ?? []).map((d) => donor(d, language)),
    );
    const candidates = await generate(context);
    const rank = candidates.findIndex((c) => c.text === bug.fix);
    expect(rank, `fix ${JSON.stringify(bug.fix)} not in:\n${show(candidates)}`).toBeGreaterThanOrEqual(0);
    expect(rank, `fix ranked too low:\n${show(candidates)}`).toBeLessThan(bug.maxRank);

    // No candidate may make the file gain syntax errors (checked here on the whole file, independently of the
    // engine's windowed check), none may repeat the buggy code, and none may repeat another after normalisation.
    const file = splitFile(source);
    const normalised = candidates.map((c) => c.text.replace(/\s+/g, " ").trim());
    expect(new Set(normalised).size).toBe(candidates.length);
    expect(normalised).not.toContain(context.buggyText.replace(/\s+/g, " ").trim());
    for (const candidate of candidates) {
      const problems = await problemCount(replaceHunk(file, context.hunk, candidate.text), language);
      expect(problems, `candidate ${JSON.stringify(candidate.text)} breaks the syntax`).toBe(0);
    }
    expect(candidates.length).toBeLessThanOrEqual(BUILTIN["repair.candidatesPerHunk"]);
    for (const candidate of candidates) {
      expect(["template", "donor"]).toContain(candidate.generator);
      expect(candidate.score).toBeGreaterThan(0);
    }
  });
});
