-- Good spec: SAME padding with odd totals (TensorFlow SAME_UPPER puts the extra after).
return {
  prefix = "same_",
  layers = {
    -- in 32, k 3, s 2 -> out 16, total 1: top 0, bottom 1
    { name = "s2_k3", input = { c = 1, h = 32, w = 32 }, filters = 1, kernel = 3, stride = 2, padding = "same" },
    -- in 49, k 10, s 2 -> out 25, total 9: 4 / 5; width in 5, k 4, s 1 -> total 3: 1 / 2
    { name = "rect", input = { c = 2, h = 49, w = 5 }, filters = 2, kernel = { 10, 4 }, stride = { 2, 1 },
      padding = "same" },
    -- dilation 2 makes a 3-tap kernel span 5: in 7, s 1 -> total 4: 2 / 2
    { name = "dilated", input = { c = 1, h = 7, w = 7 }, filters = 1, kernel = 3, dilation = 2, padding = "same" },
    -- a stride larger than the kernel can need no padding at all: in 6, k 1, s 3 -> total 0
    { name = "no_pad", input = { c = 1, h = 6, w = 6 }, filters = 1, kernel = 1, stride = 3, padding = "same" },
    { name = "valid", input = { c = 1, h = 6, w = 6 }, filters = 1, kernel = 3, padding = "valid" },
  },
}
