-- f32 layers sized so every SIMD weight-gradient kernel family takes them (checked against the reference).
-- Dense weight gradients need M/groups >= the vector lanes (8 on AVX2, 16 on AVX-512): the
-- NCHW and NHWC outer-product kernels, their tails (M/groups not a multiple of the lanes),
-- several passes of rows (tiles of two sizes), groups, strides, asymmetric padding, dilation.
local layers = {}
local function add(layer)
  layer.op = "conv2d"
  layer.dtype = "f32"
  layer.backward = true
  layers[#layers + 1] = layer
end

add { name = "nchw_c3", input = { n = 2, c = 3, h = 10, w = 12 }, filters = 16, kernel = 3, padding = 1 }
add { name = "nchw_passes", input = { n = 1, c = 5, h = 79, w = 40 }, filters = 32, kernel = 3, padding = 1,
      activation = "relu" }
add { name = "nchw_s2_tail", input = { n = 2, c = 6, h = 11, w = 9 }, filters = 20, kernel = 3, stride = 2,
      padding = { top = 0, bottom = 1, left = 0, right = 1 } }
add { name = "nchw_groups", input = { n = 1, c = 6, h = 9, w = 10 }, filters = 36, kernel = { 3, 2 }, groups = 2,
      dilation = { 1, 2 }, padding = { 1, 2 } }
add { name = "nchw_1x1", input = { n = 2, c = 40, h = 7, w = 7 }, filters = 24, kernel = 1 }
add { name = "nhwc_c3_s2", layout = "NHWC", input = { n = 1, c = 3, h = 17, w = 16 }, filters = 8, kernel = 3,
      stride = 2, padding = { top = 0, bottom = 1, left = 0, right = 1 }, activation = "relu6" }
add { name = "nhwc_groups", layout = "NHWC", input = { n = 2, c = 8, h = 6, w = 7 }, filters = 40, kernel = 3,
      groups = 2, padding = 1 }
add { name = "nhwc_1x1_small", layout = "NHWC", input = { n = 1, c = 30, h = 3, w = 3 }, filters = 36, kernel = 1 }
add { name = "nhwc_dil_passes", layout = "NHWC", input = { n = 1, c = 4, h = 40, w = 33 }, filters = 64, kernel = 3,
      dilation = 2, padding = 2 }
-- NHWC depthwise: x read in place by regions (pad on every side, strided asymmetric, dilated,
-- a channel tail) and, past 16 regions (7x7, pad 3), from a zero-padded copy.
add { name = "dw_pad1", layout = "NHWC", input = { n = 2, c = 20, h = 9, w = 7 }, filters = 20, groups = 20,
      kernel = 3, padding = 1 }
add { name = "dw_s2", layout = "NHWC", input = { n = 1, c = 16, h = 12, w = 11 }, filters = 16, groups = 16,
      kernel = 3, stride = 2, padding = { top = 0, bottom = 1, left = 0, right = 1 } }
add { name = "dw_7x7", layout = "NHWC", input = { n = 2, c = 8, h = 9, w = 9 }, filters = 8, groups = 8,
      kernel = 7, padding = 3 }
add { name = "dw_dil", layout = "NHWC", input = { n = 1, c = 9, h = 10, w = 8 }, filters = 9, groups = 9,
      kernel = 3, dilation = 2, stride = { 2, 1 }, padding = 2 }
-- NHWC 1x1 input gradient as dot products along M (at most 16 pixels in the batch): batches,
-- a channel tail, M with a tail, M below one vector.
add { name = "dot_batch", layout = "NHWC", input = { n = 2, c = 16, h = 2, w = 3 }, filters = 24, kernel = 1 }
add { name = "dot_narrow", layout = "NHWC", input = { n = 1, c = 9, h = 2, w = 3 }, filters = 5, kernel = 1,
      activation = "relu" }
-- NCHW fully connected layers (kernel = whole input): k with a tail, row blocks with a tail,
-- two images (the weight gradient's image loop); a 1x1 input.
add { name = "fc_3x3", input = { n = 2, c = 5, h = 3, w = 3 }, filters = 20, kernel = 3 }
add { name = "fc_1x1", input = { n = 1, c = 16, h = 1, w = 1 }, filters = 11, kernel = 1 }
-- NCHW depthwise weight gradients through phase planes: pad on every side with two images and
-- an ow tail; stride 2 with asymmetric padding; a dilated 5x5 (25 taps: three register blocks on AVX2).
add { name = "dwc_pad1", input = { n = 2, c = 5, h = 9, w = 19 }, filters = 5, groups = 5, kernel = 3, padding = 1 }
add { name = "dwc_s2", input = { n = 1, c = 4, h = 12, w = 37 }, filters = 4, groups = 4, kernel = 3, stride = 2,
      padding = { top = 0, bottom = 1, left = 0, right = 1 } }
add { name = "dwc_dil", input = { n = 1, c = 3, h = 13, w = 20 }, filters = 3, groups = 3, kernel = 5, dilation = 2,
      padding = 4, stride = { 1, 2 } }
-- Dense NCHW weight gradients by the same plane scans (few input channels, dy past 1 MiB,
-- rows of 64 or more): two images with an ow tail; stride 2 with asymmetric padding.
add { name = "scan_pad1", input = { n = 2, c = 2, h = 64, w = 70 }, filters = 64, kernel = 3, padding = 1 }
add { name = "scan_s2", input = { n = 1, c = 3, h = 130, w = 131 }, filters = 64, kernel = 3, stride = 2,
      padding = { top = 0, bottom = 1, left = 0, right = 1 } }

return { prefix = "gs_", layers = layers }
