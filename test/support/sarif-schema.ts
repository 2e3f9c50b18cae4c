import { readFileSync } from "node:fs";
import { join } from "node:path";
import AjvDraft04, { type ErrorObject } from "ajv-draft-04";
import { REPO_ROOT } from "./lsp-client.js";

// The official SARIF 2.1.0 JSON schema (the OASIS standard's final text, as schemastore publishes it), vendored so
// that the check runs offline. It is written in JSON Schema draft 04, hence ajv-draft-04; one of its patterns is
// not valid as a Unicode regular expression, hence unicodeRegExp: false. String formats (uri, date-time) are not
// checked: ajv knows none without a plugin, and would only print that it ignores them.
const schema = JSON.parse(readFileSync(join(REPO_ROOT, "test/support/sarif-2.1.0.schema.json"), "utf8")) as object;
// The package is CommonJS with `module.exports = Ajv`: under NodeNext its default import is that module object.
const Ajv = AjvDraft04 as unknown as typeof AjvDraft04.default;
const validate = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false, logger: false }).compile(schema);

/**
 * Schema errors of a SARIF log (empty when valid), plus the rule code-scanning services add on top of the schema:
 * every result must have a physical location.
 */
export function sarifErrors(log: unknown): string[] {
  const errors = validate(log)
    ? []
    : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath} ${e.message ?? ""}`);
  const runs = (log as { runs?: { results?: { ruleId?: string; locations?: { physicalLocation?: unknown }[] }[] }[] })
    .runs;
  for (const run of runs ?? []) {
    for (const result of run.results ?? []) {
      if (!result.locations?.[0]?.physicalLocation)
        errors.push(`result ${result.ruleId ?? "?"} has no physical location`);
    }
  }
  return errors;
}
