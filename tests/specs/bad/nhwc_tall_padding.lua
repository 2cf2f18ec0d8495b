-- Bad spec: an NHWC layer with h = 65535 and top padding 1048576 (planning ran past 900 s before the limit).
return {
  layers = {
    { name = "nhwc_pad", layout = "NHWC", input = { c = 1, h = 65535, w = 2 }, filters = 1, kernel = 1,
      padding = { top = 1048576, bottom = 0, left = 0, right = 0 } },
  },
}
