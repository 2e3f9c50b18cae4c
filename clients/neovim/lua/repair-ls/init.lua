-- repair-ls for Neovim: starts the repair-ls language server for the supported filetypes, attaches it to their
-- buffers, and adds :RepairFixAll, :RepairHere, :RepairReindex, :RepairCancel, :RepairStatus and :RepairRestart.
-- Works on Neovim 0.7 (vim.lsp.start_client + vim.lsp.buf_attach_client) and 0.8+ (vim.lsp.start).

local M = {}

-- The server's command identifiers (server/lsp/protocol-names.ts).
M.commands = {
  fix_here = "repair.fixHere",
  fix_all_failing = "repair.fixAllFailing",
  reindex = "repair.reindex",
  cancel = "repair.cancel",
  status = "repair.status",
}

-- The configuration section the server asks for with workspace/configuration.
M.config_section = "repairLs"

M.filetypes = {
  "python",
  "javascript",
  "javascriptreact",
  "typescript",
  "typescriptreact",
  "java",
  "c",
  "cpp",
  "go",
  "rust",
}

M.root_markers = {
  ".repair-ls.json",
  ".git",
  "package.json",
  "pyproject.toml",
  "go.mod",
  "Cargo.toml",
  "pom.xml",
  "Makefile",
}

-- Client names this module recognises as repair-ls: its own, and the one nvim-lspconfig gives (repair_ls).
local KNOWN_NAMES = { ["repair-ls"] = true, ["repair_ls"] = true }

local defaults = {
  name = "repair-ls",
  cmd = { "repair-ls", "--stdio" },
  filetypes = M.filetypes,
  root_markers = M.root_markers,
  -- repair-ls settings, flat ("ollama.model") or nested ({ ollama = { model = ... } }); sent as the "repairLs"
  -- section. A table that already has a repairLs key is used as it is.
  settings = {},
  init_options = nil,
  capabilities = nil,
  on_attach = nil,
  -- Start the server from a FileType autocommand. false only creates the commands (for nvim-lspconfig users).
  autostart = true,
  -- Show work-done progress and repair/status changes with vim.notify and the echo area.
  progress = true,
  on_status = nil, -- function({ state, message })
  on_job_finished = nil, -- function({ jobId, kind, status, message, patches })
}

local state = {
  opts = vim.deepcopy(defaults),
  -- Neovim 0.7 has no vim.lsp.start, so clients are reused per root folder here.
  clients_by_root = {},
  -- Client ids stopped on purpose (:RepairRestart), whose exit is not a failure.
  stopping = {},
  -- Set once the server could not be started or died: no further start is tried until :RepairRestart or setup().
  failure = nil,
  status = { state = "idle", message = "" },
  -- Jobs this module started ({ command, jobId }) and the repair/jobFinished params received, by job id.
  started_jobs = {},
  finished_jobs = {},
}

local function has(feature)
  return vim.fn.has(feature) == 1
end

local function notify(message, level)
  vim.notify(message, level or vim.log.levels.INFO, { title = "repair-ls" })
end

-- Reports a start failure once. Neovim never restarts a client by itself; remembering the failure also stops the
-- FileType autocommand from spawning a new server for every buffer opened afterwards.
local function fail(message)
  if state.failure then
    return
  end
  state.failure = message
  notify(message, vim.log.levels.ERROR)
end

local function command_line(cmd)
  return table.concat(cmd, " ")
end

local function is_directory(path)
  local stat = vim.loop.fs_stat(path)
  return stat ~= nil and stat.type == "directory"
end

local function exists(path)
  return vim.loop.fs_stat(path) ~= nil
end

local function dirname(path)
  return vim.fn.fnamemodify(path, ":h")
end

--- The nearest folder above `path` (a file or folder) that holds one of the root markers, else nil.
function M.root_dir(path, markers)
  markers = markers or state.opts.root_markers
  local dir = is_directory(path) and path or dirname(path)
  while dir and dir ~= "" do
    for _, marker in ipairs(markers) do
      if exists(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = dirname(dir)
    if parent == dir then
      return nil
    end
    dir = parent
  end
  return nil
end

local function settings_table(settings)
  settings = settings or {}
  if settings[M.config_section] ~= nil then
    return settings
  end
  return { [M.config_section] = settings }
end

--- Client capabilities: Neovim's own plus workspace/configuration (0.7 answers it but does not announce it, and
--- without it the server would never ask for the settings) and versioned document changes (0.7 applies them).
function M.capabilities(extra)
  local capabilities = vim.lsp.protocol.make_client_capabilities()
  capabilities = vim.tbl_deep_extend("force", capabilities, {
    workspace = { configuration = true, workspaceEdit = { documentChanges = true } },
  })
  if extra then
    capabilities = vim.tbl_deep_extend("force", capabilities, extra)
  end
  return capabilities
