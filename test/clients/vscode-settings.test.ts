import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SETTING_KEYS, SETTINGS, parseConfig, type SettingKey } from "../../server/core/config-schema.js";
import {
  COMMANDS,
  CONFIG_SECTION,
  JOB_FINISHED_NOTIFICATION,
  STATUS_NOTIFICATION,
} from "../../server/lsp/protocol-names.js";
import { configurationContribution } from "../../clients/vscode/scripts/settings-contribution.js";
import { CLIENT_ONLY_SETTING_KEYS, withoutClientSettings } from "../../clients/vscode/src/client-settings.js";
import * as clientProtocol from "../../clients/vscode/src/protocol.js";

interface Property {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
}

interface Manifest {
  activationEvents: string[];
  contributes: {
    configuration: { title: string; properties: Record<string, Property> };
    commands: { command: string; title: string; category?: string }[];
  };
}

const manifest = JSON.parse(
  readFileSync(new URL("../../clients/vscode/package.json", import.meta.url), "utf8"),
) as Manifest;
const properties = manifest.contributes.configuration.properties;
const clientOnly = new Set(CLIENT_ONLY_SETTING_KEYS.map((key) => `${CONFIG_SECTION}.${key}`));

function contributed(key: SettingKey): Property {
  const property = properties[`${CONFIG_SECTION}.${key}`];
  if (!property) throw new Error(`${CONFIG_SECTION}.${key} is not contributed`);
  return property;
}

/** The enum values of a zod enum schema, or undefined for any other schema. */
function enumValues(key: SettingKey): unknown[] | undefined {
  const schema = SETTINGS[key].schema as { options?: unknown[] };
  return Array.isArray(schema.options) ? schema.options : undefined;
}

describe("the VS Code extension's settings", () => {
  it("are exactly the server's settings plus the client-only ones", () => {
    const serverKeys = Object.keys(properties).filter((key) => !clientOnly.has(key));
    expect(new Set(serverKeys)).toEqual(new Set(SETTING_KEYS.map((key) => `${CONFIG_SECTION}.${key}`)));
    for (const key of clientOnly) expect(properties).toHaveProperty([key]);
  });

  it("have the server's defaults", () => {
    for (const key of SETTING_KEYS) expect(contributed(key).default, key).toEqual(SETTINGS[key].default);
  });

  it("have the server's enums, and no enum where the server has none", () => {
    for (const key of SETTING_KEYS) expect(contributed(key).enum, key).toEqual(enumValues(key));
  });

  it("have the server's descriptions", () => {
    for (const key of SETTING_KEYS) expect(contributed(key).description, key).toBe(SETTINGS[key].description);
  });

  it("declare types and bounds that the server's validation agrees with", () => {
    const sampleOf: Record<string, unknown> = { string: "x", boolean: true, array: [], integer: 1, number: 0.5 };
    for (const key of SETTING_KEYS) {
      const { type, minimum, maximum } = contributed(key);
      const schema = SETTINGS[key].schema;
      expect(type, key).toBeDefined();
      // A value of the declared type is accepted unless it is an enum or a non-empty string (tested by default).
      if (!enumValues(key) && type !== "string") {
        expect(schema.safeParse(sampleOf[type ?? ""]).success, `${key} accepts a ${type}`).toBe(true);
      }
      expect(schema.safeParse(type === "string" ? 1 : "not a number").success, `${key} rejects another type`).toBe(
        false,
      );
      if (minimum !== undefined) {
        expect(schema.safeParse(minimum).success, `${key} accepts its minimum`).toBe(true);
        expect(schema.safeParse(minimum - (type === "integer" ? 1 : 0.01)).success, `${key} below minimum`).toBe(false);
      }
      if (maximum !== undefined) {
        expect(schema.safeParse(maximum).success, `${key} accepts its maximum`).toBe(true);
        expect(schema.safeParse(maximum + 0.01).success, `${key} above maximum`).toBe(false);
      }
    }
  });

  it("are what the generator script writes, so package.json cannot drift from the schema", () => {
    expect(manifest.contributes.configuration).toEqual(configurationContribution(SETTINGS));
  });

  it("keep client-only settings away from the server", () => {
    for (const key of CLIENT_ONLY_SETTING_KEYS) expect(SETTING_KEYS as string[]).not.toContain(key);
    // VS Code answers workspace/configuration with the whole section, nested, including the extension's settings.
    const answer = {
      engine: "builtin",
      ollama: { model: "m", host: "" },
      server: { path: "/opt/repair-ls", nodePath: "" },
      trace: { server: "verbose" },
      test: { allowRun: "always" },
    };
    const stripped = withoutClientSettings(answer);
    expect(stripped).toEqual({ engine: "builtin", ollama: { model: "m", host: "" }, test: { allowRun: "always" } });
    expect(parseConfig(stripped).problems).toEqual([]);
    expect(answer.server.path).toBe("/opt/repair-ls");
    expect(withoutClientSettings({ "server.path": "x", "trace.server": "off", logLevel: "debug" })).toEqual({
      logLevel: "debug",
    });
    expect(withoutClientSettings(null)).toBeNull();
  });
});

describe("the VS Code extension's protocol bindings", () => {
  it("use the server's command ids, section and notifications", () => {
    expect(clientProtocol.SERVER_COMMANDS).toEqual(COMMANDS);
    expect(clientProtocol.CONFIG_SECTION).toBe(CONFIG_SECTION);
    expect(clientProtocol.STATUS_NOTIFICATION).toBe(STATUS_NOTIFICATION);
    expect(clientProtocol.JOB_FINISHED_NOTIFICATION).toBe(JOB_FINISHED_NOTIFICATION);
  });

  it("contribute the four repair commands and activate for every supported language", () => {
    const titles = manifest.contributes.commands.map((c) => `${c.category ?? ""}: ${c.title}`);
    expect(titles).toEqual(
      expect.arrayContaining([
        "Repair: Fix All Failing Tests",
        "Repair: Repair Here",
        "Repair: Reindex Workspace",
        "Repair: Cancel",
      ]),
    );
    for (const language of clientProtocol.SUPPORTED_LANGUAGES) {
      expect(manifest.activationEvents).toContain(`onLanguage:${language}`);
    }
  });
});
