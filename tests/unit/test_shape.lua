-- Unit tests of the geometry formulas (generator/shape.lua) against brute-force enumeration of windows and taps.
-- Usage: lua5.4 tests/unit/test_shape.lua ROOT
local unit = dofile((arg[0]:match("^(.*)/") or ".") .. "/unit.lua")
unit.root()
local shape = require("generator.shape")
local spec = require("generator.spec")
local case, check, equal = unit.case, unit.check, unit.equal

-- Brute force ------------------------------------------------------------------------------

-- Output positions along one axis: windows o*stride + t*dilation (t = 0..k-1) that lie
-- wholly inside the padded input [-before, in + after), counted one by one.
local function count_windows(in_size, k, stride, dilation, before, after)
  local count, o = 0, 0
  while true do
    local first = o * stride - before
    local last = first + (k - 1) * dilation
    if first < -before or last >= in_size + after then break end
    count, o = count + 1, o + 1
  end
  return count
end

-- TensorFlow SAME by search: the smallest total padding, split with the extra one after,
-- that leaves room for at least ceil(in / stride) windows.
local function search_same(in_size, k, stride, dilation)
  local want = (in_size + stride - 1) // stride
  for total = 0, (k - 1) * dilation + stride do
    local before = total // 2
    local after = total - before
    if count_windows(in_size, k, stride, dilation, before, after) >= want then return before, after end
  end
  error("no SAME padding found")
end

-- Transposed convolution along one axis: input i and tap t add into full-output position
-- i*stride + t*dilation; output_padding extends the end, the padding crops both ends.
local function transposed_positions(in_size, k, stride, dilation, before, after, out_pad)
  local last = 0
  for i = 0, in_size - 1 do
    for t = 0, k - 1 do last = math.max(last, i * stride + t * dilation) end
  end
  return last + 1 + out_pad - before - after
end

local function each_axis(body)
  for in_size = 1, 13 do
    for k = 1, 5 do
      for stride = 1, 4 do
        for dilation = 1, 3 do body(in_size, k, stride, dilation) end
      end
    end
  end
end

local function where(...)
  return string.format("in %d, k %d, stride %d, dilation %d, pad %s/%s", ...)
end

-- The formulas ---------------------------------------------------------------------------------

case("effective_kernel is the span of the dilated taps", function()
  for k = 1, 7 do
    for dilation = 1, 4 do
      equal(shape.effective_kernel(k, dilation), (k - 1) * dilation + 1, string.format("k %d d %d", k, dilation))
    end
  end
end)

case("out_size equals the windows counted one by one (asymmetric padding, dilation, stride)", function()
  local cases = 0
  each_axis(function(in_size, k, stride, dilation)
    for before = 0, 3 do
      for after = 0, 3 do
        local expected = count_windows(in_size, k, stride, dilation, before, after)
        local got = shape.out_size(in_size, k, stride, dilation, before, after)
        local what = where(in_size, k, stride, dilation, before, after)
        if expected == 0 then
          check(got < 1, "%s: no window fits, yet out_size is %d", what, got)
        else
          equal(got, expected, what)
        end
        cases = cases + 1
      end
    end
  end)
  check(cases > 10000, "only %d cases", cases)
end)

case("asymmetric padding: only the total counts, and every tap of every output is in the padded input", function()
  each_axis(function(in_size, k, stride, dilation)
    for before = 0, 3 do
      for after = 0, 3 do
        local n = shape.out_size(in_size, k, stride, dilation, before, after)
        equal(n, shape.out_size(in_size, k, stride, dilation, after, before), where(in_size, k, stride, dilation,
          before, after) .. " mirrored")
        -- (A window wholly in the padding is still an output: its value is the bias.)
        for o = 0, n - 1 do
          for t = 0, k - 1 do
            local i = o * stride + t * dilation - before
            check(i >= -before and i < in_size + after, "%s: output %d tap %d reads %d outside the padded input",
              where(in_size, k, stride, dilation, before, after), o, t, i)
          end
        end
      end
    end
  end)
end)

case("same_padding gives ceil(in/stride) outputs with the least padding, extra one after", function()
  each_axis(function(in_size, k, stride, dilation)
    local before, after = shape.same_padding(in_size, k, stride, dilation)
    local what = where(in_size, k, stride, dilation, before, after)
    local wb, wa = search_same(in_size, k, stride, dilation)
    equal(before, wb, what .. " before")
    equal(after, wa, what .. " after")
    check(after == before or after == before + 1, "%s: extra padding goes after", what)
    equal(shape.out_size(in_size, k, stride, dilation, before, after), (in_size + stride - 1) // stride,
      what .. " outputs")
  end)
end)

