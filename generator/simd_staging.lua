-- Copy programs (generator/copyprog.lua) that stage one image for the SIMD kernels: zero padding, column phases.

local copyprog = require("generator.copyprog")
local valid_range = require("generator.geometry").valid_range

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

-- im2col of `channels` NCHW channels straight into the B panels the kernels read: panel
-- { p0, width } holds columns p0 .. p0+width-1 of every col row k, as rows of `width` (its
-- element (k, p) at p0 * K + k * width + p - p0, K = channels * taps), so a tile's loads
-- are contiguous and the column matrix is never laid out whole. Per channel, one run per
-- (panel, tap, output row) the panel touches; a 1x1 unit-stride unpadded layer, whose col
-- rows are the input planes, packs its full panels in a loop instead. Returns the program
-- and the statements it prints per channel; nil and math.huge once there are more than
-- `max_runs` runs (optional).
local function panel_program(L, channels, tiles, max_runs)
  local off = copyprog.offset
  local taps, ow, hw = L.kh * L.kw, L.ow, L.h * L.w
  local k = channels * taps
  local plain = taps == 1 and L.sh == 1 and L.sw == 1 and L.ow == L.w and L.oh == L.h
  local body = {}
  -- Panel q .. q+width-1, one run per tap and output row it touches.
  local function panel(q, width)
    for kh = 0, L.kh - 1 do
      for kw = 0, L.kw - 1 do
        local ih_off, iw_off = kh * L.dh - L.pad_top, kw * L.dw - L.pad_left
        local oh0, oh1 = valid_range(L.oh, L.sh, ih_off, L.h)
        local ow0, ow1 = valid_range(L.ow, L.sw, iw_off, L.w)
        local row = q * k + (kh * L.kw + kw) * width - q   -- + output column p = oh * OW + ow
        for oh = q // ow, (q + width - 1) // ow do
          local a = math.max(q, oh * ow) - oh * ow
          local b = math.min(q + width, (oh + 1) * ow) - oh * ow
          local function zero(lo, hi)
            if hi > lo then
              body[#body + 1] = { kind = "zero", dst = off(row + oh * ow + lo, "c", taps * width), count = hi - lo }
            end
          end
          local lo, hi = math.max(a, ow0), math.min(b, ow1)
          if oh < oh0 or oh >= oh1 or hi <= lo then
            zero(a, b)
          else
            zero(a, lo)
            body[#body + 1] = { kind = "copy", count = hi - lo, stride = L.sw,
              dst = off(row + oh * ow + lo, "c", taps * width),
              src = off((oh * L.sh + ih_off) * L.w + lo * L.sw + iw_off, "c", hw) }
            zero(hi, b)
          end
        end
      end
    end
  end
  local q = 0
  for _, t in ipairs(tiles) do
    if plain and t.count > 1 then
      body[#body + 1] = { kind = "loop", var = "t", lo = 0, hi = t.count, body = {
        { kind = "copy", count = t.size, stride = 1, dst = off(q * k, "c", t.size, "t", t.size * k),
          src = off(q, "c", hw, "t", t.size) } } }
    else
      for i = 0, t.count - 1 do
        panel(q + i * t.size, t.size)
        if max_runs and #body > max_runs then return nil, math.huge end
      end
    end
    q = q + t.count * t.size
  end
  local function statements(ops)
    local n = 0
    for _, op in ipairs(ops) do n = n + 1 + (op.kind == "loop" and statements(op.body) or 0) end
    return n
  end
  return copyprog.finish({ { kind = "loop", var = "c", lo = 0, hi = channels, body = body } }, "loops"),
    statements(copyprog.merge(body))
end

return { padding_program = padding_program, phase_program = phase_program, panel_program = panel_program }
