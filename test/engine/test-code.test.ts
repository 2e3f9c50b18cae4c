// Test code is the oracle, never a repair target: a JUnitCore layout whose tests live in *_TEST.java files under a
// folder no convention names, and an editor hunk inside a test file.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, expect, test } from "vitest";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import type { CandidateSource } from "../../server/pipeline/candidates.js";
import { fixAllFailing, repairHunks, type RepairEnvironment } from "../../server/pipeline/repair.js";
import { silentLogger, silentProgress, type Candidate } from "../../server/core/types.js";
import { writeFiles } from "../support/workspace-copy.js";
import { tempDir } from "../support/temp.js";

let root: string;
beforeEach(() => {
  root = tempDir("repair-test-code-");
});

const JARS = "/usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar";

const GCD = {
  "GCD.java": [
    "public class GCD {",
    "    public static int gcd(int a, int b) {",
    "        while (b != 0) {",
    "            int t = a % b;",
    "            a = b;",
    "            b = a;",
    "        }",
    "        return a;",
    "    }",
    "}",
    "",
  ].join("\n"),
  "java_testcases/junit/GCD_TEST.java": [
    "import static org.junit.Assert.assertEquals;",
    "import org.junit.Test;",
    "",
    "public class GCD_TEST {",
    "    @Test(timeout = 2000)",
    "    public void coprime() {",
    "        assertEquals(1, GCD.gcd(7, 5));",
    "    }",
    "",
    "    @Test(timeout = 2000)",
    "    public void zero() {",
    "        assertEquals(9, GCD.gcd(9, 0));",
    "    }",
    "}",
    "",
  ].join("\n"),
};

const COMMAND =
  `mkdir -p out && javac -cp ${JARS} -d out GCD.java java_testcases/junit/GCD_TEST.java && ` +
  `java -cp out:${JARS} org.junit.runner.JUnitCore GCD_TEST`;

function env(generate: CandidateSource, config: Partial<Config> = {}): RepairEnvironment {
  return {
    root,
    config: { ...defaultConfig(), "test.allowRun": "always", "test.command": COMMAND, "repair.workers": 1, ...config },
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
    generate,
  };
}

const candidate = (text: string, description: string): Candidate => ({
  text,
  score: 1,
  generator: "template",
  editKind: "operator",
  description,
});

test("a JUnitCore layout: the *_TEST.java file is known as a test and never edited", async () => {
  writeFiles(root, GCD);
  const asked: string[] = [];
  const report = await fixAllFailing(
    env((context) => {
      asked.push(context.hunk.file);
      return Promise.resolve(
        context.buggyText.trim() === "b = a;" ? [candidate("            b = t;", "`a` -> `t`")] : [],
      );
    }),
  );
  expect(report.testFiles).toContain("java_testcases/junit/GCD_TEST.java");
  expect(asked.every((f) => f === join(root, "GCD.java"))).toBe(true);
  expect(report.status).toBe("fixed");
  expect(report.patches[0]?.files.map((f) => f.relativePath)).toEqual(["GCD.java"]);
  expect(readFileSync(join(root, "java_testcases/junit/GCD_TEST.java"), "utf8")).toBe(
    GCD["java_testcases/junit/GCD_TEST.java"],
  );
}, 240_000);

test("'Repair here' inside a test file repairs nothing there and says why", async () => {
  writeFiles(root, GCD);
  const testFile = join(root, "java_testcases/junit/GCD_TEST.java");
  const report = await repairHunks(
    env(() => Promise.resolve([candidate("        assertEquals(7, GCD.gcd(7, 5));", "weaken the test")])),
    [{ file: testFile, startLine: 6, endLine: 7 }],
  );
  expect(report.patches).toEqual([]);
  expect(report.notes.some((n) => n.includes("GCD_TEST.java: test code, never edited"))).toBe(true);
  expect(report.outcomes.some((o) => o.locations.some((l) => l.startsWith("java_testcases/")))).toBe(false);
  expect(readFileSync(testFile, "utf8")).toBe(GCD["java_testcases/junit/GCD_TEST.java"]);
}, 240_000);
