-- Plans the SIMD path of a layer's conv for an ISA module (generator/isa/): tiled kernels, tiles, input staging.
--
-- Three kernels, each an outer product held in zmm registers:
--   nchw       y[rows m][width p] += w[m][k] * B[k][p]; B rows are read in place
--              from the (padded) input when the stride along W is 1, else from im2col
--   nhwc       y[pixels][m]       += x[pixel][k] * w[k][m]; pixels of one output row
--   depthwise  y[pixels][c]       += x[pixel][c] * w[tap][c]  (NHWC, one channel per group)
-- Everything the shape fixes (tiles, tails, masks, offsets) is decided here.

local copyprog = require("generator.copyprog")
local geometry = require("generator.geometry")

local simd_plan = {}

-- Lanes, register budget and spellings come from the ISA module (generator/isa/avx512.lua).
local AVX512 = require("generator.isa.avx512")

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

-- A zero-padded copy of one image's channels, so kernels read every tap in place.
local function padding_program(L, hp, wp)
  local off = copyprog.offset
  local ops = {}
  local body = {}
  if L.layout == "NCHW" then
    local plane = hp * wp
    if L.pad_top > 0 then body[#body + 1] = { kind = "zero", dst = off(0, "c", plane), count = L.pad_top * wp } end
    local row = {}
    if L.pad_left > 0 then
      row[#row + 1] = { kind = "zero", dst = off(L.pad_top * wp, "c", plane, "h", wp), count = L.pad_left }
    end
    row[#row + 1] = { kind = "copy", stride = 1, count = L.w,
      dst = off(L.pad_top * wp + L.pad_left, "c", plane, "h", wp), src = off(0, "c", L.h * L.w, "h", L.w) }
    if L.pad_right > 0 then
      row[#row + 1] = { kind = "zero", dst = off(L.pad_top * wp + L.pad_left + L.w, "c", plane, "h", wp),
                        count = L.pad_right }
    end
    body[#body + 1] = { kind = "loop", var = "h", lo = 0, hi = L.h, body = row }
    if L.pad_bottom > 0 then
      body[#body + 1] = { kind = "zero", dst = off((L.pad_top + L.h) * wp, "c", plane), count = L.pad_bottom * wp }
    end
    ops[1] = { kind = "loop", var = "c", lo = 0, hi = L.c, body = body }
  else
    local c = L.c
    if L.pad_top > 0 then ops[#ops + 1] = { kind = "zero", dst = off(0), count = L.pad_top * wp * c } end
    local row = {}
    if L.pad_left > 0 then
      row[#row + 1] = { kind = "zero", dst = off(L.pad_top * wp * c, "h", wp * c), count = L.pad_left * c }
    end
    row[#row + 1] = { kind = "copy", stride = 1, count = L.w * c,
      dst = off((L.pad_top * wp + L.pad_left) * c, "h", wp * c), src = off(0, "h", L.w * c) }
    if L.pad_right > 0 then
      row[#row + 1] = { kind = "zero", dst = off((L.pad_top * wp + L.pad_left + L.w) * c, "h", wp * c),
                        count = L.pad_right * c }
    end
    ops[#ops + 1] = { kind = "loop", var = "h", lo = 0, hi = L.h, body = row }
    if L.pad_bottom > 0 then
      ops[#ops + 1] = { kind = "zero", dst = off((L.pad_top + L.h) * wp * c), count = L.pad_bottom * wp * c }
    end
  end
  return copyprog.finish(ops, "loops")
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

-- NCHW staging for a horizontal stride S > 1: each padded row is split into its S
-- column phases (padded column j goes to phase j % S, index j // S), so the columns a
-- kernel tap reads for consecutive outputs are contiguous again.
local function phase_program(L, hp, wp, stride)
  local off = copyprog.offset
  local pitch = (wp + stride - 1) // stride
  local row = stride * pitch
  local body = {}
  for s = 0, stride - 1 do
    local first = (s - L.pad_left) % stride            -- first input column of this phase
    if first < L.w then
      body[#body + 1] = { kind = "copy", stride = stride, count = (L.w - first + stride - 1) // stride,
        dst = off(L.pad_top * row + s * pitch + (first + L.pad_left) // stride, "c", hp * row, "h", row),
        src = off(first, "c", L.h * L.w, "h", L.w) }
    end
  end
  local ops = {
    { kind = "zero", dst = off(0), count = L.c * hp * row },
    { kind = "loop", var = "c", lo = 0, hi = L.c, body = {
      { kind = "loop", var = "h", lo = 0, hi = L.h, body = body } } },
  }
  return copyprog.finish(ops, "loops"), pitch
end

-- Longest reduction for which strided NCHW rows are read in place from phase-split
-- staging rather than from im2col: below it the im2col copy costs as much as the
-- arithmetic it feeds (ResNet-18's 7x7 stem: 15% faster in place); above it the
-- contiguous col tiles stream better (its stride-2 3x3 layer: 9% faster via im2col).
local STAGED_MAX_K = 256

-- Loop order and reduction blocks of an NCHW layer, from the cache sizes (p.cache: the
-- --l1-cache / --l2-cache options). Weights that do not fit half of L2 would be streamed from
-- memory once per output row or column tile: the driver then takes each row tile's weight
-- panel once (order "rows": row tiles outside, output rows and column tiles inside). When the
-- B operand a row tile reads (the staged image or the col matrix) does not fit half of L2
-- either, the reduction is split into blocks of whole input channels that do, the kernels
-- reloading their partial sums from y (the same additions in the same order: the result is
-- bit-identical); an im2col source is then built one block at a time.
local function cache_blocking(L, p, f)
  local bytes, half_l2 = p.elem.bytes, p.cache.l2 // 2
  local weights = p.mg * p.kg * bytes
  f.cache = { l1 = p.cache.l1, l2 = p.cache.l2 }
  if weights <= half_l2 then
    f.order = "columns"
    f.blocking_doc = string.format("weights %d bytes <= half of L2: re-read from L2 for every output row and "
      .. "column tile", weights)
    return
  end
  f.order = "rows"
  local taps = L.kh * L.kw
  local per_channel = (f.k_loop == "taps" and f.b_cstride or taps * p.ohow) * bytes
  local b_bytes = per_channel * p.cg
  f.blocking_doc = string.format("weights %d bytes > half of L2: each row tile's weight panel read once", weights)
  if b_bytes <= half_l2 or (f.source == "im2col" and L.groups > 1) then return end
  local most = math.max(1, half_l2 // per_channel)
  local channels = 1
  for d = math.min(most, p.cg), 1, -1 do
    if p.cg % d == 0 then channels = d; break end
  end
  if channels * 2 < math.min(most, p.cg) then return end   -- no even split near the cache size
  f.k_block = { channels = channels, count = p.cg // channels, k = channels * taps }
  f.blocking_doc = f.blocking_doc .. string.format("; B %d bytes > half of L2: reduction in %d blocks of %d channels"
    .. " (%d bytes of B each)", b_bytes, f.k_block.count, channels, channels * per_channel)
  if f.source == "im2col" then f.workspace_elems = f.k_block.k * p.ohow end
end

-- Weight bytes from which a layer with a single output pixel runs the portable path's BLAS.
local FC_BLAS_MIN_BYTES = 1 << 20

local function plan_nchw(L, p, isa)
  local f = { kind = "nchw" }
  local hp, wp = p.hp, p.wp
  -- (A strided 1x1 layer reads a quarter of its input: im2col gathers just that.)
  if L.ow >= isa.lanes and (L.sw == 1 or (p.kg <= STAGED_MAX_K and L.kw > 1)) then
    -- B rows come straight from the (staged) input: tiles run along one output row.
    f.hp = hp
    f.k_loop = "taps"
    if L.sw > 1 then
      f.source = "staged"
      local pitch
      f.pad_ops, pitch = phase_program(L, hp, wp, L.sw)
      f.row_pitch = L.sw * pitch
      f.b_offsets = tap_offsets(L, function(kh, kw)
        local col = kw * L.dw
        return kh * L.dh * f.row_pitch + (col % L.sw) * pitch + col // L.sw
      end)
    else
      f.source = p.padded and "padded" or "input"
      f.row_pitch = wp
      if f.source == "padded" then f.pad_ops = padding_program(L, hp, wp) end
      f.b_offsets = tap_offsets(L, function(kh, kw) return kh * L.dh * wp + kw * L.dw end)
    end
    f.b_cstride = hp * f.row_pitch
    f.col_tiles = column_tiles(L.ow, isa.lanes, 2)
    f.workspace_elems = f.source == "input" and 0 or L.c * hp * f.row_pitch
  elseif p.direct_gemm then
    f.source = "input"        -- 1x1, unit stride, no padding: x is B
    f.col_tiles = column_tiles(p.ohow, isa.lanes, 2)
    f.k_loop, f.b_kstride = "flat", p.ohow
    f.workspace_elems = 0
  else
    f.source = "im2col"       -- flat tiles over the col matrix's columns
    f.col_tiles = column_tiles(p.ohow, isa.lanes, 2)
    f.k_loop, f.b_kstride = "flat", p.ohow
    f.workspace_elems = p.kg * p.ohow
  end
  local vectors = ceil_div(f.col_tiles[1].size, isa.lanes)
  f.row_tiles = tiles(p.mg, accumulator_budget(isa, vectors, true) // vectors)
  f.kernels = kernel_variants(isa, "tile", f.row_tiles, f.col_tiles)
  cache_blocking(L, p, f)
  return f
end

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
    for _, ct in ipairs(col_sites) do
      for _, pt in ipairs(tile_sites(r.pixel_tiles, "pb" .. i, "ow0")) do
        local loops = {}
        for _, site in ipairs({ ct, pt }) do
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

-- The driver of a SIMD plan as data (templates/conv_simd.c.in prints it): the image loop,
-- input staging, the group loop and its pointers, the output-row loop and its pointers, and
-- one kernel call per (column tile site, row tile site) pair, each call's operands as
-- `operand`s. Run after the portable plan exists (it needs to know whether an
-- im2col_group function does).
function simd_plan.driver(p, f)
  local L = p.layer
  local isa = require("generator.isa." .. f.isa)
  local grouped = L.groups > 1 and f.kind ~= "depthwise"
  local g = grouped and "g" or "0"
  local d = {
    stage_unused = f.workspace_elems == 0 and f.source ~= "im2col",
    pad = f.source == "padded" or f.source == "staged",
    groups = grouped and L.groups or nil,
    prologue = {}, row_prologue = {}, sites = {},
  }
  if f.source == "staged" then
    d.pad_doc = string.format("Copies one image into a zero-padded [%d][%d][%d][%d], each padded row split into its %d "
      .. "column phases, so every kernel tap of a stride-%d row is read in place.",
      L.c, f.hp, L.sw, f.row_pitch // L.sw, L.sw, L.sw)
  elseif d.pad then
    d.pad_doc = string.format("Copies one image into a zero-padded [%d][%d][%d], so every kernel tap is read in place.",
      L.layout == "NCHW" and L.c or f.hp, L.layout == "NCHW" and f.hp or f.wp,
      L.layout == "NCHW" and f.row_pitch or L.c)
  end
  if L.n > 1 then d.images = { count = L.n, x_step = p.input_elems // L.n, y_step = p.output_elems // L.n } end
  local function decl(name, writes, op) return { decl = name, writes = writes, at = op } end
  local pro = d.prologue
  local col_sites, row_sites, call
  local inner_rows, outer_first   -- order "rows": a loop over output rows inside each row tile loop
  if L.layout == "NCHW" then
    local src = operand("image", g, p.cg * p.hw)
    local kb = f.k_block
    if kb then
      d.k_blocks = { count = kb.count, prologue = {} }
      if f.source == "im2col" then   -- each block's columns, built when its turn comes
        d.k_blocks.prologue[1] = { call = "im2col_block", args = { operand("image", "kb", kb.channels * p.hw),
          "stage" } }
      end
    end
    if f.source == "im2col" and kb then
      src = operand("stage")
    elseif f.source == "im2col" then
      pro[#pro + 1] = p.im2col_group and { call = "im2col_group", args = { src, "stage" } }
        or { call = p.sym .. "_im2col", args = { "image", "stage" } }
      src = operand("stage")
    elseif d.pad then
      src = operand("stage", g, p.cg * f.b_cstride)
    end
    pro[#pro + 1] = decl("b_src", false, src)
    pro[#pro + 1] = decl("w_group", false, operand("w", g, p.mg * p.kg))
    pro[#pro + 1] = decl("y_group", true, operand("out", g, p.mg * p.ohow))
    local rows_outer = f.order == "rows"
    if f.k_loop == "taps" and not rows_outer then   -- B rows read in place: one output row at a time
      d.rows = L.oh
      d.row_prologue[1] = decl("b_row", false, operand("b_src", "oh", L.sh * f.row_pitch))
      d.row_prologue[2] = decl("y_row", true, operand("y_group", "oh", L.ow))
    elseif f.k_loop == "taps" then   -- each row tile's weights stay in cache over all output rows
      inner_rows = { index = "oh", count = L.oh, size = 1, start = 0, plain = true }
    else
      pro[#pro + 1] = decl("b_row", false, operand("b_src"))
      pro[#pro + 1] = decl("y_row", true, operand("y_group"))
    end
    col_sites, row_sites = tile_sites(f.col_tiles, "t", "p0"), tile_sites(f.row_tiles, "mb", "m0")
    -- A reduction block kb starts kb * (its channels) into the weight rows and into B.
    local kw_step, kb_step = kb and kb.k or 0, 0
    if kb and f.k_loop == "taps" then kb_step = kb.channels * f.b_cstride
    elseif kb and f.source == "input" then kb_step = kb.channels * p.ohow end
    call = function(ct, rt)
      local b, y
      if inner_rows then
        b = operand("b_src", "oh", L.sh * f.row_pitch, ct.value, 1, "kb", kb_step)
        y = operand("y_group", rt.value, p.ohow, "oh", L.ow, ct.value, 1)
      else
        b = operand("b_row", ct.value, 1, "kb", kb_step)
        y = operand("y_row", rt.value, p.ohow, ct.value, 1)
      end
      local list = { operand("w_group", rt.value, p.kg, "kb", kw_step), b, y,
        nullable(operand("bias", g, p.mg, rt.value, 1)) }
      if kb then
        list[5], list[6] = "kb == 0", string.format("kb == %d", kb.count - 1)
      end
      return list
    end
    if rows_outer then outer_first = true end
    f.summary = string.format("%s path: %s, %dx%d register tiles over output channels x output columns", isa.title,
      ({ im2col = "im2col, then tiles over the col matrix",
         padded = "kernel taps read in place from a zero-padded copy of the image",
         staged = "kernel taps read in place from a zero-padded copy split into column phases",
         input = "kernel taps read in place from the image" })[f.source],
      f.row_tiles[1].size, f.col_tiles[1].size)
  else
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
  end
  if f.regions then
    d.sites = region_sites(L, f)
    f.driver = d
    return f
  end
  local function loops_of(...)
    local loops = {}
    for _, site in ipairs({ ... }) do
      if site.count > 1 then loops[#loops + 1] = site end
    end
    return loops
  end
  if outer_first then   -- a row tile's loop holds every column tile's calls
    for _, rt in ipairs(row_sites) do
      local outer = { loops = inner_rows and loops_of(rt, inner_rows) or loops_of(rt), sites = {} }
      for _, ct in ipairs(col_sites) do
        outer.sites[#outer.sites + 1] = { loops = loops_of(ct), call = find_kernel(f.kernels, rt.size, ct.size).name,
                                          args = call(ct, rt) }
      end
      d.sites[#d.sites + 1] = outer
    end
  else
    for _, ct in ipairs(col_sites) do
      for _, rt in ipairs(row_sites) do
        d.sites[#d.sites + 1] = { loops = loops_of(ct, rt), call = find_kernel(f.kernels, rt.size, ct.size).name,
                                  args = call(ct, rt) }
      end
    end
  end
  f.driver = d
  return f
end

-- The SIMD plan of a layer for `isa` (an ISA module; AVX-512 when omitted), or nil when
-- the portable path is the only one. The plan names its ISA (f.isa) for emission.
function simd_plan.plan(L, p, isa)
  isa = isa or AVX512
  if not p.elem.simd then return nil end
  local f
  if L.layout == "NCHW" then
    -- A large 1x1 layer whose input is the GEMM operand: the ISA's kernels lose to the
    -- BLAS the portable path calls (isa.blas_min_macs, measured per ISA; docs/benchmark.md).
    if p.direct_gemm and isa.blas_min_macs and p.mg * p.kg * p.ohow >= isa.blas_min_macs then return nil end
    -- A fully connected layer written as a convolution (one output pixel) with weights of 1 MiB
    -- or more: one-column tiles use one lane per vector and read the weights as 12-24 rows at
    -- once; the BLAS is faster there (MobileNet v1's 1024 -> 1001 logits on AVX2: 447 -> 318 us,
    -- docs/benchmark.md). Smaller ones stay (LeNet-5's C5, 192 KB: 12 us SIMD, 16 us BLAS).
    if p.ohow == 1 and p.mg * p.kg * p.elem.bytes >= FC_BLAS_MIN_BYTES then return nil end
    f = plan_nchw(L, p, isa)
    -- A depthwise layer with short rows is better served by the portable direct loops
    -- (vectorized along the row) than by one-row tiles over an im2col matrix.
    if p.depthwise and f.source == "im2col" then return nil end
  else
    f = plan_nhwc(L, p, isa)
  end
  f.isa = isa.name
  return f
end

return simd_plan
