-- Unit tests of copy programs (generator/copyprog.lua): merging, unrolling, and the planned im2col/col2im run in Lua.
-- Usage: lua5.4 tests/unit/test_copyprog.lua ROOT [SEED]
local unit = dofile((arg[0]:match("^(.*)/") or ".") .. "/unit.lua")
unit.root()
local copyprog = require("generator.copyprog")
local plan = require("generator.plan")
local spec = require("generator.spec")
local case, check, equal = unit.case, unit.check, unit.equal
local off = copyprog.offset

local SEED = tonumber(arg[2] or os.getenv("CONVGEN_UNIT_SEED") or "") or 20261130
math.randomseed(SEED)
print("seed " .. SEED .. " (replay: lua5.4 tests/unit/test_copyprog.lua ROOT " .. SEED .. ")")

-- Interpreter -------------------------------------------------------------------------------

local function at(o, env)
  local value = o.k
  for _, t in ipairs(o.terms) do
    local v = env[t[1]] or error("offset term '" .. t[1] .. "' has no value")
    value = value + t[2] * v
  end
  return value
end

-- A buffer of `size` cells that refuses any index outside 0 .. size-1.
local function buffer(size, name, fill)
  local cells = {}
  for i = 0, size - 1 do cells[i] = fill and fill(i) or false end
  return { cells = cells, size = size, name = name }
end

local function touch(buf, index)
  if index < 0 or index >= buf.size then
    error(string.format("%s[%d] is outside 0..%d", buf.name, index, buf.size - 1), 0)
  end
  return index
end

-- Runs ops the way the printed C does: zero and copy write dst, add accumulates into dst.
local function run(ops, dst, src, env)
  env = env or {}
  for _, op in ipairs(ops) do
    if op.kind == "loop" then
      local saved = env[op.var]
      for v = op.lo, op.hi - 1 do
        env[op.var] = v
        run(op.body, dst, src, env)
      end
      env[op.var] = saved
    elseif op.kind == "zero" then
      local base = at(op.dst, env)
      for i = 0, op.count - 1 do dst.cells[touch(dst, base + i)] = 0 end
    elseif op.kind == "copy" then
      local d, s = at(op.dst, env), at(op.src, env)
      for i = 0, op.count - 1 do dst.cells[touch(dst, d + i)] = src.cells[touch(src, s + i * op.stride)] end
    elseif op.kind == "add" then
      local d, s = at(op.dst, env), at(op.src, env)
      for i = 0, op.count - 1 do
        local cell = touch(dst, d + i * op.stride)
        check(dst.cells[cell], "%s[%d] accumulated before it was written", dst.name, cell)
        dst.cells[cell] = dst.cells[cell] + src.cells[touch(src, s + i)]
      end
    elseif op.kind ~= "comment" then
      error("unknown op kind " .. tostring(op.kind))
    end
  end
end

local function count_statements(ops)
  local n = 0
  for _, op in ipairs(ops) do
    if op.kind == "loop" then n = n + count_statements(op.body) elseif op.kind ~= "comment" then n = n + 1 end
  end
  return n
end

local function has_loop(ops)
  for _, op in ipairs(ops) do if op.kind == "loop" then return true end end
  return false
end

-- Direct im2col / col2im of one image, written from the definition -------------------------

-- Input index of output position o and tap t along one axis, or nil in the padding.
local function source(o, t, stride, dilation, pad, size)
  local i = o * stride + t * dilation - pad
  if i < 0 or i >= size then return nil end
  return i
end

