-- Baked weights of an imported model: <prefix>weights.h/.c with const arrays and P_run per layer.
--
-- The arrays hold the weights in the order the kernel P_run calls reads: the plain order
-- of the layer's P_conv / P_conv_transpose (converted from ONNX's when the layout is NHWC),
-- which the SIMD kernels and the depthwise loops read in place, and, for a layer whose
-- portable path multiplies by the weights in the runtime's portable GEMM, also the GEMM's
-- packed order (generator/prepack.lua), chosen by the preprocessor where that path is built.

local prepack = require("generator.prepack")
local template = require("generator.template")

local weights = {}

local PER_LINE = 8

-- ONNX weight order (conv: M, C/g, KH, KW; transposed: C, M/g, KH, KW) to the layer's.
local function reorder(L, values)
  if L.layout == "NCHW" then return values end
  local out = {}
  local kk = L.kh * L.kw
  -- Rows of ONNX's layout: conv rows are output channels (M) of C/g columns; transposed
  -- rows are input channels (C) of M/g columns. NHWC puts the kernel position first
  -- and the row index last: [KH][KW][cols][rows].
  local rows = L.op == "conv2d" and L.m or L.c
  local cols = #values // (rows * kk)
  for r = 0, rows - 1 do
    for col = 0, cols - 1 do
      for k = 0, kk - 1 do
        out[(k * cols + col) * rows + r + 1] = values[(r * cols + col) * kk + k + 1]
      end
    end
  end
  return out
end

local format, find = string.format, string.find

-- A C literal that reads back as exactly the stored value: nine significant digits
-- always round-trip a float, seventeen a double. A folded f32 weight (a double) is
-- rounded by the C compiler. (emit.element_literal looks for the shortest form too;
-- with millions of weights that search costs seconds.) The importer has rejected
-- non-finite values.
local function literal(v, dtype)
  local s = format(dtype == "f64" and "%.17g" or "%.9g", v)
  if not find(s, "[.e]") then s = s .. ".0" end
  return dtype == "f64" and s or (s .. "f")
end

-- The initializer's body, PER_LINE values to a line, as one string: a template line per
-- row would cost seconds for a few million weights.
local function literal_block(values, dtype)
  local lines, line = {}, {}
  for i, v in ipairs(values) do
    line[#line + 1] = literal(v, dtype) .. ","
    if #line == PER_LINE or i == #values then
      lines[#lines + 1] = "  " .. table.concat(line, " ")
      line = {}
    end
  end
  return table.concat(lines, "\n")
end

local function shape_text(L, dims)
  return "[" .. table.concat(dims, "][") .. "] (" .. L.layout .. ")"
end

-- weights.files(template_dir, model, plans, imported, model_name) -> { { name =, text = }, ... }
-- imported.layers[i] holds layer i's baked weights and bias (ONNX order) or none.
function weights.files(template_dir, model, plans, imported, model_name)
  local baked, runtime = {}, {}
  local weight_bytes, bias_bytes, sizes_differ = 0, 0, false
  for i, p in ipairs(plans) do
    local L, source = p.layer, imported.layers[i]
    local label = string.format("Layer %s from %s", p.sym, imported.labels[i])
    if source.baked then
      local size = L.dtype == "f64" and 8 or 4
      local nchw = L.layout == "NCHW"
      local fused = #source.fused > 0 and ("; folded in: " .. table.concat(source.fused, ", ")) or ""
      baked[#baked + 1] = {
        sym = p.sym, SYM = p.SYM, dtype = L.dtype, T = p.elem.ctype, m = L.m, label = label,
        has_bias = source.bias ~= nil,
        weight_count = #source.weights, fused = fused,
        weight_doc = L.op == "conv2d"
          and (nchw and "[M][C/groups][KH][KW]" or "[KH][KW][C/groups][M]")
          or (nchw and "[C][M/groups][KH][KW]" or "[KH][KW][M/groups][C]"),
        weight_block = literal_block(reorder(L, source.weights), L.dtype),
        bias_block = source.bias and literal_block(source.bias, L.dtype),
        call = p.sym .. (L.op == "conv2d" and "_conv" or "_conv_transpose"),
        x = shape_text(L, nchw and { L.n, L.c, L.h, L.w } or { L.n, L.h, L.w, L.c }),
        y = shape_text(L, nchw and { L.n, L.m, L.oh, L.ow } or { L.n, L.oh, L.ow, L.m }),
      }
      local pk = p.prepack
      if pk then
        local entry = baked[#baked]
        entry.packed = {
          condition = pk.condition, elems = pk.elems, doc = pk.doc,
          block = literal_block(prepack.pack(pk, reorder(L, source.weights), L.m), L.dtype),
        }
        if pk.elems ~= #source.weights then sizes_differ = true end
      end
      weight_bytes = weight_bytes + size * (#source.weights + (source.bias and L.m or 0))
      bias_bytes = bias_bytes + size * (source.bias and L.m or 0)
    else
      runtime[#runtime + 1] = label
    end
  end
  local model_sym = model.prefix .. "model"
  -- Padded strips or panels make a packed array longer than the plain one: then the total
  -- depends on the build, and is a sum of the per-layer sizes.
  if sizes_differ then
    local terms = {}
    for _, b in ipairs(baked) do
      terms[#terms + 1] = string.format("%d * %s_BAKED_WEIGHT_ELEMS", b.dtype == "f64" and 8 or 4, b.SYM)
    end
    weight_bytes = string.format("(%s + %d)", table.concat(terms, " + "), bias_bytes)
  end
  local vars = {
    MODEL = model_sym:upper(), prefix = model.prefix, baked = baked, runtime = runtime,
    weight_bytes = weight_bytes,
    banner = function(template_name)
      return "Generated by convgen (generator/convgen.lua) from templates/" .. template_name
        .. ". Do not edit.\n * Baked weights of " .. model_name .. "."
    end,
  }
  return {
    { name = model.prefix .. "weights.h", text = template.render(template_dir, "weights.h.in", vars, {}) },
    { name = model.prefix .. "weights.c", text = template.render(template_dir, "weights.c.in", vars, {}) },
  }
end

return weights
