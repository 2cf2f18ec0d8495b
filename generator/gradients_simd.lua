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

local function ceil_div(a, b) return (a + b - 1) // b end

local function gcd(a, b)
  while b ~= 0 do a, b = b, a % b end
  return a
end

local function round16(n) return (n + 15) // 16 * 16 end

-- Split `total` into tiles of at most `limit`: evenly sized full tiles plus a tail, each
-- with its first index (`start`) for the driver's loops.
local function tiles(total, limit)
  local count = ceil_div(total, limit)
  local size = ceil_div(total, count)
  local full = total // size
  local list = { { size = size, count = full, start = 0 } }
  if total - full * size > 0 then list[2] = { size = total - full * size, count = 1, start = full * size } end
  return list
end

-- The tail mask of each vector of a `width`-lane row (nil: a full vector).
local function masks(isa, width)
  local list = {}
  for v = 0, ceil_div(width, isa.lanes) - 1 do
    local lanes = math.min(isa.lanes, width - v * isa.lanes)
    if lanes < isa.lanes and isa.mask_format then
      list[v] = string.format(isa.mask_format, (1 << lanes) - 1)
    elseif lanes < isa.lanes then
      local entries = {}
      for i = 1, isa.lanes do entries[i] = i <= lanes and isa.mask_on or isa.mask_off end
      list[v] = string.format(isa.mask_vector, table.concat(entries, ", "))
    end
  end
  return list
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

local function plan_data(L, p, isa)
  if L.sh * L.sw > 4 then return nil end   -- at most 2x2 phases: bounded code and generator work
  if L.layout == "NCHW" and not p.depthwise
    and (p.mg * L.kh * L.kw > NCHW_MAX_REDUCTION or L.c * L.h * L.w > NCHW_MAX_IMAGE) then return nil end
  if L.layout == "NHWC" and not p.depthwise and (p.cg < isa.lanes or L.n * L.h * L.w < NHWC_MIN_PIXELS) then
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

-- The weight gradient's kernels; x read from a zero-padded copy [hp][wp][C] when the layer pads.
local function plan_weights(L, p, isa)
  if L.layout ~= "NHWC" then return nil end
  -- Measured (docs/gradients.md): the direct kernels win on pointwise layers with many
  -- pixels, and on depthwise layers tie at -O3 and win by 3-10x at -O2 (the portable
  -- depthwise loops need -O3's vectorizer); elsewhere the GEMM path stays.
  if not p.depthwise and (L.kh * L.kw > 1 or p.cg < isa.lanes or p.mg < isa.lanes
    or L.n * p.ohow < NHWC_MIN_PIXELS) then return nil end
  local w = { padded = p.padded, hp = p.hp, wp = p.wp }
  w.taps = {}
  for kh = 0, L.kh - 1 do
    for kw = 0, L.kw - 1 do
      w.taps[#w.taps + 1] = { kh = kh, kw = kw, x_off = (kh * L.dh * p.wp + kw * L.dw) * L.c }
    end
  end
  if p.depthwise then
    -- rows: taps (a block of them per kernel call), columns: channels
    w.kind = "depthwise"
    w.col_tiles = tiles(L.c, 2 * isa.lanes)
    local vectors = ceil_div(w.col_tiles[1].size, isa.lanes)
    local per_call = math.max(1, isa.accumulators // vectors)
    w.blocks = {}
    for first = 1, #w.taps, per_call do
      local block = {}
      for i = first, math.min(#w.taps, first + per_call - 1) do block[#block + 1] = w.taps[i] end
      w.blocks[#w.blocks + 1] = block
    end
    w.kernels = {}
    for b, block in ipairs(w.blocks) do
      for _, ct in ipairs(w.col_tiles) do
        w.kernels[#w.kernels + 1] = { name = string.format("bwd_weights_b%d_%d", b, ct.size), block = b,
          rows = #block, width = ct.size, vectors = ceil_div(ct.size, isa.lanes), masks = masks(isa, ct.size),
          col_tile = ct }
      end
    end
  else
    -- rows: input channels of a group, columns: output channels of the group; one tap per call
    w.kind = "nhwc"
    w.col_tiles = tiles(p.mg, 3 * isa.lanes)
    local vectors = ceil_div(w.col_tiles[1].size, isa.lanes)
    w.row_tiles = tiles(p.cg, math.max(1, isa.accumulators // vectors))
    w.kernels = variants(isa, "bwd_weights", w.row_tiles, w.col_tiles)
  end
  w.workspace_elems = p.padded and p.hp * p.wp * L.c or 0
  return w
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
      paths[#paths + 1] = path
    end
  end
  return #paths > 0 and paths or nil
end

return gradients_simd
