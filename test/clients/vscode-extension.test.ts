import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RestartPolicy } from "../../clients/vscode/src/restart-policy.js";
import { describeLaunch, locateServer, type LocateInput } from "../../clients/vscode/src/server-location.js";
import { presentStatus } from "../../clients/vscode/src/status-presentation.js";

const EXTENSION = "/home/u/.vscode/extensions/repair-ls.repair-ls-0.1.0-linux-x64";

function input(files: string[], overrides: Partial<LocateInput> = {}): LocateInput {
  const existing = new Set(files);
  return {
    configuredPath: "",
    nodePath: "",
    extensionPath: EXTENSION,
    homeDir: "/home/u",
    platform: "linux",
    envPath: "/usr/local/bin:/usr/bin",
    isFile: (path) => existing.has(path),
    ...overrides,
  };
}

describe("locating the server", () => {
  const bundled = join(EXTENSION, "dist/repair-ls/dist/server/cli/main.js");

  it("prefers the bundled server and runs it as a Node module", () => {
    const result = locateServer(input([bundled, "/usr/bin/repair-ls"]));
    expect(result).toEqual({
      found: true,
      launch: { kind: "node-module", module: bundled, source: "bundled" },
      tried: [bundled],
    });
  });

  it("runs a JavaScript server with the configured Node.js", () => {
    const result = locateServer(input([bundled], { nodePath: "~/node20/bin/node" }));
    expect(result.found && result.launch).toEqual({
      kind: "node-module",
      module: bundled,
      runtime: "/home/u/node20/bin/node",
      source: "bundled",
    });
  });

  it("uses the repository's build when the extension runs from a checkout, and says so when it is not built", () => {
    const checkout = "/src/repair-ls/clients/vscode";
    const result = locateServer(
      input(["/src/repair-ls/dist/server/cli/main.js", "/src/repair-ls/package.json"], { extensionPath: checkout }),
    );
    expect(result.found && result.launch).toEqual({
      kind: "node-module",
      module: "/src/repair-ls/dist/server/cli/main.js",
      source: "repository",
    });
    expect(locateServer(input(["/src/repair-ls/package.json"], { extensionPath: checkout })).tried).toEqual([
      join(checkout, "dist/repair-ls/dist/server/cli/main.js"),
      "/src/repair-ls/dist/server/cli/main.js",
      "repair-ls on PATH",
    ]);
  });

  it("falls back to repair-ls on PATH, run as an executable", () => {
    const result = locateServer(input(["/usr/bin/repair-ls"]));
    expect(result.found && result.launch).toEqual({
      kind: "executable",
      command: "/usr/bin/repair-ls",
      source: "path",
    });
  });

  it("lists every place it tried when nothing is found", () => {
    const result = locateServer(input([]));
    expect(result).toEqual({
      found: false,
      tried: [bundled, "repair-ls on PATH"],
    });
  });

  it("uses only the configured path when one is set, so a typo is reported rather than bypassed", () => {
    expect(locateServer(input([bundled], { configuredPath: "~/bin/repair-lss" }))).toEqual({
      found: false,
      tried: ["/home/u/bin/repair-lss"],
    });
    const configured = locateServer(input([bundled, "/opt/rl/main.js"], { configuredPath: "/opt/rl/main.js" }));
    expect(configured.found && configured.launch).toEqual({
      kind: "node-module",
      module: "/opt/rl/main.js",
      source: "setting",
    });
  });

  it("looks a configured command name up on PATH", () => {
    const found = locateServer(input(["/usr/bin/my-repair"], { configuredPath: "my-repair" }));
    expect(found.found && found.launch).toEqual({
      kind: "executable",
      command: "/usr/bin/my-repair",
      source: "setting",
    });
    expect(locateServer(input([], { configuredPath: "my-repair" }))).toEqual({
      found: false,
      tried: ["my-repair on PATH"],
    });
  });

  it("describes what runs in one line", () => {
    expect(describeLaunch({ kind: "node-module", module: "/m.js", runtime: "/n", source: "setting" })).toBe("/n /m.js");
    expect(describeLaunch({ kind: "executable", command: "/usr/bin/repair-ls", source: "path" })).toBe(
      "/usr/bin/repair-ls",
    );
  });
});

describe("the restart policy", () => {
  it("never restarts a server that did not finish starting", () => {
    const policy = new RestartPolicy();
    expect(policy.onClosed(0, false)).toBe("stop");
    expect(policy.onClosed(1, false)).toBe("stop");
  });

  it("restarts a crashed server once, then stops", () => {
    const policy = new RestartPolicy(1, 180_000);
    expect(policy.onClosed(1_000, true)).toBe("restart");
    expect(policy.onClosed(2_000, true)).toBe("stop");
  });

  it("forgets crashes older than its window, and all crashes on reset", () => {
    const policy = new RestartPolicy(1, 180_000);
    expect(policy.onClosed(0, true)).toBe("restart");
    expect(policy.onClosed(200_000, true)).toBe("restart");
    expect(policy.onClosed(201_000, true)).toBe("stop");
    policy.reset();
    expect(policy.onClosed(202_000, true)).toBe("restart");
  });
});

describe("the status bar presentation", () => {
  it("names each server state, and warns when Ollama is unavailable", () => {
    expect(presentStatus("idle").text).toBe("$(check) Repair: idle");
    expect(presentStatus("indexing").text).toBe("$(sync~spin) Repair: indexing");
    expect(presentStatus("repairing", "3 of 5 candidates").tooltip).toContain("3 of 5 candidates");
    expect(presentStatus("ollama-unavailable")).toMatchObject({
      text: "$(warning) Repair: Ollama unavailable",
      tone: "warning",
    });
    expect(presentStatus("stopped").tone).toBe("error");
  });
});
