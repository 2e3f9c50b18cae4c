/**
 * Settings that only the extension reads. They live under the same "repairLs" section as the server's settings so
 * that users find everything in one place, which means the extension must remove them before answering the
 * server's workspace/configuration request: the server reports every key it does not know.
 */
export const CLIENT_ONLY_SETTINGS = {
  "server.path": {
    type: "string",
    default: "",
    scope: "machine",
    description:
      "Path to a repair-ls executable, or to its dist/server/cli/main.js, or a command name looked up on PATH. " +
      "Empty uses the server bundled with the extension.",
  },
  "server.nodePath": {
    type: "string",
    default: "",
    scope: "machine",
    description:
      "Node.js executable (20 or later) that runs a JavaScript server (the bundled one, or a server.path ending in " +
      ".js). Empty uses the Node.js runtime built into VS Code.",
  },
  "trace.server": {
    type: "string",
    enum: ["off", "messages", "verbose"],
    default: "off",
    scope: "window",
    description: "Traces the communication between VS Code and the repair-ls server in the output panel.",
  },
} as const;

export type ClientOnlySettingKey = keyof typeof CLIENT_ONLY_SETTINGS;

export const CLIENT_ONLY_SETTING_KEYS = Object.keys(CLIENT_ONLY_SETTINGS) as ClientOnlySettingKey[];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deletes one dotted key from a settings object that may hold it flat ("server.path") or nested. */
function deleteDotted(target: Record<string, unknown>, key: string): void {
  delete target[key];
  const dot = key.indexOf(".");
  if (dot < 0) return;
  const head = key.slice(0, dot);
  const child = target[head];
  if (!isPlainObject(child)) return;
  deleteDotted(child, key.slice(dot + 1));
  if (Object.keys(child).length === 0) delete target[head];
}

/**
 * Returns a copy of one workspace/configuration answer without the client-only keys. Anything that is not an
 * object (null for an unknown section, say) is passed through unchanged.
 */
export function withoutClientSettings(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const copy = structuredClone(value);
  for (const key of CLIENT_ONLY_SETTING_KEYS) deleteDotted(copy, key);
  return copy;
}
