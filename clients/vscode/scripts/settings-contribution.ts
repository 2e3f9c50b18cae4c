import { CLIENT_ONLY_SETTINGS } from "../src/client-settings.js";

/**
 * Builds the extension's contributes.configuration from the server's SETTINGS table, so that VS Code's settings
 * editor offers exactly the keys, types, enums, defaults and descriptions the server validates against. The
 * function is pure: the generator script writes its result into package.json, and a test compares the two.
 */

/** The part of a zod schema this needs (zod 4 schemas have toJSONSchema), kept structural to avoid a dependency. */
export interface JsonSchemaSource {
  toJSONSchema(params?: { target?: "draft-7" }): unknown;
}

export interface SchemaSetting {
  readonly schema: JsonSchemaSource;
  readonly default: unknown;
  readonly description: string;
}

export type SettingProperty = Record<string, unknown>;

export interface ConfigurationContribution {
  readonly title: string;
  readonly properties: Record<string, SettingProperty>;
}

export const SECTION = "repairLs";

/** JSON Schema keywords VS Code's settings editor understands and our schemas use. */
const KEPT_KEYWORDS = ["type", "enum", "minimum", "maximum", "exclusiveMinimum", "minLength", "items"] as const;

/**
 * Converts one zod schema to the JSON Schema subset of a settings contribution. Zod states integer bounds as the
 * safe-integer limits, which would only clutter the settings editor, and "positive" as exclusiveMinimum 0, which
 * reads better as minimum 1 for integers.
 */
export function settingSchema(schema: JsonSchemaSource): SettingProperty {
  const json = schema.toJSONSchema({ target: "draft-7" }) as Record<string, unknown>;
  const out: SettingProperty = {};
  for (const keyword of KEPT_KEYWORDS) if (json[keyword] !== undefined) out[keyword] = json[keyword];
  if (out["maximum"] === Number.MAX_SAFE_INTEGER) delete out["maximum"];
  if (out["minimum"] === Number.MIN_SAFE_INTEGER) delete out["minimum"];
  if (out["type"] === "integer" && out["exclusiveMinimum"] === 0) {
    delete out["exclusiveMinimum"];
    out["minimum"] = 1;
  }
  return out;
}

export function configurationContribution(
  settings: Readonly<Record<string, SchemaSetting>>,
): ConfigurationContribution {
  const properties: Record<string, SettingProperty> = {};
  let order = 0;
  for (const [key, setting] of Object.entries(settings)) {
    properties[`${SECTION}.${key}`] = {
      ...settingSchema(setting.schema),
      default: setting.default,
      description: setting.description,
      // Resource scope lets each workspace folder have its own value, which is how the server asks (scopeUri).
      scope: "resource",
      order: order++,
    };
  }
  for (const [key, setting] of Object.entries(CLIENT_ONLY_SETTINGS)) {
    properties[`${SECTION}.${key}`] = { ...setting, order: order++ };
  }
  return { title: "repair-ls", properties };
}
