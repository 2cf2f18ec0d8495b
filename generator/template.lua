-- Template engine: compiles a C template into Lua, one Lua line per template line.
--
-- Syntax (in the spirit of XNNPACK's xngen):
--   $ <lua statement>     a line whose first non-blank character is '$' (not '${')
--                         is Lua code: $for, $if, $else, $end, $local ...
--   text ${expr} text     any other line is output; ${expr} is replaced by
--                         tostring(expr). A text line ending in '$\' joins the
--                         next text line without a newline.
-- Because every template line becomes exactly one Lua line, an error raised
-- while compiling or rendering names the template file and its own line.

local template = {}

local cache = {}

-- Quote a piece of literal text as a Lua string.
local function quote(text)
  return string.format("%q", text):gsub("\\\n", "\\n")
end

-- Translate one text line into Lua that appends it to the output buffer.
local function compile_text_line(line)
  local newline = "\n"
  if line:sub(-2) == "$\\" then
    line = line:sub(1, -3)
    newline = ""
  end
  local parts = {}
  local pos = 1
  while true do
    local start, open_end = line:find("${", pos, true)
    if not start then break end
    -- Find the matching close brace, allowing braces inside the expression.
    local depth, i = 1, open_end + 1
    while i <= #line and depth > 0 do
      local ch = line:sub(i, i)
      if ch == "{" then depth = depth + 1 elseif ch == "}" then depth = depth - 1 end
      i = i + 1
    end
    if depth > 0 then
      return nil, "unclosed '${' in text line"
    end
    if start > pos then parts[#parts + 1] = quote(line:sub(pos, start - 1)) end
    parts[#parts + 1] = "_str(" .. line:sub(open_end + 1, i - 2) .. ")"
    pos = i
  end
  parts[#parts + 1] = quote(line:sub(pos) .. newline)
  return "_out[#_out+1] = " .. table.concat(parts, " .. ")
end

-- Compile template source into a Lua function(env) that renders it into env._out.
function template.compile(source, chunkname)
  local lua_lines = {}
  local lineno = 0
  for line in (source .. (source:sub(-1) == "\n" and "" or "\n")):gmatch("(.-)\n") do
    lineno = lineno + 1
    local code = line:match("^%s*%$(.*)$")
    if code and code:sub(1, 1) ~= "{" then
      lua_lines[lineno] = code
    else
      local text, err = compile_text_line(line)
      if not text then
        error(string.format("%s:%d: %s", chunkname, lineno, err), 0)
      end
      lua_lines[lineno] = text
    end
  end
  local body = table.concat(lua_lines, "\n")
  return function(env)
    local fn, err = load(body, "@" .. chunkname, "t", env)
    if not fn then error(err, 0) end
    return fn()
  end
end

local function stringify(value)
  if value == nil then
    error("template substitution is nil", 2)
  end
  return tostring(value)
end

-- Load (once) and compile the template at path.
local function compiled(path, display_name)
  local entry = cache[path]
  if not entry then
    local file, err = io.open(path, "rb")
    if not file then error("cannot read template: " .. err, 0) end
    local source = file:read("a")
    file:close()
    entry = template.compile(source, display_name)
    cache[path] = entry
  end
  return entry
end

-- Names every template sees besides its own variables: no io, os or load.
local BASE = {
  ipairs = ipairs, pairs = pairs, tostring = tostring, tonumber = tonumber, type = type,
  error = error, assert = assert, select = select, string = string, table = table, math = math,
}

-- Render a template to a string.
--   dir      directory holding the templates
--   name     template file name inside dir (also used in error messages)
--   vars     table of variables visible to the template
--   helpers  table of functions visible to every template (optional)
-- A template renders another in place with include(name, vars); the included
-- template sees vars first, then everything its includer sees.
function template.render(dir, name, vars, helpers)
  local out = {}
  local function render_into(tname, tvars, outer)
    local env = setmetatable({}, { __index = function(_, key)
      local v = tvars[key]
      if v == nil then v = outer[key] end
      return v
    end })
    env._out = out
    env._str = stringify
    env.include = function(child, child_vars)
      render_into(child, child_vars or {}, env)
    end
    compiled(dir .. "/" .. tname, "templates/" .. tname)(env)
  end
  local root = setmetatable({}, { __index = function(_, key)
    local v = helpers and helpers[key]
    if v == nil then v = BASE[key] end
    return v
  end })
  render_into(name, vars, root)
  return table.concat(out)
end

return template
