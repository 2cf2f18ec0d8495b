-- Unit tests of generator/geometry.lua against the convolution formulas (SAME, asymmetric, transposed, tap ranges).
local unit = dofile((arg[0]:match("^(.*)/") or ".") .. "/unit.lua")
unit.root()
local check = require("checks")
local geometry = require("generator.geometry")

-- Output size: PyTorch's formula, written out independently.
for _, c in ipairs({
  { 32, 3, 1, 1, 1, 1, 32 }, { 32, 3, 2, 1, 1, 1, 16 }, { 7, 7, 2, 1, 3, 3, 4 }, { 5, 3, 1, 2, 0, 0, 1 },
  { 10, 3, 3, 1, 0, 2, 4 }, { 1, 1, 65536, 1, 64, 64, 1 }, { 224, 7, 2, 1, 3, 2, 112 }, { 4, 5, 1, 1, 0, 0, 0 },
}) do
  local got = geometry.out_size(c[1], c[2], c[3], c[4], c[5], c[6])
  check.eq(got, c[7], string.format("out_size(%d, k=%d, s=%d, d=%d, %d+%d)", table.unpack(c, 1, 6)))
  check.eq(got, math.floor((c[1] + c[5] + c[6] - c[4] * (c[2] - 1) - 1) / c[3]) + 1, "out_size vs floor formula")
end

-- SAME_UPPER: output ceil(in / stride); the odd extra pixel after.
for _, c in ipairs({
  { 32, 3, 1, 1, 1, 1 }, { 32, 3, 2, 1, 0, 1 }, { 224, 7, 2, 1, 2, 3 }, { 5, 1, 1, 1, 0, 0 },
  { 9, 3, 1, 2, 2, 2 }, { 6, 4, 1, 1, 1, 2 }, { 3, 5, 4, 1, 1, 1 },
}) do
  local before, after = geometry.same_padding(c[1], c[2], c[3], c[4])
  local what = string.format("same_padding(%d, k=%d, s=%d, d=%d)", c[1], c[2], c[3], c[4])
  check.eq(before, c[5], what .. " before")
  check.eq(after, c[6], what .. " after")
  check.eq(geometry.out_size(c[1], c[2], c[3], c[4], before, after), (c[1] + c[3] - 1) // c[3],
    what .. " keeps ceil(in/s)")
end

-- Transposed: (in - 1)*s - pads + d*(k - 1) + output_padding + 1, and it inverts out_size.
check.eq(geometry.transposed_out_size(4, 3, 2, 1, 1, 1, 1), 8, "transposed 4 -> 8 (stride 2, pad 1, out_pad 1)")
check.eq(geometry.transposed_out_size(1, 2, 65536, 65536, 0, 0, 0), 65537, "transposed dilation 65536")
check.eq(geometry.transposed_out_size(5, 3, 1, 1, 2, 0, 0), 5, "transposed asymmetric padding")
for in_size = 1, 9 do
  for k = 1, 4 do
    for s = 1, 3 do
      local out = geometry.transposed_out_size(in_size, k, s, 1, 0, 0, 0)
      check.eq(geometry.out_size(out, k, s, 1, 0, 0), in_size, "forward of transposed restores the size")
    end
  end
end

-- Valid ranges and tap regions against a brute-force scan.
for _, c in ipairs({
  { 8, 1, 1, 3, 8 }, { 5, 2, 2, 3, 9 }, { 7, 3, 0, 2, 6 }, { 12, 1, 4, 5, 3 }, { 3, 65536, 66, 3, 5 },
}) do
  local out, stride, pad, taps, in_size = table.unpack(c)
  for dilation = 1, 3 do
    local regions = geometry.tap_regions(out, stride, pad, dilation, taps, in_size)
    local covered = 0
    for i, r in ipairs(regions) do
      check.eq(r.lo, covered, "regions are contiguous")
      for o = r.lo, r.hi - 1 do
        for k = 0, taps - 1 do
          local at = o * stride - pad + k * dilation
          check.eq(r.valid[k], at >= 0 and at < in_size, string.format("tap %d at output %d", k, o))
        end
      end
      if i > 1 then check.ok(r.key ~= regions[i - 1].key, "neighbouring regions differ") end
      covered = r.hi
    end
    check.eq(covered, out, "regions cover every output")
    for k = 0, taps - 1 do
      local lo, hi = geometry.valid_range(out, stride, k * dilation - pad, in_size)
      for o = 0, out - 1 do
        local at = o * stride - pad + k * dilation
        check.eq(o >= lo and o < hi, at >= 0 and at < in_size, "valid_range of tap " .. k)
      end
    end
  end
end

-- Facts of a layer.
local function layer(t)
  local L = { n = 1, c = 4, h = 5, w = 5, m = 8, kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1, groups = 1,
    pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0, layout = "NCHW" }
  for k, v in pairs(t) do L[k] = v end
  L.oh = geometry.out_size(L.h, L.kh, L.sh, L.dh, L.pad_top, L.pad_bottom)
  L.ow = geometry.out_size(L.w, L.kw, L.sw, L.dw, L.pad_left, L.pad_right)
  return L
end
local f = geometry.facts(layer({}))
check.ok(f.direct_gemm and not f.padded and not f.batch_in_gemm, "1x1 NCHW: direct GEMM, per image")
check.ok(geometry.facts(layer({ layout = "NHWC" })).batch_in_gemm, "1x1 NHWC: the batch is one matrix")
f = geometry.facts(layer({ kh = 3, kw = 3, pad_top = 1, pad_bottom = 2, pad_left = 0, pad_right = 1 }))
check.ok(f.padded and not f.direct_gemm, "padded 3x3")
check.eq(f.hp, 8, "padded height")
check.eq(f.wp, 6, "padded width")
check.eq(f.kg, 36, "reduction length")
f = geometry.facts(layer({ groups = 4, m = 4, kh = 3, kw = 3 }))
check.ok(f.depthwise and f.cg == 1 and f.mg == 1, "depthwise")
check.ok(not geometry.facts(layer({ groups = 4, m = 8 })).depthwise, "channel multiplier 2 is not depthwise")
check.ok(not geometry.facts(layer({ sh = 2 })).direct_gemm, "strided 1x1 is not a direct GEMM")
local F = geometry.associated_forward({ op = "conv_transpose2d", c = 3, h = 4, w = 5, m = 6, oh = 9, ow = 11 })
check.ok(F.c == 6 and F.h == 9 and F.w == 11 and F.m == 3 and F.oh == 4 and F.ow == 5, "associated forward sizes")

check.report(unit, "geometry")
unit.finish()
