-- Plans the SIMD weight gradient of an NCHW depthwise layer: per channel, vectors along output columns.
--
-- dw[c][kh][kw] = sum over images and output pixels of x[c][oh*sh + kh*dh - pt][ow*sw + kw*dw - pl]
-- * dy[c][oh][ow]. Each image's channel plane is first copied into zero-padded *phase planes*
-- (sh x sw of them: phase (a, b) holds the padded rows a, a + sh, ... and columns b, b + sw, ...),
-- so every tap reads its phase plane at a fixed offset with unit stride, like dy. One
-- accumulator vector per tap (taps in blocks that fit the register budget), lanes along ow
-- with a masked tail; after the last image, each accumulator's lanes are added in lane
-- order. Summation order (fixed): per dw element and lane, images in order, rows in order,
-- column vectors in order; then the lanes in order.
local gt = require("generator.gradients_tiles")

local gradients_dwnchw = {}

-- The even lanes of two vectors (a then b), per ISA: the stride-2 copy's deinterleave.
local EVENS = {
  avx2 = "_mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(%s, %s, 0x88)), 0xD8))",
  avx512 = "_mm512_permutex2var_ps(%s, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),"
    .. " %s)",
}

-- The same plane scan serves dense NCHW layers (dense = true) whose dy does not fit in L2 (the
-- outer-product kernels transpose each image's dy, 22 MB for yolo3_conv0) and whose rows are
-- long (vectors along ow): per image and input channel the plane is copied once, and every
-- output channel m scans it with its dy plane: dw[m][c][tap] += that image's sum, images in order.
local DENSE_MIN_OW, DENSE_MIN_DY_BYTES, DENSE_MAX_C = 64, 1024 * 1024, 4
function gradients_dwnchw.plane_scan_pays(L, p, isa)
  return L.layout == "NCHW" and L.groups == 1 and L.ow >= DENSE_MIN_OW and L.c <= DENSE_MAX_C
    and p.ohow * L.m * 4 >= DENSE_MIN_DY_BYTES and isa.lanes > 0
end

function gradients_dwnchw.weights(L, _, isa, dense)
  local w = { kind = "dw_nchw", evens = EVENS[isa.name], dense = dense }
  -- Phase plane size: the output grid plus the largest tap offset in each direction.
  w.ph = L.oh + ((L.kh - 1) * L.dh) // L.sh
  w.pw = L.ow + ((L.kw - 1) * L.dw) // L.sw
  w.phases = L.sh * L.sw
  w.plane = w.ph * w.pw
  w.taps = {}
  for kh = 0, L.kh - 1 do
    for kw = 0, L.kw - 1 do
      local rh, rw = kh * L.dh, kw * L.dw
      local phase = (rh % L.sh) * L.sw + (rw % L.sw)
      w.taps[#w.taps + 1] = { index = kh * L.kw + kw, off = phase * w.plane + (rh // L.sh) * w.pw + rw // L.sw }
    end
  end
  w.blocks = {}
  for first = 1, #w.taps, isa.accumulators do
    local block = {}
    for i = first, math.min(#w.taps, first + isa.accumulators - 1) do block[#block + 1] = w.taps[i] end
    w.blocks[#w.blocks + 1] = block
  end
  w.full = L.ow // isa.lanes
  local rest = L.ow - w.full * isa.lanes
  w.tail_mask = rest > 0 and gt.masks(isa, rest)[0] or nil
  -- The copy: per image row h, its padded row r = h + pt lands in phase row r % sh, row r // sh;
  -- per column phase b, plane columns j with w = j*sw + b - pl inside the image.
  w.col_runs = {}
  for b = 0, L.sw - 1 do
    local lo, hi
    for j = 0, w.pw - 1 do
      local x = j * L.sw + b - L.pad_left
      if x >= 0 and x < L.w then
        lo = lo or j
        hi = j + 1
      end
    end
    if lo then
      local run = { b = b, lo = lo, hi = hi, x0 = lo * L.sw + b - L.pad_left }
      -- Stride 2: the first `vectors` chunks of lanes columns are deinterleaved from pairs of
      -- vector loads that stay inside the image row; the rest are copied one by one.
      run.vectors = 0
      if L.sw == 2 and EVENS[isa.name] then
        while run.lo + (run.vectors + 1) * isa.lanes <= hi
          and run.x0 + 2 * (run.vectors + 1) * isa.lanes - 1 <= L.w - 1 do
          run.vectors = run.vectors + 1
        end
      end
      w.col_runs[#w.col_runs + 1] = run
    end
  end
  w.workspace_elems = gt.round16(w.phases * w.plane)
  return w
end

return gradients_dwnchw
