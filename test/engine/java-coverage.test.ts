// Per-test Java coverage through the shipped java.lang.instrument agent (ASM from Debian's libasm-java): a
// formatter tested only by comparing whole printed tables (every test calls the same entry point, and the failures
// name no source line) gets a real spectrum, localisation ranks its buggy line near the top, and the engine repairs
// it end to end.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { defaultConfig } from "../../server/core/config-schema.js";
import {
  javaCoverage,
  javaCoverageEntities,
  parseJavaCoverageReport,
} from "../../server/pipeline/localise/java-coverage.js";
import { localise } from "../../server/pipeline/localise/localise.js";
import type { SpectrumEntity } from "../../server/pipeline/localise/coverage.js";
import { SourceFiles } from "../../server/pipeline/localise/source-files.js";
import { fixAllFailing } from "../../server/pipeline/repair.js";
import type { TestOutcome } from "../../server/pipeline/runners/outcomes.js";
import { javacJUnitRunner } from "../../server/pipeline/runners/plugins/javac-junit.js";
import { WorkspaceProbe } from "../../server/pipeline/runners/plugins/probe.js";
import { silentLogger, silentProgress } from "../../server/core/types.js";
import { scratchRoot } from "../../server/pipeline/validate/scratch.js";
import { listWorkspaceFiles, WorkspaceFiles } from "../../server/pipeline/workspace-files.js";
import { bug, copyProject, isCorrect, projectDir } from "../support/fixture-bugs.js";
import { tempDir } from "../support/temp.js";
import { ownScratchDirs, snapshotTree } from "../support/workspace-snapshot.js";

const ID = "java-io-tabulate";

/** JUnitCore's `method(Class)` names, as bug.json lists them, in the runner's `Class.method` form. */
function oracleNames(): string[] {
  return bug(ID).failingTests.map((name) => {
    const match = /^(.+)\((.+)\)$/.exec(name)!;
    return `${match[2]}.${match[1]}`;
  });
}

function outcomes(names: readonly string[], status: "passed" | "failed"): TestOutcome[] {
  return names.map((name) => ({ name, status, message: "" }));
}

/** The buggy line of the fixture, as a user file and a 0-based line. */
function buggyLine(): { file: string; line: number } {
  const hunk = bug(ID).hunks[0]!;
  return { file: join(projectDir(ID), hunk.file), line: hunk.startLine };
}

/** Coverage of the fixture, measured in a throwaway copy and reported against the fixture's project. */
async function coverageOfFixture(): Promise<{ entities: SpectrumEntity[]; seconds: number }> {
  const copy = copyProject(ID);
  const privateParent = tempDir("repair-java-coverage-test-");
  try {
    const detected = await javacJUnitRunner.detection[0]!.detect(new WorkspaceProbe(copy.dir));
    expect(detected?.java).toBeDefined();
    const before = readdirSync(copy.dir).sort();
    const started = performance.now();
    const sources = new SourceFiles(projectDir(ID), await listWorkspaceFiles(projectDir(ID)));
    const entities = await javaCoverage({
      cwd: copy.dir,
      userRoot: projectDir(ID),
      privateParent,
      plan: detected!.java!,
      env: {},
      timeoutMs: 120_000,
      signal: new AbortController().signal,
      isTestFile: (file) => sources.isTest(file),
    });
    const seconds = (performance.now() - started) / 1000;
    // The instrumented build happens in the private folder, which is removed again: the copy is left as it was.
    expect(readdirSync(copy.dir).sort()).toEqual(before);
    expect(readdirSync(privateParent).filter((n) => n.startsWith("java-coverage-"))).toEqual([]);
    return { entities, seconds };
  } finally {
    copy.dispose();
  }
}

/** A class using the constructs whose bytecode line probes must not break (frames, handlers, constructors). */
const SHAPES_SOURCE = `package shapes;

import java.util.List;
import java.util.function.Function;

public class Shapes {
    public sealed interface Shape permits Square, Circle {}

    public record Square(int side) implements Shape {
        public Square {
            if (side < 0) throw new IllegalArgumentException("side");
        }
    }

    public record Circle(int radius) implements Shape {}

    static class Base {
        final int value;

        Base(int value) {
            this.value = value;
        }
    }

    static class Derived extends Base {
        Derived(boolean big) {
            super(big ? 10
                : 1);
        }
    }

    public static int area(Shape shape) {
        if (shape instanceof Square q) {
            return q.side() * q.side();
        } else if (shape instanceof Circle c) {
            return 3 * c.radius() * c.radius();
        }
        return 0;
    }

    public static String size(String word) {
        return switch (word.length()) {
            case 0 -> "empty";
            case 1 -> {
                String one = "one";
                yield one;
            }
            default -> "many";
        };
    }

    public static int parse(String text) {
        int result;
        try {
            result = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            result = -1;
        } finally {
            text = null;
        }
        return result;
    }

    public static int everything() {
        Function<Integer, Integer> next = x -> x
            + 1;
        int total = 0;
        for (int i : List.of(1, 2, 3)) total += next.apply(i);
        return total + new Derived(true).value + parse("x") + size("a").length();
    }
}
`;

