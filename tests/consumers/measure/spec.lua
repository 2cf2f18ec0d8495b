-- A MobileNetV2 expansion layer (24 -> 144 channels at 56x56, 1x1, ReLU6): the timing in docs/integration.md.
return {
  prefix = "mnv2_",
  layers = {
    { op = "conv2d", name = "expand", input = { n = 1, c = 24, h = 56, w = 56 }, filters = 144, kernel = 1,
      activation = "relu6" },
  },
}
