-- Plans both gradients of an NCHW fully connected layer written as a convolution (kernel = whole input).
--
-- Such a layer (1x1 output, kernel the input's size, no padding, groups 1) is a matrix
-- product over K = C*KH*KW: dx[n][k] = sum over m of dy[n][m] * w[m][k] and
-- dw[m][k] = sum over n of dy[n][m] * x[n][k]. The GEMM path hands OpenBLAS a 1-column
-- product (mnv1_logits: 0.19x oneDNN for data, 0.15x for weights in the 07:16 quiet run);
-- here both stream w (or dw) once, row by row, vectors along k:
--   data:    dx zeroed, then per block of up to 8 rows of w, dx[k] += dy[m] * w[m][k] for
--            the block's m in order (per dx element: m ascending, images apart);
--   weights: dw[m][k] = dy[0][m] * x[0][k] + dy[1][m] * x[1][k] + ... (images in order).
local gt = require("generator.gradients_tiles")

local gradients_fc = {}

local ROWS_PER_BLOCK = 8

function gradients_fc.applies(L, p)
  return L.layout == "NCHW" and not p.depthwise and L.groups == 1 and L.oh == 1 and L.ow == 1
    and L.kh == L.h and L.kw == L.w and L.dh == 1 and L.dw == 1
    and L.pad_top == 0 and L.pad_bottom == 0 and L.pad_left == 0 and L.pad_right == 0
end

-- The vector loop over k shared by both gradients: full vectors and a masked tail.
local function k_vectors(L, isa)
  local k = L.c * L.h * L.w
  local v = { k = k, full = k // isa.lanes }
  local rest = k - v.full * isa.lanes
  v.tail_mask = rest > 0 and gt.masks(isa, rest)[0] or nil
  return v
end

function gradients_fc.data(L, _, isa)
  local d = { kind = "fc", vec = k_vectors(L, isa), blocks = gt.tiles(L.m, ROWS_PER_BLOCK), workspace_elems = 0 }
  return d
end

function gradients_fc.weights(L, _, isa)
  return { kind = "fc", vec = k_vectors(L, isa), workspace_elems = 0 }
end

return gradients_fc
