-- The extreme layers the validator accepts (issue 8 section 1): largest padding, stride and dilation, both layouts.
-- Small enough that the layer harness runs them under UBSan and ASan in seconds (tests/extreme/run_extreme.lua).
local layers = {}
local layouts = { { "NCHW", "nchw" }, { "NHWC", "nhwc" } }
for i = 1, 2 do
  local layout, l = layouts[i][1], layouts[i][2]
  -- Padding: the dilated kernel's extent - 1 + 64 on every side (docs/spec.md, 'Limits').
  layers[#layers + 1] = { name = "pad_" .. l, layout = layout, input = { n = 2, c = 3, h = 3, w = 4 }, filters = 4,
    kernel = 3, padding = 66, backward = true }
  layers[#layers + 1] = { name = "pad_dil_" .. l, layout = layout, input = { c = 2, h = 3, w = 3 }, filters = 2,
    kernel = 2, dilation = 3, padding = { top = 67, bottom = 67, left = 67, right = 0 }, activation = "relu" }
  -- Stride: the largest in both directions, with the largest padding.
  layers[#layers + 1] = { name = "stride_" .. l, layout = layout, input = { n = 2, c = 2, h = 5, w = 6 }, filters = 3,
    kernel = 3, stride = 65536, padding = 66, backward = true }
  layers[#layers + 1] = { name = "stride_w_" .. l, layout = layout, input = { c = 17, h = 2, w = 70 }, filters = 5,
    kernel = { 1, 2 }, stride = { 1, 65536 }, padding = { top = 64, bottom = 64, left = 65, right = 65 } }
  -- Dilation: the largest, over a padded input just tall enough, with the most padding that allows.
  layers[#layers + 1] = { name = "dil_" .. l, layout = layout, input = { c = 2, h = 1, w = 4 }, filters = 2,
    kernel = { 2, 3 }, dilation = { 65536, 1 }, padding = { top = 65600, bottom = 65600, left = 1, right = 1 } }
  layers[#layers + 1] = { name = "dil_dw_" .. l, layout = layout, input = { c = 16, h = 2, w = 1 }, filters = 16,
    groups = 16, kernel = { 1, 2 }, dilation = { 1, 65536 },
    padding = { top = 0, bottom = 0, left = 65536, right = 0 } }
  -- The same extremes transposed: the output grows with stride and dilation.
  layers[#layers + 1] = { name = "tstride_" .. l, op = "conv_transpose2d", layout = layout,
    input = { c = 3, h = 2, w = 2 }, filters = 2, kernel = { 1, 2 }, stride = { 65536, 1 } }
  layers[#layers + 1] = { name = "tdil_" .. l, op = "conv_transpose2d", layout = layout,
    input = { c = 2, h = 1, w = 3 }, filters = 3, kernel = 2, dilation = { 65536, 1 },
    padding = { top = 3, bottom = 2, left = 1, right = 0 } }
end
return { prefix = "ext_", layers = layers }
