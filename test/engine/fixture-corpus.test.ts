// The fixture corpus must stay sound, so that a broken fixture cannot land: every bug is run through
// test/fixtures/verify.sh (its metadata, hunks, failing tests, held-out tests and fix, each in a temporary copy),
// one bug per test so that a failure names the bug. The dev/heldout split and the README example are checked too.
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runProcess } from "../../server/pipeline/runners/process.js";
import { listBugs, repoRoot } from "../support/fixture-bugs.js";

const VERIFY = join(repoRoot(), "test", "fixtures", "verify.sh");

/** Runs verify.sh on exactly one bug id (or "splits" / "example") and returns its exit code and output. */
async function verify(target: string): Promise<{ code: number | null; output: string }> {
  const result = await runProcess(`bash ${VERIFY} ${target}`, {
    cwd: repoRoot(),
    env: { ...process.env, VERIFY_EXACT: "1" },
    timeoutMs: 280_000,
  });
  return { code: result.exitCode, output: result.stdout + result.stderr };
}

describe("the fixture corpus verifies", () => {
  test("splits.json assigns every bug to exactly one of dev and heldout", async () => {
    const { code, output } = await verify("splits");
    expect(output).toContain("PASS splits");
    expect(code, output).toBe(0);
  });

  test("the README example workspace fails its two tests and passes once fixed", async () => {
    const { code, output } = await verify("example");
    expect(output).toContain("PASS example");
    expect(code, output).toBe(0);
  });

  test.each(listBugs().map((bug) => bug.id))(
    "%s",
    async (id) => {
      const { code, output } = await verify(id);
      expect(output, output).toContain(`PASS ${id} `);
      expect(code, output).toBe(0);
    },
    300_000,
  );
});
