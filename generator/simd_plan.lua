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
local simd_gemv = require("generator.simd_gemv")
local simd_depthwise_nchw = require("generator.simd_depthwise_nchw")

local simd_plan = {}

-- Lanes, register budget and spellings come from the ISA module (generator/isa/avx512.lua).
local AVX512 = require("generator.isa.avx512")

local find_kernel = simd_tiles.find_kernel

-- The driver of a SIMD plan as data (templates/conv_simd.c.in prints it): the image loop,
-- input staging, the group loop and its pointers, the output-row loop and its pointers, and
-- one kernel call per (column tile site, row tile site) pair, each call's operands as
-- `operand`s. Run after the portable plan exists (it needs to know whether an
-- im2col_group function does).
function simd_plan.driver(p, f)
  local L = p.layer
  if f.kind == "dw_nchw" then return simd_depthwise_nchw.driver(L, p, f) end
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
  local c = { L = L, p = p, f = f, isa = isa, d = d, g = g, decl = decl }
  local calls = (L.layout == "NCHW" and simd_nchw or simd_nhwc).driver_calls(c)
  local col_sites, row_sites, call = calls.col_sites, calls.row_sites, calls.call
  if f.kind == "gemv" then f.summary = simd_gemv.summary(isa, f, p) end
  -- order "rows": a loop over output rows inside each row tile loop
  local inner_rows, outer_first = calls.inner_rows, calls.outer_first
  if f.regions then
    d.sites = simd_nhwc.region_sites(L, f)
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
    -- A fully connected layer written as a convolution whose kernel covers its unpadded image:
    -- a GEMV along the weight rows (simd_gemv.lua; MobileNet v1's logits, LeNet-5's C5).
    -- Another one-pixel layer (a padded or dilated kernel) with weights of 1 MiB
    -- or more: one-column tiles use one lane per vector and read the weights as 12-24 rows at
    -- once; the BLAS is faster there (MobileNet v1's 1024 -> 1001 logits on AVX2: 447 -> 318 us,
    -- docs/benchmark.md). Smaller ones stay (LeNet-5's C5, 192 KB: 12 us SIMD, 16 us BLAS).
    -- A depthwise layer with rows of a vector or more: one channel at a time from a stack buffer.
    local dw = p.depthwise and simd_depthwise_nchw.plan(L, p, isa)
    if dw then
      f = dw
    elseif simd_gemv.applies(L, p) then
      f = simd_gemv.plan(L, p, isa)
    elseif p.ohow == 1 and p.mg * p.kg * p.elem.bytes >= simd_nchw.FC_BLAS_MIN_BYTES then
      return nil
    else
      f = simd_nchw.plan(L, p, isa)
    end
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
