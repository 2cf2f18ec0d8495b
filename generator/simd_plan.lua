-- Plans the SIMD path of a layer's conv for an ISA module (generator/isa/): tiled kernels, tiles, input staging.
--
-- Three kernels, each an outer product held in zmm registers:
--   nchw       y[rows m][width p] += w[m][k] * B[k][p]; B rows are read in place
--              from the (padded) input when the stride along W is 1, else from im2col
--   nhwc       y[pixels][m]       += x[pixel][k] * w[k][m]; pixels of one output row
--   depthwise  y[pixels][c]       += x[pixel][c] * w[tap][c]  (NHWC, one channel per group)
-- Everything the shape fixes (tiles, tails, masks, offsets) is decided here.

local copyprog = require("generator.copyprog")

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
    f.col_tiles = tiles(L.ow, 2 * isa.lanes)
    f.workspace_elems = f.source == "input" and 0 or L.c * hp * f.row_pitch
  elseif p.direct_gemm then
    f.source = "input"        -- 1x1, unit stride, no padding: x is B
    f.col_tiles = tiles(p.ohow, 2 * isa.lanes)
    f.k_loop, f.b_kstride = "flat", p.ohow
    f.workspace_elems = 0
  else
    f.source = "im2col"       -- flat tiles over the col matrix's columns
    f.col_tiles = tiles(p.ohow, 2 * isa.lanes)
    f.k_loop, f.b_kstride = "flat", p.ohow
    f.workspace_elems = p.kg * p.ohow
  end
  local vectors = ceil_div(f.col_tiles[1].size, isa.lanes)
  f.row_tiles = tiles(p.mg, isa.accumulators // vectors)
  f.kernels = kernel_variants(isa, "tile", f.row_tiles, f.col_tiles)
  return f
end

local function plan_nhwc(L, p, isa)
  local hp, wp = p.hp, p.wp
  local f = { hp = hp, wp = wp }
  f.source = p.padded and "padded" or "input"
  if f.source == "padded" then
    f.pad_ops = padding_program(L, hp, wp)
    f.workspace_elems = hp * wp * L.c
  else
    f.workspace_elems = 0
  end
  if p.depthwise then
    f.kind = "depthwise"     -- vectors along channels, no broadcasts
    f.col_tiles = tiles(L.c, 4 * isa.lanes)
  else
    f.kind = "nhwc"          -- vectors along output channels, input pixels broadcast
    f.col_tiles = tiles(p.mg, 4 * isa.lanes)
  end
  local vectors = ceil_div(f.col_tiles[1].size, isa.lanes)
  f.row_tiles = tiles(L.ow, math.min(12, isa.accumulators // vectors))
  f.kernels = kernel_variants(isa, f.kind == "depthwise" and "dw" or "tile", f.row_tiles, f.col_tiles)
  return f
end

-- Tile loops of the AVX-512 driver: one site per distinct tile size.
local function tile_sites(list, index, var)
  local sites, start = {}, 0
  for i, t in ipairs(list) do
    local site = { index = index .. (i > 1 and i or ""), var = var, count = t.count, size = t.size, start = start }
    site.value = t.count > 1 and var or tostring(start)
    site.expr = start == 0 and string.format("%s * %d", site.index, t.size)
      or string.format("%d + %s * %d", start, site.index, t.size)
    sites[#sites + 1] = site
    start = start + t.count * t.size
  end
  return sites
end

local function plus(base, term)
  if term == "0" or term == 0 then return base end
  return base .. " + " .. term
end

-- Everything the AVX-512 driver template prints besides the kernels (the plan's last
-- AVX-512 step: it needs to know whether an im2col_group function exists). The kernel
-- call of each (column tile site, row tile site) pair is at f.calls[column][row].
function simd_plan.driver(p, f)
  local L = p.layer
  local isa = require("generator.isa." .. f.isa)
  local call
  local grouped = L.groups > 1 and f.kind ~= "depthwise"
  local gvar = function(step) return grouped and string.format("g * %d", step) or "0" end
  local src = f.source == "input" and "image" or "stage"
  f.group_prologue, f.row_prologue = {}, {}
  local g = f.group_prologue
  if L.layout == "NCHW" then
    if f.source == "im2col" then
      g[#g + 1] = p.im2col_group and string.format("im2col_group(%s, stage);", plus("image", gvar(p.cg * p.hw)))
        or string.format("%s_im2col(image, stage);", p.sym)
    elseif f.source == "padded" or f.source == "staged" then
      src = plus("stage", gvar(p.cg * f.b_cstride))
    else
      src = plus("image", gvar(p.cg * p.hw))
    end
    g[#g + 1] = "const float *b_src = " .. src .. ";"
    g[#g + 1] = "const float *w_group = " .. plus("w", gvar(p.mg * p.kg)) .. ";"
    g[#g + 1] = "float *y_group = " .. plus("out", gvar(p.mg * p.ohow)) .. ";"
    f.row_loop = f.k_loop == "taps"
    if f.row_loop then
      f.row_prologue = {
        string.format("const float *b_row = b_src + oh * %d;", L.sh * f.row_pitch),
        string.format("float *y_row = y_group + oh * %d;", L.ow),
      }
    else
      g[#g + 1] = "const float *b_row = b_src;"
      g[#g + 1] = "float *y_row = y_group;"
    end
    f.col_sites, f.row_sites = tile_sites(f.col_tiles, "t", "p0"), tile_sites(f.row_tiles, "mb", "m0")
    call = function(ct, rt)
      local kn = find_kernel(f.kernels, rt.size, ct.size)
      return string.format("%s(%s, %s, %s, %s);", kn.name,
        plus("w_group", rt.value == "0" and "0" or (rt.value .. " * " .. p.kg)),
        plus("b_row", ct.value),
        plus(plus("y_row", rt.value == "0" and "0" or (rt.value .. " * " .. p.ohow)), ct.value),
        grouped and string.format("bias == NULL ? NULL : bias + g * %d + %s", p.mg, rt.value)
          or (rt.value == "0" and "bias" or ("bias == NULL ? NULL : bias + " .. rt.value)))
    end
    f.summary = string.format("%s path: %s, %dx%d register tiles over output channels x output columns", isa.title,
      ({ im2col = "im2col, then tiles over the col matrix",
         padded = "kernel taps read in place from a zero-padded copy of the image",
         staged = "kernel taps read in place from a zero-padded copy split into column phases",
         input = "kernel taps read in place from the image" })[f.source],
      f.row_tiles[1].size, f.col_tiles[1].size)
  else
    local pixel = L.sw * L.c
    g[#g + 1] = "const float *x_group = " .. plus(src, gvar(p.cg)) .. ";"
    g[#g + 1] = "const float *w_group = " .. plus("w", gvar(p.mg)) .. ";"
    g[#g + 1] = "float *y_group = " .. plus("out", gvar(p.mg)) .. ";"
    f.row_loop = true
    f.row_prologue = {
      string.format("const float *x_row = x_group + oh * %d;", L.sh * f.wp * L.c),
      string.format("float *y_row = y_group + oh * %d;", L.ow * L.m),
    }
    local cvar = f.kind == "depthwise" and "c0" or "m0"
    f.col_sites, f.row_sites = tile_sites(f.col_tiles, "t", cvar), tile_sites(f.row_tiles, "pb", "ow0")
    call = function(ct, rt)
      local kn = find_kernel(f.kernels, rt.size, ct.size)
      local x_at = plus("x_row", rt.value == "0" and "0" or (rt.value .. " * " .. pixel))
      if f.kind == "depthwise" then x_at = plus(x_at, ct.value) end
      return string.format("%s(%s, %s, %s, %s);", kn.name, x_at,
        plus("w_group", ct.value),
        plus(plus("y_row", rt.value == "0" and "0" or (rt.value .. " * " .. L.m)), ct.value),
        grouped and string.format("bias == NULL ? NULL : bias + g * %d + %s", p.mg, ct.value)
          or (ct.value == "0" and "bias" or ("bias == NULL ? NULL : bias + " .. ct.value)))
    end
    f.summary = string.format("%s path: %s, %dx%d register tiles over output pixels x %s", isa.title,
      f.source == "padded" and "taps read in place from a zero-padded copy of the image"
        or "taps read in place from the image",
      f.row_tiles[1].size, f.col_tiles[1].size, f.kind == "depthwise" and "channels" or "output channels")
  end
  f.calls = {}
  for i, ct in ipairs(f.col_sites) do
    f.calls[i] = {}
    for j, rt in ipairs(f.row_sites) do f.calls[i][j] = call(ct, rt) end
  end
  return f
end

-- The SIMD plan of a layer for `isa` (an ISA module; AVX-512 when omitted), or nil when
-- the portable path is the only one. The plan names its ISA (f.isa) for emission.
function simd_plan.plan(L, p, isa)
  isa = isa or AVX512
  if not p.elem.simd then return nil end
  local f
  if L.layout == "NCHW" then
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
