import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { readV8Coverage } from "../../localise/coverage.js";
import type { CoverageContext, CoverageHook, CoverageInputs } from "./plugin.js";

function v8Dir(context: CoverageContext): string {
  return join(context.scratchDir, "v8-coverage");
}

/** Per-file V8 coverage of the baseline run (NODE_V8_COVERAGE), the failing tests' files marking failures. */
export function readPerFileV8Coverage(context: CoverageContext, inputs: CoverageInputs) {
  const failedTestFiles = new Set<string>();
  for (const t of inputs.oracle) {
    const file = t.file && context.sources.resolve(t.file);
    if (file) failedTestFiles.add(file);
  }
  return readV8Coverage({
    dir: v8Dir(context),
    scratchRoot: context.scratchRoot,
    userRoot: context.userRoot,
    isTestFile: (f) => context.sources.isTest(f),
    isSourceFile: (f) => context.sources.has(f),
    failedTestFiles,
  });
}

/** NODE_V8_COVERAGE for runs of Node: every process the run starts writes its coverage to one folder. */
export const v8CoverageHook: CoverageHook = {
  async prepare(context) {
    await mkdir(v8Dir(context), { recursive: true });
    return { env: { NODE_V8_COVERAGE: v8Dir(context) } };
  },
  collect: readPerFileV8Coverage,
  async cleanup(context) {
    await rm(v8Dir(context), { recursive: true, force: true });
  },
};
