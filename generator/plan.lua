-- Planning: turns one validated layer into everything its C files need (sizes, copy programs, paths).

local copyprog = require("generator.copyprog")
local fast = require("generator.fast")

local plan = {}

-- Statements a function may take when fully unrolled under unroll = "auto".
plan.DEFAULT_UNROLL_BUDGET = 512
-- Bytes the portable path's im2col block may take; larger col matrices are built and
-- multiplied in bands of output rows (sized like an L2 cache; firmware passes less).
plan.DEFAULT_WORKSPACE_BUDGET = 256 * 1024

local ELEMENT = {
  f32 = { ctype = "float", bytes = 4, suffix = "f32", literal_suffix = "f" },
  f64 = { ctype = "double", bytes = 8, suffix = "f64", literal_suffix = "" },
}

-- Output positions o in [lo, hi) whose input index o*stride + offset lies in [0, size).
local function valid_range(out_size, stride, offset, in_size)
  local lo = math.max(0, -((offset) // stride))           -- ceil(-offset / stride)
  local hi = math.min(out_size, (in_size - 1 - offset) // stride + 1)
  if hi < lo then hi = lo end
  return lo, hi
end

-- Split 0..out_size-1 into runs over which the set of in-image kernel taps is constant.
local function tap_regions(out_size, stride, pad, dilation, taps, in_size)
  local regions = {}
  for o = 0, out_size - 1 do
    local valid, key = {}, {}
    for k = 0, taps - 1 do
      local i = o * stride - pad + k * dilation
      valid[k] = i >= 0 and i < in_size
      key[#key + 1] = valid[k] and "1" or "0"
    end
    key = table.concat(key)
    local last = regions[#regions]
    if last and last.key == key then
      last.hi = o + 1
    else
      regions[#regions + 1] = { lo = o, hi = o + 1, key = key, valid = valid }
    end
  end
  return regions
end

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
local function depthwise_regions(L)
  local regions = {}
  for _, rows in ipairs(tap_regions(L.oh, L.sh, L.pad_top, L.dh, L.kh, L.h)) do
    for _, columns in ipairs(tap_regions(L.ow, L.sw, L.pad_left, L.dw, L.kw, L.w)) do
      local taps = {}
      for kh = 0, L.kh - 1 do
        for kw = 0, L.kw - 1 do
          if rows.valid[kh] and columns.valid[kw] then taps[#taps + 1] = { kh = kh, kw = kw } end
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

-- Choose loops or straight-line code for one program.
local function lay_out(ops, unroll, budget)
  local size = copyprog.unrolled_size(ops)
  local mode = unroll
  if mode == "auto" then mode = size <= budget and "full" or "loops" end
  return { mode = mode, unrolled_size = size, ops = copyprog.finish(ops, mode) }
end

local function round_up(value, multiple)
  return (value + multiple - 1) // multiple * multiple
end

-- Sizes and programs shared by every op: `L` is a conv2d layer (or the forward
-- conv associated with a transposed one).
local function forward_plan(L, options)
  local budget = options and options.unroll_budget or plan.DEFAULT_UNROLL_BUDGET
  local p = {
    layer = L, elem = ELEMENT[L.dtype], sym = L.sym, SYM = L.sym:upper(),
    cg = L.c // L.groups, mg = L.m // L.groups,
    ohow = L.oh * L.ow, hw = L.h * L.w,
  }
  p.kg = p.cg * L.kh * L.kw
  p.lay_out = function(ops) return lay_out(ops, L.unroll, budget) end
  -- A 1x1 kernel with unit stride and no padding reads the input as the GEMM operand itself.
  p.direct_gemm = L.kh == 1 and L.kw == 1 and L.sh == 1 and L.sw == 1
    and L.pad_top == 0 and L.pad_bottom == 0 and L.pad_left == 0 and L.pad_right == 0
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
  local function program(band)
    if nchw then return p.lay_out(nchw_im2col(L, p.cg, band)) end
    return p.lay_out(nhwc_program(L, p.cg, cstride, false, nil, band))
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
  if L.layout == "NCHW" then return p.lay_out(nchw_col2im(L, p.cg, false)) end
  return p.lay_out(nhwc_program(L, p.cg, L.c, true, false))
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

  p.depthwise = L.groups == L.c and L.m == L.c
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
  p.im2col = p.lay_out(im2col_ops)
  p.col2im = p.lay_out(col2im_ops)
  p.fast = not (options and options.no_simd) and fast.plan(L, p) or nil
  local gemm_paths = not p.direct_gemm and not p.depthwise
  if group_ops and gemm_paths then
    p.im2col_group = p.lay_out(group_ops)
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
  if p.fast then p.workspace_elems = math.max(p.workspace_elems, p.fast.workspace_elems) end
  p.workspace_bytes = round_up(p.workspace_elems * elem.bytes, 64)
  return p
end

-- The forward conv whose gradient with respect to its input is this transposed
-- conv: its input is the transposed output, its output the transposed input.
local function associated_forward(L)
  local F = {}
  for key, value in pairs(L) do F[key] = value end
  F.op, F.backward = "conv2d", true
  F.c, F.h, F.w, F.m = L.m, L.oh, L.ow, L.c
  F.oh, F.ow = L.h, L.w
  return F
end

-- The plan of a conv_transpose2d layer: backward data of the associated forward conv.
local function transposed_plan(L, options)
  local F = associated_forward(L)
  local p = forward_plan(F, options)
  p.layer, p.forward = L, F
  p.input_elems = L.n * L.c * L.h * L.w
  p.weight_elems = L.c * (L.m // L.groups) * L.kh * L.kw
  p.output_elems = L.n * L.m * L.oh * L.ow
  p.macs = p.input_elems * (L.m // L.groups) * L.kh * L.kw
  if not p.direct_gemm and L.groups > 1 then
    p.col2im_group = group_col2im(F, p)
  elseif not p.direct_gemm then
    p.col2im = p.lay_out(L.layout == "NCHW" and nchw_col2im(F, F.c, true) or nhwc_program(F, F.c, F.c, true))
  end
  p.workspace_elems = p.direct_gemm and 0 or p.kg * p.ohow
  p.workspace_bytes = round_up(p.workspace_elems * p.elem.bytes, 64)
  return p
end

function plan.layer(L, options)
  if L.op == "conv_transpose2d" then return transposed_plan(L, options) end
  return conv2d_plan(L, options)
end

return plan
