-- Planning: turns one validated layer into everything its C files need (sizes, copy programs, paths).

local copyprog = require("generator.copyprog")
local simd_plan = require("generator.simd_plan")
local gradients = require("generator.gradients")
local gradients_simd = require("generator.gradients_simd")
local portable = require("generator.portable")
local prepack = require("generator.prepack")
local plan_s8 = require("generator.plan_s8")
local geometry = require("generator.geometry")
local types = require("generator.types")
local parallel_plan = require("generator.parallel_plan")

local plan = {}

-- Statements a function may take when fully unrolled under unroll = "auto".
plan.DEFAULT_UNROLL_BUDGET = 512
-- Bytes the portable path's im2col block may take; larger col matrices are built and
-- multiplied in bands of output rows (sized like an L2 cache; firmware passes less).
plan.DEFAULT_WORKSPACE_BUDGET = 256 * 1024
-- Data cache sizes per core the SIMD planner blocks for (--l1-cache, --l2-cache): loop order
-- and reduction blocks of deep layers (simd_plan.lua). The defaults are this project's
-- development machines' (AMD EPYC Zen 4/5: 32-48 KiB L1d, 1 MiB L2).
plan.DEFAULT_L1_CACHE = 32 * 1024
plan.DEFAULT_L2_CACHE = 1024 * 1024
-- Hard limits of the generated code (docs/contract.md, "Limits"). Its index arithmetic is C
-- `int`, so every index and every partial sum on the way must stay within INT_MAX; and no
-- path may ask the caller for more workspace than MAX_WORKSPACE_BYTES (a SIMD path whose
-- staging would is not emitted; a layer whose portable path would is refused).
plan.MAX_INDEX = 2147483647
plan.MAX_WORKSPACE_BYTES = 1 << 30
-- The SIMD instruction sets kernels are planned for, in the order the generated #if chain
-- tries them (generator/isa/; the portable path is the #else).
plan.SIMD_ISAS = { require("generator.isa.avx512"), require("generator.isa.avx2"),
                   (require("generator.isa.neon")) }


local valid_range, tap_regions = geometry.valid_range, geometry.tap_regions

local function describe_range(name, lo, hi, size)
  if lo == 0 and hi == size then return name .. " all" end
  if lo >= hi then return name .. " none" end
  return string.format("%s %d..%d", name, lo, hi - 1)
end

-- NCHW im2col of `channels` channels: one col row per (c, kh, kw). `band`, when given,
-- restricts it to output rows first .. first+rows-1 (the col block then has rows*OW
-- columns); with band.stride the block's source shift is `band * stride` instead of a
-- constant, so one function serves every interior band.
local function nchw_im2col(L, channels, band)
  band = band or { first = 0, rows = L.oh }
  local off = copyprog.offset
  local first, rows = band.first, band.rows
  local bp = rows * L.ow
  local kkbp, hw = L.kh * L.kw * bp, L.h * L.w
  local shift, band_step = first * L.sh * L.w, 0
  if band.stride then shift, band_step = 0, band.stride end
  local body = {}
  for kh = 0, L.kh - 1 do
    for kw = 0, L.kw - 1 do
      local ih_off, iw_off = kh * L.dh - L.pad_top, kw * L.dw - L.pad_left
      local oh0, oh1 = valid_range(L.oh, L.sh, ih_off, L.h)
      oh0, oh1 = math.max(oh0, first) - first, math.min(oh1, first + rows) - first
      if oh1 < oh0 then oh1 = oh0 end
      local ow0, ow1 = valid_range(L.ow, L.sw, iw_off, L.w)
      local row = (kh * L.kw + kw) * bp
      body[#body + 1] = { kind = "comment", text = string.format("kh = %d, kw = %d: %s, %s",
        kh, kw, describe_range("rows", oh0, oh1, rows), describe_range("columns", ow0, ow1, L.ow)) }
      if oh0 == oh1 or ow0 == ow1 then
        body[#body + 1] = { kind = "zero", dst = off(row, "c", kkbp), count = bp }
      else
        if oh0 > 0 then
          body[#body + 1] = { kind = "zero", dst = off(row, "c", kkbp), count = oh0 * L.ow }
        end
        local src_k = ih_off * L.w + iw_off + shift
        local whole_rows = L.sw == 1 and L.sh == 1 and ow0 == 0 and ow1 == L.ow and L.ow == L.w
        if whole_rows then
          -- Source rows follow each other in memory: one copy for the block.
          body[#body + 1] = { kind = "copy", count = (oh1 - oh0) * L.ow, stride = 1,
            dst = off(row + oh0 * L.ow, "c", kkbp),
            src = off(src_k + oh0 * L.w, "c", hw, "band", band_step) }
        else
          local line = {}
          if ow0 > 0 then
            line[#line + 1] = { kind = "zero", dst = off(row, "c", kkbp, "oh", L.ow), count = ow0 }
          end
          line[#line + 1] = { kind = "copy", count = ow1 - ow0, stride = L.sw,
            dst = off(row + ow0, "c", kkbp, "oh", L.ow),
            src = off(src_k + ow0 * L.sw, "c", hw, "oh", L.sh * L.w, "band", band_step) }
          if ow1 < L.ow then
            line[#line + 1] = { kind = "zero", dst = off(row + ow1, "c", kkbp, "oh", L.ow), count = L.ow - ow1 }
          end
          body[#body + 1] = { kind = "loop", var = "oh", lo = oh0, hi = oh1, body = line }
        end
        if oh1 < rows then
          body[#body + 1] = { kind = "zero", dst = off(row + oh1 * L.ow, "c", kkbp), count = (rows - oh1) * L.ow }
        end
      end
    end
  end
  return { { kind = "loop", var = "c", lo = 0, hi = channels, body = body } }
end

-- NCHW col2im of `channels` channels: zero them (when zero_first), then accumulate
-- every in-image col entry.
local function nchw_col2im(L, channels, zero_first)
  local off = copyprog.offset
  local ohow, kkohow, hw = L.oh * L.ow, L.kh * L.kw * L.oh * L.ow, L.h * L.w
  local body = {}
  for kh = 0, L.kh - 1 do
    for kw = 0, L.kw - 1 do
      local ih_off, iw_off = kh * L.dh - L.pad_top, kw * L.dw - L.pad_left
      local oh0, oh1 = valid_range(L.oh, L.sh, ih_off, L.h)
      local ow0, ow1 = valid_range(L.ow, L.sw, iw_off, L.w)
      local row = (kh * L.kw + kw) * ohow
      if oh0 < oh1 and ow0 < ow1 then
        body[#body + 1] = { kind = "comment", text = string.format("kh = %d, kw = %d: %s, %s",
          kh, kw, describe_range("rows", oh0, oh1, L.oh), describe_range("columns", ow0, ow1, L.ow)) }
        body[#body + 1] = { kind = "loop", var = "oh", lo = oh0, hi = oh1, body = {
          { kind = "add", count = ow1 - ow0, stride = L.sw,
            dst = off(ih_off * L.w + iw_off + ow0 * L.sw, "c", hw, "oh", L.sh * L.w),
            src = off(row + ow0, "c", kkohow, "oh", L.ow) } } }
      end
    end
  end
  local ops = {}
  if zero_first then ops[1] = { kind = "zero", dst = off(0), count = channels * hw } end
  ops[#ops + 1] = { kind = "loop", var = "c", lo = 0, hi = channels, body = body }
  return ops
end

-- NHWC im2col (accumulate = false) or col2im (accumulate = true) over `channels`
-- channels of an image whose pixels are `cstride` elements apart; col2im zeroes
-- the whole image first unless zero_first is false. Output
-- pixels are grouped into rectangles with the same in-image taps, so each
-- rectangle's loop body is straight-line with no bounds checks.
local function nhwc_program(L, channels, cstride, accumulate, zero_first, band)
  band = band or { first = 0, rows = L.oh }
  local off = copyprog.offset
  local cols = L.kh * L.kw * channels
  local first, rows_in_band = band.first, band.rows
  local shift, band_step = first * L.sh * L.w * cstride, 0
  if band.stride then shift, band_step = 0, band.stride end
  local oh_regions = {}
  for _, r in ipairs(tap_regions(L.oh, L.sh, L.pad_top, L.dh, L.kh, L.h)) do
    local lo, hi = math.max(r.lo, first), math.min(r.hi, first + rows_in_band)
    if lo < hi then
      oh_regions[#oh_regions + 1] = { lo = lo - first, hi = hi - first, valid = r.valid }
    end
  end
  local ow_regions = tap_regions(L.ow, L.sw, L.pad_left, L.dw, L.kw, L.w)
  local ops = {}
  if accumulate and zero_first ~= false then
    ops[1] = { kind = "zero", dst = off(0), count = L.h * L.w * cstride }
  end
  local pixel_src = -(L.pad_top * L.w + L.pad_left) * cstride + shift
  for _, rows in ipairs(oh_regions) do
    for _, columns in ipairs(ow_regions) do
      local body = {}
      for kh = 0, L.kh - 1 do
        for kw = 0, L.kw - 1 do
          local col_at = off((kh * L.kw + kw) * channels, "oh", L.ow * cols, "ow", cols)
          local img_at = off(pixel_src + (kh * L.dh * L.w + kw * L.dw) * cstride,
                             "oh", L.sh * L.w * cstride, "ow", L.sw * cstride, "band", band_step)
          local inside = rows.valid[kh] and columns.valid[kw]
          if accumulate and inside then
            body[#body + 1] = { kind = "add", dst = img_at, src = col_at, count = channels, stride = 1 }
          elseif inside then
            body[#body + 1] = { kind = "copy", dst = col_at, src = img_at, count = channels, stride = 1 }
          elseif not accumulate then
            body[#body + 1] = { kind = "zero", dst = col_at, count = channels }
          end
        end
      end
      if #body > 0 then
        ops[#ops + 1] = { kind = "comment", text = string.format("%s, %s",
          describe_range("output rows", rows.lo, rows.hi, rows_in_band),
          describe_range("output columns", columns.lo, columns.hi, L.ow)) }
        ops[#ops + 1] = { kind = "loop", var = "oh", lo = rows.lo, hi = rows.hi, body = {
          { kind = "loop", var = "ow", lo = columns.lo, hi = columns.hi, body = body } } }
      end
    end
  end
  return ops
end

-- Depthwise layers (one input and one output channel per group) skip im2col and
-- GEMM on the portable path and in the gradients: rectangles of output pixels that
-- see the same in-image taps, each tap one multiply-add per channel.
-- Each tap carries its input offset from the pixel's top-left tap (`x`) and its weight's
-- index (`w`); templates/depthwise.c.in prints them.
local function depthwise_regions(L)
  local regions = {}
  local nhwc = L.layout == "NHWC"
  local pixel = nhwc and L.c or 1
  for _, rows in ipairs(tap_regions(L.oh, L.sh, L.pad_top, L.dh, L.kh, L.h)) do
    for _, columns in ipairs(tap_regions(L.ow, L.sw, L.pad_left, L.dw, L.kw, L.w)) do
      local taps = {}
      for kh = 0, L.kh - 1 do
        for kw = 0, L.kw - 1 do
          if rows.valid[kh] and columns.valid[kw] then
            taps[#taps + 1] = { kh = kh, kw = kw, x = (kh * L.dh * L.w + kw * L.dw) * pixel,
                                w = (kh * L.kw + kw) * pixel }
          end
        end
      end
      regions[#regions + 1] = { oh_lo = rows.lo, oh_hi = rows.hi, ow_lo = columns.lo, ow_hi = columns.hi,
        taps = taps, doc = string.format("%s, %s: %d of %d taps in the image",
          describe_range("output rows", rows.lo, rows.hi, L.oh),
          describe_range("output columns", columns.lo, columns.hi, L.ow), #taps, L.kh * L.kw) }
    end
  end
  return regions
end

-- Choose loops or straight-line code for one program (the layer's unroll mode; "auto"
-- unrolls what fits the plan's unroll budget).
local function lay_out(p, ops, decide_size)
  local size = copyprog.unrolled_size(ops)
  local mode = p.layer.unroll
  if mode == "auto" then mode = (decide_size or size) <= p.unroll_budget and "full" or "loops" end
  return { mode = mode, unrolled_size = size, ops = copyprog.finish(ops, mode) }
end

local function round_up(value, multiple)
  return (value + multiple - 1) // multiple * multiple
end

-- Sizes and programs shared by every op: `L` is a conv2d layer (or the forward
-- conv associated with a transposed one).
local function forward_plan(L, options)
  local budget = options and options.unroll_budget or plan.DEFAULT_UNROLL_BUDGET
  local p = geometry.facts(L)
  p.layer, p.elem, p.sym, p.SYM = L, types.get(L.dtype), L.sym, L.sym:upper()
  p.unroll_budget = budget
  p.cache = { l1 = options and options.l1_cache or plan.DEFAULT_L1_CACHE,
              l2 = options and options.l2_cache or plan.DEFAULT_L2_CACHE }
  if L.layout == "NCHW" then
    p.col_rows, p.col_cols = L.c * L.kh * L.kw, p.ohow
  else
    p.col_rows, p.col_cols = p.ohow, L.kh * L.kw * L.c
  end
  return p
end

-- The portable conv's im2col in bands of output rows, when the whole col matrix of a
-- group would exceed `budget` bytes. Bands whose every tap row is inside the image
-- share one function (the band index shifts its source); the others get their own.
local function portable_bands(L, p, budget)
  if p.direct_gemm or p.depthwise then return nil end
  local rows = math.max(1, budget // (p.kg * L.ow * p.elem.bytes))
  if rows >= L.oh then return nil end
  local inside_lo, inside_hi = 0, L.oh    -- output rows where every kernel row is in the image
  for kh = 0, L.kh - 1 do
    local lo, hi = valid_range(L.oh, L.sh, kh * L.dh - L.pad_top, L.h)
    inside_lo, inside_hi = math.max(inside_lo, lo), math.min(inside_hi, hi)
  end
  local nchw = L.layout == "NCHW"
  local cstride = nchw and p.hw or L.c
  local stride = rows * L.sh * L.w * (nchw and 1 or L.c)
  -- In "auto" mode a band's program is unrolled only when the whole image's would be:
  -- small bands must not multiply the code of a layer whose im2col runs as loops.
  local whole = copyprog.unrolled_size(nchw and nchw_im2col(L, p.cg) or nhwc_program(L, p.cg, cstride, false))
  local function program(band)
    if nchw then return lay_out(p, nchw_im2col(L, p.cg, band), whole) end
    return lay_out(p, nhwc_program(L, p.cg, cstride, false, nil, band), whole)
  end
  local function interior(k)
    return (k + 1) * rows <= L.oh and k * rows >= inside_lo and (k + 1) * rows <= inside_hi
  end
  local sites, count, k = {}, (L.oh + rows - 1) // rows, 0
  while k < count do
    if interior(k) then
      local first = k
      while k < count and interior(k) do k = k + 1 end
      sites[#sites + 1] = { first_band = first, last_band = k, rows = rows, name = "im2col_rows_interior",
        prog = program({ first = first * rows, rows = rows, stride = stride }) }
    else
      local first_row = k * rows
      local n = math.min(rows, L.oh - first_row)
      sites[#sites + 1] = { first_row = first_row, rows = n, name = string.format("im2col_rows_%d", first_row),
        prog = program({ first = first_row, rows = n }) }
      k = k + 1
    end
  end
  return { rows = rows, sites = sites }
end

-- col2im that accumulates one group's channels into an image zeroed beforehand.
local function group_col2im(L, p)
  if L.layout == "NCHW" then return lay_out(p, nchw_col2im(L, p.cg, false)) end
  return lay_out(p, nhwc_program(L, p.cg, L.c, true, false))
end

-- The plan of a conv2d layer: sizes, im2col/col2im programs, the conv strategies,
-- and, with backward = true, what its gradients need.
local function conv2d_plan(L, options)
  local p = forward_plan(L, options)
  local budget = options and options.workspace_budget or plan.DEFAULT_WORKSPACE_BUDGET
  local elem = p.elem
  p.input_elems = L.n * L.c * L.h * L.w
  p.weight_elems = L.m * p.kg
  p.output_elems = L.n * L.m * p.ohow
  p.macs = p.output_elems * p.kg

  if p.depthwise then p.depthwise_regions = depthwise_regions(L) end

  local im2col_ops, col2im_ops, group_ops
  if L.layout == "NCHW" then
    im2col_ops = nchw_im2col(L, L.c)
    col2im_ops = nchw_col2im(L, L.c, true)
    if L.groups > 1 then group_ops = nchw_im2col(L, p.cg) end
  else
    im2col_ops = nhwc_program(L, L.c, L.c, false)
    col2im_ops = nhwc_program(L, L.c, L.c, true)
    if L.groups > 1 then group_ops = nhwc_program(L, p.cg, L.c, false) end
  end
  p.im2col = lay_out(p, im2col_ops)
  p.col2im = lay_out(p, col2im_ops)
  -- One SIMD plan per ISA that has a path for this layer, best first; a path whose staging
  -- would pass the workspace limit is left out (the portable path, in bands, remains).
  if not (options and options.no_simd) then
    local paths = {}
    for _, isa in ipairs(plan.SIMD_ISAS) do
      local f = simd_plan.plan(L, p, isa)
      -- A reduction block's im2col (simd_plan.lua's cache blocking): the block's channels only.
      if f and f.k_block and f.source == "im2col" and not f.block_im2col then
        f.block_im2col = lay_out(p, nchw_im2col(L, f.k_block.channels))
      end
      if f and f.workspace_elems * elem.bytes <= plan.MAX_WORKSPACE_BYTES then paths[#paths + 1] = f end
    end
    if #paths > 0 then p.simd = paths end
  end
  local gemm_paths = not p.direct_gemm and not p.depthwise
  if group_ops and gemm_paths then
    p.im2col_group = lay_out(p, group_ops)
  end
  if L.backward and L.groups > 1 and gemm_paths then
    p.col2im_group = group_col2im(L, p)
  end

  p.bands = portable_bands(L, p, budget)

  -- The workspace serves whichever path the compiler builds, so it fits both,
  -- and the gradients' col matrix (the same size as the forward one).
  p.workspace_elems = 0
  if gemm_paths then
    p.workspace_elems = (p.bands and not L.backward) and p.kg * p.bands.rows * L.ow or p.kg * p.ohow
  end
  for _, f in ipairs(p.simd or {}) do p.workspace_elems = math.max(p.workspace_elems, f.workspace_elems) end
  -- The gradients' SIMD paths (generator/gradients_simd.lua) and their staging.
  if not (options and options.no_simd) then p.backward_simd = gradients_simd.plan(L, p) end
  for _, b in ipairs(p.backward_simd or {}) do p.workspace_elems = math.max(p.workspace_elems, b.workspace_elems) end
  p.workspace_bytes = round_up(p.workspace_elems * elem.bytes, 64)
  return p
end

local associated_forward = geometry.associated_forward

-- The plan of a conv_transpose2d layer: backward data of the associated forward conv.
local function transposed_plan(L, options)
  local F = associated_forward(L)
  local p = forward_plan(F, options)
  p.layer, p.forward = L, F
  p.depthwise = false   -- (in a plan: takes the direct depthwise loops; transposed layers have none)
  p.input_elems = L.n * L.c * L.h * L.w
  p.weight_elems = L.c * (L.m // L.groups) * L.kh * L.kw
  p.output_elems = L.n * L.m * L.oh * L.ow
  p.macs = p.input_elems * (L.m // L.groups) * L.kh * L.kw
  if not p.direct_gemm and L.groups > 1 then
    p.col2im_group = group_col2im(F, p)
  elseif not p.direct_gemm then
    p.col2im = lay_out(p, L.layout == "NCHW" and nchw_col2im(F, F.c, true) or nhwc_program(F, F.c, F.c, true))
  end
  p.workspace_elems = p.direct_gemm and 0 or p.kg * p.ohow
  p.workspace_bytes = round_up(p.workspace_elems * p.elem.bytes, 64)
  return p
end

-- Elements of one image padded on every side, each row one stride longer (the phase-split
-- staging's pitch): every index the generated code forms into an image, and every partial
-- sum on the way, lies within this extent of the padded origin. A float, so no overflow.
local function padded_extent(F)
  local g = geometry.facts(F)
  return 1.0 * F.c * g.hp * (g.wp + F.sw)
end

-- Every copy program the plan holds, for the index check.
local function programs(p)
  local list = {}
  for _, prog in ipairs({ p.im2col, p.col2im, p.im2col_group, p.col2im_group }) do
    list[#list + 1] = { ops = prog.ops }
  end
  for _, site in ipairs(p.bands and p.bands.sites or {}) do   -- an interior band's index is an argument
    list[#list + 1] = { ops = site.prog.ops, ranges = { band = site.last_band and site.last_band - 1 or 0 } }
  end
  for _, f in ipairs(p.simd or {}) do
    if f.pad_ops then list[#list + 1] = { ops = f.pad_ops } end
    if f.block_im2col then list[#list + 1] = { ops = f.block_im2col.ops } end
  end
  return list
end

-- nil when the layer's generated code stays within the hard limits, else the reason.
local function code_limits(L, p)
  local F = p.forward or L
  local extent = padded_extent(F)
  if extent > plan.MAX_INDEX then
    return string.format("the generated code would index a padded image of C*(H+pad_top+pad_bottom)*"
      .. "(W+pad_left+pad_right+stride_w) = %.0f elements, more than %d (the C int arithmetic it uses; "
      .. "docs/contract.md, 'Limits')", extent, plan.MAX_INDEX)
  end
  for _, prog in ipairs(programs(p)) do
    local largest = copyprog.max_index(prog.ops, prog.ranges)
    if largest > plan.MAX_INDEX then
      return string.format("an im2col/col2im index reaches %d, more than %d (docs/contract.md, 'Limits')",
        largest, plan.MAX_INDEX)
    end
  end
  if p.workspace_bytes > plan.MAX_WORKSPACE_BYTES then
    return string.format("the layer needs a %d-byte workspace, more than the %d-byte limit "
      .. "(docs/contract.md, 'Limits'): reduce its size or split it", p.workspace_bytes, plan.MAX_WORKSPACE_BYTES)
  end
  return nil
end

-- The buffers of each entry point (docs/contract.md, "Aliasing"): what it reads and what it
-- writes, each as { name, elements } (bytes for the workspace). No output may share a byte
-- with any other argument; the entry point returns CG_ERR_OVERLAP when one does.
local function entry_buffers(L, p)
  local ws = p.workspace_bytes > 0 and { { "workspace", p.workspace_bytes, bytes = true } } or {}
  local function entry(name, reads, writes)
    for _, b in ipairs(ws) do writes[#writes + 1] = b end
    return { name = name, reads = reads, writes = writes }
  end
  local x, w, y = { "x", p.input_elems }, { "w", p.weight_elems }, { "y", p.output_elems }
  local bias = { "bias", L.m }
  if L.op == "conv_transpose2d" then return { entry("conv_transpose", { x, w, bias }, { y }) } end
  local list = { entry("conv", { x, w, bias }, { y }) }
  if L.backward then
    list[2] = entry("conv_backward_data", { { "dy", p.output_elems }, w }, { { "dx", p.input_elems } })
    list[3] = entry("conv_backward_weights", { x, { "dy", p.output_elems } },
      { { "dw", p.weight_elems }, { "db", L.m } })
  end
  return list
end

-- The plan of one validated layer, or nil and the reason when its generated code would pass
-- one of the hard limits above (the caller reports it as FILE:LINE: layer 'NAME': reason).
function plan.layer(L, options)
  local F = L.op == "conv_transpose2d" and associated_forward(L) or L
  local extent = padded_extent(F)
  if extent > plan.MAX_INDEX then return nil, code_limits(L, { forward = F }) end
  local p
  if L.op == "conv_transpose2d" then p = transposed_plan(L, options) else p = conv2d_plan(L, options) end
  local problem = code_limits(L, p)
  if problem then return nil, problem end
  p.entries = entry_buffers(L, p)
  -- The drivers: every loop, call and GEMM operand the templates print.
  for _, f in ipairs(p.simd or {}) do simd_plan.driver(p, f) end
  if L.op == "conv2d" then
    p.conv = portable.steps(p)
    if p.bands then p.band_items = portable.band_items(p) end
    -- Baked weights of an imported model: the packed order the portable GEMM reads (prepack.lua).
    if L.baked_weights and not (options and options.part) then p.prepack = prepack.plan(p) end
    -- An integer type's GEMM is the layer's own, with the requantization fused (plan_s8.lua).
    if p.elem.epilogue == "requantize" then p.s8 = plan_s8.plan(p, options) end
    if L.backward then
      p.backward_data_items = gradients.data(p, "dy", "dx", p.sym .. "_col2im")
      p.backward_weights_items = gradients.weights(p)
    end
  else
    p.transpose_items = gradients.transpose(p)
  end
  -- P_conv_parallel's split (generator/parallel_plan.lua): ranges of the SIMD drivers' loops.
  p.parallel = parallel_plan.plan(L, p, options)
  return p
end

return plan
