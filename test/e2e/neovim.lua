-- Started by test/e2e/neovim.js: nvim --headless --clean -u NONE -c "luafile neovim.lua" FILE
-- Starts `django-orm-hints lsp --stdio` with Neovim's built-in LSP client (0.7+ API), waits for the diagnostics of
-- the current buffer, writes them as JSON to $NVIM_LSP_OUT and quits with 0 (or 1 on timeout).
local out = os.getenv("NVIM_LSP_OUT")
local root = os.getenv("NVIM_LSP_ROOT")
local cmd = vim.fn.json_decode(os.getenv("NVIM_LSP_CMD"))
local buf = vim.api.nvim_get_current_buf()
vim.bo[buf].filetype = "python"
local client_id = vim.lsp.start_client({ name = "django-orm-hints", cmd = cmd, root_dir = root,
  workspace_folders = { { uri = vim.uri_from_fname(root), name = "ws" } } })
if not client_id then
  io.stderr:write("could not start the language server\n")
  vim.cmd("cquit 1")
end
vim.lsp.buf_attach_client(buf, client_id)
local ok = vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
local items = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local code = d.code
  if code == nil and d.user_data and d.user_data.lsp then code = d.user_data.lsp.code end
  table.insert(items, { line = d.lnum, col = d.col, code = code, message = d.message, source = d.source })
end
local f = io.open(out, "w")
f:write(vim.fn.json_encode(items))
f:close()
vim.lsp.stop_client(client_id)
vim.cmd(ok and "qall!" or "cquit 1")
