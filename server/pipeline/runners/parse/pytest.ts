import type { TestOutcome } from "../outcomes.js";
import { parseJUnitXml } from "./junit-xml.js";

/**
 * Turns pytest's JUnit XML (xunit1 family, which records each case's file) into outcomes named by pytest node id,
 * `path/test_x.py::Class::test_name[param]`, so that a failing test can be re-run alone.
 */
export function parsePytestJUnit(xml: string): TestOutcome[] {
  const outcomes: TestOutcome[] = [];
  for (const c of parseJUnitXml(xml)) {
    let name: string;
    let unit: string | undefined;
    if (c.file && c.file.endsWith(".py")) {
      const modulePath = c.file.slice(0, -3).split("/").join(".");
      const rest = c.classname.startsWith(modulePath) ? c.classname.slice(modulePath.length).replace(/^\./, "") : "";
      name = [c.file, ...(rest ? rest.split(".") : []), c.name].join("::");
      unit = c.file;
    } else {
      // Collection errors have no file: the classname is the module and the name says what broke.
      name = c.classname ? `${c.classname}::${c.name}` : c.name;
    }
    outcomes.push({
      name,
      status: c.status,
      message: c.message,
      ...(c.file ? { file: c.file } : {}),
      ...(c.seconds !== undefined ? { seconds: c.seconds } : {}),
      selector: { test: name, ...(unit ? { unit } : {}) },
    });
  }
  return outcomes;
}
