-- Runs a spec file as untrusted Lua text in an empty environment, bounded in instructions, CPU time and memory.
--
-- sandbox.load runs the spec in a child `lua` process (generator/sandbox_child.lua) under
-- `ulimit -v` and `ulimit -t`, because inside one Lua state nothing can stop a single
-- instruction from allocating gigabytes (`s..s..s..` of 100 operands is one instruction).
-- The child runs sandbox.run (the same checks in-process, with a line number when it can)
-- and prints the table as plain data, which is all a spec may produce.
local limits_table = require("generator.spec_limits")
local spec_data = require("generator.spec_data")

local sandbox = {}

-- A spec only builds a table; ten million instructions are far more than any real one needs.
sandbox.DEFAULT_INSTRUCTION_LIMIT = limits_table.instructions
sandbox.DEFAULT_MEMORY_LIMIT_KB = limits_table.memory_kb
sandbox.DEFAULT_CPU_SECONDS = limits_table.cpu_seconds

-- The count hook fires every HOOK_STEP instructions. A smaller step bounds how far a
-- doubling string (`s = s .. s`) can overshoot the memory cap before we notice (one
-- doubling at most), at the price of a slower run of a runaway loop (~0.5 s for 10M).
local HOOK_STEP = 4

-- Status the child's shell exits with when it cannot set its limits.
local NO_ULIMIT_STATUS = 97

