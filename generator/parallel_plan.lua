-- Plans P_conv_parallel's work split at generation time: the parts (sub-layers) tasks run, their offsets.
--
-- A unit of work is one part (a conv2d layer of its own, planned and emitted like any layer)
-- applied at fixed offsets into x, w, bias and y. Each output element is computed by exactly
-- one unit, by the same kernel and in the same reduction order as P_conv computes it, so the
-- results are bit-identical whatever the thread count. The split follows the memory layout:
--   NCHW, groups = 1   blocks of output channels (contiguous weights, bias and output planes)
--   NCHW, groups > 1   blocks of whole groups (depthwise: blocks of channels)
--   NHWC               bands of output rows (contiguous input rows and output rows)
-- and, with a batch, images times that. Unit boundaries fall on 64-byte multiples of an
-- image's output (no cache line is written by two units of one image); a dimension whose
-- blocks cannot be so aligned is not split.

local geometry = require("generator.geometry")

local parallel_plan = {}

-- Units per call at most (a multiple of 2 and 4 threads; each unit re-stages its input).
parallel_plan.DEFAULT_TASKS = 4
-- Multiply-adds a unit should have at least: below, the pool's dispatch costs more than it saves.
parallel_plan.DEFAULT_GRAIN = 1 << 18
parallel_plan.LINE_BYTES = 64

local function gcd(a, b)
  while b ~= 0 do a, b = b, a % b end
  return a
end

local function ceil_div(a, b) return (a + b - 1) // b end

-- Smallest count of items of `item_bytes` each whose total is a multiple of a cache line.
local function line_quantum(item_bytes)
  return parallel_plan.LINE_BYTES // gcd(item_bytes, parallel_plan.LINE_BYTES)
end

