-- Small f64 conv2d layers with gradients for the finite-difference check of tests/check_gradcheck.c.
local layers = {}
local function add(layer)
  layer.op = "conv2d"
  layer.dtype = "f64"
  layer.backward = true
  layer.activation = "none"
  layers[#layers + 1] = layer
end

add { name = "plain", input = { n = 2, c = 2, h = 5, w = 6 }, filters = 3, kernel = 3, padding = 1 }
add { name = "stride2", layout = "NHWC", input = { n = 1, c = 3, h = 7, w = 6 }, filters = 2,
      kernel = 3, stride = 2, padding = { top = 0, bottom = 1, left = 1, right = 0 } }
add { name = "dilated", input = { n = 1, c = 2, h = 7, w = 7 }, filters = 2, kernel = { 3, 2 },
      dilation = { 2, 3 }, padding = { 2, 1 } }
add { name = "groups", layout = "NHWC", input = { n = 2, c = 4, h = 5, w = 4 }, filters = 6,
      kernel = 2, groups = 2, padding = { 1, 0 } }
add { name = "depthwise", input = { n = 1, c = 3, h = 6, w = 5 }, filters = 6, kernel = 3,
      groups = 3, stride = { 1, 2 }, padding = 1 }
add { name = "pointwise", layout = "NHWC", input = { n = 3, c = 4, h = 3, w = 3 }, filters = 2,
      kernel = 1, bias = false }
add { name = "wide_pad", input = { n = 1, c = 1, h = 3, w = 4 }, filters = 2, kernel = 2,
      padding = 3, stride = 3 }
add { name = "asym", layout = "NHWC", input = { n = 1, c = 2, h = 6, w = 5 }, filters = 3,
      kernel = { 1, 3 }, stride = { 2, 1 }, dilation = { 1, 2 },
      padding = { top = 1, bottom = 0, left = 2, right = 1 } }

return { prefix = "gc_", layers = layers }
