-- Copy programs (generator/copyprog.lua) that stage one image for the SIMD kernels: zero padding, column phases.

local copyprog = require("generator.copyprog")

-- A zero-padded copy of one image's channels, so kernels read every tap in place.
local function padding_program(L, hp, wp)
  local off = copyprog.offset
  local ops = {}
  local body = {}
  if L.layout == "NCHW" then
    local plane = hp * wp
    if L.pad_top > 0 then body[#body + 1] = { kind = "zero", dst = off(0, "c", plane), count = L.pad_top * wp } end
    local row = {}
    if L.pad_left > 0 then
      row[#row + 1] = { kind = "zero", dst = off(L.pad_top * wp, "c", plane, "h", wp), count = L.pad_left }
    end
    row[#row + 1] = { kind = "copy", stride = 1, count = L.w,
      dst = off(L.pad_top * wp + L.pad_left, "c", plane, "h", wp), src = off(0, "c", L.h * L.w, "h", L.w) }
    if L.pad_right > 0 then
      row[#row + 1] = { kind = "zero", dst = off(L.pad_top * wp + L.pad_left + L.w, "c", plane, "h", wp),
                        count = L.pad_right }
    end
    body[#body + 1] = { kind = "loop", var = "h", lo = 0, hi = L.h, body = row }
    if L.pad_bottom > 0 then
      body[#body + 1] = { kind = "zero", dst = off((L.pad_top + L.h) * wp, "c", plane), count = L.pad_bottom * wp }
    end
    ops[1] = { kind = "loop", var = "c", lo = 0, hi = L.c, body = body }
  else
    local c = L.c
    if L.pad_top > 0 then ops[#ops + 1] = { kind = "zero", dst = off(0), count = L.pad_top * wp * c } end
    local row = {}
    if L.pad_left > 0 then
      row[#row + 1] = { kind = "zero", dst = off(L.pad_top * wp * c, "h", wp * c), count = L.pad_left * c }
    end
    row[#row + 1] = { kind = "copy", stride = 1, count = L.w * c,
      dst = off((L.pad_top * wp + L.pad_left) * c, "h", wp * c), src = off(0, "h", L.w * c) }
    if L.pad_right > 0 then
      row[#row + 1] = { kind = "zero", dst = off((L.pad_top * wp + L.pad_left + L.w) * c, "h", wp * c),
                        count = L.pad_right * c }
    end
    ops[#ops + 1] = { kind = "loop", var = "h", lo = 0, hi = L.h, body = row }
    if L.pad_bottom > 0 then
      ops[#ops + 1] = { kind = "zero", dst = off((L.pad_top + L.h) * wp * c), count = L.pad_bottom * wp * c }
    end
  end
  return copyprog.finish(ops, "loops")
end
-- NCHW staging for a horizontal stride S > 1: each padded row is split into its S
-- column phases (padded column j goes to phase j % S, index j // S), so the columns a
-- kernel tap reads for consecutive outputs are contiguous again.
local function phase_program(L, hp, wp, stride)
  local off = copyprog.offset
  local pitch = (wp + stride - 1) // stride
  local row = stride * pitch
  local body = {}
  for s = 0, stride - 1 do
    local first = (s - L.pad_left) % stride            -- first input column of this phase
    if first < L.w then
      body[#body + 1] = { kind = "copy", stride = stride, count = (L.w - first + stride - 1) // stride,
        dst = off(L.pad_top * row + s * pitch + (first + L.pad_left) // stride, "c", hp * row, "h", row),
        src = off(first, "c", L.h * L.w, "h", L.w) }
    end
  end
  local ops = {
    { kind = "zero", dst = off(0), count = L.c * hp * row },
    { kind = "loop", var = "c", lo = 0, hi = L.c, body = {
      { kind = "loop", var = "h", lo = 0, hi = L.h, body = body } } },
  }
  return copyprog.finish(ops, "loops"), pitch
end

return { padding_program = padding_program, phase_program = phase_program }