end

local function progress_text(value)
  local parts = { "repair-ls:" }
  if value.title then
    table.insert(parts, value.title)
  end
  if value.message then
    table.insert(parts, value.message)
  end
  if value.percentage then
    table.insert(parts, string.format("(%d%%)", value.percentage))
  end
  return table.concat(parts, " ")
end

--- Handlers for the server's notifications. nvim-lspconfig users pass them as `handlers`.
function M.handlers()
  local default_progress = vim.lsp.handlers["$/progress"]
  return {
    ["$/progress"] = function(err, result, ctx, config)
      if default_progress then
        default_progress(err, result, ctx, config)
      end
      if not state.opts.progress or not result or type(result.value) ~= "table" then
        return
      end
      local value = result.value
      if value.kind == "begin" then
        notify(progress_text(value))
      elseif value.kind == "report" then
        vim.api.nvim_echo({ { progress_text(value) } }, false, {})
      elseif value.kind == "end" then
        notify("repair-ls: " .. (value.message or "done"))
      end
    end,
    ["repair/status"] = function(_, params)
      if type(params) ~= "table" then
        return
      end
      local previous = state.status.state
      state.status = { state = params.state, message = params.message or "" }
      if state.opts.progress and params.state ~= previous and params.state == "ollama-unavailable" then
        notify("repair-ls: Ollama unavailable: " .. (params.message or ""), vim.log.levels.WARN)
      end
      if state.opts.on_status then
        state.opts.on_status(state.status)
      end
      pcall(vim.api.nvim_exec_autocmds, "User", { pattern = "RepairLsStatus", modeline = false })
    end,
    ["repair/jobFinished"] = function(_, params)
      if type(params) ~= "table" then
        return
      end
      if params.jobId then
        state.finished_jobs[params.jobId] = params
      end
      if state.opts.progress then
        local level = params.status == "failed" and vim.log.levels.WARN or vim.log.levels.INFO
        notify(
          string.format("repair-ls: %s %s: %s", params.kind or "job", params.status or "", params.message or ""),
          level
        )
      end
      if state.opts.on_job_finished then
        state.opts.on_job_finished(params)
      end
    end,
  }
end

local function on_exit(code, signal, client_id)
  for root, id in pairs(state.clients_by_root) do
    if id == client_id then
      state.clients_by_root[root] = nil
    end
  end
  if state.stopping[client_id] then
    state.stopping[client_id] = nil
    return
  end
  -- 15 is SIGTERM, which Neovim sends itself when it stops a client that does not exit.
  if code ~= 0 or (signal ~= 0 and signal ~= 15) then
    local cmd = command_line(state.opts.cmd)
    vim.schedule(function()
      fail(
        string.format(
          "repair-ls: the server (%s) exited with code %d%s. It will not be restarted: "
            .. "see :LspInfo / the LSP log, fix the problem, then run :RepairRestart.",
          cmd,
          code,
          signal ~= 0 and (" and signal " .. signal) or ""
        )
      )
    end)
  end
end

--- The client configuration for one root folder (vim.lsp.start_client / vim.lsp.start).
function M.client_config(root)
  local opts = state.opts
  return {
    name = opts.name,
    cmd = opts.cmd,
    root_dir = root,
    settings = settings_table(opts.settings),
    init_options = opts.init_options,
    capabilities = M.capabilities(opts.capabilities),
    handlers = M.handlers(),
    on_attach = opts.on_attach,
    on_exit = on_exit,
    flags = { debounce_text_changes = 150 },
  }
end

local function executable_problem(cmd)
  if type(cmd) ~= "table" or type(cmd[1]) ~= "string" or cmd[1] == "" then
    return "repair-ls: `cmd` must be a list such as { 'repair-ls', '--stdio' }"
  end
  if vim.fn.executable(cmd[1]) ~= 1 then
    return string.format(
      "repair-ls: cannot start the server: `%s` is not an executable file or a command on PATH (cmd = %s). "
        .. "Install repair-ls (npm install -g <repair-ls checkout>) or set `cmd` in require('repair-ls').setup().",
      cmd[1],
      command_line(cmd)
    )
  end
  return nil
