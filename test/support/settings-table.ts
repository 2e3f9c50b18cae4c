import { SETTINGS, SETTING_KEYS } from "../../server/core/config-schema.js";

/** The README's configuration table, generated from the schema so that the documentation cannot drift. */
export function settingsTable(): string {
  const rows = SETTING_KEYS.map((key) => {
    const value = JSON.stringify(SETTINGS[key].default);
    return `| \`${key}\` | \`${value.replace(/\|/g, "\\|")}\` | ${SETTINGS[key].description} |`;
  });
  return ["| key | default | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}
