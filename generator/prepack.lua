-- Plans baked weights pre-packed for the portable GEMM: the packed order, and the portable driver reading it.
--
-- An imported layer's baked weights (generator/weights.lua) are the GEMM's weight
-- operand: A = w[M/g x K] of an NCHW layer, B = w[K x M] (a group's M/g columns) of an
-- NHWC one. The portable GEMM copies that operand into register-tile strips (A) or
-- panels (B) on every call, for every block of the other operand; stored in that order
-- at generation time, it is read in place (runtime/gemm_packed.h). The SIMD kernels
-- read the weights in place in their plain order and the depthwise loops have no GEMM:
-- those keep the plain order (docs/onnx.md, "Weight order").

local copyprog = require("generator.copyprog")

local prepack = {}

-- The tile the runtime's portable GEMM packs to (runtime/gemm_packed.h: CG_GEMM_PACK_*).
prepack.MR = 4
prepack.NR = { f32 = 8, f64 = 4 }

local function ceil_div(a, b) return (a + b - 1) // b end

local function copy(t)
  local out = {}
  for k, v in pairs(t) do out[k] = v end
  return out
end

-- The C condition under which P_run reads the packed order: the runtime's GEMM takes it
-- and no SIMD path of the layer is compiled (the #if chain of templates/conv.c.in).
local function condition(p)
  local terms = { "CONVGEN_PREPACKED" }
  for _, f in ipairs(p.simd or {}) do
    terms[#terms + 1] = "!" .. require("generator.isa." .. f.isa).guard
  end
  return table.concat(terms, " && ")
end

-- A GEMM call's operands with the weight operand packed: `g` a gemm table of
-- portable.steps or band_items (fn, a, lda, b, ldb), returned as a new table.
local function packed_call(g, pk, fn_field)
  local out = copy(g)
  out[fn_field] = pk.gemm
  if out.gemm_pad then out.gemm_pad = string.rep(" ", #pk.gemm + 1) end
  local group = pk.groups > 1 and copyprog.offset(0, "g", pk.group_elems) or copyprog.offset(0)
  if pk.operand == "a" then
    out.a, out.lda = copyprog.pointer("w", group), pk.depth
  else
    out.b, out.ldb = copyprog.pointer("w", group), pk.depth
  end
  return out
end

-- p.prepack for a conv2d layer whose portable path is im2col (or the image) + GEMM, or nil.
function prepack.plan(p)
  local L = p.layer
  if L.op ~= "conv2d" or p.depthwise or not prepack.NR[L.dtype] then return nil end
  local nchw = L.layout == "NCHW"
  local tile = nchw and prepack.MR or prepack.NR[L.dtype]
  local pk = {
    operand = nchw and "a" or "b",       -- which GEMM operand the weights are
    tile = tile,                         -- rows per strip (A) or columns per panel (B)
    rows = p.mg, depth = p.kg, groups = L.groups,
    group_elems = ceil_div(p.mg, tile) * tile * p.kg,
    gemm = string.format("cg_gemm_packed_%s_%s", nchw and "a" or "b", L.dtype),
    condition = condition(p),
  }
  pk.elems = pk.group_elems * L.groups
  pk.doc = string.format("%s%s of %d output channels, %d deep (runtime/gemm_packed.h)",
    L.groups > 1 and (L.groups .. " groups of ") or "", nchw and "strips" or "panels", tile, p.kg)
  pk.conv = packed_call(p.conv, pk, "gemm_fn")
  if p.band_items then
    pk.band_items = {}
    for i, item in ipairs(p.band_items) do
      pk.band_items[i] = item.gemm and { gemm = packed_call(item.gemm, pk, "fn") } or item
    end
  end
  -- The aliasing check of P_conv_prepacked: its w is the packed array.
  local entry = p.entries[1]
  pk.entry = { name = "conv_prepacked", reads = {}, writes = entry.writes }
  for i, b in ipairs(entry.reads) do
    pk.entry.reads[i] = b[1] == "w" and { "w", pk.elems } or b
  end
  return pk
end

-- The weights of one layer in the packed order: `plain` (1-based) is the layer's own order,
-- NCHW [M][C/g][KH][KW] (rows of A: output channels of each group, K deep) or NHWC
-- [KH][KW][C/g][M] (rows of B: K, columns M, a group's M/g columns side by side).
function prepack.pack(pk, plain, M)
  local out, n = {}, 0
  local tile, rows, depth = pk.tile, pk.rows, pk.depth
  for g = 0, pk.groups - 1 do
    for s = 0, ceil_div(rows, tile) - 1 do
      for k = 0, depth - 1 do
        for i = 0, tile - 1 do
          local r = s * tile + i
          n = n + 1
          if r >= rows then
            out[n] = 0
          elseif pk.operand == "a" then
            out[n] = plain[(g * rows + r) * depth + k + 1]
          else
            out[n] = plain[k * M + g * rows + r + 1]
          end
        end
      end
    end
  end
  return out
end

return prepack
