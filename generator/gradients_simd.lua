-- Plans the SIMD gradients of a conv2d layer (f32, AVX-512 and AVX2): register-tiled kernels, tiles, staging.
--
-- Input gradient: dx of a layer with stride S splits into S_h x S_w phases (the input
-- positions i with i % S = r). Each phase is a stride-1 convolution of dy, staged once per
-- image and phase into a zero-padded (or cropped) copy, with the taps k for which
-- (r + pad - k*dilation) % S == 0, flipped, input and output channels swapped, dilation
-- dilation / gcd(dilation, S); its output is that phase of dx. With stride 1 there is one
-- phase, written straight into dx. The kernels read the weights where they are (NCHW and
-- depthwise) or from a per-call transposed copy (NHWC dense layers: vectors run along
-- input channels, which the HWIO layout interleaves).
--
-- Weight gradient (NHWC): an outer product over the output pixels of every image, held
-- in registers: dW[tap][c][m] += x[pixel + tap][c] * dy[pixel][m] (vectors along m; a
-- depthwise layer's along c), x read in place from the image or a zero-padded copy.
--
-- Everything is data: templates/backward_simd.c.in prints it with the ISA's spellings.

local gradients_simd = {}

local ISAS = { require("generator.isa.avx512"), (require("generator.isa.avx2")) }

local gt = require("generator.gradients_tiles")
local gradients_dot = require("generator.gradients_dot")
local gradients_fc = require("generator.gradients_fc")
local gradients_dwnchw = require("generator.gradients_dwnchw")
local ceil_div, round16, tiles, masks = gt.ceil_div, gt.round16, gt.tiles, gt.masks

local function gcd(a, b)
  while b ~= 0 do a, b = b, a % b end
  return a
end

-- Kernel variants, one per (rows, width) pair the tiles need, named `prefix_RxW`.
local function variants(isa, prefix, row_tiles, col_tiles)
  local list = {}
  for _, r in ipairs(row_tiles) do
    for _, c in ipairs(col_tiles) do
      list[#list + 1] = { name = string.format("%s_%dx%d", prefix, r.size, c.size), rows = r.size, width = c.size,
        vectors = ceil_div(c.size, isa.lanes), masks = masks(isa, c.size), row_tile = r, col_tile = c }
    end
  end
  return list
end

-- The ISA's spellings the template needs (data copied from generator/isa/*.lua).
local function spellings(isa)
  local s = {}
  for _, key in ipairs({ "name", "title", "guard", "lanes", "vector", "zero", "load", "masked_load", "store",
                         "masked_store", "broadcast", "fma", "add", "register_name" }) do
    s[key] = isa[key]
  end
  return s
end

-- Input gradient ----------------------------------------------------------------

-- One axis of one phase: input positions r, r + S, ... of `size`, the taps that reach them,
-- and the part of dy the phase reads. nil when no input position falls in the phase.
--   count   positions of the phase (the phase conv's output length)
--   taps    original taps in the phase conv's order (flipped: the last original tap first)
--   dil     the phase conv's dilation
--   first   dy index of the staged copy's element 0 (negative: zeros before dy starts)
--   staged  length of the staged copy: count + (#taps - 1) * dil
--   lo, hi  the dy elements the staged copy holds, [lo, hi), at staged index lo - first
function gradients_simd.axis(size, out_size, k, stride, dilation, pad, r)
  if r >= size then return nil end
  local count = (size - r + stride - 1) // stride
  local q = (r + pad) % stride
  local taps = {}
  for t = k - 1, 0, -1 do
    if (t * dilation) % stride == q then taps[#taps + 1] = t end
  end
  if #taps == 0 then return { count = count, taps = taps } end
  local dil = dilation // gcd(dilation, stride)
  local first = (r + pad - taps[1] * dilation) // stride
  local staged = count + (#taps - 1) * dil
  local lo, hi = math.max(first, 0), math.min(first + staged, out_size)
  return { count = count, taps = taps, dil = dil, first = first, staged = staged, lo = lo, hi = math.max(hi, lo) }
end

-- The kernels and driver tiles of one phase (a stride-1 conv of the staged dy).
local function plan_phase(L, p, isa, ph)
  local rows, cols = ph.rows, ph.cols
  ph.kh, ph.kw = #rows.taps, #cols.taps
  -- Staged dy: [M][sh][sw] (NCHW) or [sh][sw][M]; in place when it is dy itself.
  ph.sh, ph.sw = rows.staged, cols.staged
  ph.in_place = rows.first == 0 and cols.first == 0 and rows.staged == L.oh and cols.staged == L.ow
  ph.padded = rows.lo - rows.first > 0 or rows.hi - rows.first < rows.staged
    or cols.lo - cols.first > 0 or cols.hi - cols.first < cols.staged
  -- A 1x1 phase conv reads the staged plane as one long row.
  ph.out_rows, ph.out_cols = rows.count, cols.count
  if ph.kh == 1 and ph.kw == 1 then ph.out_rows, ph.out_cols = 1, rows.count * cols.count end
  ph.pitch = (ph.kh == 1 and ph.kw == 1) and ph.out_cols or ph.sw   -- staged row pitch in pixels
  ph.taps = {}
  for th, kh in ipairs(rows.taps) do
    for tw, kw in ipairs(cols.taps) do
      ph.taps[#ph.taps + 1] = { th = th - 1, tw = tw - 1, kh = kh, kw = kw,
        s_off = (th - 1) * rows.dil * ph.pitch + (tw - 1) * cols.dil }   -- staged pixel offset
    end
  end
  local prefix = string.format("bwd_data_%d_%d", ph.rh, ph.rw)
  if L.layout == "NCHW" then
    ph.kind = "nchw"      -- rows: output channels of a group (dx channels), columns: pixels of a row
    local limit = (p.cg == 1 and 4 or 2) * isa.lanes
    ph.col_tiles = tiles(ph.out_cols, limit)
    local vectors = ceil_div(ph.col_tiles[1].size, isa.lanes)
    ph.row_tiles = tiles(p.cg, math.max(1, isa.accumulators // vectors))
  elseif p.depthwise then
    ph.kind = "depthwise" -- rows: pixels of a row, columns: channels
    ph.col_tiles = tiles(L.c, 4 * isa.lanes)
    local vectors = ceil_div(ph.col_tiles[1].size, isa.lanes)
    ph.row_tiles = tiles(ph.out_cols, math.max(1, isa.accumulators // vectors))
  else
    ph.kind = "nhwc"      -- rows: pixels of a row, columns: channels of a group, weights transposed
    ph.col_tiles = tiles(p.cg, 3 * isa.lanes)
    local vectors = ceil_div(ph.col_tiles[1].size, isa.lanes)
    ph.row_tiles = tiles(ph.out_cols, math.max(1, isa.accumulators // vectors))
  end
  ph.kernels = variants(isa, prefix, ph.row_tiles, ph.col_tiles)
  ph.driver = prefix
end

-- Where the direct kernels lost to the GEMM path in make bench's backward rows (docs/gradients.md):
-- NCHW layers with a long reduction (M/groups*KH*KW) or a large image, where OpenBLAS's
-- blocked GEMM plus col2im is faster; NHWC dense layers with few input channels per group
-- (short vectors) or few pixels (the per-call weight transpose does not pay).
local NCHW_MAX_REDUCTION, NCHW_MAX_IMAGE, NHWC_MIN_PIXELS = 576, 65536, 256
local MAX_STATEMENTS = 1000
local DOT_MAX_PIXELS = 16

local function plan_data(L, p, isa)
  if gradients_fc.applies(L, p) then return gradients_fc.data(L, p, isa) end
  -- Very few pixels: OpenBLAS loses on such thin products (vww_pw_last, 9 pixels: the dot kernels
  -- 1.9-2.1x faster at -O2 and -O3), dot products need no transpose. At 36 and 125 pixels
  -- (vww_pw6, ds_pw) they only tied with the GEMM (0.86-1.14x), so those keep it.
  if gradients_dot.applies(L, p) and L.n * L.h * L.w <= DOT_MAX_PIXELS then return gradients_dot.data(L, p, isa) end
  if L.sh * L.sw > 4 then return nil end   -- at most 2x2 phases: bounded code and generator work
  if L.layout == "NCHW" and not p.depthwise
    and (p.mg * L.kh * L.kw > NCHW_MAX_REDUCTION or L.c * L.h * L.w > NCHW_MAX_IMAGE) then return nil end
  if L.layout == "NHWC" and not p.depthwise and (p.cg < isa.lanes or L.n * L.h * L.w < NHWC_MIN_PIXELS) then
    -- M within 2 vectors: the dot kernels write col, col2im adds it (vww_conv1: 1.06x the GEMM path at -O2,
    -- 1.20x at -O3; col2im is then most of the time at -O2).
    if gradients_dot.col_applies(L, p, isa) then return gradients_dot.data(L, p, isa, true) end
    return nil
  end
  local phases, staged_max, out_max, w_at = {}, 0, 0, 0
  local strided = L.sh > 1 or L.sw > 1
  for rh = 0, L.sh - 1 do
    for rw = 0, L.sw - 1 do
      local rows = gradients_simd.axis(L.h, L.oh, L.kh, L.sh, L.dh, L.pad_top, rh)
      local cols = gradients_simd.axis(L.w, L.ow, L.kw, L.sw, L.dw, L.pad_left, rw)
      if rows and cols then
        local ph = { rh = rh, rw = rw, rows = rows, cols = cols, empty = #rows.taps == 0 or #cols.taps == 0 }
        if not ph.empty then
          plan_phase(L, p, isa, ph)
          if not ph.in_place then staged_max = math.max(staged_max, L.m * ph.sh * ph.sw) end
          if ph.kind == "nhwc" then
            ph.weights_at = w_at
            w_at = w_at + round16(#ph.taps * L.m * p.cg)
          end
        end
        if strided then out_max = math.max(out_max, L.c * rows.count * cols.count) end
        phases[#phases + 1] = ph
      end
    end
  end
  -- Bounded generated code (and generator work, docs/spec.md 'Limits'): FMA statements of every kernel.
  local statements = 0
  for _, ph in ipairs(phases) do
    for _, kn in ipairs(ph.kernels or {}) do statements = statements + #ph.taps * kn.rows * kn.vectors end
  end
  if statements > MAX_STATEMENTS then return nil end
  local d = { phases = phases, strided = strided, weights_at = 0 }
  d.staged_at = w_at
  d.out_at = w_at + round16(staged_max)
  d.workspace_elems = d.out_at + out_max
  return d
end

-- Weight gradient ------------------------------------------------------------------

-- The register tile of a dense weight gradient: vectors along output channels (`vectors`
-- per tile), rows = a block of taps x a run of input channels, each row one accumulator
-- per vector. Scores each choice by lane use x row use x FMAs per load, best kept.
local function dense_tile(isa, mg, cg, taps)
  local best
  -- At most 2 vectors (AVX2: 6 x 16, AVX-512: 12 x 32, the GEMM micro-kernel's shapes):
  -- 3 x 4 tiles scored higher here but ran up to 1.8x slower (r8_s2_a, docs/gradients.md).
  for vectors = 1, math.min(2, ceil_div(mg, isa.lanes)) do
    local rows = isa.accumulators // vectors
    local m_tiles = tiles(mg, vectors * isa.lanes)
    local lanes_used = 0
    for _, t in ipairs(m_tiles) do lanes_used = lanes_used + t.count * ceil_div(t.size, isa.lanes) * isa.lanes end
    for block = 1, math.min(taps, rows) do
      local run = math.min(rows // block, cg)
      local calls = ceil_div(taps, block) * ceil_div(cg, run)
      local score = (mg / lanes_used) * (taps * cg / (calls * rows)) * (rows * vectors / (rows + vectors))
      if not best or score > best.score + 1e-9 then
        best = { score = score, vectors = vectors, block = block, run = run, m_tiles = m_tiles }
      end
    end
  end
  return best
end

-- Output rows per pass over the pixels: the dy rows of a pass (pixels x M floats) stay
-- within about CHUNK_BYTES, so every register tile re-reads them from L2 (each pass also
-- reads and writes all of dW once, so passes stay few).
local CHUNK_BYTES = 128 * 1024

-- A dense layer's weight gradient (both layouts): an outer product over the output pixels,
--   dW[tap][c][m] += x[pixel + tap][c] * dy[pixel][m]
-- vectors along m, x broadcast, a register tile of (taps of a block) x (a run of input
-- channels) x (a tile of output channels). NHWC reads dy in place and writes dW (HWIO)
-- directly; NCHW transposes each image's dy to [pixel][M] and sums into dWt[C/g*KH*KW][M],
-- transposed into dW ([M][C/g][KH][KW]) at the end. x is read in place, or from a
-- zero-padded copy when the layer pads.
-- Reduction order (fixed, whatever the tile): for each dW element, the pixels of a pass
-- (rows oh0 .. oh0+rows-1, row-major) are summed in one register, the passes' sums are
-- added in order into the stored value, the images in order.
local function plan_dense_weights(L, p, isa)
  local nchw = L.layout == "NCHW"
  local KK, M = L.kh * L.kw, L.m
  local w = { kind = "dense", nchw = nchw, padded = p.padded, hp = p.hp, wp = p.wp }
  local t = dense_tile(isa, p.mg, p.cg, KK)
  w.m_tiles = t.m_tiles
  w.x_pixel = nchw and 1 or L.c                                -- x elements between horizontally adjacent pixels
  w.x_channel = nchw and p.hp * p.wp or 1                      -- ... between adjacent channels
  w.w_channel = nchw and KK * M or M                           -- dW(t) rows between adjacent channels
  w.taps = {}
  for kh = 0, L.kh - 1 do
    for kw = 0, L.kw - 1 do
      local tap = kh * L.kw + kw
      w.taps[#w.taps + 1] = { kh = kh, kw = kw, x_off = (kh * L.dh * p.wp + kw * L.dw) * w.x_pixel,
        w_off = nchw and tap * M or tap * p.cg * M }
    end
  end
  w.blocks = {}
  for _, bt in ipairs(tiles(KK, t.block)) do
    for i = 0, bt.count - 1 do
      local block = {}
      for k = bt.start + i * bt.size + 1, bt.start + (i + 1) * bt.size do block[#block + 1] = w.taps[k] end
      w.blocks[#w.blocks + 1] = block
    end
  end
  w.c_tiles = tiles(p.cg, t.run)
  w.kernels = {}
  for b, block in ipairs(w.blocks) do
    for _, ct in ipairs(w.c_tiles) do
      for _, mt in ipairs(w.m_tiles) do
        w.kernels[#w.kernels + 1] = { name = string.format("bwd_weights_b%d_%dx%d", b, ct.size, mt.size), block = b,
          channels = ct.size, rows = #block * ct.size, width = mt.size, vectors = ceil_div(mt.size, isa.lanes),
          masks = masks(isa, mt.size), c_tile = ct, m_tile = mt }
      end
    end
  end
  w.pass_rows = math.max(1, math.min(L.oh, CHUNK_BYTES // (L.ow * M * 4)))
  w.passes = tiles(L.oh, w.pass_rows)
  -- workspace: [padded x][dy^T (NCHW)][dWt (NCHW)]
  local at = 0
  if p.padded then
    w.x_at = at
    at = at + round16(L.c * p.hp * p.wp)
  end
  if nchw then
    w.g_at = at
    at = at + round16(p.ohow * M)
    w.dw_at = at
    at = at + round16(p.kg * M)
  end
  w.workspace_elems = at
  return w
end

-- Where the dense weight kernels are used (measured: docs/gradients.md); elsewhere the
-- im2col + GEMM path stays. NHWC: every layer measured tied or won (up to 2.3x on small
-- layers). NCHW: only small weight gradients of a KxK layer (M/groups*C/groups*KH*KW <=
-- 4608 elements: ResNet-8's first stage, 1.1-1.4x); larger ones and 1x1 layers were faster
-- through OpenBLAS (the per-image dy transpose and the dW passes cost more than the GEMM's).
local NCHW_MAX_DW = 4608
local function dense_weights_pay(L, p, isa)
  if p.mg < isa.lanes then return false end
  if L.layout == "NHWC" then return true end
  return L.kh * L.kw > 1 and p.mg * p.kg <= NCHW_MAX_DW
end

-- Runs of output positions along one axis that the same taps reach inside the image
-- (the rest read padding): { first, count, taps = { tap indices } } in order.
local function segments(out_size, size, k, stride, dilation, pad)
  local list = {}
  for o = 0, out_size - 1 do
    local taps = {}
    for t = 0, k - 1 do
      local i = o * stride + t * dilation - pad
      if i >= 0 and i < size then taps[#taps + 1] = t end
    end
    local key = table.concat(taps, ",")
    local last = list[#list]
    if last and last.key == key then
      last.count = last.count + 1
    else
      list[#list + 1] = { first = o, count = 1, taps = taps, key = key }
    end
  end
  return list
end

-- At most this many regions of output pixels (segments along H x along W) per depthwise
-- weight gradient; beyond it (large padded kernels) x is copied into a zero-padded image.
local MAX_REGIONS = 16

-- The depthwise weight gradient: rows = a block of taps, vectors along channels.
-- x is read in place: the output plane splits into regions (a segment along H x one along
-- W) in each of which the same taps stay inside the image, and each region's kernels sum
-- only those taps over only its pixels (no zero-padded copy: on small depthwise layers the
-- copy cost as much as the arithmetic). dw is zeroed first and every kernel adds to it:
-- per element, regions in row-major order, then images in order. With more than
-- MAX_REGIONS regions, x is copied into a zero-padded image [hp][wp][C] and one region
-- covers the plane.
local function plan_depthwise_weights(L, p, isa)
  local C = L.c
  local w = { kind = "depthwise" }
  w.col_tiles = tiles(C, 2 * isa.lanes)
  local vectors = ceil_div(w.col_tiles[1].size, isa.lanes)
  local per_call = math.max(1, isa.accumulators // vectors)
  local rows = segments(L.oh, L.h, L.kh, L.sh, L.dh, L.pad_top)
  local cols = segments(L.ow, L.w, L.kw, L.sw, L.dw, L.pad_left)
  local pitch, pt, pl = L.w, L.pad_top, L.pad_left
  w.padded = #rows * #cols > MAX_REGIONS
  if w.padded then
    local all_h, all_w = {}, {}
    for t = 0, L.kh - 1 do all_h[#all_h + 1] = t end
    for t = 0, L.kw - 1 do all_w[#all_w + 1] = t end
    rows = { { first = 0, count = L.oh, taps = all_h } }
    cols = { { first = 0, count = L.ow, taps = all_w } }
    pitch, pt, pl = p.wp, 0, 0
    w.hp, w.wp = p.hp, p.wp
  end
  w.regions = {}
  for _, rs in ipairs(rows) do
    for _, cs in ipairs(cols) do
      local taps = {}
      for _, kh in ipairs(rs.taps) do
        for _, kw in ipairs(cs.taps) do
          -- x offset of the region's first pixel for this tap (inside the image, so >= 0)
          local x_off = ((rs.first * L.sh + kh * L.dh - pt) * pitch + (cs.first * L.sw + kw * L.dw - pl)) * C
          taps[#taps + 1] = { kh = kh, kw = kw, x_off = x_off }
        end
      end
      if #taps > 0 then
        local region = { oh = rs.first, ow = cs.first, rows = rs.count, cols = cs.count, blocks = {},
          g_off = (rs.first * L.ow + cs.first) * C }
        for first = 1, #taps, per_call do
          local block = {}
          for i = first, math.min(#taps, first + per_call - 1) do block[#block + 1] = taps[i] end
          region.blocks[#region.blocks + 1] = block
        end
        w.regions[#w.regions + 1] = region
      end
    end
  end
  w.x_row = L.sh * pitch * C     -- x elements between output rows
  w.kernels = {}
  for r, region in ipairs(w.regions) do
    for b, block in ipairs(region.blocks) do
      for _, ct in ipairs(w.col_tiles) do
        w.kernels[#w.kernels + 1] = { name = string.format("bwd_weights_r%d_b%d_%d", r, b, ct.size), region = region,
          block = block, rows = #block, width = ct.size, vectors = ceil_div(ct.size, isa.lanes),
          masks = masks(isa, ct.size), col_tile = ct }
      end
    end
  end
  w.workspace_elems = w.padded and p.hp * p.wp * C or 0
  return w
end

local function plan_weights(L, p, isa)
  if gradients_fc.applies(L, p) then return gradients_fc.weights(L, p, isa) end
  if p.depthwise then
    if L.layout == "NHWC" then return plan_depthwise_weights(L, p, isa) end
    return gradients_dwnchw.weights(L, p, isa)
  end
  if gradients_dwnchw.plane_scan_pays(L, p, isa) then return gradients_dwnchw.weights(L, p, isa, true) end
  if not dense_weights_pay(L, p, isa) then return nil end
  return plan_dense_weights(L, p, isa)
end

-- The bias gradient db[m] = sum of dy over the batch's pixels. The portable loops run
-- at one add per element along a serial chain (NCHW: C's evaluation order forbids
-- vectorizing the sum; NHWC: not vectorized at -O2), as slow as the whole weight gradient
-- on small layers. NHWC: vectors along m (blocks of up to 8 vectors), pixels summed in
-- order: the portable loop's order. NCHW: per m, one vector of partial sums over the
-- pixels of each image (lane j sums pixels i = j mod lanes, in order; a masked tail), its
-- lanes then added in lane order.
local function plan_bias(L, p, isa)
  -- NCHW with a 1x1 output: dy is [N][M] as in NHWC, so vectors run along m (images in order).
  local b = { nchw = L.layout == "NCHW" and p.ohow > 1, chunks = {} }
  if b.nchw then
    b.full = p.ohow // isa.lanes
    local rest = p.ohow - b.full * isa.lanes
    b.tail_mask = rest > 0 and masks(isa, rest)[0] or nil
  else
    for _, t in ipairs(tiles(L.m, 8 * isa.lanes)) do
      for i = 0, t.count - 1 do
        b.chunks[#b.chunks + 1] = { m0 = t.start + i * t.size, vectors = ceil_div(t.size, isa.lanes),
          masks = masks(isa, t.size) }
      end
    end
  end
  return b
end

-- The SIMD gradient paths of a conv2d layer with backward = true: one per ISA (AVX-512
-- first, as the #if chain tries them), each with `data` and/or `weights` (nil: that
-- gradient keeps the portable GEMM path for the ISA). nil when no ISA has either.
function gradients_simd.plan(L, p)
  if not (L.backward and p.elem.simd) then return nil end
  local paths, earlier = {}, {}
  for _, isa in ipairs(ISAS) do
    local path = { isa = spellings(isa), data = plan_data(L, p, isa), weights = plan_weights(L, p, isa) }
    local cond = { isa.guard }
    for _, g in ipairs(earlier) do cond[#cond + 1] = "!" .. g end
    earlier[#earlier + 1] = isa.guard
    path.condition = #cond == 1 and cond[1] or "(" .. table.concat(cond, " && ") .. ")"
    if path.data or path.weights then
      path.workspace_elems = math.max(path.data and path.data.workspace_elems or 0,
        path.weights and path.weights.workspace_elems or 0)
      path.bias = plan_bias(L, p, isa)
      paths[#paths + 1] = path
    end
  end
  return #paths > 0 and paths or nil
end

return gradients_simd
