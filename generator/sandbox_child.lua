-- Child process of sandbox.load: runs one spec in-process with sandbox.run and prints the result as plain data.
-- Usage (internal): lua5.4 generator/sandbox_child.lua SPEC INSTRUCTIONS MEMORY_KB CPU_SECONDS

local script_dir = (arg and arg[0] or ""):match("^(.*)[/\\][^/\\]*$") or "."
package.path = script_dir .. "/../?.lua;" .. package.path

local sandbox = require("generator.sandbox")
local spec_data = require("generator.spec_data")

local path = arg[1]
local limits = { instructions = tonumber(arg[2]), memory_kb = tonumber(arg[3]), cpu_seconds = tonumber(arg[4]) }

local ok, reply = pcall(function()
  local data, message = sandbox.run(path, limits)
  if not data then
    return "error\n" .. message
  end
  local text, reason = spec_data.encode(data)
  if not text then
    return "error\n" .. path .. ": " .. reason
  end
  return "ok\n" .. text
end)
if not ok then
  if tostring(reply):find("not enough memory", 1, true) then
    reply = "error\n" .. path .. ": spec uses too much memory (allocation failed)"
  else
    reply = "error\n" .. path .. ": spec sandbox failed: " .. sandbox.one_line(tostring(reply))
  end
end
io.stdout:write(reply)
