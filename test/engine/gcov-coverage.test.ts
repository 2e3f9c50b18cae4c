// Per-case C/C++ coverage through gcc --coverage and gcov: an input/output-tested program (no test code calls
// into it, so static reachability finds nothing) gets a real spectrum, and localisation ranks its buggy line first.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ochiai } from "../../server/pipeline/localise/coverage.js";
import { gcovCoverage, parseGcovJson } from "../../server/pipeline/localise/gcov-coverage.js";
import { localise } from "../../server/pipeline/localise/localise.js";
import { SourceFiles } from "../../server/pipeline/localise/source-files.js";
import type { TestOutcome } from "../../server/pipeline/runners/outcomes.js";
import { listWorkspaceFiles, WorkspaceFiles } from "../../server/pipeline/workspace-files.js";
import { bug, copyProject, projectDir } from "../support/fixture-bugs.js";

function failingOutcomes(names: readonly string[]): TestOutcome[] {
  return names.map((name) => ({ name, status: "failed" as const, message: "" }));
}

/** Coverage of one fixture bug, built and run in a throwaway copy and reported against the fixture's project. */
async function coverageOf(id: string) {
  const copy = copyProject(id);
  try {
    const entities = await gcovCoverage({
      cwd: copy.dir,
      userRoot: projectDir(id),
      command: bug(id).testCommand,
      env: {},
      timeoutMs: 60_000,
      signal: new AbortController().signal,
      failing: new Set(bug(id).failingTests),
    });
    // The coverage build happens in a private copy: nothing compiled with --coverage is left in the one given.
    expect(existsSync(join(copy.dir, "build"))).toBe(false);
    return entities;
  } finally {
    copy.dispose();
  }
}

describe("gcov coverage", () => {
  test("parses gcov's JSON, mapping the compile directory onto the user's root and dropping system headers", () => {
    const doc = {
      current_working_directory: "/scratch/copy",
      files: [
        {
          file: "src/a.c",
          lines: [
            { line_number: 3, count: 2 },
            { line_number: 4, count: 0 },
          ],
        },
        { file: "/usr/include/stdio.h", lines: [{ line_number: 10, count: 1 }] },
      ],
    };
    const lines = parseGcovJson(`${JSON.stringify(doc)}\n`, "/scratch/copy", "/home/me/project");
    expect([...lines.keys()]).toEqual(["/home/me/project/src/a.c"]);
    expect([...lines.get("/home/me/project/src/a.c")!]).toEqual([2]);
  });

  test("an input/output-tested C program: one entity per case, and the buggy line ranks first", async () => {
    const id = "c-io-rle";
    const root = projectDir(id);
    const entities = await coverageOf(id);
    expect(entities.map((e) => [e.name, e.failed])).toEqual([
      ["empty_line", false],
      ["repeated", true],
      ["two_lines", true],
    ]);
    const buggyFile = join(root, bug(id).hunks[0]!.file);
    const buggyLine = bug(id).hunks[0]!.startLine;
    for (const entity of entities) expect(entity.lines.get(buggyFile)?.has(buggyLine) ?? false).toBe(entity.failed);
    expect(ochiai(entities).get(buggyFile)?.get(buggyLine)).toBeCloseTo(1);

    const sources = new SourceFiles(root, await listWorkspaceFiles(root));
    const result = await localise({
      sources,
      files: new WorkspaceFiles(root),
      failing: failingOutcomes(bug(id).failingTests),
      passing: [{ name: "empty_line", status: "passed", message: "" }],
      coverage: entities,
    });
    expect(result.spectrumSource).toBe("coverage");
    const rank = result.hunks.findIndex((h) => h.hunk.file === buggyFile && h.hunk.startLine === buggyLine);
    expect(rank).toBeGreaterThanOrEqual(0);
    expect(rank).toBeLessThan(5);
  });

  test("a C++ program compared through output files gets per-case coverage too", async () => {
    const entities = await coverageOf("cpp-io-merge-ranges");
    expect(entities.filter((e) => e.failed).map((e) => e.name)).toEqual(["nested"]);
    const file = join(projectDir("cpp-io-merge-ranges"), "src/ranges.cpp");
    expect(entities.every((e) => e.lines.get(file)?.has(8))).toBe(true);
  });

  test("unit-test programs (tests/test_*.c printing TAP) are one entity each", async () => {
    const entities = await coverageOf("c-count-words");
    expect(entities.length).toBeGreaterThan(0);
    expect(entities.some((e) => e.failed)).toBe(true);
    expect(entities.every((e) => e.name.startsWith("build/test_"))).toBe(true);
  });
});