const SHAPES_TEST = `package shapes;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class ShapesTest {
    @Test
    public void squaresOnly() {
        assertEquals(9, Shapes.area(new Shapes.Square(3)));
    }

    @Test
    public void everyConstructRuns() {
        assertEquals(3, Shapes.area(new Shapes.Circle(1)));
        assertEquals("empty", Shapes.size(""));
        assertEquals(4, Shapes.parse("4"));
        assertEquals(21, Shapes.everything());
    }
}
`;

describe("Java coverage", () => {
  test("reads the runner's report: lines of non-test files only, mapped onto the user's root, bad rows skipped", () => {
    const report = [
      "test\t1\tpkg.ShopTest.total",
      "line\tpkg/Shop.java\t12",
      "line\tpkg/ShopTest.java\t5",
      "line\tpkg/Shop.java\tnot-a-number",
      "line\tUnknown.java\t3",
      "garbage",
      "test\t0\tpkg.ShopTest.empty",
      "line\tpkg/Shop.java\t3",
      "line\tHelper.java\t7",
    ].join("\n");
    const records = parseJavaCoverageReport(report);
    expect(records.map((r) => [r.name, r.failed, r.lines.length])).toEqual([
      ["pkg.ShopTest.total", true, 3],
      ["pkg.ShopTest.empty", false, 2],
    ]);
    const files = ["src/main/java/pkg/Shop.java", "src/test/java/pkg/ShopTest.java", "util/Helper.java"];
    const entities = javaCoverageEntities(records, files, "/home/me/shop", (f) => f.includes("/src/test/"));
    expect(entities.map((e) => [...e.lines].map(([file, lines]) => [file, [...lines]]))).toEqual([
      [["/home/me/shop/src/main/java/pkg/Shop.java", [11]]],
      [
        ["/home/me/shop/src/main/java/pkg/Shop.java", [2]],
        ["/home/me/shop/util/Helper.java", [6]],
      ],
    ]);
  });

  test("instrumented classes of every kind still verify and run: records, switch expressions, lambdas, finally", async () => {
    const dir = tempDir("repair-java-coverage-test-");
    const root = join(dir, "workspace");
    mkdirSync(join(root, "src", "shapes"), { recursive: true });
    mkdirSync(join(root, "test", "shapes"), { recursive: true });
    writeFileSync(join(root, "src", "shapes", "Shapes.java"), SHAPES_SOURCE);
    writeFileSync(join(root, "test", "shapes", "ShapesTest.java"), SHAPES_TEST);
    const detected = await javacJUnitRunner.detection[0]!.detect(new WorkspaceProbe(root));
    const entities = await javaCoverage({
      cwd: root,
      userRoot: "/home/me/shapes",
      privateParent: dir,
      plan: detected!.java!,
      env: {},
      timeoutMs: 120_000,
      signal: new AbortController().signal,
      isTestFile: (file) => file.includes("/test/"),
    });
    // JUnit's own verdicts: a VerifyError from a badly instrumented class would fail these tests.
    expect(entities.map((e) => [e.name, e.failed]).sort()).toEqual([
      ["shapes.ShapesTest.everyConstructRuns", false],
      ["shapes.ShapesTest.squaresOnly", false],
    ]);
    const file = "/home/me/shapes/src/shapes/Shapes.java";
    const lineOf = (text: string): number => SHAPES_SOURCE.split("\n").findIndex((l) => l.includes(text));
    const all = entities.find((e) => e.name.endsWith("everyConstructRuns"))!.lines.get(file)!;
    const squares = entities.find((e) => e.name.endsWith("squaresOnly"))!.lines.get(file)!;
    for (const text of ["yield", "text = null", "total += next.apply", "super(", "result = -1"])
      expect(all.has(lineOf(text)), text).toBe(true);
    expect(squares.has(lineOf("return q.side()"))).toBe(true);
    expect(squares.has(lineOf("return 3 * c.radius()"))).toBe(false);
  }, 120_000);

  test("a workspace that does not compile has no Java coverage, and nothing is left behind", async () => {
    const copy = copyProject(ID);
    const privateParent = tempDir("repair-java-coverage-test-");
    try {
      const detected = await javacJUnitRunner.detection[0]!.detect(new WorkspaceProbe(copy.dir));
      writeFileSync(join(copy.dir, "src", "Tabulate.java"), "public class Tabulate {\n  int broken(\n}\n");
      const entities = await javaCoverage({
        cwd: copy.dir,
        userRoot: projectDir(ID),
        privateParent,
        plan: detected!.java!,
        env: {},
        timeoutMs: 120_000,
        signal: new AbortController().signal,
        isTestFile: () => false,
      });
      expect(entities).toEqual([]);
      expect(readdirSync(privateParent)).toEqual([]);
    } finally {
      copy.dispose();
    }
  }, 120_000);

  test("an input/output-tested program: one entity per test, and the buggy line is run by the failing ones only", async () => {
    const { entities, seconds } = await coverageOfFixture();
    console.log(`java coverage of ${ID}: ${seconds.toFixed(2)} s (agent cached after the first run)`);
    expect(entities.map((e) => e.name).sort()).toEqual([
      "TabulateTest.blankLinesAndSpacesAroundCellsAreIgnored",
      "TabulateTest.emptyInputGivesNoTable",
      "TabulateTest.negativeAndDecimalNumbersAlignOnTheRight",
      "TabulateTest.numbersAreRightAligned",
      "TabulateTest.shortRowsLeaveTheirLastCellsEmpty",
      "TabulateTest.textColumnsAreLeftAligned",
    ]);
    // The runner's own verdicts agree with JUnitCore's.
    expect(
      entities
        .filter((e) => e.failed)
        .map((e) => e.name)
        .sort(),
    ).toEqual(oracleNames().sort());
    const { file, line } = buggyLine();
    for (const entity of entities) expect(entity.lines.get(file)?.has(line) ?? false).toBe(entity.failed);
    // Test code is never part of the spectrum.
    for (const entity of entities) expect([...entity.lines.keys()]).toEqual(entity.lines.size > 0 ? [file] : []);
  }, 120_000);

  test("without coverage the spectrum cannot tell the lines apart; with it the buggy line ranks near the top", async () => {
    const root = projectDir(ID);
    const sources = new SourceFiles(root, await listWorkspaceFiles(root));
    const { file, line } = buggyLine();
    const failing = outcomes(oracleNames(), "failed");

    // JUnitCore names failures only, as in a real run: every test calls Tabulate.format, so static reachability
    // gives every reachable line the same spectrum score.
    const without = await localise({ sources, files: new WorkspaceFiles(root), failing, passing: [] });
    const buggyWithout = without.lines.find((l) => l.file === file && l.line === line);
    const spectra = new Set(without.lines.filter((l) => l.file === file).map((l) => l.spectrum));
    expect(buggyWithout).toBeDefined();
    expect(spectra.size).toBe(1);
    const rankWithout = without.hunks.findIndex((h) => h.hunk.file === file && h.hunk.startLine === line);

    const { entities } = await coverageOfFixture();
    const passing = outcomes(
      entities.filter((e) => !e.failed).map((e) => e.name),
      "passed",
    );
    const withCoverage = await localise({
      sources,
      files: new WorkspaceFiles(root),
      failing,
      passing,
      coverage: entities,
    });
    expect(withCoverage.spectrumSource).toBe("coverage");
    const buggy = withCoverage.lines.find((l) => l.file === file && l.line === line);
    expect(buggy?.spectrum).toBeCloseTo(1);
    const rank = withCoverage.hunks.findIndex((h) => h.hunk.file === file && h.hunk.startLine === line);
    console.log(`${ID}: buggy line's hunk rank ${rankWithout} without coverage, ${rank} with`);
    expect(rank).toBeGreaterThanOrEqual(0);
    expect(rank).toBeLessThan(5);
    expect(rank).toBeLessThan(rankWithout < 0 ? Infinity : rankWithout);
  }, 120_000);

  test("repair() localises through the coverage hook and repairs the bug", async () => {
    const project = copyProject(ID);
    const root = project.dir;
    const before = snapshotTree(root);
    try {
      const started = performance.now();
      const report = await fixAllFailing({
        root,
        config: { ...defaultConfig(), engine: "builtin", "test.allowRun": "always", "repair.stopAfterPlausible": 1 },
        logger: silentLogger,
        progress: silentProgress,
        signal: new AbortController().signal,
      });
      console.log(`${ID}: repaired in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      expect(report.status, report.message).toBe("fixed");
      // The coverage hook reached localisation: without it, the buggy line's hunk is not among the hunks at all.
      const hunk = bug(ID).hunks[0]!;
      expect(report.localisation.slice(0, 5)).toContain(`${hunk.file}:${hunk.startLine + 1}-${hunk.endLine}`);
      expect(report.failingBefore).toHaveLength(bug(ID).failingTests.length);
      const best = report.patches[0]!;
      expect(best.verdict).toBe("repair");
      expect(await isCorrect(ID, best)).toBe(true);
      expect(snapshotTree(root)).toBe(before);
      expect(ownScratchDirs(scratchRoot())).toEqual([]);
    } finally {
      project.dispose();
    }
  }, 300_000);
});
