-- Plans an NCHW layer's SIMD tiles: the source of B rows (image, padded/phased copy, im2col), tiles, cache blocks.

local T = require("generator.simd_tiles")
local simd_sites = require("generator.simd_sites")
local tile_sites, operand, nullable = simd_sites.tile_sites, simd_sites.operand, simd_sites.nullable
local staging = require("generator.simd_staging")

local ceil_div, tiles, column_tiles = T.ceil_div, T.split, T.column_tiles
local accumulator_budget, kernel_variants, tap_offsets = T.accumulator_budget, T.kernel_variants, T.tap_offsets
local padding_program, phase_program, panel_program = staging.padding_program, staging.phase_program,
  staging.panel_program

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

-- Statements per channel up to which an im2col source is built straight into B panels
-- (simd_staging.panel_program: a run per panel, tap and output row); a larger layer keeps
-- the plain col matrix rather than a function of thousands of lines. Unit-stride layers may
-- take more (ResNet-18's 28x28 layer: 719, 1.24x); strided ones copy element by element
-- (ResNet-18's stride-2 28x28 layer, 709: 0.78x, slower than the plain col matrix).
local PANEL_MAX_STATEMENTS, PANEL_MAX_STATEMENTS_UNIT_STRIDE = 320, 800
-- The fit check stops building runs past 4x the cap: merging shortens the run list by at most
-- 1.25x over the bench, curated and blocking layers, and a huge layer (65665 output rows) would
-- otherwise spend the generator's work limit listing runs it then rejects.
local PANEL_MAX_RUNS = 4 * PANEL_MAX_STATEMENTS_UNIT_STRIDE
local function panel_fits(L, col_tiles)
  local _, statements = panel_program(L, 1, col_tiles, PANEL_MAX_RUNS)
  return statements <= (L.sw == 1 and PANEL_MAX_STATEMENTS_UNIT_STRIDE or PANEL_MAX_STATEMENTS)
end

-- B panels for a flat reduction (im2col, or a 1x1 layer's input) when the ISA asks for them
-- (isa.pack_panels): each column tile's B rows contiguous, so its loads stream from L1
-- instead of striding across the col matrix (ResNet-18's 7x7 layer on AVX2: its 6x16 tiles
-- 65 -> 98 GFLOP/s, docs/benchmark.md).
local function plan_panels(L, p, isa, f)
  if not isa.pack_panels or L.layout ~= "NCHW" then return end
  if not panel_fits(L, f.col_tiles) then return end
  f.source, f.panels = "im2col", true
  f.workspace_elems = p.kg * p.ohow
end

-- Weight bytes from which a layer with a single output pixel runs the portable path's BLAS.
local FC_BLAS_MIN_BYTES = 1 << 20
local function plan_nchw(L, p, isa)
  local f = { kind = "nchw" }
  local hp, wp = p.hp, p.wp
  -- (A strided 1x1 layer reads a quarter of its input: im2col gathers just that.)
  -- With B panels (isa.pack_panels), a 1x1 layer packs its input, and a layer whose output
  -- rows fill less than two vectors, or whose one-row tiles span more vectors than flat tiles
  -- over the whole output, takes flat tiles over panels (AVX2: ResNet-18's 14x14 layer 1.16x,
  -- ResNet-8's 8x8 layer 1.18x, Inception's 17x17 1x7 / 7x1 layers; docs/benchmark.md).
  local prefer_panels = p.direct_gemm and isa.pack_panels
  local row_vectors = L.oh * T.tile_vectors(column_tiles(L.ow, isa.lanes, 2), isa.lanes)
  local flat_vectors = T.tile_vectors(column_tiles(p.ohow, isa.lanes, 2), isa.lanes)
  if isa.pack_panels and (L.ow < 2 * isa.lanes or flat_vectors < row_vectors) and L.sw == 1 then
    prefer_panels = prefer_panels or panel_fits(L, column_tiles(p.ohow, isa.lanes, 2))
  end
  if L.ow >= isa.lanes and (L.sw == 1 or (p.kg <= STAGED_MAX_K and L.kw > 1)) and not prefer_panels then
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
    plan_panels(L, p, isa, f)
  else
    f.source = "im2col"       -- flat tiles over the col matrix's columns
    f.col_tiles = column_tiles(p.ohow, isa.lanes, 2)
    f.k_loop, f.b_kstride = "flat", p.ohow
    f.workspace_elems = p.kg * p.ohow
    plan_panels(L, p, isa, f)
  end
  local vectors = ceil_div(f.col_tiles[1].size, isa.lanes)
  f.row_tiles = tiles(p.mg, accumulator_budget(isa, vectors, true) // vectors)
  f.kernels = kernel_variants(isa, "tile", f.row_tiles, f.col_tiles)
  cache_blocking(L, p, f)
  if f.panels then   -- a tile's B rows are its panel's: `width` apart
    local k = f.k_block and f.k_block.k or p.kg
    for _, kn in ipairs(f.kernels) do
      kn.b_kstride = kn.width
      -- A one-column tile would use one lane of each vector: dot products along k instead
      -- (ResNet-18's 7x7 layer on AVX2: its 6x1 tiles 721 us of 4285, docs/benchmark.md).
      if kn.width == 1 and k % isa.lanes == 0 then
        kn.dot, kn.b_kstride = true, nil
      end
    end
    local channels = f.k_block and f.k_block.channels or p.cg
    f.block_im2col = { mode = "loops", ops = (panel_program(L, channels, f.col_tiles)) }
    f.block_doc = string.format("im2col of %d input channels%s into B panels of %s columns: col[%d][%d] as one "
      .. "[%d][width] panel per column tile.", channels, f.k_block and " (one reduction block)" or "",
      f.col_tiles[1].size, channels * L.kh * L.kw, p.ohow, channels * L.kh * L.kw)
  end
  return f
end

-- The NCHW driver's prologue (staging, group pointers, reduction blocks), its tile sites and each
-- kernel call's operands, for simd_plan.driver.
local function driver_calls(c)
  local L, p, f, isa, d, g, decl = c.L, c.p, c.f, c.isa, c.d, c.g, c.decl
  local pro = d.prologue
  local col_sites, row_sites, call, inner_rows, outer_first
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
  elseif f.panels then
    pro[#pro + 1] = { call = "im2col_block", args = { src, "stage" } }
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
    else   -- a panel starts p0 rows of K into the block
      b = f.panels and operand("b_row", ct.value, kb and kb.k or p.kg) or operand("b_row", ct.value, 1, "kb", kb_step)
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
    ({ im2col = f.panels and "im2col into B panels, then tiles over the panels"
         or "im2col, then tiles over the col matrix",
       padded = "kernel taps read in place from a zero-padded copy of the image",
       staged = "kernel taps read in place from a zero-padded copy split into column phases",
       input = "kernel taps read in place from the image" })[f.source],
    f.row_tiles[1].size, f.col_tiles[1].size)
  return { col_sites = col_sites, row_sites = row_sites, call = call, inner_rows = inner_rows,
           outer_first = outer_first }
end

return { plan = plan_nchw, driver_calls = driver_calls, FC_BLAS_MIN_BYTES = FC_BLAS_MIN_BYTES }
