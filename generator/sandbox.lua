-- Runs a spec file as untrusted Lua text in an empty environment, with instruction and memory caps.
local sandbox = {}

-- A spec only builds a table; ten million instructions are far more than any real one needs.
sandbox.DEFAULT_INSTRUCTION_LIMIT = 10000000
sandbox.DEFAULT_MEMORY_LIMIT_KB = 256 * 1024

-- The count hook fires every HOOK_STEP instructions. A smaller step bounds how far a
-- doubling string (`s = s .. s`) can overshoot the memory cap before we notice (one
-- doubling at most), at the price of a slower run of a runaway loop (~0.5 s for 10M).
local HOOK_STEP = 4

-- io.open's message already starts with "PATH: "; keep only the reason.
local function unreadable(path, reason)
  reason = tostring(reason)
  if reason:sub(1, #path + 2) == path .. ": " then
    reason = reason:sub(#path + 3)
  end
  return string.format("%s: cannot read spec file (%s)", path, reason)
end

local function read_file(path)
  local file, open_error = io.open(path, "rb")
  if not file then
    return nil, unreadable(path, open_error)
  end
  local text, read_error = file:read("a")
  file:close()
  if not text then
    return nil, unreadable(path, read_error)
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

-- Called from inside the hook: level 3 is the spec function that was interrupted
-- (1 = this function, 2 = the hook).
local function current_spec_line()
  local where = debug.getinfo(3, "l")
  return where and where.currentline or -1
end

-- The hook raises one of these tables instead of a string, so the message can be
-- formatted after the string metatable is back in place.
local function make_limit_hook(limits)
  local executed = 0
  local memory_cap_kb = collectgarbage("count") + limits.memory_kb
  return function()
    executed = executed + HOOK_STEP
    if executed > limits.instructions then
      error({ limit = "instructions", line = current_spec_line() }, 0)
    end
    if collectgarbage("count") > memory_cap_kb then
      -- Only garbage may be pushing us over; give the collector one chance first.
      collectgarbage("collect")
      if collectgarbage("count") > memory_cap_kb then
        error({ limit = "memory", line = current_spec_line() }, 0)
      end
    end
  end
end

local function describe_limit_error(failure, path, limits)
  local where = path
  if failure.line and failure.line > 0 then
    where = path .. ":" .. failure.line
  end
  if failure.limit == "instructions" then
    return string.format("%s: spec runs too long (more than %d instructions)", where, limits.instructions)
  end
  return string.format("%s: spec uses too much memory (more than %d MB)", where, limits.memory_kb // 1024)
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

local function describe_run_error(failure, path, limits)
  if type(failure) == "table" and failure.limit then
    return describe_limit_error(failure, path, limits)
  end
  if type(failure) ~= "string" then
    return string.format("%s: spec raised a non-string error (%s)", path, type(failure))
  end
  if failure == "not enough memory" then
    return path .. ": spec uses too much memory (allocation failed)"
  end
  return one_line(with_full_path(failure, path))
end

-- Runs `chunk` in its own coroutine: the hook is per-coroutine, so it can never fire in
-- our own code after the spec stops. The string metatable's __index is removed for the
-- duration so `("x"):rep(1e10)` and friends cannot even be reached.
local function run_limited(chunk, limits)
  local string_meta = getmetatable("")
  local saved_index = string_meta.__index
  local worker = coroutine.create(chunk)
  debug.sethook(worker, make_limit_hook(limits), "", HOOK_STEP)
  string_meta.__index = nil
  local protected_ok, resumed_ok, result = pcall(coroutine.resume, worker)
  string_meta.__index = saved_index
  if not protected_ok then
    return false, resumed_ok
  end
  if resumed_ok and coroutine.status(worker) ~= "dead" then
    return false, "spec yielded instead of returning"
  end
  return resumed_ok, result
end

local function effective_limits(limits)
  limits = limits or {}
  return {
    instructions = limits.instructions or sandbox.DEFAULT_INSTRUCTION_LIMIT,
    memory_kb = limits.memory_kb or sandbox.DEFAULT_MEMORY_LIMIT_KB,
  }
end

-- sandbox.load(path [, limits]) -> spec_table, source_text | nil, message
-- `limits` may set `instructions` and `memory_kb`. The message is one line starting with
-- "PATH:LINE: " when a line is known, else "PATH: ".
function sandbox.load(path, limits)
  limits = effective_limits(limits)
  local source, read_error = read_file(path)
  if not source then
    return nil, read_error
  end
  source = strip_file_preamble(source)
  local chunk, syntax_error = load(source, "@" .. path, "t", {})
  if not chunk then
    return nil, one_line(with_full_path(tostring(syntax_error), path))
  end
  local ok, result = run_limited(chunk, limits)
  if not ok then
    local message = describe_run_error(result, path, limits)
    -- A memory bomb leaves its garbage behind; free it before the caller carries on.
    collectgarbage("collect")
    return nil, message
  end
  if type(result) ~= "table" then
    return nil, string.format("%s: spec must return a table (got %s)", path, type(result))
  end
  return result, source
end

return sandbox
