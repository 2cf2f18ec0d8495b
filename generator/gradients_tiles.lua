-- Tile arithmetic shared by the SIMD gradient planners: tile lists, tail masks, rounding.
local gradients_tiles = {}

function gradients_tiles.ceil_div(a, b) return (a + b - 1) // b end

function gradients_tiles.round16(n) return (n + 15) // 16 * 16 end

-- Split `total` into tiles of at most `limit`: evenly sized full tiles plus a tail, each
-- with its first index (`start`) for the driver's loops.
function gradients_tiles.tiles(total, limit)
  local count = gradients_tiles.ceil_div(total, limit)
  local size = gradients_tiles.ceil_div(total, count)
  local full = total // size
  local list = { { size = size, count = full, start = 0 } }
  if total - full * size > 0 then list[2] = { size = total - full * size, count = 1, start = full * size } end
  return list
end

-- The tail mask of each vector of a `width`-lane row (nil: a full vector).
function gradients_tiles.masks(isa, width)
  local list = {}
  for v = 0, gradients_tiles.ceil_div(width, isa.lanes) - 1 do
    local lanes = math.min(isa.lanes, width - v * isa.lanes)
    if lanes < isa.lanes and isa.mask_format then
      list[v] = string.format(isa.mask_format, (1 << lanes) - 1)
    elseif lanes < isa.lanes then
      local entries = {}
      for i = 1, isa.lanes do entries[i] = i <= lanes and isa.mask_on or isa.mask_off end
      list[v] = string.format(isa.mask_vector, table.concat(entries, ", "))
    end
  end
  return list
end

return gradients_tiles
