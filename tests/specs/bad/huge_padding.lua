-- Bad spec: issue 8's overflowing layer (top/bottom padding 2^21 on a 3-row input).
return {
  layers = {
    { name = "ovf", input = { c = 2, h = 3, w = 1024 }, filters = 1, kernel = 1, stride = { 2, 1024 },
      padding = { top = 2097152, bottom = 2097152, left = 0, right = 0 }, bias = false, unroll = "loops" },
  },
}
