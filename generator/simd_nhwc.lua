-- Plans an NHWC layer's SIMD tiles: pixel x output-channel tiles, depthwise channel tiles and border regions.

local geometry = require("generator.geometry")
local T = require("generator.simd_tiles")
local staging = require("generator.simd_staging")

local ceil_div, tiles = T.ceil_div, T.split
local accumulator_budget, kernel_variants = T.accumulator_budget, T.kernel_variants
local padding_program = staging.padding_program

-- A padded depthwise layer's output split into rectangles over which the set of in-image
-- taps is constant (geometry.tap_regions): each rectangle's kernels read only those taps,
-- straight from the image, so no padded copy is made. For depthwise layers the copy costs
-- as much as the arithmetic (9 multiply-adds per element copied at stride 1, 2 at stride 2).
-- A tap's offset `x` is from the rectangle's first in-image tap (kh0, kw0), which every
-- output pixel of the rectangle reads, so no pointer ever points outside the image.
local function depthwise_regions(L, isa, vectors)
  local regions, kinds = {}, {}
  local most = math.min(12, accumulator_budget(isa, vectors, false) // vectors)
  for _, rows in ipairs(geometry.tap_regions(L.oh, L.sh, L.pad_top, L.dh, L.kh, L.h)) do
    for _, cols in ipairs(geometry.tap_regions(L.ow, L.sw, L.pad_left, L.dw, L.kw, L.w)) do
      local taps, kh0, kw0 = {}, nil, nil
      for kh = 0, L.kh - 1 do
        if rows.valid[kh] then kh0 = kh0 or kh end
      end
      for kw = 0, L.kw - 1 do
        if cols.valid[kw] then kw0 = kw0 or kw end
      end
      for kh = 0, L.kh - 1 do
        for kw = 0, L.kw - 1 do
          if rows.valid[kh] and cols.valid[kw] then
            taps[#taps + 1] = { kh = kh, kw = kw, x = ((kh - kh0) * L.dh * L.w + (kw - kw0) * L.dw) * L.c,
                                w = (kh * L.kw + kw) * L.m }
          end
        end
      end
      local key = rows.key .. "/" .. cols.key
      if not kinds[key] then kinds[#kinds + 1] = key; kinds[key] = #kinds end
      regions[#regions + 1] = { oh_lo = rows.lo, oh_hi = rows.hi, ow_lo = cols.lo, ow_hi = cols.hi, taps = taps,
        kind = kinds[key], kh0 = kh0 or 0, kw0 = kw0 or 0, pixel_tiles = tiles(cols.hi - cols.lo, most) }
    end
  end
  return regions
end

local function plan_nhwc(L, p, isa)
  local hp, wp = p.hp, p.wp
  local f = { hp = hp, wp = wp }
  f.source = p.padded and "padded" or "input"
  if p.depthwise and p.padded then
    f.source = "regions"
    f.workspace_elems = 0
  elseif f.source == "padded" then
    f.pad_ops = padding_program(L, hp, wp)
    f.workspace_elems = hp * wp * L.c
  else
    f.workspace_elems = 0
  end
  local dw = p.depthwise
  if dw then
    f.kind = "depthwise"     -- vectors along channels, no broadcasts
    f.col_tiles = tiles(L.c, 4 * isa.lanes)
  else
    f.kind = "nhwc"          -- vectors along output channels, input pixels broadcast
    -- The widest tile (at most 4 vectors) that still leaves registers for 6 rows: a row
    -- costs one broadcast, so fewer rows would not amortize the weight vectors' loads.
    local widest = 1
    for v = 2, 4 do
      if accumulator_budget(isa, v, true) // v >= 6 then widest = v end
    end
    f.col_tiles = tiles(p.mg, widest * isa.lanes)
  end
  local vectors = ceil_div(f.col_tiles[1].size, isa.lanes)
  -- A 1x1 unit-stride layer's pixels follow each other in memory: its tiles run over the
  -- whole image's pixels, not one output row's (3x3 outputs: tiles of 5 + 4 pixels, not 3).
  f.flat_pixels = p.direct_gemm or nil
  local pixels = f.flat_pixels and p.ohow or L.ow
  f.row_tiles = tiles(pixels, math.min(12, accumulator_budget(isa, vectors, not dw) // vectors))
  if f.source == "regions" then
    f.regions = depthwise_regions(L, isa, vectors)
    f.kernels = {}
    local made = {}
    for _, r in ipairs(f.regions) do
      for _, k in ipairs(kernel_variants(isa, "dw" .. r.kind, r.pixel_tiles, f.col_tiles)) do
        if not made[k.name] then
          made[k.name] = true
          k.taps = r.taps
          f.kernels[#f.kernels + 1] = k
        end
      end
    end
  else
    f.kernels = kernel_variants(isa, f.kind == "depthwise" and "dw" or "tile", f.row_tiles, f.col_tiles)
  end
  return f
end

return { plan = plan_nhwc }
