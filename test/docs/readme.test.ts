import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { REPO_ROOT } from "../support/lsp-client.js";
import { settingsTable } from "../support/settings-table.js";

const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

test("the README's configuration table is generated from the schema (paste settingsTable() output to update it)", () => {
  const start = readme.indexOf("<!-- settings-table:start -->");
  const end = readme.indexOf("<!-- settings-table:end -->");
  expect(start).toBeGreaterThan(0);
  expect(readme.slice(start + "<!-- settings-table:start -->".length, end).trim()).toBe(settingsTable());
});

test("CI runs exactly the README's test command", () => {
  const ci = readFileSync(join(REPO_ROOT, ".ci", "run"), "utf8");
  const command = ci.trim().split("\n").at(-1) ?? "";
  expect(command).toBe("npm ci && npm test");
  expect(readme).toContain("```sh\n" + command + "\n```");
});
