-- Rewrites a random sweep spec (tests/random_spec.lua) as its f32 forward convolutions, for the aarch64 cross build.
-- Usage: lua5.4 sweep_subset.lua IN.lua OUT.lua
-- The SIMD kernels (NEON on aarch64) exist for f32 conv2d forward only; the other layers
-- would cost cross-compile time without reaching them (f64, gradients and transposed
-- layers are checked on x86 by the full sweep and here by the curated suite).

local in_path, out_path = arg[1], arg[2]
if not (in_path and out_path) then
  io.stderr:write("usage: lua5.4 sweep_subset.lua IN.lua OUT.lua\n")
  os.exit(2)
end

local chunk, err = loadfile(in_path, "t", {})
if not chunk then
  io.stderr:write(string.format("sweep_subset.lua: %s\n", err))
  os.exit(1)
end
local spec = chunk()

-- Lua source of a spec value: strings, numbers, booleans and tables of them, keys sorted.
local function source(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" then return tostring(v) end
  local parts = {}
  for _, item in ipairs(v) do parts[#parts + 1] = source(item) end
  local keys = {}
  for k in pairs(v) do
    if type(k) == "string" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. " = " .. source(v[k]) end
  return "{ " .. table.concat(parts, ", ") .. " }"
end

local lines = { "-- f32 forward conv2d layers of " .. in_path:match("[^/\\]*$") .. " (tests/cross/sweep_subset.lua).",
                "return {", "  prefix = " .. source(spec.prefix) .. ",", "  layers = {" }
local kept = 0
for _, L in ipairs(spec.layers) do
  if L.dtype == "f32" and (L.op or "conv2d") == "conv2d" then
    L.backward = false
    lines[#lines + 1] = "    " .. source(L) .. ","
    kept = kept + 1
  end
end
lines[#lines + 1] = "  },"
lines[#lines + 1] = "}"
if kept == 0 then
  io.stderr:write(string.format("sweep_subset.lua: %s has no f32 conv2d layer\n", in_path))
  os.exit(1)
end

local f = assert(io.open(out_path, "w"))
f:write(table.concat(lines, "\n"), "\n")
f:close()
print(string.format("sweep subset: %d of %d layers (f32 conv2d, forward) -> %s", kept, #spec.layers, out_path))
