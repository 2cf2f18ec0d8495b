-- MLPerf Tiny ResNet-8 (CIFAR-10, 16/32/64 filters): its nine convolutions, as in bench/bench_shapes.csv.
-- The stride-2 layers use TensorFlow's SAME padding, written out: 0 top/left, 1 bottom/right.
return {
  prefix = "resnet8_",
  layers = {
    { op = "conv2d", name = "conv1", input = { n = 1, c = 3, h = 32, w = 32 },
      filters = 16, kernel = 3, padding = 1, activation = "relu" },

    -- Stack 1: 16 filters at 32x32
    { op = "conv2d", name = "s1_a", input = { n = 1, c = 16, h = 32, w = 32 },
      filters = 16, kernel = 3, padding = 1, activation = "relu" },
    { op = "conv2d", name = "s1_b", input = { n = 1, c = 16, h = 32, w = 32 },
      filters = 16, kernel = 3, padding = 1 },

    -- Stack 2: 32 filters, down to 16x16
    { op = "conv2d", name = "s2_a", input = { n = 1, c = 16, h = 32, w = 32 },
      filters = 32, kernel = 3, stride = 2,
      padding = { top = 0, bottom = 1, left = 0, right = 1 }, activation = "relu" },
    { op = "conv2d", name = "s2_b", input = { n = 1, c = 32, h = 16, w = 16 },
      filters = 32, kernel = 3, padding = 1 },
    { op = "conv2d", name = "s2_short", input = { n = 1, c = 16, h = 32, w = 32 },
      filters = 32, kernel = 1, stride = 2 },

    -- Stack 3: 64 filters, down to 8x8
    { op = "conv2d", name = "s3_a", input = { n = 1, c = 32, h = 16, w = 16 },
      filters = 64, kernel = 3, stride = 2,
      padding = { top = 0, bottom = 1, left = 0, right = 1 }, activation = "relu" },
    { op = "conv2d", name = "s3_b", input = { n = 1, c = 64, h = 8, w = 8 },
      filters = 64, kernel = 3, padding = 1 },
    { op = "conv2d", name = "s3_short", input = { n = 1, c = 32, h = 16, w = 16 },
      filters = 64, kernel = 1, stride = 2 },
  },
}