-- Blocks of a dimension of `total` items for about `want` units: every block but the last
-- the same size, a multiple of `quantum`; nil when that leaves a single block.
local function blocks(total, want, quantum)
  if want < 2 then return nil end
  local size = ceil_div(ceil_div(total, want), quantum) * quantum
  if size >= total then return nil end
  local list, first = {}, 0
  while first < total do
    list[#list + 1] = { first = first, count = math.min(size, total - first) }
    first = first + size
  end
  return list
end

-- Whether a part with these fields takes the same kind of path as the layer: a one-channel block
-- of a one-channel layer would be "depthwise" and summed by the direct depthwise loops instead.
local function same_kind(L, fields)
  local S = {}
  for key, value in pairs(L) do S[key] = value end
  for key, value in pairs(fields) do S[key] = value end
  return geometry.facts(S).depthwise == geometry.facts(L).depthwise
end

-- The part of each block, sharing one part between blocks of equal geometry.
local function add_part(split, L, key, fields)
  for i, part in ipairs(split.parts) do
    if part.key == key then return i - 1 end
  end
  if not same_kind(L, fields) then split.mixed = true end
  local index = #split.parts
  split.parts[index + 1] = { key = key, sym = L.sym .. "_part" .. index, fields = fields }
  return index
end

-- NCHW, groups = 1: blocks of output channels.
local function channel_blocks(L, p, split, want)
  local list = blocks(L.m, want, line_quantum(p.ohow * p.elem.bytes))
  if not list then return false end
  split.kind, split.doc = "output_channels", "blocks of output channels, each task its block's weights and planes"
  for _, b in ipairs(list) do
    split.units[#split.units + 1] = { part = add_part(split, L, b.count, { m = b.count }),
      x = 0, w = b.first * p.kg, bias = b.first, y = b.first * p.ohow, rows = string.format("m %d..%d",
        b.first, b.first + b.count - 1) }
  end
  return not split.mixed
end

-- NCHW, groups > 1: blocks of whole groups (a depthwise layer's groups are its channels).
local function group_blocks(L, p, split, want)
  local list = blocks(L.groups, want, line_quantum(p.mg * p.ohow * p.elem.bytes))
  if not list then return false end
  split.kind, split.doc = "groups", "blocks of whole groups, each task its groups' channels, weights and planes"
  for _, b in ipairs(list) do
    split.units[#split.units + 1] = {
      part = add_part(split, L, b.count, { c = b.count * p.cg, m = b.count * p.mg, groups = b.count }),
      x = b.first * p.cg * p.hw, w = b.first * p.mg * p.kg, bias = b.first * p.mg,
      y = b.first * p.mg * p.ohow, rows = string.format("groups %d..%d", b.first, b.first + b.count - 1) }
  end
  return not split.mixed
end

-- The input rows output rows first .. first+count-1 read, as a part's fields and the first row.
local function band_geometry(L, first, count)
  local top = first * L.sh - L.pad_top
  local bottom = (first + count - 1) * L.sh - L.pad_top + L.dh * (L.kh - 1)
  local in0, in1 = math.max(top, 0), math.min(bottom, L.h - 1)
  if in1 < in0 then return nil end   -- every tap of the band in padding
  return { h = in1 - in0 + 1, oh = count, pad_top = in0 - top, pad_bottom = bottom - in1 }, in0
end

-- NHWC: bands of output rows.
local function row_bands(L, p, split, want)
  local list = blocks(L.oh, want, line_quantum(L.ow * L.m * p.elem.bytes))
  if not list then return false end
  local bands = {}
  for _, b in ipairs(list) do
    local fields, in0 = band_geometry(L, b.first, b.count)
    if not fields then return false end
    bands[#bands + 1] = { block = b, fields = fields, in0 = in0 }
  end
  split.kind, split.doc = "rows", "bands of output rows, each task the input rows its band reads"
  for _, band in ipairs(bands) do
    local f, b = band.fields, band.block
    local key = string.format("%d/%d/%d/%d", f.h, f.oh, f.pad_top, f.pad_bottom)
    split.units[#split.units + 1] = { part = add_part(split, L, key, f),
      x = band.in0 * L.w * L.c, w = 0, bias = 0, y = b.first * L.ow * L.m,
      rows = string.format("output rows %d..%d", b.first, b.first + b.count - 1) }
  end
  return not split.mixed
end

-- The split of a conv2d layer's P_conv_parallel (pure data; --plan prints it), or a split of
-- kind "serial" when P_conv_parallel just calls P_conv: a transposed layer, a build without
-- SIMD paths (firmware: no pool, no code), or a layer too small to share.
--   options.parallel_tasks  units per call at most (default DEFAULT_TASKS)
--   options.parallel_grain  multiply-adds per unit at least (default DEFAULT_GRAIN)
function parallel_plan.plan(L, p, options)
  options = options or {}
  local split = { kind = "serial", images = L.n, parts = {}, units = {} }
  if L.op ~= "conv2d" then
    split.doc = "P_conv_parallel is not generated for conv_transpose2d"
    return split
  end
  if p.elem.epilogue == "requantize" then
    split.doc = "s8: a part would need its channels' slice of the quantization (not yet); P_conv_parallel calls P_conv"
    return split
  end
  if options.no_simd then
    split.doc = "a build without SIMD paths (firmware): P_conv_parallel calls P_conv"
    return split
  end
  local tasks = options.parallel_tasks or parallel_plan.DEFAULT_TASKS
  local grain = options.parallel_grain or parallel_plan.DEFAULT_GRAIN
  local image_macs = p.macs // L.n
  local units_worth = math.max(1, image_macs // math.max(grain, 1))
  local per_image = math.min(units_worth, math.max(1, tasks // L.n))
  local done
  if L.layout == "NHWC" then
    done = row_bands(L, p, split, per_image)
  elseif L.groups > 1 then
    done = group_blocks(L, p, split, per_image)
  else
    done = channel_blocks(L, p, split, per_image)
  end
  if not done then
    split.units, split.parts, split.mixed = {}, {}, nil
    if L.n == 1 or math.min(L.n, tasks) < 2 or image_macs * L.n < 2 * grain then
      split.kind = "serial"
      split.doc = string.format("one task: %d MACs (units of at least %d), or no 64-byte-aligned split",
        p.macs, grain)
      return split
    end
    split.kind, split.doc = "images", "one image per task"
    split.units[1] = { part = add_part(split, L, "image", {}), x = 0, w = 0, bias = 0, y = 0, rows = "the image" }
  end
  split.per_image = #split.units
  split.tasks = split.per_image * L.n
  split.x_image, split.y_image = p.input_elems // L.n, p.output_elems // L.n
  for _, part in ipairs(split.parts) do part.key = nil end
  return split
end

-- A part's layer: L with the part's fields replaced, one image, no gradients.
function parallel_plan.part_layer(L, part)
  local S = {}
  for key, value in pairs(L) do S[key] = value end
  S.n, S.backward = 1, false
  S.sym = part.sym
  S.name = L.name .. part.sym:sub(#L.sym + 1)
  for key, value in pairs(part.fields) do S[key] = value end
  return S
end

-- What decides a layer's reduction order: the direct depthwise loops or not, and each SIMD
-- path's kernel kind and how it walks the reduction.
local function kernel_choice(p)
  local words = { tostring(p.depthwise) }
  for _, f in ipairs(p.simd or {}) do words[#words + 1] = string.format("%s/%s/%s", f.isa, f.kind, f.k_loop) end
  return table.concat(words, " ")
end

-- The preprocessor guards of the branches whose P_conv may be split, or nil when every branch may.
-- The SIMD paths' tiles and the portable direct depthwise loops are convgen's own, summing each
-- output in a fixed order; but the portable branch (and an ISA without a plan, whose layer goes
-- to the BLAS) multiplies through cg_gemm, i.e. whatever BLAS is linked, and a block of a
-- product's rows or columns may round differently from the whole product (OpenBLAS 0.3.21 does
-- on 512x49x2048 sgemm). A split into whole images keeps the same per-image product unless the
-- images share one GEMM. On the other branches P_conv_parallel keeps the call whole.
local function split_guards(p, split)
  if p.depthwise then return nil end
  if split.kind == "images" and not p.batch_in_gemm then return nil end
  local guards = {}
  for _, f in ipairs(p.simd or {}) do guards[#guards + 1] = require("generator.isa." .. f.isa).guard end
  return guards
end

-- The parts' own plans (planned like any layer, with `plan_layer`), and each task's scratch
-- bytes (a multiple of 64) recorded in the split: the largest workspace of any part. A part
-- whose kernels would differ from the layer's (so might sum in another order) turns the split
-- back into "serial".
function parallel_plan.part_plans(L, p, options, plan_layer)
  local split = p.parallel
  local plans, slot = {}, 0
  local part_options = {}
  for key, value in pairs(options or {}) do part_options[key] = value end
  part_options.part = true
  for i, part in ipairs(split.parts) do
    local pp, problem = plan_layer(parallel_plan.part_layer(L, part), part_options)
    if not pp then error("parallel part " .. part.sym .. ": " .. problem) end
    if kernel_choice(pp) ~= kernel_choice(p) then
      p.parallel = { kind = "serial", images = L.n, parts = {}, units = {}, slot_bytes = 0,
        doc = string.format("one task: part %s would take other kernels (%s) than the layer (%s)",
          part.sym, kernel_choice(pp), kernel_choice(p)) }
      return {}
    end
    plans[i] = pp
    slot = math.max(slot, pp.workspace_bytes)
  end
  split.slot_bytes = slot
  if split.kind == "serial" then return plans end
  split.split_guards = split_guards(p, split)
  if split.split_guards and #split.split_guards == 0 then
    p.parallel = { kind = "serial", images = L.n, parts = {}, units = {}, slot_bytes = 0,
      doc = "one task: every branch multiplies through the linked BLAS, whose blocks may round unlike the whole" }
    return {}
  end
  return plans
end

return parallel_plan
