/**
 * Drives a real, headless Neovim with the repair-ls Lua module on its runtimepath. Each run writes a Lua script
 * (a shared prelude plus the test's body) to a temporary folder, starts `nvim --headless -u NONE`, and reads the
 * JSON the script records before it quits. Neovim is killed with its whole process group (the language server
 * included) when it outlives its time limit.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../support/lsp-client.js";
import { makeTempDir, removeTempDir } from "../support/temp.js";

export const NEOVIM_CLIENT_DIR = join(REPO_ROOT, "clients", "neovim");

/** The Neovim version line, or an error that says how to install Neovim: the editor tests never skip. */
export function requireNeovim(): string {
  const probe = spawnSync("nvim", ["--version"], { encoding: "utf8", timeout: 10_000 });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      "nvim was not found on PATH. The editor end-to-end tests need Neovim 0.7 or later: " +
        "install it with `apt-get install neovim` (.ci/run does this in CI).",
    );
  }
  return probe.stdout.split("\n")[0] ?? "";
}

export interface Notification {
  readonly msg: string;
  readonly level: number | null;
}

export interface NeovimRun<T> {
  /** What the script recorded with `record(key, value)`. */
  readonly record: T;
  /** Every vim.notify call, in order. */
  readonly notifications: Notification[];
  /** The Lua error (with traceback) that ended the script early, if any. */
  readonly error: string | undefined;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
}

/** Neovim's log levels (vim.log.levels). */
export const LOG_LEVELS = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 } as const;

/**
 * Runs before every test body: filetype detection (off under -u NONE), notification capture, and helpers.
 * `params` is the JSON the test passes in; `record` stores a value for the test; `wait_for` is a bounded vim.wait
 * that raises a descriptive error instead of returning false.
 */
const PRELUDE = String.raw`
vim.cmd("filetype on")
local __result = { record = {}, notifications = {}, error = nil }
local __result_path = os.getenv("REPAIR_LS_E2E_RESULT")
params = vim.json.decode(os.getenv("REPAIR_LS_E2E_PARAMS"))
vim.notify = function(msg, level)
  table.insert(__result.notifications, { msg = tostring(msg), level = level or vim.NIL })
  io.stderr:write("[notify " .. tostring(level) .. "] " .. tostring(msg) .. "\n")
end
function record(key, value)
  __result.record[key] = value == nil and vim.NIL or value
end
function wait_for(what, timeout_ms, predicate)
  if not vim.wait(timeout_ms, predicate, 50) then
    error("timed out after " .. timeout_ms .. " ms waiting for " .. what, 2)
  end
end
function repair_client(bufnr)
  local client = require("repair-ls").get_client(bufnr)
  if client == nil then
    return nil
  end
  return client
end
local function __finish()
  local file = assert(io.open(__result_path, "w"))
  file:write(vim.json.encode(__result))
  file:close()
  vim.cmd("qa!")
end
local function __body()
`;

const POSTLUDE = String.raw`
end
local ok, err = xpcall(__body, debug.traceback)
if not ok then
  __result.error = tostring(err)
end
__finish()
`;

export async function runNeovim<T>(options: {
  /** Lua statements, run inside a function after the prelude. */
  readonly body: string;
  readonly params: Record<string, unknown>;
  readonly cwd: string;
  readonly timeoutMs: number;
}): Promise<NeovimRun<T>> {
  const scratch = makeTempDir("repair-ls-nvim-");
  const scriptPath = join(scratch, "script.lua");
  const resultPath = join(scratch, "result.json");
  writeFileSync(scriptPath, `${PRELUDE}\n${options.body}\n${POSTLUDE}`);
  const args = [
    "--headless",
    "-u",
    "NONE",
    "-i",
    "NONE",
    "--cmd",
    `set rtp+=${NEOVIM_CLIENT_DIR}`,
    "-c",
    `luafile ${scriptPath}`,
  ];
  const child = spawn("nvim", args, {
    cwd: options.cwd,
    // Its own process group, so that a timeout kills Neovim and the language server it started together.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      REPAIR_LS_E2E_RESULT: resultPath,
      REPAIR_LS_E2E_PARAMS: JSON.stringify(options.params),
    },
  });
  const stderr: string[] = [];
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString("utf8")));
  child.stdout.on("data", () => undefined);
  let timedOut = false;
  const exitCode = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, options.timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  // Neovim stops its language servers when it quits; anything of its process group still alive is a leak.
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  } catch {
    // The group is already gone, which is the normal case.
  }
  try {
    if (!existsSync(resultPath)) {
      throw new Error(
        `Neovim ${timedOut ? `was killed after ${options.timeoutMs} ms` : `exited with ${exitCode}`} ` +
          `without writing its result. Its stderr:\n${stderr.join("").slice(-4000)}`,
      );
    }
    const parsed = JSON.parse(readFileSync(resultPath, "utf8")) as {
      record: T;
      notifications?: Notification[] | Record<string, never>;
      error?: string;
    };
    return {
      record: parsed.record,
      // vim.json encodes an empty list as an empty object.
      notifications: Array.isArray(parsed.notifications) ? parsed.notifications : [],
      error: parsed.error,
      stderr: stderr.join(""),
      exitCode,
      timedOut,
    };
  } finally {
    removeTempDir(scratch);
  }
}
