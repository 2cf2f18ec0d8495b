-- Plans the AVX-512 path of a layer's conv: which register-tiled kernel, its tiles and the input staging.
--
-- Three kernels, each an outer product held in zmm registers:
--   nchw       y[rows m][width p] += w[m][k] * B[k][p]; B rows are read in place
--              from the (padded) input when the stride along W is 1, else from im2col
--   nhwc       y[pixels][m]       += x[pixel][k] * w[k][m]; pixels of one output row
--   depthwise  y[pixels][c]       += x[pixel][c] * w[tap][c]  (NHWC, one channel per group)
-- Everything the shape fixes (tiles, tails, masks, offsets) is decided here.

local copyprog = require("generator.copyprog")

local fast = {}

local LANES = 16           -- f32 lanes of a zmm register
local ACCUMULATORS = 24    -- zmm registers kept for accumulators (of 32)

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

-- Mask of the valid lanes of the last vector of a `width`-lane row.
local function vector_masks(width)
  local masks = {}
  for v = 0, ceil_div(width, LANES) - 1 do
    local lanes = math.min(LANES, width - v * LANES)
    if lanes < LANES then masks[v] = string.format("0x%04x", (1 << lanes) - 1) end
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

local function padded(L)
  return L.pad_top + L.pad_bottom + L.pad_left + L.pad_right > 0
end

-- Kernel variants: one per distinct (rows, width) a layer's tiles need.
local function kernel_variants(name, row_tiles, col_tiles)
  local list = {}
  for _, r in ipairs(row_tiles) do
    for _, w in ipairs(col_tiles) do
      list[#list + 1] = { name = string.format("%s_%dx%d", name, r.size, w.size), rows = r.size, width = w.size,
                          vectors = ceil_div(w.size, LANES), masks = vector_masks(w.size) }
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

local function plan_nchw(L, p)
  local f = { kind = "nchw" }
  local hp, wp = L.h + L.pad_top + L.pad_bottom, L.w + L.pad_left + L.pad_right
  -- (A strided 1x1 layer reads a quarter of its input: im2col gathers just that.)
  if L.ow >= LANES and (L.sw == 1 or (p.kg <= STAGED_MAX_K and L.kw > 1)) then
    -- B rows come straight from the (staged) input: tiles run along one output row.
    f.hp = hp
    f.k_loop = "taps"
    if L.sw > 1 then
      f.source = "staged"
      local pitch
      f.pad_ops, pitch = phase_program(L, hp, wp, L.sw)
      f.row_pitch = L.sw * pitch
      f.b_offset = function(kh, kw)
        local col = kw * L.dw
        return kh * L.dh * f.row_pitch + (col % L.sw) * pitch + col // L.sw
      end
    else
      f.source = padded(L) and "padded" or "input"
      f.row_pitch = wp
      if f.source == "padded" then f.pad_ops = padding_program(L, hp, wp) end
      f.b_offset = function(kh, kw) return kh * L.dh * wp + kw * L.dw end
    end
    f.b_cstride = hp * f.row_pitch
    f.col_tiles = tiles(L.ow, 2 * LANES)
    f.workspace_elems = f.source == "input" and 0 or L.c * hp * f.row_pitch
  elseif p.direct_gemm then
    f.source = "input"        -- 1x1, unit stride, no padding: x is B
    f.col_tiles = tiles(p.ohow, 2 * LANES)
    f.k_loop, f.b_kstride = "flat", p.ohow
    f.workspace_elems = 0
  else
    f.source = "im2col"       -- flat tiles over the col matrix's columns
    f.col_tiles = tiles(p.ohow, 2 * LANES)
    f.k_loop, f.b_kstride = "flat", p.ohow
    f.workspace_elems = p.kg * p.ohow
  end
  local vectors = ceil_div(f.col_tiles[1].size, LANES)
  f.row_tiles = tiles(p.mg, ACCUMULATORS // vectors)
  f.kernels = kernel_variants("tile", f.row_tiles, f.col_tiles)
  f.find = function(rows, width) return find_kernel(f.kernels, rows, width) end
  return f
end

local function plan_nhwc(L, p)
  local hp, wp = L.h + L.pad_top + L.pad_bottom, L.w + L.pad_left + L.pad_right
  local f = { hp = hp, wp = wp }
  f.source = padded(L) and "padded" or "input"
  if f.source == "padded" then
    f.pad_ops = padding_program(L, hp, wp)
    f.workspace_elems = hp * wp * L.c
  else
    f.workspace_elems = 0
  end
  if p.cg == 1 and p.mg == 1 then
    f.kind = "depthwise"     -- vectors along channels, no broadcasts
    f.col_tiles = tiles(L.c, 4 * LANES)
  else
    f.kind = "nhwc"          -- vectors along output channels, input pixels broadcast
    f.col_tiles = tiles(p.mg, 4 * LANES)
  end
  local vectors = ceil_div(f.col_tiles[1].size, LANES)
  f.row_tiles = tiles(L.ow, math.min(12, ACCUMULATORS // vectors))
  f.kernels = kernel_variants(f.kind == "depthwise" and "dw" or "tile", f.row_tiles, f.col_tiles)
  f.find = function(rows, width) return find_kernel(f.kernels, rows, width) end
  return f
end

-- The AVX-512 plan of a layer, or nil when the portable path is the only one.
function fast.plan(L, p)
  if L.dtype ~= "f32" then return nil end
  if L.layout == "NCHW" then
    local f = plan_nchw(L, p)
    -- A depthwise layer with short rows is better served by the portable direct loops
    -- (vectorized along the row) than by one-row tiles over an im2col matrix.
    if p.depthwise and f.source == "im2col" then return nil end
    return f
  end
  return plan_nhwc(L, p)
end

fast.LANES = LANES

return fast