case("same_padding matches TensorFlow's published examples", function()
  local function pads(...) return table.concat({ shape.same_padding(...) }, ",") end
  equal(pads(9, 4, 2, 1), "1,2", "9 wide, kernel 4, stride 2 (tests/specs/curated.lua same_s2_k4)")
  equal(pads(8, 3, 2, 1), "0,1", "8 wide, kernel 3, stride 2")
  equal(pads(7, 3, 1, 2), "2,2", "kernel 3 dilation 2")
  equal(pads(5, 1, 2, 1), "0,0", "1x1 kernel")
end)

case("the spec front end sets oh/ow with these formulas (SAME, asymmetric, dilation)", function()
  local layers = {
    { name = "same", input = { c = 1, h = 9, w = 8 }, filters = 1, kernel = { 4, 3 }, stride = 2, padding = "same" },
    { name = "asym", input = { c = 1, h = 7, w = 6 }, filters = 1, kernel = 3,
      padding = { top = 0, bottom = 1, left = 2, right = 0 } },
    { name = "dil", input = { c = 1, h = 12, w = 10 }, filters = 1, kernel = 3, dilation = { 3, 2 },
      stride = { 2, 1 }, padding = { 1, 2 } },
  }
  local model, errors = spec.validate({ prefix = "g", layers = layers })
  check(model, "spec rejected: %s", table.concat(errors or {}, "; "))
  for _, L in ipairs(model.layers) do
    equal(L.oh, count_windows(L.h, L.kh, L.sh, L.dh, L.pad_top, L.pad_bottom), L.name .. " oh")
    equal(L.ow, count_windows(L.w, L.kw, L.sw, L.dw, L.pad_left, L.pad_right), L.name .. " ow")
  end
  local same = model.layers[1]
  equal(string.format("%d,%d,%d,%d", same.pad_top, same.pad_bottom, same.pad_left, same.pad_right), "1,2,0,1",
    "SAME padding top,bottom,left,right")
end)

case("conv_transpose2d output size (spec front end) equals the scattered positions", function()
  local layers, index = {}, 0
  for _, s in ipairs({ 1, 2, 3 }) do
    for _, d in ipairs({ 1, 2 }) do
      for _, k in ipairs({ 1, 2, 3, 4 }) do
        index = index + 1
        local out_pad = (s > 1 and d > 1) and 1 or 0   -- output_padding must stay below stride or dilation
        layers[#layers + 1] = { name = "t" .. index, op = "conv_transpose2d", input = { c = 1, h = 5, w = 4 },
          filters = 1, kernel = k, stride = s, dilation = d, output_padding = out_pad,
          padding = { top = 0, bottom = 1, left = 1, right = 0 } }
      end
    end
  end
  local model, errors = spec.validate({ prefix = "t", layers = layers })
  check(model, "spec rejected: %s", table.concat(errors or {}, "; "))
  for _, L in ipairs(model.layers) do
    equal(L.oh, transposed_positions(L.h, L.kh, L.sh, L.dh, L.pad_top, L.pad_bottom, L.out_pad_h), L.name .. " oh")
    equal(L.ow, transposed_positions(L.w, L.kw, L.sw, L.dw, L.pad_left, L.pad_right, L.out_pad_w), L.name .. " ow")
  end
end)

-- The transposed size became a geometry function with the restructure; older checkouts compute it in the front end.
if not shape.transposed_out_size then
  print("skip  transposed_out_size: generator/shape.lua has none")
else case("transposed_out_size equals the scattered positions", function()
  each_axis(function(in_size, k, stride, dilation)
    for before = 0, 2 do
      for after = 0, 2 do
        for out_pad = 0, math.max(stride, dilation) - 1 do
          local expected = transposed_positions(in_size, k, stride, dilation, before, after, out_pad)
          equal(shape.transposed_out_size(in_size, k, stride, dilation, before, after, out_pad), expected,
            where(in_size, k, stride, dilation, before, after) .. " output_padding " .. out_pad)
        end
      end
    end
  end)
end) end

unit.finish()
