-- Tile arithmetic shared by the SIMD planners: tile lists, vector masks, register budgets, kernel variants.

local function ceil_div(a, b) return (a + b - 1) // b end

-- Split `total` into tiles of at most `limit`, as evenly sized full tiles plus a tail.
local function tiles(total, limit)
  local count = ceil_div(total, limit)
  local size = ceil_div(total, count)
  local full = total // size
  local list = { { size = size, count = full } }
  if total - full * size > 0 then list[2] = { size = total - full * size, count = 1 } end
  return list
end

-- Vectors a list of tiles spans, each tile rounded up to whole vectors.
local function tile_vectors(list, lanes)
  local n = 0
  for _, t in ipairs(list) do n = n + t.count * ceil_div(t.size, lanes) end
  return n
end

-- Column tiles of at most `vectors` vectors over `width` columns: evenly sized tiles, or full
-- tiles plus one narrow tail when that needs fewer vectors (AVX2, 49 columns: 16+16+16+1 in 7
-- vectors instead of 4 x 13 in 8; 56 columns: 16+16+16+8 in 7 instead of 4 x 14 in 8).
local function column_tiles(width, lanes, vectors)
  local even = tiles(width, vectors * lanes)
  local full = width // (vectors * lanes)
  if full == 0 then return even end
  local aligned = { { size = vectors * lanes, count = full } }
  if width > full * vectors * lanes then aligned[2] = { size = width - full * vectors * lanes, count = 1 } end
  if tile_vectors(aligned, lanes) < tile_vectors(even, lanes) then return aligned end
  return even
end

-- Mask of the valid lanes of the last vector of a `width`-lane row.
local function vector_masks(isa, width)
  local masks = {}
  for v = 0, ceil_div(width, isa.lanes) - 1 do
    local lanes = math.min(isa.lanes, width - v * isa.lanes)
    if lanes < isa.lanes and isa.mask_format then
      masks[v] = string.format(isa.mask_format, (1 << lanes) - 1)
    elseif lanes < isa.lanes then   -- a vector: one entry per lane
      local entries = {}
      for i = 1, isa.lanes do entries[i] = i <= lanes and isa.mask_on or isa.mask_off end
      masks[v] = string.format(isa.mask_vector, table.concat(entries, ", "))
    end
  end
  return masks
end
-- Accumulators a kernel of `vectors` B vectors per row may hold: the ISA's budget, and never
-- more than its registers minus those B vectors and (`broadcast`) the broadcast value, so the
-- kernel's live values fit in registers without spills (AVX2: 16 registers).
local function accumulator_budget(isa, vectors, broadcast)
  return math.min(isa.accumulators, isa.registers - vectors - (broadcast and 1 or 0))
end

-- Kernel variants: one per distinct (rows, width) a layer's tiles need.
local function kernel_variants(isa, name, row_tiles, col_tiles)
  local list = {}
  for _, r in ipairs(row_tiles) do
    for _, w in ipairs(col_tiles) do
      list[#list + 1] = { name = string.format("%s_%dx%d", name, r.size, w.size), rows = r.size, width = w.size,
                          vectors = ceil_div(w.size, isa.lanes), masks = vector_masks(isa, w.size) }
    end
  end
  return list
end

local function find_kernel(kernels, rows, width)
  for _, k in ipairs(kernels) do
    if k.rows == rows and k.width == width then return k end
  end
  error("no kernel " .. rows .. "x" .. width)
end

local function find_kernel_named(kernels, name)
  for _, k in ipairs(kernels) do
    if k.name == name then return k.name end
  end
  error("no kernel " .. name)
end

-- Offsets of each kernel tap's B row in the staged input, tap kh*KW + kw at index tap + 1.
local function tap_offsets(L, offset)
  local list = {}
  for kh = 0, L.kh - 1 do
    for kw = 0, L.kw - 1 do list[#list + 1] = offset(kh, kw) end
  end
  return list
end

return {
  ceil_div = ceil_div, split = tiles, tile_vectors = tile_vectors, column_tiles = column_tiles,
  accumulator_budget = accumulator_budget, kernel_variants = kernel_variants, find_kernel = find_kernel,
  find_kernel_named = find_kernel_named, tap_offsets = tap_offsets,
}
