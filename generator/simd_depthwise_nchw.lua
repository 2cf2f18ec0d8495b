-- Plans the SIMD path of an NCHW depthwise layer: one channel at a time, staged in a small zero-bordered buffer.
--
-- The nchw tiles (simd_nchw.lua) stage the whole image first (a padded or column-phase copy of
-- C x H x W floats, 1.9 MB for MobileNetV2's 144x56x56 stride-2 layer) for 9 multiply-adds per
-- output. Here each channel is copied into a buffer of the stack that stays in L1/L2: its rows
-- zero-bordered and, for stride 2, split into even and odd columns by vector shuffles (the ISA's
-- even_lanes / odd_lanes), so every tap of a row of outputs is one unmasked vector load. The
-- channel's taps and bias are broadcast once; output rows run in blocks of up to `vectors`
-- vectors along W, each accumulator a chain of KH*KW FMAs; only the last vector's store is masked.

local T = require("generator.simd_tiles")

local simd_depthwise_nchw = {}

-- Largest per-channel buffer (bytes, on the stack): MobileNetV2's 112x112 layer needs 52 KB.
simd_depthwise_nchw.MAX_STAGE_BYTES = 64 * 1024

local function round_up(a, b) return (a + b - 1) // b * b end

-- The plan, or nil when the layer is not a stride-2 depthwise layer with rows of a vector or more.
-- (Stride 1 stays on the nchw tiles over a padded copy: MobileNetV2's 112x112 layer ran 4% slower
-- here, its 52 KB buffer beyond L1; docs/benchmark.md.)
function simd_depthwise_nchw.plan(L, p, isa)
  if not (p.depthwise and L.m == L.c and L.ow >= isa.lanes and L.sw == 2 and isa.even_lanes) then
    return nil
  end
  local s = L.sw
  local hp, wp = p.hp, p.wp
  local shift = ((L.kw - 1) * L.dw) // s          -- the largest tap's column offset within a phase
  local pitch = math.max(T.ceil_div(wp, s), round_up(L.ow, isa.lanes) + shift)
  local f = { kind = "dw_nchw", source = "channel", workspace_elems = 0, phases = s, pitch = pitch, rows = hp }
  f.stage_elems = hp * s * pitch
  if f.stage_elems * p.elem.bytes > simd_depthwise_nchw.MAX_STAGE_BYTES then return nil end
  f.row_stride = s * pitch
  -- Each tap's offset in the buffer from its output row's first padded row.
  f.taps = {}
  for kh = 0, L.kh - 1 do
    for kw = 0, L.kw - 1 do
      local col = kw * L.dw
      f.taps[#f.taps + 1] = { w = kh * L.kw + kw, off = kh * L.dh * f.row_stride + (col % s) * pitch + col // s }
    end
  end
  -- Output row blocks: up to `vectors` vectors (as many FMA chains), the last vector masked.
  local nvec = T.ceil_div(L.ow, isa.lanes)
  local most = isa.registers >= 32 and 6 or 4
  f.blocks = {}
  local v0 = 0
  while v0 < nvec do
    local n = math.min(most, nvec - v0)
    local masks = {}
    if v0 + n == nvec and L.ow % isa.lanes ~= 0 then
      local kn = T.kernel_variants(isa, "dw", { { size = 1, count = 1 } }, { { size = L.ow, count = 1 } })[1]
      masks[n - 1] = kn.masks[nvec - 1]
    end
    local b = { first = v0 * isa.lanes, vectors = n, masks = masks }
    -- Identical full blocks run as one loop.
    local last = f.blocks[#f.blocks]
    if last and last.vectors == n and not next(masks) and not next(last.masks) then
      last.count = last.count + 1
    else
      b.count = 1
      f.blocks[#f.blocks + 1] = b
    end
    v0 = v0 + n
  end
  -- Staging of one input row: memcpy (stride 1), or vectors of 2 * lanes source columns
  -- split into the two phases plus single columns at either end (stride 2).
  local pl = L.pad_left
  if s == 2 then
    local i0, step = pl % 2, 2 * isa.lanes
    local chunks = (L.w - i0) // step
    local q = { first = i0, chunks = chunks, step = step, loop_end = i0 + chunks * step, rest = i0 + chunks * step }
    -- One more chunk ending at the row's end (or one column short, for its parity) rewrites
    -- some columns with the same values instead of copying the rest one by one.
    local last = L.w - step
    if (last - i0) % 2 ~= 0 then last = last - 1 end
    if chunks > 0 and last > q.rest - step then q.last, q.rest = last, last + step end
    f.deinterleave = q
  end
  f.pad_left, f.pad_top = pl, L.pad_top
  return f
end

-- The driver as data for P_conv_parallel (generator/parallel_plan.lua splits its images or channels).
function simd_depthwise_nchw.driver(L, p, f)
  local d = { groups = L.groups, sites = {}, prologue = {}, row_prologue = {} }
  if L.n > 1 then d.images = { count = L.n, x_step = p.input_elems // L.n, y_step = p.output_elems // L.n } end
  f.driver = d
  f.summary = string.format("%s path: depthwise, one channel at a time staged in a %d-byte buffer (%s), rows of "
    .. "up to %d vectors along W", require("generator.isa." .. f.isa).title, f.stage_elems * p.elem.bytes,
    f.phases == 2 and "columns split into even and odd phases" or "zero-bordered rows", f.blocks[1].vectors)
  return f
end

return simd_depthwise_nchw