end

local function filetype_supported(filetype)
  return vim.tbl_contains(state.opts.filetypes, filetype)
end

local function request(client, method, params, handler, bufnr)
  if has("nvim-0.11") then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function is_repair_client(client)
  return client and (client.name == state.opts.name or KNOWN_NAMES[client.name]) or false
end

local function all_clients()
  if vim.lsp.get_clients then
    return vim.lsp.get_clients()
  end
  return vim.lsp.get_active_clients()
end

local function buffer_clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr })
  end
  return vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
end

--- The repair-ls client of a buffer, else any running repair-ls client.
function M.get_client(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  for _, client in ipairs(buffer_clients(bufnr)) do
    if is_repair_client(client) then
      return client
    end
  end
  for _, client in ipairs(all_clients()) do
    if is_repair_client(client) then
      return client
    end
  end
  return nil
end

--- Starts (or reuses) the server for the buffer's root folder and attaches it. Returns the client id or nil.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  if state.failure then
    return nil
  end
  if not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" or not filetype_supported(vim.bo[bufnr].filetype) then
    return nil
  end
  local problem = executable_problem(state.opts.cmd)
  if problem then
    fail(problem)
    return nil
  end
  local root = M.root_dir(name) or dirname(vim.fn.fnamemodify(name, ":p"))
  local config = M.client_config(root)

  if vim.lsp.start then
    local client_id = vim.lsp.start(config, { bufnr = bufnr })
    if not client_id then
      fail("repair-ls: could not start the server (" .. command_line(state.opts.cmd) .. "); see the LSP log.")
    end
    return client_id
  end

  local client_id = state.clients_by_root[root]
  if client_id and vim.lsp.client_is_stopped(client_id) then
    client_id = nil
  end
  if not client_id then
    client_id = vim.lsp.start_client(config)
    if not client_id then
      fail("repair-ls: could not start the server (" .. command_line(state.opts.cmd) .. "); see the LSP log.")
      return nil
    end
    state.clients_by_root[root] = client_id
  end
  vim.lsp.buf_attach_client(bufnr, client_id)
  return client_id
end

--- Sends workspace/executeCommand to the buffer's repair-ls server; on_result(result) runs on success.
function M.execute(command, arguments, bufnr, on_result)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = M.get_client(bufnr)
  if not client then
    local reason = state.failure and (" (" .. state.failure .. ")") or ""
    notify("repair-ls: no repair-ls server is running for this buffer" .. reason, vim.log.levels.WARN)
    return false
  end
  -- An empty Lua table would be sent as a JSON object, so no arguments means the key is left out.
  local params = { command = command }
  if arguments and #arguments > 0 then
    params.arguments = arguments
  end
  request(client, "workspace/executeCommand", params, function(err, result)
    if err then
      notify(string.format("repair-ls: %s failed: %s", command, err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    if on_result then
      on_result(result)
    end
  end, bufnr)
  return true
end

local function job_started(command, what)
  return function(result)
    local id = type(result) == "table" and result.jobId or nil
    table.insert(state.started_jobs, { command = command, jobId = id })
    notify(string.format("repair-ls: %s started%s", what, id and (" (job " .. id .. ")") or ""))
  end
end

function M.fix_all(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = M.get_client(bufnr)
  local root = client and client.config and client.config.root_dir
  local arguments = root and { { folder = vim.uri_from_fname(root) } } or nil
  local started = job_started(M.commands.fix_all_failing, "fixing all failing tests")
  return M.execute(M.commands.fix_all_failing, arguments, bufnr, started)
end

-- The end of a whole-line range: the start of the next line, or the end of the last line (positions past the end
-- of the document are invalid for some servers).
local function end_of_line_position(bufnr, last_line, encoding)
  local line_count = vim.api.nvim_buf_line_count(bufnr)
  if last_line < line_count then
    return { line = last_line, character = 0 }
  end
  local text = vim.api.nvim_buf_get_lines(bufnr, line_count - 1, line_count, false)[1] or ""
  local character = #text
  if encoding ~= "utf-8" then
    if has("nvim-0.11") then
      character = vim.str_utfindex(text, encoding)
    else
      local utf32, utf16 = vim.str_utfindex(text)
      character = encoding == "utf-32" and utf32 or utf16
    end
  end
  return { line = line_count - 1, character = character }
end

--- Repairs lines first..last (1-based, inclusive) of the buffer.
function M.fix_here(bufnr, first, last)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = M.get_client(bufnr)
  local encoding = client and client.offset_encoding or "utf-16"
  local range = {
    start = { line = first - 1, character = 0 },
    ["end"] = end_of_line_position(bufnr, last, encoding),
  }
  local arguments = { { uri = vim.uri_from_bufnr(bufnr), range = range } }
  local started = job_started(M.commands.fix_here, "repairing lines " .. first .. "-" .. last)
  return M.execute(M.commands.fix_here, arguments, bufnr, started)
end

function M.reindex(bufnr)
  return M.execute(M.commands.reindex, nil, bufnr, job_started(M.commands.reindex, "reindexing"))
end

function M.cancel(bufnr)
  return M.execute(M.commands.cancel, nil, bufnr, function(result)
    local count = type(result) == "table" and result.cancelled or 0
    notify(string.format("repair-ls: cancelled %d job%s", count, count == 1 and "" or "s"))
  end)
end

function M.show_status(bufnr)
  return M.execute(M.commands.status, nil, bufnr, function(result)
    if type(result) ~= "table" then
      return
    end
    local lines = { "repair-ls: " .. tostring(result.state or state.status.state) }
    for _, job in ipairs(result.jobs or {}) do
      table.insert(lines, string.format("  %s %s %s %s", job.id, job.kind, job.state, job.message or ""))
    end
    notify(table.concat(lines, "\n"))
  end)
end

--- Stops every repair-ls client, forgets a previous failure, and attaches the open buffers again.
function M.restart()
  for _, client in ipairs(all_clients()) do
    if is_repair_client(client) then
      state.stopping[client.id] = true
      if has("nvim-0.11") then
        client:stop()
      else
        client.stop()
      end
    end
  end
  state.clients_by_root = {}
  state.failure = nil
  vim.defer_fn(function()
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(bufnr) then
        M.attach(bufnr)
      end
    end
  end, 500)
end

--- The server's last reported state, e.g. for a statusline: "repair: idle".
function M.statusline()
  return "repair: " .. tostring(state.status.state)
end

--- Introspection for scripts and tests: the last status, started and finished jobs, and the failure, if any.
function M.state()
  return {
    status = state.status,
    started_jobs = state.started_jobs,
    finished_jobs = state.finished_jobs,
    failure = state.failure,
  }
end

--- A default_config for nvim-lspconfig (configs.repair_ls = { default_config = ... }); see README.md.
function M.lspconfig_default_config(opts)
  opts = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  return {
    cmd = opts.cmd,
    filetypes = opts.filetypes,
    root_dir = function(fname)
      return M.root_dir(fname, opts.root_markers)
    end,
    settings = settings_table(opts.settings),
    capabilities = M.capabilities(opts.capabilities),
    handlers = M.handlers(),
  }
end

local function create_commands()
  local create = vim.api.nvim_create_user_command
  create("RepairFixAll", function()
    M.fix_all()
  end, { desc = "repair-ls: repair every failing test" })
  create("RepairHere", function(args)
    local first, last = args.line1, args.line2
    if args.range == 0 then
      first = vim.api.nvim_win_get_cursor(0)[1]
      last = first
    end
    M.fix_here(vim.api.nvim_get_current_buf(), first, last)
  end, { range = true, desc = "repair-ls: repair the selected lines, or the cursor line" })
  create("RepairReindex", function()
    M.reindex()
  end, { desc = "repair-ls: reindex the workspace" })
  create("RepairCancel", function()
    M.cancel()
  end, { desc = "repair-ls: cancel every running repair job" })
  create("RepairStatus", function()
    M.show_status()
  end, { desc = "repair-ls: show the server's state and jobs" })
  create("RepairRestart", function()
    M.restart()
  end, { desc = "repair-ls: restart the server" })
end

--- Configures the module; see README.md for the options.
function M.setup(opts)
  state.opts = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  -- Lists are replaced, not merged index by index.
  if opts and opts.cmd then
    state.opts.cmd = opts.cmd
  end
  if opts and opts.filetypes then
    state.opts.filetypes = opts.filetypes
  end
  if opts and opts.root_markers then
    state.opts.root_markers = opts.root_markers
  end
  state.failure = nil
  create_commands()

  local group = vim.api.nvim_create_augroup("RepairLs", { clear = true })
  if not state.opts.autostart then
    return
  end
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = state.opts.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and filetype_supported(vim.bo[bufnr].filetype) then
      M.attach(bufnr)
    end
  end
end

return M
