-- Bad spec: a clamp bound beyond the largest f32 would be written as an infinite literal.
return {
  layers = {
    { name = "clamped", input = { c = 1, h = 4, w = 4 }, filters = 1, kernel = 3,
      activation = { "clamp", 0, 1e39 } },
  },
}
