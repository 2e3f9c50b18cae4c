/**
 * Real-editor tests: headless Neovim (Debian's 0.7.2 in CI) with clients/neovim on its runtimepath, talking to the
 * BUILT server (dist/, built by `npm test` before the tests run).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../server/lsp/protocol-names.js";
import { REPO_ROOT, SERVER_MAIN } from "../support/lsp-client.js";
import { LOG_LEVELS, requireNeovim, runNeovim, type Notification } from "./nvim-driver.js";
import { tempDir } from "../support/temp.js";

const EXAMPLE = join(REPO_ROOT, "test", "fixtures", "example");
const BUGGY_FILE = "stats.py";
/** The deliberate bug of the example (see test/fixtures/example/README.md). */
const BUGGY_TEXT = "ordered[mid] + ordered[mid]";

function copyExample(): string {
  const project = join(tempDir("repair-ls-e2e-"), "example");
  cpSync(EXAMPLE, project, {
    recursive: true,
    filter: (source) => !/(__pycache__|\.pytest_cache|\.repair-ls)$/.test(source),
  });
  return project;
}

function pytest(project: string): { status: number | null; output: string } {
  const run = spawnSync("python3", ["-m", "pytest", "-q", "-p", "no:cacheprovider"], {
    cwd: project,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function errors(notifications: Notification[]): string[] {
  return notifications.filter((n) => n.level === LOG_LEVELS.ERROR).map((n) => n.msg);
}

function describeRun(run: { error: string | undefined; notifications: Notification[]; stderr: string }): string {
  return [
    `Lua error: ${run.error ?? "none"}`,
    `notifications: ${JSON.stringify(run.notifications, null, 1)}`,
    `stderr (tail): ${run.stderr.slice(-3000)}`,
  ].join("\n");
}

beforeAll(() => {
  requireNeovim();
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run "npm run build" first`);
  if (!existsSync(join(EXAMPLE, BUGGY_FILE))) throw new Error(`the example fixture ${EXAMPLE} is missing`);
});

/** Starts the module against the built server with settings that never prompt, and opens params.file. */
const SETUP_AND_OPEN = String.raw`
local rl = require("repair-ls")
rl.setup({
  cmd = { params.node, params.server, "--stdio" },
  settings = params.settings,
})
vim.cmd("edit " .. vim.fn.fnameescape(params.file))
local bufnr = vim.api.nvim_get_current_buf()
wait_for("the repair-ls client to initialize", 30000, function()
  local client = repair_client(bufnr)
  return client ~= nil and client.initialized == true
end)
local client = repair_client(bufnr)
`;

describe("Neovim with the repair-ls module", () => {
  it("repairs the example project: fix-all, code action at the bug, apply, write, tests pass", async () => {
    const project = copyExample();
    const before = pytest(project);
    expect(before.status, `the example must fail before the repair:\n${before.output}`).toBe(1);
    const source = readFileSync(join(project, BUGGY_FILE), "utf8").split("\n");
    const bugLine = source.findIndex((line) => line.includes(BUGGY_TEXT));
    expect(bugLine).toBeGreaterThanOrEqual(0);

    const run = await runNeovim<{
      root_dir: string;
      offset_encoding: string;
      job: { jobId: string; status: string; patches: number };
      diagnostics: { lnum: number; message: string }[] | Record<string, never>;
      actions: { title: string; kind?: string; isPreferred?: boolean }[] | Record<string, never>;
      chosen: string;
      line_after: string;
    }>({
      cwd: project,
      timeoutMs: 170_000,
      params: {
        node: process.execPath,
        server: SERVER_MAIN,
        file: join(project, BUGGY_FILE),
        bug_line: bugLine,
        // No prompt, no model; and the job ends at the first plausible repair, which keeps the test well inside
        // its time limit (the default, 3 plausible repairs, validates for minutes on two cores).
        settings: { repairLs: { "test.allowRun": "always", engine: "builtin", "repair.stopAfterPlausible": 1 } },
      },
      body: String.raw`
${SETUP_AND_OPEN}
record("root_dir", client.config.root_dir)
record("offset_encoding", client.offset_encoding)

vim.cmd("RepairFixAll")
wait_for("the server to accept repair.fixAllFailing", 10000, function()
  for _, job in ipairs(rl.state().started_jobs) do
    if job.command == "repair.fixAllFailing" then return true end
  end
  return false
end)
local job_id
for _, job in ipairs(rl.state().started_jobs) do
  if job.command == "repair.fixAllFailing" then job_id = job.jobId end
end
assert(job_id, "repair.fixAllFailing answered without a jobId")
wait_for("repair/jobFinished for job " .. tostring(job_id), 120000, function()
  return rl.state().finished_jobs[job_id] ~= nil
end)
record("job", rl.state().finished_jobs[job_id])

-- The "repair available" diagnostics may arrive just after the job's end notification.
vim.wait(5000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
local diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  table.insert(diagnostics, { lnum = d.lnum, message = d.message })
end
record("diagnostics", diagnostics)

local line = params.bug_line
local line_text = vim.api.nvim_buf_get_lines(bufnr, line, line + 1, false)[1]
local response = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", {
  textDocument = { uri = vim.uri_from_bufnr(bufnr) },
  range = { start = { line = line, character = 0 }, ["end"] = { line = line, character = #line_text } },
  context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, line) },
}, 20000)
assert(response and response[client.id], "no textDocument/codeAction answer from repair-ls")
assert(not response[client.id].err, "textDocument/codeAction failed: " .. vim.inspect(response[client.id].err))
local actions = response[client.id].result or {}
local summary = {}
for _, action in ipairs(actions) do
  table.insert(summary, { title = action.title, kind = action.kind, isPreferred = action.isPreferred })
end
record("actions", summary)

local chosen
for _, action in ipairs(actions) do
  if action.kind == "quickfix.repair-ls" and action.isPreferred then chosen = action break end
end
if not chosen then
  for _, action in ipairs(actions) do
    if action.kind == "quickfix.repair-ls" then chosen = action break end
  end
end
assert(chosen, "no quickfix.repair-ls code action at line " .. line)
if not chosen.edit then
  local resolved = vim.lsp.buf_request_sync(bufnr, "codeAction/resolve", chosen, 20000)
  assert(resolved and resolved[client.id] and resolved[client.id].result, "codeAction/resolve gave no action")
  chosen = resolved[client.id].result
end
record("chosen", chosen.title)
assert(chosen.edit, "the chosen repair has no edit, even after codeAction/resolve")
vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
if chosen.command then
  vim.lsp.buf_request_sync(bufnr, "workspace/executeCommand", chosen.command, 20000)
end
vim.cmd("write")
record("line_after", vim.api.nvim_buf_get_lines(bufnr, line, line + 1, false)[1])
`,
    });
    expect(run.timedOut, describeRun(run)).toBe(false);
    expect(run.error, describeRun(run)).toBeUndefined();
    expect(run.record.root_dir).toBe(project);
    expect(run.record.job.status, describeRun(run)).not.toMatch(/fail|error|cancel/i);
    const diagnostics = Array.isArray(run.record.diagnostics) ? run.record.diagnostics : [];
    expect(diagnostics.filter((d) => d.lnum === bugLine).map((d) => d.message)).toEqual([
      expect.stringMatching(/^repair available/),
    ]);
    const actions = Array.isArray(run.record.actions) ? run.record.actions : [];
    expect(actions.filter((a) => a.kind === "quickfix.repair-ls" && a.isPreferred)).toHaveLength(1);
    expect(actions.map((a) => a.kind)).toContain("quickfix.repair-ls-here");
    expect(run.record.chosen).toBeTruthy();
    expect(run.record.line_after).not.toContain(BUGGY_TEXT);
    const after = pytest(project);
    expect(after.status, `the example's tests after the repair:\n${after.output}`).toBe(0);
  }, 200_000);

  it("attaches to a buffer, hands its settings to the server, and sends each command's arguments", async () => {
    const project = copyExample();
    const run = await runNeovim<{
      root_dir: string;
      commands: string[];
      shown: string[] | Record<string, never>;
      requests: { command: string; arguments?: unknown[] }[];
      status: { state?: string; jobs?: unknown } | null;
    }>({
      cwd: project,
      timeoutMs: 60_000,
      params: {
        node: process.execPath,
        server: SERVER_MAIN,
        file: join(project, BUGGY_FILE),
        // Nested and flat keys, and one invalid value the server must report as coming from the editor.
        settings: { engine: "no-such-engine", test: { allowRun: "never" }, "index.enabled": false },
      },
      body: String.raw`
local shown = {}
vim.lsp.handlers["window/showMessage"] = function(_, result)
  table.insert(shown, result.message)
end
${SETUP_AND_OPEN}
record("root_dir", client.config.root_dir)
record("commands", client.server_capabilities.executeCommandProvider.commands)

-- Record what the module sends; Neovim 0.7 calls client.request as a function, 0.11+ as a method.
local requests = {}
local original = client.request
client.request = function(a, b, c, d, e)
  local method, request_params = a, b
  if type(a) == "table" then method, request_params = b, c end
  if method == "workspace/executeCommand" then table.insert(requests, request_params) end
  return original(a, b, c, d, e)
end

wait_for("the server to report the invalid engine setting", 10000, function()
  for _, message in ipairs(shown) do
    if message:find("engine", 1, true) then return true end
  end
  return false
end)
record("shown", shown)

vim.cmd("2,4RepairHere")
vim.api.nvim_win_set_cursor(0, { 6, 0 })
vim.cmd("RepairHere")
vim.cmd("RepairFixAll")
vim.cmd("RepairReindex")
vim.cmd("RepairCancel")
local status
rl.execute("repair.status", nil, bufnr, function(result) status = result end)
wait_for("repair.status to answer", 10000, function() return status ~= nil end)
record("status", status)
record("requests", requests)
`,
    });
    expect(run.error, describeRun(run)).toBeUndefined();
    expect(run.record.root_dir).toBe(project);
    expect(run.record.commands).toEqual(expect.arrayContaining(Object.values(COMMANDS)));
    // The source named in the message proves the value came through workspace/configuration.
    expect(run.record.shown).toEqual(
      expect.arrayContaining([expect.stringMatching(/invalid setting "engine" in the editor's repairLs settings/)]),
    );
    // The valid settings sent beside it are not reported (other messages may name them, e.g. a refusal to run).
    expect(JSON.stringify(run.record.shown)).not.toMatch(/invalid setting \\"(test\.allowRun|index\.enabled)/);

    const uri = `file://${join(project, BUGGY_FILE)}`;
    const requests = run.record.requests.slice(0, 5);
    expect(requests).toEqual([
      {
        command: COMMANDS.fixHere,
        arguments: [{ uri, range: { start: { line: 1, character: 0 }, end: { line: 4, character: 0 } } }],
      },
      {
        command: COMMANDS.fixHere,
        arguments: [{ uri, range: { start: { line: 5, character: 0 }, end: { line: 6, character: 0 } } }],
      },
      { command: COMMANDS.fixAllFailing, arguments: [{ folder: `file://${project}` }] },
      { command: COMMANDS.reindex },
      { command: COMMANDS.cancel },
    ]);
    expect(run.record.status?.state).toMatch(/^(idle|indexing|repairing|ollama-unavailable)$/);
  }, 90_000);

  it("reports a missing server binary once, and does not try again for every buffer", async () => {
    const project = copyExample();
    writeFileSync(join(project, "other.py"), "x = 1\n");
    const missing = join(project, "no-such-dir", "repair-ls");
    const run = await runNeovim<{ clients: number; failure: string }>({
      cwd: project,
      timeoutMs: 30_000,
      params: { cmd: [missing, "--stdio"], files: [join(project, BUGGY_FILE), join(project, "other.py")] },
      body: String.raw`
local rl = require("repair-ls")
rl.setup({ cmd = params.cmd })
for _, file in ipairs(params.files) do
  vim.cmd("edit " .. vim.fn.fnameescape(file))
end
vim.cmd("edit " .. vim.fn.fnameescape(params.files[1]))
vim.wait(500)
record("clients", #vim.lsp.get_active_clients())
record("failure", rl.state().failure)
`,
    });
    expect(run.error, describeRun(run)).toBeUndefined();
    expect(run.record.clients).toBe(0);
    const errorMessages = errors(run.notifications);
    expect(errorMessages, describeRun(run)).toHaveLength(1);
    expect(errorMessages[0]).toContain(missing);
    expect(errorMessages[0]).toMatch(/not an executable/);
    expect(run.record.failure).toBe(errorMessages[0]);
  }, 60_000);

  it("reports a server that crashes at start once, and does not restart it", async () => {
    const project = copyExample();
    writeFileSync(join(project, "other.py"), "x = 1\n");
    const starts = join(project, "starts.log");
    const crash =
      "require('fs').appendFileSync(process.argv[1], 'start\\n'); process.stderr.write('boom'); process.exit(3)";
    const run = await runNeovim<{ failure: string }>({
      cwd: project,
      timeoutMs: 30_000,
      params: {
        cmd: [process.execPath, "-e", crash, starts],
        files: [join(project, BUGGY_FILE), join(project, "other.py")],
      },
      body: String.raw`
local rl = require("repair-ls")
rl.setup({ cmd = params.cmd })
vim.cmd("edit " .. vim.fn.fnameescape(params.files[1]))
wait_for("the crash to be reported", 10000, function() return rl.state().failure ~= nil end)
vim.cmd("edit " .. vim.fn.fnameescape(params.files[2]))
vim.cmd("edit " .. vim.fn.fnameescape(params.files[1]))
vim.wait(1000)
record("failure", rl.state().failure)
`,
    });
    expect(run.error, describeRun(run)).toBeUndefined();
    expect(readFileSync(starts, "utf8")).toBe("start\n");
    const errorMessages = errors(run.notifications);
    expect(errorMessages, describeRun(run)).toHaveLength(1);
    expect(errorMessages[0]).toMatch(/exited with code 3/);
    expect(errorMessages[0]).toContain(":RepairRestart");
  }, 60_000);
});
