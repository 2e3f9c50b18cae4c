import { join } from "node:path";
import type { RunnerPlugin } from "./plugin.js";
import { RANK, junitXmlOutcomes, makeCommand, readXmlReports, selection, shellQuote } from "./shared.js";

/** Maven's surefire: its XML reports, and `-Dtest=Class#method+method` selection. */
export const mavenRunner: RunnerPlugin = {
  kind: "maven",
  canSelect: true,
  perTestDeadline: false,
  detection: [
    {
      rank: RANK.pomXml,
      detect: (workspace) =>
        Promise.resolve(
          workspace.exists("pom.xml") ? makeCommand("maven", "mvn -o -q test", "pom.xml", true) : undefined,
        ),
    },
  ],
  invocation(command, options) {
    const only = selection(command, options);
    const reports = join(options.cwd, "target", "surefire-reports");
    let shell = command.command;
    if (only) {
      const byClass = new Map<string, string[]>();
      for (const t of only) {
        const unit = t.selector?.unit;
        if (!unit) continue;
        byClass.set(unit, [...(byClass.get(unit) ?? []), t.selector?.test ?? ""]);
      }
      const spec = [...byClass].map(([k, methods]) => `${k}#${methods.filter(Boolean).join("+")}`).join(",");
      if (spec) shell += ` -Dtest=${shellQuote(spec)} -DfailIfNoTests=false`;
    }
    return {
      shell: `rm -rf target/surefire-reports; ${shell}`,
      env: { ...(options.env ?? {}) },
      parse: async () => junitXmlOutcomes(await readXmlReports(reports)),
      buildFailed: (output) => /COMPILATION ERROR|Compilation failure/.test(output),
    };
  },
};
