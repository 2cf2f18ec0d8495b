-- Plans the NHWC 1x1 input gradient as register-tiled dot products along the output channels.
--
-- For an NHWC 1x1 stride-1 unpadded layer (groups 1), dx[pixel][c] = sum over m of
-- dy[pixel][m] * w[c][m]: both operands are contiguous along m, so vectors run along m
-- and nothing is transposed or staged (the phase kernels need the weights transposed per
-- call, which cost more than the arithmetic on small images: docs/gradients.md). A tile
-- is (a few pixels) x (up to 4 input channels), one accumulator each; its lanes are added
-- at the end by a fixed tree, so the summation order is fixed: per dx element, the lanes
-- (m = j mod lanes, m ascending), then the lanes in the tree's order.
local gt = require("generator.gradients_tiles")

local gradients_dot = {}

-- Reduction spellings per ISA: AVX2 folds 4 accumulators into one 4-float vector with two
-- levels of hadd and a 128-bit add; AVX-512 reduces each accumulator on its own.
local REDUCE = {
  avx2 = { kind = "hadd4" },
  avx512 = { kind = "each", each = "_mm512_reduce_add_ps(%s)" },
}

-- Channels per tile (the hadd tree takes 4) and pixels per tile per ISA (accumulators + 4
-- weight vectors + 1 dy vector within the register file).
local CHANNELS = 4
local PIXELS = { avx2 = 2, avx512 = 5 }

function gradients_dot.applies(L, p)
  return L.layout == "NHWC" and not p.depthwise and L.groups == 1 and L.kh == 1 and L.kw == 1
    and L.sh == 1 and L.sw == 1 and L.pad_top == 0 and L.pad_bottom == 0 and L.pad_left == 0 and L.pad_right == 0
end

-- NHWC dense layers with at most 2 vectors of output channels (groups 1, not 1x1): OpenBLAS runs
-- the col = dy * w^T product (K = M) slowly; the same dot kernels write col (k = tap and input
-- channel: HWIO's rows), then the layer's col2im adds it into dx, per image.
function gradients_dot.col_applies(L, p, isa)
  return L.layout == "NHWC" and not p.depthwise and L.groups == 1 and L.m <= 2 * isa.lanes
    and (L.kh > 1 or L.kw > 1 or L.sh > 1 or L.sw > 1)
end

-- `col`: write col per image (pixels = one image's, width = C*KH*KW) and call col2im.
function gradients_dot.data(L, p, isa, col)
  local d = { kind = "dot", pixels = col and p.ohow or L.n * L.h * L.w, reduce = REDUCE[isa.name],
    workspace_elems = col and p.ohow * p.kg or 0, pitch = col and p.kg or L.c,
    col2im = col and (p.sym .. "_col2im") or nil }
  d.full = L.m // isa.lanes
  local rest = L.m - d.full * isa.lanes
  d.tail_mask = rest > 0 and gt.masks(isa, rest)[0] or nil
  d.row_tiles = gt.tiles(d.pixels, PIXELS[isa.name])
  d.col_tiles = gt.tiles(d.pitch, CHANNELS)
  d.kernels = {}
  for _, ct in ipairs(d.col_tiles) do
    for _, rt in ipairs(d.row_tiles) do
      d.kernels[#d.kernels + 1] = { name = string.format("bwd_data_dot_%dx%d", rt.size, ct.size), rows = rt.size,
        cols = ct.size, row_tile = rt, col_tile = ct }
    end
  end
  return d
end

return gradients_dot
