-- The driver's building blocks as data: tile loop sites and pointer operands (printed by emit.lua's `at`).

-- Tile loops of the driver: one site per distinct tile size. A site with one tile has no
-- loop; its tile's start is the constant `value` the calls use instead of the variable.
local function tile_sites(list, index, var)
  local sites, start = {}, 0
  for i, t in ipairs(list) do
    local site = { index = index .. (i > 1 and i or ""), var = var, count = t.count, size = t.size, start = start }
    site.value = t.count > 1 and var or tostring(start)
    sites[#sites + 1] = site
    start = start + t.count * t.size
  end
  return sites
end

-- A pointer operand as data: buffer `buf` plus the sum of (name, coefficient) pairs, where a
-- name is a C variable or a site's constant start ("0" terms are dropped). Templates spell it
-- (emit.lua's `at`); `nullable` operands (the bias) stay NULL when the buffer is NULL.
local function operand(buf, ...)
  local terms, args = {}, { ... }
  for i = 1, #args, 2 do
    if args[i] ~= "0" and args[i + 1] ~= 0 then terms[#terms + 1] = { args[i], args[i + 1] } end
  end
  return { buf = buf, off = { k = 0, terms = terms } }
end

local function nullable(op)
  op.nullable = true
  return op
end

return { tile_sites = tile_sites, operand = operand, nullable = nullable }
