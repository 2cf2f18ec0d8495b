-- Plans an NHWC layer's SIMD tiles: pixel x output-channel tiles, depthwise channel tiles and border regions.

local geometry = require("generator.geometry")
local T = require("generator.simd_tiles")
local simd_sites = require("generator.simd_sites")
local tile_sites, operand, nullable = simd_sites.tile_sites, simd_sites.operand, simd_sites.nullable
local staging = require("generator.simd_staging")

local ceil_div, tiles = T.ceil_div, T.split
local accumulator_budget, kernel_variants, find_kernel_named = T.accumulator_budget, T.kernel_variants,
  T.find_kernel_named
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

-- Input channels per iteration of an NHWC tile's reduction loop: all of them (no loop) when the
-- unrolled body stays within UNROLL_TAPS taps, else the largest of 8, 4, 2 dividing the channels
-- that does. A 16-channel 1x1 tile's loop ran 16 times and then left through a mispredicted
-- branch at every tile (AVX2, vww_pw2, 24x24 pixels, 16 -> 32: 7.7 -> 6.4 us; docs/benchmark.md).
local UNROLL_TAPS = 32
local function channel_unroll(channels, taps)
  if channels * taps <= UNROLL_TAPS then return channels end
  for _, u in ipairs({ 8, 4, 2 }) do
    if channels % u == 0 and u * taps <= UNROLL_TAPS then return u end
  end
  return 1
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
    f.channel_unroll = channel_unroll(p.cg, L.kh * L.kw)
  end
  local vectors = ceil_div(f.col_tiles[1].size, isa.lanes)
  -- A 1x1 unit-stride layer's pixels follow each other in memory: its tiles run over the
  -- whole image's pixels, not one output row's (3x3 outputs: tiles of 5 + 4 pixels, not 3).
  f.flat_pixels = p.direct_gemm or nil
  local pixels = f.flat_pixels and p.ohow or L.ow
  f.row_tiles = tiles(pixels, math.min(12, accumulator_budget(isa, vectors, not dw) // vectors))
  -- Which operand the inner tile loop reads again: with column tiles outside, each re-reads
  -- the pixels' inputs (pixels x K); with pixel tiles outside (order "pixels"), the weights
  -- (K x M). Pixels go outside when their inputs are at least 4x the weights (AVX2, vww_pw2,
  -- 576 pixels, 16 -> 32: 6% faster; ds_pw, 125 pixels, 64 -> 64, was 3-5% slower that way).
  if not dw and f.flat_pixels and p.ohow >= 4 * p.mg then f.order = "pixels" end
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

-- The depthwise border regions' calls: per region, a loop over its output rows holding a
-- loop over channel tiles and pixel tiles; x operands point at the region's first in-image tap.
local function region_sites(L, f)
  local sites = {}
  local col_sites = tile_sites(f.col_tiles, "t", "c0")
  for i, r in ipairs(f.regions) do
    local row = { index = "i" .. i, var = "oh", count = r.oh_hi - r.oh_lo, size = 1, start = r.oh_lo }
    local oh = row.count > 1 and "oh" or tostring(r.oh_lo)
    local outer = { loops = row.count > 1 and { row } or {}, sites = {} }
    -- Input pixel of output (oh, ow)'s tap (kh0, kw0): row oh*SH - PT + kh0*DH, column ow*SW - PL + kw0*DW.
    local x_k = ((r.kh0 * L.dh - L.pad_top) * L.w + r.ow_lo * L.sw - L.pad_left + r.kw0 * L.dw) * L.c
    -- Pixel tiles outside, channel tiles inside: consecutive calls read the same pixels' next
    -- channels, so the image streams through L1 and the TLB in address order (dlv3_dw_d2, 960
    -- channels: with channel tiles outside, each call jumped a whole pixel, 3840 bytes, ahead;
    -- 1.3x faster this way on AVX2, docs/benchmark.md).
    for _, pt in ipairs(tile_sites(r.pixel_tiles, "pb" .. i, "ow0")) do
      for _, ct in ipairs(col_sites) do
        local loops = {}
        for _, site in ipairs({ pt, ct }) do
          if site.count > 1 then loops[#loops + 1] = site end
        end
        local x = operand("image")   -- (unread when every tap of the region is in the padding)
        if #r.taps > 0 then
          x = operand("image", oh, L.sh * L.w * L.c, pt.value, L.sw * L.c, ct.value, 1)
          x.off.k, x.grouped = x_k, true
        end
        local y = operand("y_group", oh, L.ow * L.m, pt.value, L.m, ct.value, 1)
        y.off.k = r.ow_lo * L.m
        outer.sites[#outer.sites + 1] = { loops = loops,
          call = find_kernel_named(f.kernels, string.format("dw%d_%dx%d", r.kind, pt.size, ct.size)),
          args = { x, operand("w", ct.value, 1), y, nullable(operand("bias", ct.value, 1)) } }
      end
    end
    sites[#sites + 1] = outer
  end
  return sites
end

-- The NHWC driver's prologue (group and row pointers), its tile sites and each kernel call's
-- operands, for simd_plan.driver.
local function driver_calls(c)
  local L, p, f, isa, d, g, decl = c.L, c.p, c.f, c.isa, c.d, c.g, c.decl
  local pro = d.prologue
  local col_sites, row_sites, call
  pro[#pro + 1] = decl("x_group", false, operand(d.pad and "stage" or "image", g, p.cg))
  pro[#pro + 1] = decl("w_group", false, operand("w", g, p.mg))
  pro[#pro + 1] = decl("y_group", true, operand("out", g, p.mg))
  if f.regions then   -- calls per region below, from the image and w
    pro[1], pro[2] = pro[3], nil
  elseif f.flat_pixels then   -- one row of all the image's pixels
    pro[#pro + 1] = decl("x_row", false, operand("x_group"))
    pro[#pro + 1] = decl("y_row", true, operand("y_group"))
  else
    d.rows = L.oh
    d.row_prologue = {
      decl("x_row", false, operand("x_group", "oh", L.sh * f.wp * L.c)),
      decl("y_row", true, operand("y_group", "oh", L.ow * L.m)),
    }
  end
  local dw = f.kind == "depthwise"
  col_sites, row_sites = tile_sites(f.col_tiles, "t", dw and "c0" or "m0"), tile_sites(f.row_tiles, "pb", "ow0")
  call = function(ct, rt)
    return { operand("x_row", rt.value, L.sw * L.c, dw and ct.value or "0", 1), operand("w_group", ct.value, 1),
      operand("y_row", rt.value, L.m, ct.value, 1), nullable(operand("bias", g, p.mg, ct.value, 1)) }
  end
  f.summary = string.format("%s path: %s, %dx%d register tiles over output pixels x %s", isa.title,
    d.pad and "taps read in place from a zero-padded copy of the image" or f.regions and string.format(
    "taps read in place from the image in %d border regions (no padded copy)", #f.regions)
    or "taps read in place from the image", f.row_tiles[1].size, f.col_tiles[1].size,
    dw and "channels" or "output channels")
  return { col_sites = col_sites, row_sites = row_sites, call = call, outer_first = f.order == "pixels" }
end

return { plan = plan_nhwc, driver_calls = driver_calls, region_sites = region_sites }
