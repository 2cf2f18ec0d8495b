-- Plans the SIMD path of a layer's conv for an ISA module (generator/isa/): tiled kernels, tiles, input staging.
--
-- Three kernels, each an outer product held in zmm registers:
--   nchw       y[rows m][width p] += w[m][k] * B[k][p]; B rows are read in place
--              from the (padded) input when the stride along W is 1, else from im2col
--   nhwc       y[pixels][m]       += x[pixel][k] * w[k][m]; pixels of one output row
--   depthwise  y[pixels][c]       += x[pixel][c] * w[tap][c]  (NHWC, one channel per group)
-- Everything the shape fixes (tiles, tails, masks, offsets) is decided here: the tiles by
-- simd_nchw.lua / simd_nhwc.lua, the driver (loops, pointers, calls) below.

local simd_tiles = require("generator.simd_tiles")
local simd_nchw = require("generator.simd_nchw")
local simd_nhwc = require("generator.simd_nhwc")

local simd_plan = {}

-- Lanes, register budget and spellings come from the ISA module (generator/isa/avx512.lua).
local AVX512 = require("generator.isa.avx512")

local find_kernel, find_kernel_named = simd_tiles.find_kernel, simd_tiles.find_kernel_named

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
    if p.ohow == 1 and p.mg * p.kg * p.elem.bytes >= simd_nchw.FC_BLAS_MIN_BYTES then return nil end
    f = simd_nchw.plan(L, p, isa)
    -- A depthwise layer with short rows is better served by the portable direct loops
    -- (vectorized along the row) than by one-row tiles over an im2col matrix.
    if p.depthwise and f.source == "im2col" then return nil end
  else
    f = simd_nhwc.plan(L, p, isa)
  end
  f.isa = isa.name
  return f
end

return simd_plan
