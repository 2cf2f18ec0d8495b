-- Plans the bodies of conv_backward_data, conv_backward_weights and conv_transpose as statement lists.
--
-- A statement list holds items that templates/statements.c.in prints:
--   { open = "for (...) {" }  { close = true }  { line = "..." }
--   { gemm = { doc, fn, ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc } }
--   { epilogue = { rows, cols, ld, out, bias_per_row, bias_group } }  (bias index g * bias_group + r or j)
-- Backward data is col2im of W^T * dy per image and group; a transposed conv is the
-- backward data of its associated forward conv (plan.lua), plus bias and activation.

local copyprog = require("generator.copyprog")
local types = require("generator.types")

local gradients = {}

local function pointer(buf, k, ...)
  return copyprog.pointer(buf, copyprog.offset(k, ...))
end

local function literal(p, value)
  return types.literal(p.elem, value)
end

-- Loop items over images (unless one GEMM covers the batch) and groups.
local function batch_and_groups(F, batch_in_gemm)
  local loops = {}
  if F.n > 1 and not batch_in_gemm then loops.n = true end
  if F.groups > 1 then loops.g = true end
  return loops
end

-- dx = backward data of the forward conv F (p's geometry): dy is F's output, dx its input.
-- Names the buffers dy and dx as given; `after_image` items run once per image.
-- A depthwise layer's gradients: one direct call per image (templates/depthwise.c.in).
-- `call` formats the call from the image's input and output offsets (C expressions).
local function per_image(p, call, prologue)
  local L = p.layer
  local items = { prologue }
  local x_at, y_at = "0", "0"
  if L.n > 1 then
    items[#items + 1] = { open = string.format("for (int n = 0; n < %d; ++n) {", L.n) }
    x_at, y_at = string.format("n * %d", L.c * p.hw), string.format("n * %d", L.m * p.ohow)
  end
  items[#items + 1] = { line = call(x_at, y_at) }
  if L.n > 1 then items[#items + 1] = { close = true } end
  return items
end

local function at(buf, offset)
  return offset == "0" and buf or (buf .. " + " .. offset)
end

function gradients.data(p, dy, dx, scatter_fn, after_image)
  if p.depthwise then
    return per_image(p, function(x_at, y_at)
      return string.format("depthwise_backward_data(%s, w, %s);", at(dy, y_at), at(dx, x_at))
    end)
  end
  local F = p.forward or p.layer
  local nchw = F.layout == "NCHW"
  local batch_in_gemm = p.batch_in_gemm
  local loops = batch_and_groups(F, batch_in_gemm)
  local n_dy = loops.n and F.m * p.ohow or 0
  local n_dx = loops.n and F.c * p.hw or 0
  local items = {}
  if loops.n then items[#items + 1] = { open = string.format("for (int n = 0; n < %d; ++n) {", F.n) } end
  local grouped = loops.g
  if grouped and not p.direct_gemm then
    items[#items + 1] = { line = string.format("memset(%s, 0, %d * sizeof(%s)); /* the groups accumulate into it */",
      pointer(dx, 0, "n", n_dx), F.c * p.hw, p.elem.ctype) }
  end
  if grouped then items[#items + 1] = { open = string.format("for (int g = 0; g < %d; ++g) {", F.groups) } end
  local gs = grouped and 1 or 0
  local gemm = { fn = p.elem.gemm, beta = literal(p, 0) }
  local scatter
  if nchw then
    gemm.ta, gemm.tb = "CG_TRANS", "CG_NO_TRANS"
    gemm.m, gemm.n, gemm.k = p.kg, p.ohow, p.mg
    gemm.a, gemm.lda = pointer("w", 0, "g", gs * p.mg * p.kg), p.kg
    gemm.b, gemm.ldb = pointer(dy, 0, "n", n_dy, "g", gs * p.mg * p.ohow), p.ohow
    local image = pointer(dx, 0, "n", n_dx, "g", gs * p.cg * p.hw)
    if p.direct_gemm then
      gemm.c, gemm.ldc = image, p.hw
    else
      gemm.c, gemm.ldc = "col", p.ohow
      scatter = grouped and string.format("col2im_group_add(col, %s);", image)
        or string.format("%s(col, %s);", scatter_fn, pointer(dx, 0, "n", n_dx))
    end
    gemm.doc = string.format("%s[%d x %d] = w^T[%d x %d] * %s[%d x %d]", p.direct_gemm and dx or "col",
      p.kg, p.ohow, p.kg, p.mg, dy, p.mg, p.ohow)
  else
    local rows = batch_in_gemm and F.n * p.ohow or p.ohow
    gemm.ta, gemm.tb = "CG_NO_TRANS", "CG_TRANS"
    gemm.m, gemm.n, gemm.k = rows, p.kg, p.mg
    gemm.a, gemm.lda = pointer(dy, 0, "n", n_dy, "g", gs * p.mg), F.m
    gemm.b, gemm.ldb = pointer("w", 0, "g", gs * p.mg), F.m
    local image = pointer(dx, 0, "n", n_dx, "g", gs * p.cg)
    if p.direct_gemm then
      gemm.c, gemm.ldc = image, F.c
    else
      gemm.c, gemm.ldc = "col", p.kg
      scatter = grouped and string.format("col2im_group_add(col, %s);", image)
        or string.format("%s(col, %s);", scatter_fn, pointer(dx, 0, "n", n_dx))
    end
    gemm.doc = string.format("%s[%d x %d] = %s[%d x %d] * w^T[%d x %d]", p.direct_gemm and dx or "col",
      rows, p.kg, dy, rows, p.mg, p.mg, p.kg)
  end
  items[#items + 1] = { gemm = gemm }
  if scatter then items[#items + 1] = { line = scatter } end
  if grouped then items[#items + 1] = { close = true } end
  for _, item in ipairs(after_image and after_image(loops.n and "n" or nil, batch_in_gemm) or {}) do
    items[#items + 1] = item
  end
  if loops.n then items[#items + 1] = { close = true } end
  return items
end

-- dw = sum over images of dy * im2col(x)^T, per group.
function gradients.weights(p)
  if p.depthwise then
    return per_image(p, function(x_at, y_at)
      return string.format("depthwise_backward_weights(%s, %s, dw);", at("x", x_at), at("dy", y_at))
    end, { line = string.format("memset(dw, 0, %d * sizeof(%s)); /* the images accumulate into it */",
      p.weight_elems, p.elem.ctype) })
  end
  local L = p.layer
  local nchw = L.layout == "NCHW"
  local batch_in_gemm = p.batch_in_gemm
  local loops = batch_and_groups(L, batch_in_gemm)
  local n_x = loops.n and L.c * p.hw or 0
  local n_dy = loops.n and L.m * p.ohow or 0
  local gs = loops.g and 1 or 0
  local items = {}
  if loops.n then items[#items + 1] = { open = string.format("for (int n = 0; n < %d; ++n) {", L.n) } end
  if loops.g then items[#items + 1] = { open = string.format("for (int g = 0; g < %d; ++g) {", L.groups) } end
  local gemm = { fn = p.elem.gemm,
    -- the first image overwrites dw, the others add to it
    beta = loops.n and string.format("n == 0 ? %s : %s", literal(p, 0), literal(p, 1)) or literal(p, 0) }
  local gather = p.im2col_group and "im2col_group" or (p.sym .. "_im2col")
  local cols
  if nchw then
    local image = pointer("x", 0, "n", n_x, "g", gs * p.cg * p.hw)
    if p.direct_gemm then
      cols = image
    else
      items[#items + 1] = { line = string.format("%s(%s, col);", gather,
        p.im2col_group and image or pointer("x", 0, "n", n_x)) }
      cols = "col"
    end
    gemm.ta, gemm.tb = "CG_NO_TRANS", "CG_TRANS"
    gemm.m, gemm.n, gemm.k = p.mg, p.kg, p.ohow
    gemm.a, gemm.lda = pointer("dy", 0, "n", n_dy, "g", gs * p.mg * p.ohow), p.ohow
    gemm.b, gemm.ldb = cols, p.ohow
    gemm.c, gemm.ldc = pointer("dw", 0, "g", gs * p.mg * p.kg), p.kg
    gemm.doc = string.format("dw[%d x %d] (+)= dy[%d x %d] * col^T[%d x %d]", p.mg, p.kg, p.mg, p.ohow, p.ohow, p.kg)
  else
    local rows = batch_in_gemm and L.n * p.ohow or p.ohow
    local image = pointer("x", 0, "n", n_x, "g", gs * p.cg)
    local ld = L.c
    if p.direct_gemm then
      cols = image
    else
      items[#items + 1] = { line = string.format("%s(%s, col);", gather,
        p.im2col_group and image or pointer("x", 0, "n", n_x)) }
      cols, ld = "col", p.kg
    end
    gemm.ta, gemm.tb = "CG_TRANS", "CG_NO_TRANS"
    gemm.m, gemm.n, gemm.k = p.kg, p.mg, rows
    gemm.a, gemm.lda = cols, ld
    gemm.b, gemm.ldb = pointer("dy", 0, "n", n_dy, "g", gs * p.mg), L.m
    gemm.c, gemm.ldc = pointer("dw", 0, "g", gs * p.mg), L.m
    gemm.doc = string.format("dw[%d x %d] (+)= col^T[%d x %d] * dy[%d x %d]", p.kg, p.mg, p.kg, rows, rows, p.mg)
  end
  items[#items + 1] = { gemm = gemm }
  if loops.g then items[#items + 1] = { close = true } end
  if loops.n then items[#items + 1] = { close = true } end
  return items
end

-- conv_transpose: backward data of the associated forward conv into y, then
-- bias and activation over each image.
function gradients.transpose(p)
  local L = p.layer
  return gradients.data(p, "x", "y", "col2im_image", function(n_var, batch_in_gemm)
    local nchw = L.layout == "NCHW"
    local image_elems = L.m * L.oh * L.ow
    local out = pointer("y", 0, n_var or "n", n_var and image_elems or 0)
    local e = { out = out }
    if nchw then
      e.rows, e.cols, e.ld, e.bias_per_row = L.m, L.oh * L.ow, L.oh * L.ow, true
    else
      e.rows = (batch_in_gemm and L.n or 1) * L.oh * L.ow
      e.cols, e.ld, e.bias_per_row = L.m, L.m, false
    end
    if L.n > 1 and not n_var and not batch_in_gemm then
      error("transpose epilogue needs the image loop")
    end
    return { { epilogue = e } }
  end)
end

return gradients
