-- Unit tests of planning (plan.lua, simd_plan.lua, portable.lua): kernels, tiles, bands, limits, purity, golden plans.
-- After a deliberate planning change, refresh the golden text from the source directory with
--   lua5.4 generator/convgen.lua --plan tests/unit/plan_layers.lua > tests/unit/golden.plan
local unit = dofile((arg[0]:match("^(.*)/") or ".") .. "/unit.lua")
local root = unit.root()
local check = require("checks")
local emit = require("generator.emit")
local plan = require("generator.plan")
local plan_text = require("generator.plan_text")
local spec = require("generator.spec")

local function layers(text)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write("return { layers = { ", text, " } }\n")
  f:close()
  local model, errors = spec.load(path, {})
  os.remove(path)
  assert(model, errors and errors[1])
  return model
end

local function one(text, options)
  local model = layers(text)
  return plan.layer(model.layers[1], options or {})
end

-- Kernel choice and tiles.
local p = one([[{ name = "a", input = { c = 3, h = 9, w = 40 }, filters = 5, kernel = 3, stride = 2, padding = 1 }]])
check.eq(p.simd[1].kind, "nchw", "NCHW kernel")
check.eq(p.simd[1].source, "staged", "stride 2, short reduction: taps read from phase-split staging")
check.eq(p.simd[1].col_tiles[1].size, 20, "one 20-column tile per output row")
check.eq(p.simd[1].row_tiles[1].size, 5, "all 5 output channels in one row tile")
check.eq(p.simd[1].workspace_elems, 3 * 11 * 42, "staging: C x padded rows x 2 phases of 21")
p = one([[{ name = "a", input = { c = 64, h = 8, w = 8 }, filters = 100, kernel = 1 }]])
check.ok(p.direct_gemm and p.simd[1].source == "input", "1x1: the input is B (AVX-512)")
check.ok(p.simd[2].panels and p.simd[2].workspace_elems == 64 * 64, "1x1 on AVX2: the input packed into B panels")
check.eq(p.simd[1].col_tiles[1].size, 32, "64 pixels in two 32-column tiles")
check.eq(p.simd[1].col_tiles[1].count, 2, "two column tiles")
check.eq(p.simd[1].row_tiles[1].size, 12, "100 channels: 12-row tiles (24 accumulators / 2 vectors)")
check.eq(p.simd[1].row_tiles[2].size, 4, "and a 4-row tail")
p = one([[{ name = "a", layout = "NHWC", input = { c = 24, h = 6, w = 6 }, filters = 24, groups = 24, kernel = 3 }]])
check.ok(p.depthwise and p.simd[1].kind == "depthwise", "NHWC depthwise kernel")
check.eq(p.simd[1].masks, nil, "tile masks live in the kernels")
check.eq(p.simd[1].kernels[1].masks[1], "0x00ff", "24 channels: a masked second vector")
-- The AVX2 plan of the same layer: 8 lanes, tail masks as integer vectors.
check.eq(p.simd[2].isa, "avx2", "second SIMD path: AVX2")
check.eq(p.simd[2].kernels[1].vectors, 3, "AVX2: 24 channels in three 8-lane vectors")
check.eq(p.simd[2].kernels[1].masks[2], nil, "AVX2: 24 = 3 x 8 needs no mask")
p = one([[{ name = "a", input = { c = 3, h = 9, w = 40 }, filters = 5, kernel = 3, stride = 2, padding = 1 }]])
check.eq(p.simd[1].isa, "avx512", "first SIMD path: AVX-512")
check.eq(p.simd[2].col_tiles[1].size, 16, "AVX2: 20 columns as 16 + 4 (3 vectors; two tiles of 10 take 4)")
check.eq(p.simd[2].col_tiles[2].size, 4, "AVX2: the 4-column tail tile")
check.eq(p.simd[2].row_tiles[1].size, 5, "AVX2: 5 rows (12 accumulators / 2 vectors = 6)")
check.eq(p.simd[2].kernels[2].masks[0], "_mm256_setr_epi32(-1, -1, -1, -1, 0, 0, 0, 0)", "AVX2: a 4-wide tile's mask")
check.eq(p.simd[1].col_tiles[1].size, 20, "AVX-512: one 20-column tile (2 vectors either way: evenly sized)")
-- NHWC tiles within the register file: AVX2 (16 registers) takes 2 vectors x 6 rows, not 4 x 3.
p = one([[{ name = "a", layout = "NHWC", input = { c = 64, h = 5, w = 25 }, filters = 64, kernel = 1 }]])
check.eq(p.simd[1].col_tiles[1].size, 64, "AVX-512: 64 output channels in one 4-vector tile")
check.eq(p.simd[2].col_tiles[1].size, 16, "AVX2: 16-channel (2-vector) tiles")
check.eq(p.simd[2].row_tiles[1].size, 6, "AVX2: 125 pixels in tiles of 6 (at most 6 rows: 2 x 6 + 2 + 1 <= 16)")
check.ok(p.simd[2].flat_pixels, "1x1 unit stride: tiles run over the whole image's pixels, not one row's 25")
check.eq(p.simd[2].driver.rows, nil, "flat pixels: no loop over output rows")
for _, f in ipairs(p.simd) do
  local isa = require("generator.isa." .. f.isa)
  local k = f.kernels[1]
  check.ok(k.rows * k.vectors + k.vectors + 1 <= isa.registers, f.isa .. ": live vectors fit the registers")
