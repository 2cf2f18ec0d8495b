-- MLPerf Tiny keyword-spotting DS-CNN: its three distinct convolution shapes (NHWC, f32), as in bench/bench_shapes.csv.
-- The first layer is TensorFlow's SAME on a 10x4 kernel with stride 2, written out: 4 top, 5 bottom, 1 left, 1 right.
-- The depthwise/pointwise pair repeats four times in the model with the same shapes, so it appears once here.
return {
  prefix = "dscnn_",
  layers = {
    { op = "conv2d", name = "ds_conv1", layout = "NHWC", dtype = "f32",
      input = { n = 1, c = 1, h = 49, w = 10 }, filters = 64, kernel = { 10, 4 }, stride = 2,
      padding = { top = 4, bottom = 5, left = 1, right = 1 }, activation = "relu" },

    -- depthwise 3x3: one filter per channel
    { op = "conv2d", name = "ds_dw", layout = "NHWC", dtype = "f32",
      input = { n = 1, c = 64, h = 25, w = 5 }, filters = 64, kernel = 3, padding = 1,
      groups = 64, activation = "relu" },

    -- pointwise 1x1: no im2col, the input is the GEMM operand
    { op = "conv2d", name = "ds_pw", layout = "NHWC", dtype = "f32",
      input = { n = 1, c = 64, h = 25, w = 5 }, filters = 64, kernel = 1, activation = "relu" },
  },
}
