-- Copy programs: the small IR that im2col and col2im are planned in before emission.
--
-- An op is one of
--   { kind = "zero", dst = OFF, count = n }                       buf[dst .. dst+n) = 0
--   { kind = "copy", dst = OFF, src = OFF, count = n, stride = s } dst[i] = src[i*s]
--   { kind = "add",  dst = OFF, src = OFF, count = n, stride = s } dst[i*s] += src[i]
--   { kind = "loop", var = "oh", lo = a, hi = b, body = { ops } }
--   { kind = "comment", text = "..." }
-- and an offset OFF is an affine expression { k = constant, terms = { {var, coef}, ... } }
-- over enclosing loop variables. The same program prints as loops, or, after
-- unroll(), as straight-line code with literal offsets.

local copyprog = {}

-- Offsets --------------------------------------------------------------------

function copyprog.offset(k, ...)
  local terms = {}
  local args = { ... }
  for i = 1, #args, 2 do
    if args[i + 1] ~= 0 then terms[#terms + 1] = { args[i], args[i + 1] } end
  end
  return { k = k, terms = terms }
end

-- Substitute a loop variable with a value.
local function bind(off, var, value)
  local terms, k = {}, off.k
  for _, t in ipairs(off.terms) do
    if t[1] == var then k = k + t[2] * value else terms[#terms + 1] = t end
  end
  return { k = k, terms = terms }
end

local function same_terms(a, b)
  if #a.terms ~= #b.terms then return false end
  for i, t in ipairs(a.terms) do
    if t[1] ~= b.terms[i][1] or t[2] ~= b.terms[i][2] then return false end
  end
  return true
end

-- Print an offset as C: "c * 1024 + oh * 32 + 5".
function copyprog.format_offset(off)
  local parts = {}
  for _, t in ipairs(off.terms) do
    parts[#parts + 1] = t[2] == 1 and t[1] or (t[1] .. " * " .. t[2])
  end
  local s = table.concat(parts, " + ")
  if s == "" then return tostring(off.k) end
  if off.k > 0 then return s .. " + " .. off.k end
  if off.k < 0 then return s .. " - " .. (-off.k) end
  return s
end

-- buf + off as C, parenthesized so no out-of-range pointer is formed on the way.
function copyprog.pointer(buf, off)
  local s = copyprog.format_offset(off)
  if s == "0" then return buf end
  if #off.terms == 0 then return buf .. " + " .. s end
  return buf .. " + (" .. s .. ")"
end

-- The largest magnitude any index of the program, or any partial sum C forms on the way,
-- can take: each offset's terms at their loop variables' extreme values, plus its constant,
-- plus the run's length. Planning checks it against the C int range (plan.MAX_INDEX).
function copyprog.max_index(ops, ranges)
  ranges = ranges or {}
  local largest = 0
  local function reach(off, run)
    if not off then return end
    local total = math.abs(off.k) + run
    for _, t in ipairs(off.terms) do
      local r = ranges[t[1]] or error("offset term '" .. t[1] .. "' outside its loop")
      total = total + math.abs(t[2]) * r
    end
    if total > largest then largest = total end
  end
  for _, op in ipairs(ops) do
    if op.kind == "loop" then
      local saved = ranges[op.var]
      ranges[op.var] = math.max(math.abs(op.lo), math.abs(op.hi - 1))
      largest = math.max(largest, copyprog.max_index(op.body, ranges), math.abs(op.hi))
      ranges[op.var] = saved
    elseif op.kind ~= "comment" then
      reach(op.dst, op.count * (op.kind == "add" and op.stride or 1))
      reach(op.src, op.count * (op.kind == "copy" and op.stride or 1))
    end
  end
  return largest
end

-- Statement counting and unrolling -------------------------------------------

-- Statements the op list needs when every loop is unrolled. Runs that are not
-- contiguous (strided copies, accumulations) become one statement per element.
function copyprog.unrolled_size(ops)
  local total = 0
  for _, op in ipairs(ops) do
    if op.kind == "loop" then
      total = total + (op.hi - op.lo) * copyprog.unrolled_size(op.body)
    elseif op.kind == "zero" or (op.kind == "copy" and op.stride == 1) then
      total = total + 1
    elseif op.kind == "copy" or op.kind == "add" then
      total = total + op.count
    end
  end
  return total
end

local function bind_op(op, var, value)
  if op.kind == "loop" then
    local body = {}
    for i, inner in ipairs(op.body) do body[i] = bind_op(inner, var, value) end
    return { kind = "loop", var = op.var, lo = op.lo, hi = op.hi, body = body }
  elseif op.kind == "comment" then
    -- Keep the loop position in the comment once the loop is gone.
    return { kind = "comment", text = op.text .. string.format(", %s = %d", var, value) }
  end
  local copy = {}
  for key, v in pairs(op) do copy[key] = v end
  copy.dst = bind(op.dst, var, value)
  if op.src then copy.src = bind(op.src, var, value) end
  return copy
end

-- Split a strided run into single elements (a contiguous copy stays whole).
local function split_elements(op, out)
  if op.count == 1 or (op.kind == "copy" and op.stride == 1) then
    out[#out + 1] = op
    return
  end
  local dst_step = op.kind == "add" and op.stride or 1
  local src_step = op.kind == "copy" and op.stride or 1
  for i = 0, op.count - 1 do
    out[#out + 1] = { kind = op.kind, count = 1, stride = 1,
      dst = { k = op.dst.k + i * dst_step, terms = op.dst.terms },
      src = { k = op.src.k + i * src_step, terms = op.src.terms } }
  end
end

-- Remove every loop: straight-line code with literal offsets only.
function copyprog.unroll(ops, out)
  out = out or {}
  for _, op in ipairs(ops) do
    if op.kind == "loop" then
      for value = op.lo, op.hi - 1 do
        local body = {}
        for i, inner in ipairs(op.body) do body[i] = bind_op(inner, op.var, value) end
        copyprog.unroll(body, out)
      end
    elseif op.kind == "zero" or op.kind == "comment" then
      out[#out + 1] = op
    else
      split_elements(op, out)
    end
  end
  return out
end

-- A loop of one iteration is just its body with the variable bound.
function copyprog.inline_single_loops(ops)
  local out = {}
  for _, op in ipairs(ops) do
    if op.kind == "loop" and op.hi - op.lo == 1 then
      for _, inner in ipairs(op.body) do
        local bound = bind_op(inner, op.var, op.lo)
        for _, o in ipairs(copyprog.inline_single_loops({ bound })) do out[#out + 1] = o end
      end
    elseif op.kind == "loop" then
      out[#out + 1] = { kind = "loop", var = op.var, lo = op.lo, hi = op.hi,
                        body = copyprog.inline_single_loops(op.body) }
    else
      out[#out + 1] = op
    end
  end
  return out
end

-- Peephole: merge neighbouring runs that continue each other (zeros after
-- zeros, a contiguous copy after a contiguous copy), so e.g. adjacent taps of
-- an NHWC row become one memcpy. Loop bodies are merged too.
local function continues(prev, op)
  if prev.kind ~= op.kind or not same_terms(prev.dst, op.dst) then return false end
  if prev.dst.k + prev.count ~= op.dst.k then return false end
  if op.kind == "zero" then return true end
  return prev.stride == 1 and op.stride == 1
    and same_terms(prev.src, op.src) and prev.src.k + prev.count == op.src.k
end

function copyprog.merge(ops)
  local out = {}
  for _, op in ipairs(ops) do
    local prev = out[#out]
    if op.kind == "loop" then
      out[#out + 1] = { kind = "loop", var = op.var, lo = op.lo, hi = op.hi, body = copyprog.merge(op.body) }
    elseif prev and prev.kind ~= "loop" and prev.kind ~= "comment" and continues(prev, op) then
      local merged = {}
      for key, v in pairs(prev) do merged[key] = v end
      merged.count = prev.count + op.count
      out[#out] = merged
    else
      out[#out + 1] = op
    end
  end
  return out
end

-- Lay out a program for emission: as loops, or unrolled when mode is "full".
function copyprog.finish(ops, mode)
  if mode == "full" then
    return copyprog.merge(copyprog.unroll(ops))
  end
  return copyprog.merge(copyprog.inline_single_loops(ops))
end

return copyprog
