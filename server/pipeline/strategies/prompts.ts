import { languageById } from "../../../grammars/languages.js";
import type { Patch } from "../combine/patch.js";
import { failureLines, promptMessage } from "../generate/ollama/augmentation.js";
import { fenceTag } from "../generate/ollama/prompts.js";
import type { FailureEvidence } from "../../core/types.js";
import type { ValidationRecord } from "../validate/validator.js";
import type { Region } from "./region.js";

/** A region as a fenced block under its path and line numbers. */
export function regionBlock(region: Region, lines: readonly string[] = region.lines): string[] {
  const tag = fenceTag(region.context.language);
  return [`${region.path} (lines ${region.startLine + 1}-${region.endLine}):`, "```" + tag, ...lines, "```"];
}

export function languageName(region: Region): string {
  return languageById(region.context.language).name;
}

/**
 * The failing tests and diagnostics as the prompts show them, then the execution values the suspicious lines read
 * (empty when nothing is known).
 */
export function evidenceBlock(evidence: FailureEvidence, executionValues: readonly string[] = []): string[] {
  const lines = failureLines(evidence);
  const failures = lines.length > 0 ? ["What fails:", ...lines] : [];
  return executionValues.length > 0
    ? [...failures, ...(failures.length > 0 ? [""] : []), ...executionValues]
    : failures;
}

/** The patch as removed and added lines, per place, for showing a tried candidate to the model. */
export function patchDiff(region: Region, patch: Patch): string[] {
  const out: string[] = [];
  for (const { hunk, candidate } of [...patch].sort((a, b) => a.hunk.startLine - b.hunk.startLine)) {
    out.push(`@@ ${region.path} line ${hunk.startLine + 1}`);
    for (let line = hunk.startLine; line < hunk.endLine; line++)
      out.push(`-${region.lines[line - region.startLine] ?? ""}`);
    if (candidate.text !== "") for (const line of candidate.text.split("\n")) out.push(`+${line}`);
  }
  return out;
}

/**
 * What the tests said about a tried candidate: the oracle tests it still fails with the failure messages of the
 * candidate's own run (the message usually names the expected and the actual value; the unmodified code's message
 * stands in when the run gave none), or the build error. Messages are masked for secrets like all evidence.
 */
export function outcomeFeedback(record: ValidationRecord, evidence: FailureEvidence): string[] {
  const { outcome } = record;
  if (outcome.kind === "compile-error") return [`The code no longer builds: ${promptMessage(outcome.message)}`];
  if (outcome.kind === "timeout") return ["The tests timed out with this change."];
  if (outcome.kind === "syntax-error") return ["The change is not valid code."];
  const out: string[] = [];
  for (const name of record.stillFailing.slice(0, 3)) {
    const message =
      record.failureMessages.get(name) ?? evidence.failingTests.find((t) => t.name === name)?.message ?? "";
    out.push(`Test ${name} still fails.`);
    if (message.trim() !== "")
      out.push(
        ...promptMessage(message)
          .split("\n")
          .slice(0, 6)
          .map((l) => `  ${l}`),
      );
  }
  if (outcome.kind === "failing-tests" && outcome.regressions > 0)
    out.push(`The change also breaks ${outcome.regressions} test(s) that passed before.`);
  return out;
}