-- io.open's message already starts with "PATH: "; keep only the reason.
local function unreadable(path, reason)
  reason = tostring(reason)
  if reason:sub(1, #path + 2) == path .. ": " then
    reason = reason:sub(#path + 3)
  end
  return string.format("%s: cannot read spec file (%s)", path, reason)
end

-- Reads at most max_spec_bytes + 1 bytes, so /dev/zero or a huge file cannot exhaust memory.
local function read_file(path)
  local file, open_error = io.open(path, "rb")
  if not file then
    return nil, unreadable(path, open_error)
  end
  local limit = limits_table.max_spec_bytes
  local ok, text, read_error = pcall(file.read, file, limit + 1)
  file:close()
  if not ok then
    return nil, unreadable(path, text)
  end
  if read_error then
    return nil, unreadable(path, read_error)
  end
  text = text or ""
  if #text > limit then
    return nil, string.format("%s:1: spec file is larger than %d bytes", path, limit)
  end
  return text
end

-- Mirror what the `lua` interpreter accepts: a UTF-8 byte order mark and a first
-- "#!" line. Turning "#" into a comment keeps every line number unchanged.
local function strip_file_preamble(text)
  if text:sub(1, 3) == "\239\187\191" then
    text = text:sub(4)
  end
  if text:sub(1, 1) == "#" then
    text = "--" .. text
  end
  return text
end

-- Lua shortens long chunk names to "...tail" in messages; put the full path back so
-- every message starts with exactly the path the caller gave us.
local function with_full_path(message, path)
  local shown, line, rest = message:match("^(.-):(%d+): (.*)$")
  if not shown then
    return path .. ": " .. message
  end
  if shown == path then
    return message
  end
  local tail = shown:match("^%.%.%.(.*)$")
  if tail and tail ~= "" and path:sub(-#tail) == tail then
    return path .. ":" .. line .. ": " .. rest
  end
  return path .. ": " .. message
end

local LINE_BREAK_ESCAPES = { ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
local MESSAGE_LIMIT = 400

-- Lua's messages quote source text ("near '...'", "field '...'"), which may hold line
-- breaks or be huge; callers print one short line per problem.
local function one_line(message)
  local shortened = message
  if #shortened > MESSAGE_LIMIT then
    shortened = shortened:sub(1, MESSAGE_LIMIT) .. "..."
  end
  return (shortened:gsub("%c", function(char)
    return LINE_BREAK_ESCAPES[char] or string.format("\\%03d", char:byte())
  end))
end

-- The innermost line of the spec itself on `thread`'s stack (the hook and C functions
-- such as `error` sit above it), or nil.
local function spec_line_on_stack(thread, chunk_name)
  for level = 0, 250 do
    local where = debug.getinfo(thread, level, "Sl")
    if not where then
      return nil
    end
    if where.source == chunk_name and where.currentline and where.currentline > 0 then
      return where.currentline
    end
  end
  return nil
end

-- The hook raises one of these tables instead of a string, so the message can be
-- formatted after the string metatable is back in place. os.clock is checked too: one
-- instruction comparing two 64 MB strings costs milliseconds, not nanoseconds.
local function make_limit_hook(limits)
  local executed = 0
  local memory_cap_kb = collectgarbage("count") + limits.memory_kb
  local cpu_deadline = os.clock() + limits.cpu_seconds
  return function()
    executed = executed + HOOK_STEP
    if executed > limits.instructions then
      error({ limit = "instructions" }, 0)
    end
    if os.clock() > cpu_deadline then
      error({ limit = "cpu" }, 0)
    end
    if collectgarbage("count") > memory_cap_kb then
      -- Only garbage may be pushing us over; give the collector one chance first.
      collectgarbage("collect")
      if collectgarbage("count") > memory_cap_kb then
        error({ limit = "memory" }, 0)
      end
    end
  end
end

local function at(path, line)
  if line then
    return path .. ":" .. line
  end
  return path
end

local function describe_run_error(failure, path, limits, line)
  local where = at(path, line)
  if type(failure) == "table" and failure.limit == "instructions" then
    return string.format("%s: spec runs too long (more than %d instructions)", where, limits.instructions)
  elseif type(failure) == "table" and failure.limit == "cpu" then
    return string.format("%s: spec runs too long (more than %g s of CPU time)", where, limits.cpu_seconds)
  elseif type(failure) == "table" and failure.limit == "memory" then
    return string.format("%s: spec uses too much memory (more than %d MB)", where, limits.memory_kb // 1024)
  elseif type(failure) ~= "string" then
    return string.format("%s: spec raised a non-string error (%s)", where, type(failure))
  elseif failure == "not enough memory" then
    return where .. ": spec uses too much memory (allocation failed)"
  elseif failure:find("stack overflow", 1, true) then
    -- Raised wherever the stack ran out, possibly inside this file's hook.
    return where .. ": spec recurses too deeply (stack overflow)"
  end
  return one_line(with_full_path(failure, path))
end

-- Runs `chunk` in its own coroutine: the hook is per-coroutine, so it can never fire in
-- our own code after the spec stops. The string metatable's __index is removed for the
-- duration so `("x"):rep(1e10)` and friends cannot even be reached. Returns ok, result
-- and, on failure, the spec line that was running.
local function run_limited(chunk, limits, chunk_name)
  local string_meta = getmetatable("")
  local saved_index = string_meta.__index
  local worker = coroutine.create(chunk)
  debug.sethook(worker, make_limit_hook(limits), "", HOOK_STEP)
  string_meta.__index = nil
  local protected_ok, resumed_ok, result = pcall(coroutine.resume, worker)
  string_meta.__index = saved_index
  debug.sethook(worker)
  if not protected_ok then
    return false, resumed_ok, spec_line_on_stack(worker, chunk_name)
  end
  if resumed_ok and coroutine.status(worker) ~= "dead" then
    return false, "spec yielded instead of returning", spec_line_on_stack(worker, chunk_name)
  end
  if not resumed_ok then
    return false, result, spec_line_on_stack(worker, chunk_name)
  end
  return true, result
end

-- Line where bracket nesting first passes `depth`: where the parser gave up.
local function deep_nesting_line(source, depth)
  local tokenize = require("generator.spec_lines").tokenize
  local open = 0
  for _, token in ipairs(tokenize(source)) do
    if token.kind == "symbol" and (token.text == "(" or token.text == "{" or token.text == "[") then
      open = open + 1
      if open > depth then
        return token.line
      end
    elseif token.kind == "symbol" and (token.text == ")" or token.text == "}" or token.text == "]") then
      open = open - 1
    end
  end
  return nil
end

local function effective_limits(limits)
  limits = limits or {}
  return {
    instructions = limits.instructions or sandbox.DEFAULT_INSTRUCTION_LIMIT,
    memory_kb = limits.memory_kb or sandbox.DEFAULT_MEMORY_LIMIT_KB,
    cpu_seconds = limits.cpu_seconds or sandbox.DEFAULT_CPU_SECONDS,
  }
end

-- sandbox.run(path [, limits]) -> spec_table, source_text | nil, message
-- Runs the spec in this process: bounded in instructions, CPU time and (between
-- instructions) memory. sandbox.load adds the hard limits; use that.
function sandbox.run(path, limits)
  limits = effective_limits(limits)
  local source, read_error = read_file(path)
  if not source then
    return nil, read_error
  end
  source = strip_file_preamble(source)
  local chunk_name = "@" .. path
  local chunk, syntax_error = load(source, chunk_name, "t", {})
  if not chunk then
    syntax_error = tostring(syntax_error)
    if syntax_error:find("^C stack overflow") or syntax_error:find("too many C levels", 1, true) then
      return nil, string.format("%s: spec nests brackets too deeply", at(path, deep_nesting_line(source, 150)))
    end
    return nil, one_line(with_full_path(syntax_error, path))
  end
  local ok, result, line = run_limited(chunk, limits, chunk_name)
  if not ok then
    local message = describe_run_error(result, path, limits, line)
    -- A memory bomb leaves its garbage behind; free it before the caller carries on.
    collectgarbage("collect")
    return nil, message
  end
  if type(result) ~= "table" then
    return nil, string.format("%s: spec must return a table (got %s)", path, type(result))
  end
  return result, source
end

-- sandbox.run followed by the child's copy to plain data, without the child process and
-- its hard limits: for tests that load thousands of specs (the fuzzer).
function sandbox.run_copied(path, limits)
  local data, source = sandbox.run(path, limits)
  if not data then
    return nil, source
  end
  local text, reason = spec_data.encode(data)
  if not text then
    return nil, path .. ": " .. reason
  end
  return spec_data.decode(text), source
end

local function shell_quote(text)
  return "'" .. text:gsub("'", "'\\''") .. "'"
end

-- The interpreter running us (the lowest arg index), so the child is the same Lua.
local function interpreter()
  if type(arg) ~= "table" or arg[-1] == nil then
    return "lua5.4"
  end
  local index = -1
  while arg[index - 1] ~= nil do
    index = index - 1
  end
  return arg[index]
end

local function child_script()
  local source = debug.getinfo(1, "S").source
  local dir = source:match("^@(.*)[/\\][^/\\]*$") or "."
  return dir .. "/sandbox_child.lua"
end

local function child_command(path, limits)
  -- Where our own hard limit is already lower, the child keeps that lower limit.
  local script = string.format(
    "{ ulimit -v %d || ulimit -v \"$(ulimit -H -v)\"; } 2>/dev/null && "
    .. "{ ulimit -t %d || ulimit -t \"$(ulimit -H -t)\"; } 2>/dev/null || exit %d; exec \"$0\" \"$@\" 2>&1",
    limits_table.hard_memory_kb, limits_table.hard_cpu_seconds, NO_ULIMIT_STATUS)
  local words = { "sh", "-c", script, interpreter(), child_script(), path,
    tostring(limits.instructions), tostring(limits.memory_kb), tostring(limits.cpu_seconds) }
  for index, word in ipairs(words) do
    words[index] = shell_quote(word)
  end
  -- exec: no shell stays behind to print "Killed" when ulimit -t ends the child.
  return "exec " .. table.concat(words, " ")
end

-- The child prints "ok\n" and the table as a Lua expression, or "error\n" and a message.
local function decode_child_output(output, path)
  local kind, body = output:match("^(%a+)\n(.*)$")
  if kind == "error" then
    return nil, one_line(body)
  elseif kind ~= "ok" then
    return nil, string.format("%s: spec sandbox failed: %s", path, one_line(output:sub(1, 200)))
  end
  local data = spec_data.decode(body)
  if type(data) ~= "table" then
    return nil, string.format("%s: spec sandbox returned an unreadable table", path)
  end
  return data
end

-- sandbox.load(path [, limits]) -> spec_table, source_text | nil, message
-- `limits` may set `instructions`, `memory_kb` and `cpu_seconds`, and `in_process` to skip
-- the child process (and its hard limits; see sandbox.run_copied). The message is one line
-- starting with "PATH:LINE: " when a line is known, else "PATH: ".
function sandbox.load(path, limits)
  local in_process = limits and limits.in_process
  limits = effective_limits(limits)
  local source, read_error = read_file(path)
  if not source then
    return nil, read_error
  end
  if in_process then
    return sandbox.run_copied(path, limits)
  end
  local pipe = io.popen(child_command(path, limits), "r")
  if not pipe then
    return nil, path .. ": cannot start the spec sandbox"
  end
  local output = pipe:read(limits_table.max_result_bytes + 4096) or ""
  while pipe:read(65536) do end -- drain, so the child is never blocked writing
  local _, how, status = pipe:close()
  if how == "signal" or (how == "exit" and status ~= 0 and output == "") then
    if status == NO_ULIMIT_STATUS and how == "exit" then
      return nil, path .. ": cannot set the spec sandbox's resource limits (ulimit)"
    end
    return nil, string.format("%s: spec runs too long (stopped after %d s of CPU time)",
      path, limits_table.hard_cpu_seconds)
  end
  local data, message = decode_child_output(output, path)
  if not data then
    return nil, message
  end
  return data, strip_file_preamble(source)
end

sandbox.one_line = one_line

return sandbox