end
-- A large NCHW 1x1 layer keeps its kernels on AVX2 too (no isa.blas_min_macs): flat tiles over B panels.
p = one([[{ name = "a", input = { c = 64, h = 56, w = 56 }, filters = 256, kernel = 1 }]])
check.eq(p.simd[1].isa, "avx512", "AVX-512 keeps its kernels")
check.ok(p.simd[2].isa == "avx2" and p.simd[2].panels and p.simd[2].k_loop == "flat",
  "AVX2: flat tiles over the input packed into B panels, not one output row at a time")
-- Cache blocking from --l1-cache / --l2-cache (simd_plan.lua): ResNet-18's 7x7 3x3 layer.
local r18_l4 = [[{ name = "a", input = { c = 512, h = 7, w = 7 }, filters = 512, kernel = 3, padding = 1 }]]
p = one(r18_l4)
local avx2 = p.simd[2]
check.eq(avx2.isa, "avx2", "r18_l4: AVX2 path")
check.eq(avx2.source, "im2col", "7 columns < 8 lanes: im2col")
check.eq(#avx2.col_tiles, 2, "49 columns: 3 x 16 + 1 (7 vectors, not 4 x 13 in 8)")
check.eq(avx2.col_tiles[2].size, 1, "the 1-column tail")
check.ok(avx2.panels, "im2col straight into B panels")
check.ok(avx2.kernels[1].b_kstride == 16 and not avx2.kernels[1].dot, "a 16-column tile reads its panel's rows")
check.ok(avx2.kernels[2].dot and avx2.kernels[2].width == 1, "the 1-column tail: dot products along k")
check.eq(avx2.order, "rows", "9.4 MB of weights: each row tile's weight panel read once")
check.eq(avx2.k_block.channels, 256, "a 903 KB col matrix: reduction blocks of 256 channels (441 KB of col each)")
check.eq(avx2.workspace_elems, 256 * 9 * 49, "the workspace holds one block's columns")
check.ok(avx2.block_im2col and avx2.driver.k_blocks.count == 2, "im2col one block at a time, 2 blocks")
check.eq(avx2.driver.sites[1].args, nil, "order rows: a row tile's loop holds the column tiles' calls")
check.eq(#avx2.driver.sites[1].sites[1].args, 6, "blocked kernels take first and last")
p = one(r18_l4, { l2_cache = 4 * 1024 * 1024 })
check.eq(p.simd[2].k_block, nil, "a 4 MiB L2 holds the col matrix: no reduction blocks")
check.eq(p.simd[2].order, "rows", "but not the weights: rows outside")
p = one([[{ name = "a", input = { c = 16, h = 32, w = 32 }, filters = 16, kernel = 3, padding = 1 }]])
check.eq(p.simd[2].order, "columns", "small weights stay in L2: output rows outside, as before")
check.eq(p.simd[2].driver.rows, 32, "one output row at a time")
-- A padded depthwise layer reads its taps in place per border region, with no padded copy.
p = one([[{ name = "a", layout = "NHWC", input = { c = 128, h = 6, w = 6 }, filters = 128, groups = 128,
  kernel = 3, padding = 1 }]])
check.eq(p.simd[2].source, "regions", "depthwise, padded: border regions")
check.eq(p.simd[2].workspace_elems, 0, "no staging")
check.eq(#p.simd[2].regions, 9, "3x3 regions: corners, edges and the interior")
check.eq(#p.simd[2].regions[1].taps, 4, "the top-left corner reads 4 taps")
check.eq(#p.simd[2].regions[5].taps, 9, "the interior reads all 9")
check.eq(p.simd[2].regions[1].taps[1].x, 0, "offsets from the region's first in-image tap")
p = one([[{ name = "a", dtype = "f64", input = { c = 3, h = 9, w = 40 }, filters = 5, kernel = 3 }]])
check.eq(p.simd, nil, "f64: portable path only")
p = one([[{ name = "a", input = { c = 3, h = 9, w = 40 }, filters = 5, kernel = 3 }]], { no_simd = true })
check.eq(p.simd, nil, "--no-simd: portable path only")
-- A fully connected layer written as a convolution (the kernel covers the unpadded image): GEMV kernels.
p = one([[{ name = "a", input = { c = 1024, h = 1, w = 1 }, filters = 1001, kernel = 1 }]])
check.eq(p.simd and p.simd[2].kind, "gemv", "1x1 output, 4 MB of weights: the GEMV kernels")
check.eq(p.simd[2].row_tiles[1].size * p.simd[2].row_tiles[1].count + p.simd[2].row_tiles[2].size, 1001,
  "row tiles cover every output channel")
p = one([[{ name = "a", input = { c = 16, h = 5, w = 5 }, filters = 120, kernel = 5 }]])
check.eq(p.simd and p.simd[1].kind, "gemv", "1x1 output, 192 KB of weights: the GEMV kernels")
-- Another one-pixel layer (padded): the BLAS from 1 MiB of weights, the tiles below.
p = one([[{ name = "a", input = { c = 1024, h = 1, w = 1 }, filters = 1001, kernel = 3, padding = 1 }]])
check.eq(p.simd, nil, "1x1 output of a padded 3x3 kernel, 37 MB of weights: the portable path's GEMM")
p = one([[{ name = "a", input = { c = 16, h = 3, w = 3 }, filters = 120, kernel = 5, padding = 1 }]])
check.ok(p.simd and p.simd[1].source == "im2col", "1x1 output, 192 KB of weights: the SIMD kernels")

-- Bands: the workspace budget bounds the portable im2col block.
p = one([[{ name = "a", input = { c = 4, h = 30, w = 10 }, filters = 2, kernel = 3, padding = 1 }]],
  { workspace_budget = 36 * 10 * 4 * 3, no_simd = true })
check.eq(p.bands.rows, 3, "3 output rows per band")
check.eq(p.workspace_bytes, ((36 * 3 * 10 * 4 + 63) // 64) * 64, "workspace = one band")
check.eq(p.bands.sites[2].name, "im2col_rows_interior", "interior bands share one function")
check.eq(p.bands.sites[2].first_band, 1, "first interior band")
check.eq(p.bands.sites[2].last_band, 9, "bands 1..8 are interior")
check.eq(#p.bands.sites, 3, "top band, interior bands, bottom band")
check.eq(p.im2col.mode, "loops", "this layer's whole im2col runs as loops")
for _, site in ipairs(p.bands.sites) do   -- small bands must not unroll what the whole layer loops
  check.eq(site.prog.mode, "loops", site.name .. ": loops like the whole layer's im2col")
end

-- Hard limits: a layer whose index arithmetic would pass INT_MAX is refused with the reason.
local refused, why = one([[{ name = "a", input = { c = 1, h = 1, w = 1048576 }, filters = 1, kernel = { 2, 1 },
  stride = { 65536, 1 }, dilation = { 65536, 1 }, padding = { top = 65600, bottom = 65600, left = 0, right = 0 } }]])
check.eq(refused, nil, "index limit: no plan")
check.ok(why and why:find("more than 2147483647", 1, true), "index limit: the reason names the limit")

-- The exact index bound of copy programs (copyprog.max_index): each term at its loop's extreme.
local copyprog = require("generator.copyprog")
local off = copyprog.offset
check.eq(copyprog.max_index({ { kind = "loop", var = "oh", lo = 0, hi = 1048577, body = {
  { kind = "copy", dst = off(0, "oh", 1), src = off(-2147483648, "oh", 2048), count = 1, stride = 1 } } } }),
  2147483648 + 1048576 * 2048 + 1, "max_index sees the issue's overflowing offset")
check.eq(copyprog.max_index({ { kind = "copy", dst = off(0), src = off(5), count = 4, stride = 3 } }), 17,
  "max_index: a strided source run")
check.eq(copyprog.max_index({ { kind = "copy", dst = off(0, "band", 100), src = off(0), count = 1, stride = 1 } },
  { band = 7 }), 701, "max_index of a band argument")
check.raises(function() copyprog.max_index({ { kind = "zero", dst = off(0, "q", 1), count = 1 } }) end,
  "outside its loop", "a term with no loop is an error")

-- Purity: every plan of the test specs is data, and emission leaves it as it was.
local purity_specs = { "tests/specs/curated.lua", "tests/specs/seed_gradients.lua", "examples/resnet8/resnet8.lua" }
for _, path in ipairs(purity_specs) do
  local model = assert(spec.load(root .. "/" .. path, {}))
  local plans, before = {}, {}
  for i, L in ipairs(model.layers) do
    plans[i] = assert(plan.layer(L, {}))
    local ok, text = pcall(plan_text.render, plans[i])
    check.ok(ok, path .. " " .. L.name .. ": plan is data (" .. tostring(not ok and text or "") .. ")")
    before[i] = ok and text or ""
  end
  emit.model(root .. "/templates", model, plans, "x.lua")
  for i, L in ipairs(model.layers) do
    check.ok(plan_text.render(plans[i]) == before[i], path .. " " .. L.name .. ": emission changed the plan")
  end
end

-- Golden --plan text for tests/unit/plan_layers.lua.
local cmd = string.format("cd '%s' && lua5.4 generator/convgen.lua --plan tests/unit/plan_layers.lua", root)
local pipe = assert(io.popen(cmd))
local got = pipe:read("a")
pipe:close()
local f = assert(io.open(root .. "/tests/unit/golden.plan"))
local want = f:read("a")
f:close()
if got ~= want then
  local n = 1
  for line in (got .. "\n"):gmatch("(.-)\n") do
    local w = select(n, table.unpack((function()
      local t = {}
      for l in (want .. "\n"):gmatch("(.-)\n") do t[#t + 1] = l end
      return t
    end)()))
    if line ~= w then
      io.stderr:write(string.format("golden.plan line %d: got %q, want %q\n", n, line, tostring(w)))
      break
    end
    n = n + 1
  end
end
check.ok(got == want, "--plan output equals tests/unit/golden.plan (see the header to refresh it)")

check.report(unit, "plan")
unit.finish()