-- Col index and image index (nil in the padding) of every col entry of channels 0..channels-1.
local function col_entries(L, channels, cstride, first_row, rows)
  local entries = {}
  local nchw = L.layout == "NCHW"
  for c = 0, channels - 1 do
    for kh = 0, L.kh - 1 do
      for kw = 0, L.kw - 1 do
        for r = 0, rows - 1 do
          for ow = 0, L.ow - 1 do
            local ih = source(first_row + r, kh, L.sh, L.dh, L.pad_top, L.h)
            local iw = source(ow, kw, L.sw, L.dw, L.pad_left, L.w)
            local col, img
            if nchw then
              col = ((c * L.kh + kh) * L.kw + kw) * rows * L.ow + r * L.ow + ow
              img = ih and iw and c * L.h * L.w + ih * L.w + iw
            else
              col = (r * L.ow + ow) * L.kh * L.kw * channels + (kh * L.kw + kw) * channels + c
              img = ih and iw and (ih * L.w + iw) * cstride + c
            end
            entries[#entries + 1] = { col, img }
          end
        end
      end
    end
  end
  return entries
end

local function image_size(L) return L.c * L.h * L.w end

-- Distinct values, so a cell copied from the wrong place shows.
local function input_value(i) return 1000 + i end

local function check_im2col(L, ops, channels, first_row, rows, env)
  local cstride = L.layout == "NCHW" and L.h * L.w or L.c
  local x = buffer(image_size(L), "x", input_value)
  local entries = col_entries(L, channels, cstride, first_row, rows)
  local col = buffer(#entries, "col")
  run(ops, col, x, env)
  for _, e in ipairs(entries) do
    local expected = e[2] and input_value(e[2]) or 0
    if col.cells[e[1]] ~= expected then
      error(string.format("col[%d] = %s, expected %s (image index %s)", e[1], tostring(col.cells[e[1]]),
        expected, tostring(e[2])), 0)
    end
  end
end

-- col2im of channels 0..channels-1 into an image zeroed by the program itself, or beforehand (prezeroed:
-- the per-group programs accumulate into an image their caller zeroed).
local function check_col2im(L, ops, channels, prezeroed)
  local cstride = L.layout == "NCHW" and L.h * L.w or L.c
  local entries = col_entries(L, channels, cstride, 0, L.oh)
  local col = buffer(#entries, "col", function(i) return 1 + 3 * i end)
  local expected = {}
  for i = 0, image_size(L) - 1 do expected[i] = 0 end
  for _, e in ipairs(entries) do
    if e[2] then expected[e[2]] = expected[e[2]] + col.cells[e[1]] end
  end
  local img = buffer(image_size(L), "dx", prezeroed and function() return 0 end)
  run(ops, img, col)
  for i = 0, image_size(L) - 1 do
    if img.cells[i] ~= expected[i] then
      error(string.format("dx[%d] = %s, expected %d", i, tostring(img.cells[i]), expected[i]), 0)
    end
  end
end

-- Random small layers through the spec front end and the planner ------------------------------

local function random_layer(index)
  local r = math.random
  local kh, kw = r(1, 4), r(1, 4)
  local raw = {
    name = "l" .. index, layout = r(2) == 1 and "NCHW" or "NHWC",
    input = { c = r(1, 4), h = r(1, 9), w = r(1, 9) },
    filters = r(1, 3), kernel = { kh, kw }, stride = { r(1, 3), r(1, 3) }, dilation = { r(1, 2), r(1, 2) },
    padding = r(4) == 1 and "same"
      or { top = r(0, 3), bottom = r(0, 3), left = r(0, 3), right = r(0, 3) },
    backward = true,
  }
  local groups = ({ 1, 1, 2 })[r(3)]
  if groups == 2 then raw.input.c, raw.filters = 2 * raw.input.c, 2 * raw.filters end
  raw.groups = groups
  if r(5) == 1 then   -- conv_transpose2d: its col2im is the forward conv's, with input and output swapped
    raw.op, raw.backward = "conv_transpose2d", nil
    if raw.padding == "same" then raw.padding = 0 end
  end
  return raw
end

-- The forward conv whose col2im a conv_transpose2d layer runs: L's output is its input.
local function forward_of(L)
  if L.op ~= "conv_transpose2d" then return L end
  local F = {}
  for key, value in pairs(L) do F[key] = value end
  F.c, F.h, F.w, F.m, F.oh, F.ow = L.m, L.oh, L.ow, L.c, L.h, L.w
  return F
end

-- The layer validated, with the given unroll mode, or nil when the random sizes do not fit.
local function validated(raw, unroll)
  local copy = {}
  for key, value in pairs(raw) do copy[key] = value end
  copy.unroll = unroll
  local model = spec.validate({ prefix = "u", layers = { copy } })
  return model and model.layers[1]
end

local function describe(L)
  return string.format("%s %s c%d %dx%d k%dx%d s%dx%d d%dx%d pad %d,%d,%d,%d groups %d", L.op, L.layout, L.c, L.h, L.w,
    L.kh, L.kw, L.sh, L.sw, L.dh, L.dw, L.pad_top, L.pad_bottom, L.pad_left, L.pad_right, L.groups)
end

-- Hand-written programs ------------------------------------------------------------------------

case("merge joins zeros after zeros and contiguous copies that continue each other", function()
  local ops = copyprog.merge({
    { kind = "zero", dst = off(0), count = 3 },
    { kind = "zero", dst = off(3), count = 2 },
    { kind = "copy", dst = off(5), src = off(10), count = 2, stride = 1 },
    { kind = "copy", dst = off(7), src = off(12), count = 4, stride = 1 },
  })
  equal(#ops, 2, "ops after merging")
  equal(ops[1].count, 5, "merged zero count")
  equal(ops[2].count, 6, "merged copy count")
  equal(ops[2].src.k, 10, "merged copy source")
end)

case("merge keeps runs apart that do not continue each other", function()
  local ops = copyprog.merge({
    { kind = "copy", dst = off(0), src = off(10), count = 2, stride = 1 },
    { kind = "copy", dst = off(2), src = off(13), count = 2, stride = 1 },    -- source gap
    { kind = "copy", dst = off(5), src = off(15), count = 2, stride = 1 },    -- destination gap
    { kind = "copy", dst = off(7), src = off(17), count = 2, stride = 2 },    -- strided
    { kind = "copy", dst = off(9), src = off(21), count = 2, stride = 2 },
    { kind = "zero", dst = off(11, "oh", 4), count = 1 },                     -- other terms
    { kind = "zero", dst = off(12), count = 1 },
    { kind = "add", dst = off(13), src = off(0), count = 1, stride = 3 },    -- strided accumulations
    { kind = "add", dst = off(14), src = off(1), count = 1, stride = 3 },
  })
  equal(#ops, 9, "ops after merging")
end)

case("merge never joins across a comment, and merges inside loop bodies", function()
  local ops = copyprog.merge({
    { kind = "zero", dst = off(0), count = 1 },
    { kind = "comment", text = "tap" },
    { kind = "zero", dst = off(1), count = 1 },
    { kind = "loop", var = "oh", lo = 0, hi = 2, body = {
      { kind = "copy", dst = off(0, "oh", 4), src = off(0, "oh", 8), count = 2, stride = 1 },
      { kind = "copy", dst = off(2, "oh", 4), src = off(2, "oh", 8), count = 2, stride = 1 } } },
  })
  equal(#ops, 4, "top-level ops")
  equal(#ops[4].body, 1, "loop body ops")
  equal(ops[4].body[1].count, 4, "merged count in the loop")
end)

case("unroll binds loop variables, splits strided runs, keeps contiguous copies whole", function()
  local ops = {
    { kind = "loop", var = "c", lo = 0, hi = 2, body = {
      { kind = "comment", text = "row" },
      { kind = "copy", dst = off(0, "c", 10), src = off(1, "c", 100), count = 3, stride = 2 },
      { kind = "copy", dst = off(5, "c", 10), src = off(50, "c", 100), count = 4, stride = 1 } } },
  }
  local flat = copyprog.unroll(ops)
  check(not has_loop(flat), "no loop left")
  equal(count_statements(flat), copyprog.unrolled_size(ops), "statements vs unrolled_size")
  equal(count_statements(flat), 2 * (3 + 1), "statements")
  for _, op in ipairs(flat) do
    if op.dst then equal(#op.dst.terms, 0, "literal destination") end
    if op.src then equal(#op.src.terms, 0, "literal source") end
  end
  equal(flat[1].text, "row, c = 0", "comment keeps the loop position")
end)

case("inline_single_loops removes one-iteration loops and binds their variable", function()
  local ops = copyprog.inline_single_loops({
    { kind = "loop", var = "oh", lo = 3, hi = 4, body = {
      { kind = "zero", dst = off(1, "oh", 10), count = 2 } } },
  })
  equal(#ops, 1, "ops")
  equal(ops[1].kind, "zero", "kind")
  equal(ops[1].dst.k, 31, "bound offset")
end)

case("format_offset prints terms and signed constants", function()
  equal(copyprog.format_offset(off(0)), "0", "zero")
  equal(copyprog.format_offset(off(-7)), "-7", "constant")
  equal(copyprog.format_offset(off(5, "c", 1024, "oh", 1)), "c * 1024 + oh + 5", "positive")
  equal(copyprog.format_offset(off(-3, "oh", 32, "ow", 0)), "oh * 32 - 3", "negative, zero term dropped")
end)

-- max_index arrived with the planner's index limits; a checkout from before them skips this case.
if not copyprog.max_index then
  print("skip  max_index: generator/copyprog.lua has no max_index")
else case("max_index bounds every index a program forms", function()
  local ops = { { kind = "loop", var = "oh", lo = 0, hi = 5, body = {
    { kind = "copy", dst = off(2, "oh", 10), src = off(-4, "oh", 7), count = 3, stride = 2 } } } }
  -- dst reaches 2 + 4*10 + 3, src |-4| + 4*7 + 3*2
  equal(copyprog.max_index(ops), 45, "largest index")
end) end

-- Programs planned for random layers, run against im2col / col2im from the definition -----------

local LAYERS = 150
case(string.format("%d random layers: planned im2col/col2im (whole and per group; transposed too), loops and "
  .. "unrolled, match the definition", LAYERS),
  function()
    local checked, index, seen = 0, 0, { transposed = 0, im2col_group = 0, col2im_group = 0 }
    while checked < LAYERS do
      index = index + 1
      local raw = random_layer(index)
      local loops, full = validated(raw, "loops"), validated(raw, "full")
      if loops then
        checked = checked + 1
        local ok, problem = pcall(function()
          local pl, pf = assert(plan.layer(loops)), assert(plan.layer(full))
          local F = forward_of(loops)
          local cg = F.c // F.groups
          for _, p in ipairs({ pl, pf }) do
            local mode = p == pl and "loops" or "full"
            for _, name in ipairs({ "im2col", "col2im", "im2col_group", "col2im_group" }) do
              local prog = p[name]
              if prog then
                equal(prog.mode, mode, name .. " mode under unroll = " .. mode)
                if mode == "full" then
                  check(not has_loop(prog.ops), "unrolled %s has no loop", name)
                  check(count_statements(prog.ops) <= prog.unrolled_size, "merging never adds statements")
                end
              end
            end
            if p.im2col then check_im2col(F, p.im2col.ops, F.c, 0, F.oh) end
            if p.col2im then check_col2im(F, p.col2im.ops, F.c, false) end
            if p.im2col_group then check_im2col(F, p.im2col_group.ops, cg, 0, F.oh) end
            if p.col2im_group then check_col2im(F, p.col2im_group.ops, cg, true) end
          end
          if F ~= loops then seen.transposed = seen.transposed + 1 end
          if pl.im2col_group then seen.im2col_group = seen.im2col_group + 1 end
          if pl.col2im_group then seen.col2im_group = seen.col2im_group + 1 end
          -- Unrolling the loop form again gives the same copies.
          if pl.im2col then check_im2col(F, copyprog.finish(pl.im2col.ops, "full"), F.c, 0, F.oh) end
        end)
        if not ok then error(describe(loops) .. ": " .. tostring(problem), 0) end
      end
    end
    for what, count in pairs(seen) do check(count >= 5, "only %d layers had %s programs", count, what) end
  end)

case("im2col in bands of output rows (small workspace budget) matches the definition, band by band", function()
  local banded, index = 0, 0
  while banded < 40 and index < 2000 do
    index = index + 1
    local raw = random_layer(index)
    raw.input.h = raw.input.h + 6
    local L = validated(raw, ({ "loops", "full" })[index % 2 + 1])
    local p = L and plan.layer(L, { workspace_budget = 1, no_simd = true })
    if p and p.bands then
      banded = banded + 1
      local cg = L.c // L.groups
      local ok, problem = pcall(function()
        for _, site in ipairs(p.bands.sites) do
          if site.first_band then
            for band = site.first_band, site.last_band - 1 do
              check_im2col(L, site.prog.ops, cg, band * site.rows, site.rows, { band = band })
            end
          else
            check_im2col(L, site.prog.ops, cg, site.first_row, site.rows)
          end
        end
      end)
      if not ok then error(describe(L) .. ": " .. tostring(problem), 0) end
    end
  end
  check(banded >= 10, "only %d random layers were planned in bands", banded)
end)

unit.finish()
