-- Plans the portable path's driver: the loops over images and groups, im2col calls, GEMM operands and epilogue blocks.
--
-- Everything here is a decision about the layer (C expressions of the GEMM operands
-- included); templates/conv_portable.c.in and statements.c.in print it as is.

local copyprog = require("generator.copyprog")
local types = require("generator.types")

local portable = {}

-- The fused convolution's loops and GEMM operands as C expressions.
function portable.steps(p)
  local L = p.layer
  local off = copyprog.offset
  local function ptr(buf, k, ...) return copyprog.pointer(buf, off(k, ...)) end
  local nchw = L.layout == "NCHW"
  local batch_in_gemm = p.batch_in_gemm  -- NHWC 1x1: all images are one matrix
  local loops = {}
  if L.n > 1 and not batch_in_gemm then loops[#loops + 1] = { var = "n", count = L.n } end
  if L.groups > 1 then loops[#loops + 1] = { var = "g", count = L.groups } end
  -- Pointer strides of the loop variables; 0 drops a variable that has no loop.
  local n_step_in = (L.n > 1 and not batch_in_gemm) and L.c * p.hw or 0
  local n_step_out = (L.n > 1 and not batch_in_gemm) and L.m * p.ohow or 0
  local grouped = L.groups > 1
  local s = { loops = loops, gemm_fn = p.elem.gemm }
  local im2col_fn = p.im2col_group and "im2col_group" or (p.sym .. "_im2col")

  if nchw then
    local group_input = ptr("x", 0, "n", n_step_in, "g", grouped and p.cg * p.hw or 0)
    if p.direct_gemm then
      s.b, s.ldb = group_input, p.hw
      s.gemm_doc = string.format("y[%d x %d] = w[%d x %d] * x[%d x %d]: the image already is the matrix",
        p.mg, p.ohow, p.mg, p.kg, p.kg, p.ohow)
    else
      s.im2col_call = string.format("%s(%s, col);", im2col_fn, group_input)
      s.b, s.ldb = "col", p.ohow
      s.gemm_doc = string.format("y[%d x %d] = w[%d x %d] * col[%d x %d]", p.mg, p.ohow, p.mg, p.kg, p.kg, p.ohow)
    end
    s.gemm_m, s.gemm_n, s.gemm_k = p.mg, p.ohow, p.kg
    s.a, s.lda = ptr("w", 0, "g", grouped and p.mg * p.kg or 0), p.kg
    s.c, s.ldc = ptr("y", 0, "n", n_step_out, "g", grouped and p.mg * p.ohow or 0), p.ohow
    s.rows, s.cols, s.ld, s.out = p.mg, p.ohow, p.ohow, s.c
    s.bias_per_row = true
  else
    local rows = batch_in_gemm and L.n * p.ohow or p.ohow
    local group_input = ptr("x", 0, "n", n_step_in, "g", grouped and p.cg or 0)
    if p.direct_gemm then
      s.a, s.lda = group_input, L.c
      s.gemm_doc = string.format("y[%d x %d] = x[%d x %d] * w[%d x %d]: the batch already is the matrix",
        rows, p.mg, rows, p.kg, p.kg, p.mg)
    else
      s.im2col_call = string.format("%s(%s, col);", im2col_fn,
        p.im2col_group and group_input or ptr("x", 0, "n", n_step_in))
      s.a, s.lda = "col", p.kg
      s.gemm_doc = string.format("y[%d x %d] = col[%d x %d] * w[%d x %d]", rows, p.mg, rows, p.kg, p.kg, p.mg)
    end
    s.gemm_m, s.gemm_n, s.gemm_k = rows, p.mg, p.kg
    s.b, s.ldb = ptr("w", 0, "g", grouped and p.mg or 0), L.m
    s.c, s.ldc = ptr("y", 0, "n", n_step_out, "g", grouped and p.mg or 0), L.m
    s.rows, s.cols, s.ld, s.out = rows, p.mg, L.m, s.c
    s.bias_per_row = false
  end
  if p.depthwise then s.depthwise_m = portable.depthwise_m(p) end
  s.gemm_pad = string.rep(" ", #s.gemm_fn + 1)
  s.bias_group = L.groups > 1 and p.mg or nil   -- bias index g * bias_group + r (or + j)
  s.summary = string.format("%s%s%s",
    p.direct_gemm and "1x1 unit-stride layer as a plain GEMM" or "im2col into the workspace, then one GEMM",
    #loops > 0 and " per " or "",
    table.concat((function()
      local names = {}
      for _, l in ipairs(loops) do names[#names + 1] = l.var == "n" and "image" or "group" end
      return names
    end)(), " and "))
  return s
end

-- The portable conv of a banded layer as a statement list (templates/statements.c.in):
-- per image and group, one loop over the full-height bands that picks the band's im2col
-- (top edge, shared interior, bottom edge) and then runs the one GEMM and epilogue every
-- band shares, so a banded layer carries a single GEMM call and epilogue whatever its
-- band count; a shorter last band (when the rows do not divide evenly) follows the loop.
function portable.band_items(p)
  local L = p.layer
  local off = copyprog.offset
  local function ptr(buf, k, ...) return copyprog.pointer(buf, off(k, ...)) end
  local nchw = L.layout == "NCHW"
  local items = {}
  local n_in, n_out = L.n > 1 and L.c * p.hw or 0, L.n > 1 and L.m * p.ohow or 0
  local gs = L.groups > 1 and 1 or 0
  local rows = p.bands.rows
  if L.n > 1 then items[#items + 1] = { open = string.format("for (int n = 0; n < %d; ++n) {", L.n) } end
  if L.groups > 1 then items[#items + 1] = { open = string.format("for (int g = 0; g < %d; ++g) {", L.groups) } end
  local input = ptr("x", 0, "n", n_in, "g", gs * (nchw and p.cg * p.hw or p.cg))
  -- The GEMM and epilogue of `count` output rows starting at row `first` (+ band * rows).
  local function gemm_items(count, first, band_step)
    local cols = count * L.ow
    local gemm = { fn = p.elem.gemm, ta = "CG_NO_TRANS", tb = "CG_NO_TRANS", beta = types.literal(p.elem, 0) }
    local e = { bias_group = gs == 1 and p.mg or nil }
    if nchw then
      local out = ptr("y", first * L.ow, "n", n_out, "g", gs * p.mg * p.ohow, "band", band_step * rows * L.ow)
      gemm.m, gemm.n, gemm.k = p.mg, cols, p.kg
      gemm.a, gemm.lda = ptr("w", 0, "g", gs * p.mg * p.kg), p.kg
      gemm.b, gemm.ldb, gemm.c, gemm.ldc = "col", cols, out, p.ohow
      gemm.doc = string.format("y[%d x %d of %d] = w[%d x %d] * col[%d x %d]: %d output rows",
        p.mg, cols, p.ohow, p.mg, p.kg, p.kg, cols, count)
      e.rows, e.cols, e.ld, e.out, e.bias_per_row = p.mg, cols, p.ohow, out, true
    else
      local out = ptr("y", first * L.ow * L.m, "n", n_out, "g", gs * p.mg, "band", band_step * rows * L.ow * L.m)
      gemm.m, gemm.n, gemm.k = cols, p.mg, p.kg
      gemm.a, gemm.lda = "col", p.kg
      gemm.b, gemm.ldb, gemm.c, gemm.ldc = ptr("w", 0, "g", gs * p.mg), L.m, out, L.m
      gemm.doc = string.format("y[%d of %d x %d] = col[%d x %d] * w[%d x %d]: %d output rows",
        cols, p.ohow, p.mg, cols, p.kg, p.kg, p.mg, count)
      e.rows, e.cols, e.ld, e.out, e.bias_per_row = cols, p.mg, L.m, out, false
    end
    items[#items + 1] = { gemm = gemm }
    items[#items + 1] = { epilogue = e }
  end
  local full, short = {}, nil
  for _, site in ipairs(p.bands.sites) do
    if site.rows == rows then full[#full + 1] = site else short = site end
  end
  if #full > 0 then
    local bands = L.oh // rows
    items[#items + 1] = { open = string.format("for (int band = 0; band < %d; ++band) {", bands) }
    for _, site in ipairs(full) do
      local cond, call
      if site.first_band then
        if site.last_band - site.first_band < bands then
          cond = string.format("band >= %d && band < %d", site.first_band, site.last_band)
        end
        call = string.format("%s(%s, col, band);", site.name, input)
      else
        cond = string.format("band == %d", site.first_row // rows)
        call = string.format("%s(%s, col);", site.name, input)
      end
      if cond and #full > 1 then
        items[#items + 1] = { open = string.format("if (%s) {", cond) }
        items[#items + 1] = { line = call }
        items[#items + 1] = { close = true }
      else
        items[#items + 1] = { line = call }
      end
    end
    gemm_items(rows, 0, 1)
    items[#items + 1] = { close = true }
  end
  if short then
    items[#items + 1] = { line = string.format("%s(%s, col);", short.name, input) }
    gemm_items(short.rows, short.first_row, 0)
  end
  if L.groups > 1 then items[#items + 1] = { close = true } end
  if L.n > 1 then items[#items + 1] = { close = true } end
  return items
end

-- The direct depthwise loops for a scalar core (Cortex-M; templates/depthwise_m4.c.in):
-- channel by channel, the channel's weights and bias held in locals across all its
-- output pixels, and inside each rectangle of same-tap pixels an index that steps
-- along the output row. Where the taps of neighbouring outputs overlap (stride 1, or
-- stride 2 with a 3-wide kernel), several outputs share one iteration and the input
-- columns the next iteration needs again are carried over in locals, so each input
-- element is loaded about once per output row instead of once per tap.
local MAX_DW_LOCALS = 30   -- FPv4-SP has 32 single registers; past this gcc spills

local function dw_unroll(L, kk)
  if L.dw ~= 1 or L.sw >= L.kw then return nil end
  local u = (L.kw + L.sw - 1) // L.sw   -- outputs per iteration: the carried columns need no moves
  local columns = (u - 1) * L.sw + L.kw
  if kk + 1 + u + L.kh * columns > MAX_DW_LOCALS then return nil end
  return u
end

function portable.depthwise_m(p)
  local L = p.layer
  local nhwc = L.layout == "NHWC"
  local C, kk = L.c, L.kh * L.kw
  local cs = nhwc and C or 1            -- elements between neighbouring pixels of a channel
  local d = { x_channel = nhwc and 1 or L.h * L.w, y_channel = nhwc and 1 or L.oh * L.ow, weights = {} }
  for t = 0, kk - 1 do
    d.weights[t + 1] = { name = "w" .. t, index = nhwc and string.format("%d + c", t * C) or
      string.format("c * %d + %d", kk, t) }
  end
  local step = L.sw * cs
  d.rows = {}
  -- The row's input index points at (oh * sh - pad_top, -pad_left); the output index at (oh, 0).
  local shift = L.pad_top * L.w * cs
  d.x_row = string.format("oh * %d%s", L.sh * L.w * cs, shift == 0 and "" or string.format(" - %d", shift))
  d.y_row = string.format("oh * %d", L.ow * cs)
  for _, r in ipairs(p.depthwise_regions) do
    -- Every tap's offset from the region's first tap in the image, so the row's index
    -- `at` names an element of the image (no pointer before the array).
    local taps, base = {}, nil
    for _, t in ipairs(r.taps) do
      local off = (t.kh * L.dh * L.w + t.kw * L.dw) * cs
      base = base and math.min(base, off) or off
      taps[#taps + 1] = { off = off, w = "w" .. (t.kh * L.kw + t.kw) }
    end
    for _, t in ipairs(taps) do t.off = t.off - base end
    local width = r.ow_hi - r.ow_lo
    local region = { doc = r.doc, oh_lo = r.oh_lo, oh_hi = r.oh_hi, width = width, taps = taps,
      x_step = step, y_step = cs,
      x_at = #taps > 0 and (r.ow_lo * L.sw - L.pad_left) * cs + base or nil,
      y_at = r.ow_lo * cs }
    local u = #taps == kk and dw_unroll(L, kk)
    if u and width >= u then
      -- One iteration: outputs j = 0..u-1, each tap at off + j * step; the distinct
      -- offsets are loaded once into locals. An offset o whose value the next iteration
      -- reads again (o + u * step is also loaded) is carried instead of reloaded.
      local seen, loads = {}, {}
      for j = 0, u - 1 do
        for _, t in ipairs(taps) do
          local o = t.off + j * step
          if not seen[o] then seen[o] = true; loads[#loads + 1] = o end
        end
      end
      table.sort(loads)
      local name = {}
      for i, o in ipairs(loads) do name[o] = "v" .. (i - 1) end
      local carried, fresh, moves = {}, {}, {}
      for _, o in ipairs(loads) do
        if seen[o + u * step] then
          carried[#carried + 1] = { name = name[o], off = o }
          moves[#moves + 1] = { to = name[o], from = name[o + u * step] }
        else
          fresh[#fresh + 1] = { name = name[o], off = o }
        end
      end
      local outputs = {}
      for j = 0, u - 1 do
        local terms = {}
        for _, t in ipairs(taps) do terms[#terms + 1] = { x = name[t.off + j * step], w = t.w } end
        outputs[#outputs + 1] = { terms = terms, y_off = j * cs }
      end
      region.unrolled = { u = u, iterations = width // u, carried = carried, fresh = fresh,
        moves = moves, outputs = outputs }
      region.rest = width % u
    end
    -- Rectangles of the same output rows share one loop over those rows.
    local last = d.rows[#d.rows]
    if not (last and last.oh_lo == r.oh_lo and last.oh_hi == r.oh_hi) then
      last = { oh_lo = r.oh_lo, oh_hi = r.oh_hi, regions = {} }
      d.rows[#d.rows + 1] = last
    end
    last.regions[#last.regions + 1] = region
  end
  return d
end

return portable
