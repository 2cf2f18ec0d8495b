-- Plans the SIMD path of a fully connected layer written as an NCHW convolution: a GEMV over rows of the weights.
--
-- A layer whose kernel covers its whole unpadded image (one output pixel, groups 1) computes
-- y[m] = sum_k w[m][k] x[k] with x the image itself: K = C*KH*KW contiguous floats, in the same
-- order as each weight row. The outer-product tiles of simd_nchw.lua would use one lane per
-- vector there; a GEMV kernel instead runs vectors along K over several weight rows at once
-- (the weights stream once, each row contiguously; x is read from L1), then sums each row's
-- lanes. Row tiles of GEMV_ROWS rows: as many independent FMA chains as hide the FMA latency.
-- The driver is simd_nchw's flat one (one column tile of width 1), so P_conv_parallel splits
-- it by row tiles like any NCHW layer.

local T = require("generator.simd_tiles")

local simd_gemv = {}

-- Weight rows per kernel call: 8 independent accumulators (AVX2 needs 8 to cover 2 FMA ports x
-- 4 cycles of latency), within every ISA's 16 or 32 registers with the x vector beside them.
simd_gemv.ROWS = 8

-- Whether the layer is a GEMV: one output pixel whose reduction reads the image in place.
function simd_gemv.applies(L, p)
  return L.op == "conv2d" and L.groups == 1 and p.ohow == 1 and L.kh == L.h and L.kw == L.w
    and L.dh == 1 and L.dw == 1
    and L.pad_top == 0 and L.pad_bottom == 0 and L.pad_left == 0 and L.pad_right == 0
end

function simd_gemv.plan(_, p, isa)
  local f = { kind = "gemv", source = "input", k_loop = "flat", b_kstride = 1, workspace_elems = 0 }
  f.col_tiles = { { size = 1, count = 1 } }
  f.row_tiles = T.split(p.mg, simd_gemv.ROWS)
  -- A kernel per row-tile size; its K vectors (the last one masked) come from kernel_variants.
  f.kernels = {}
  for _, r in ipairs(f.row_tiles) do
    local kn = T.kernel_variants(isa, "gemv", { r }, { { size = p.kg, count = 1 } })[1]
    kn.name, kn.width, kn.k = string.format("gemv_%d", r.size), 1, p.kg
    f.kernels[#f.kernels + 1] = kn
  end
  return f
end

function simd_gemv.summary(isa, f, p)
  return string.format("%s path: fully connected (one output pixel): GEMV, %d weight rows at a time, vectors along "
    .. "the %d-long reduction, one horizontal sum per output", isa.title, f.row_tiles[1].size, p.kg)
end

return simd_gemv
