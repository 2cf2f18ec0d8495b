-- Prints a layer's plan as Lua table syntax (convgen.lua --plan): every decision, keys sorted, deterministic.
local plan_text = {}

local function key_text(k)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") then return k end
  if type(k) == "string" then return string.format("[%q]", k) end
  return "[" .. tostring(k) .. "]"
end

local function scalar(v)
  if type(v) == "string" then return (string.format("%q", v):gsub("\\\n", "\\n")) end
  if math.type(v) == "float" then return string.format("%.17g", v) end
  return tostring(v)
end

-- Keys of a table: the array part first, in order, then the rest sorted by their text.
local function ordered_keys(t)
  local keys, n = {}, #t
  for i = 1, n do keys[i] = i end
  local rest = {}
  for k in pairs(t) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then rest[#rest + 1] = k end
  end
  table.sort(rest, function(a, b)
    if type(a) ~= type(b) then return type(a) < type(b) end
    return a < b
  end)
  for _, k in ipairs(rest) do keys[#keys + 1] = k end
  return keys, n
end

-- One value as text; tables whose items all fit on one short line are written on it.
local function render(v, indent, path)
  local kind = type(v)
  if kind == "function" or kind == "userdata" or kind == "thread" then
    error("the plan holds a " .. kind .. " at " .. path .. " (a plan is data only)", 0)
  end
  if kind ~= "table" then return scalar(v) end
  local keys, n = ordered_keys(v)
  if #keys == 0 then return "{}" end
  local inner = indent .. "  "
  local items, one_line, width = {}, true, 0
  for i, k in ipairs(keys) do
    local text = render(v[k], inner, path .. "." .. tostring(k))
    if not (math.type(k) == "integer" and k <= n) then text = key_text(k) .. " = " .. text end
    items[i] = text
    width = width + #text + 2
    if text:find("\n") then one_line = false end
  end
  if one_line and width + #indent <= 116 then return "{ " .. table.concat(items, ", ") .. " }" end
  return "{\n" .. inner .. table.concat(items, ",\n" .. inner) .. ",\n" .. indent .. "}"
end

-- The plan as text: `plan_text.render(p)` raises an error naming the path of any
-- function (or other non-data value) found in it.
function plan_text.render(p)
  return render(p, "", "plan")
end

return plan_text
