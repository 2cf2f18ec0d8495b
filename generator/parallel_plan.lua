-- Plans P_conv_parallel's work split at generation time: which loop of the SIMD driver each task runs a range of.
--
-- P_conv_parallel runs the very driver P_conv runs (templates/conv_simd.c.in), with the same
-- kernels, over a range of one of its loops per task. Each output element is computed by exactly
-- one task, by the same kernel call and in the same reduction order as in P_conv, so the results
-- are bit-identical whatever the thread count. The split loop follows the memory layout:
--   batch > 1          images (each task stages its own images in its own workspace slot)
--   NCHW, groups = 1   the row tiles (blocks of output channels: their weights, bias and planes)
--   NCHW, groups > 1   whole groups (depthwise: channels)
--   NHWC               output rows (the depthwise border regions' row loops; a 1x1 layer's pixel tiles)
-- Within one image the input is staged (padded copy, phase split, im2col) once, in a first phase
-- (the reduction blocks of a blocked im2col split across tasks), into a buffer the tasks share;
-- then every task computes its range from it. Unit boundaries fall on 64-byte multiples of the
-- output (no cache line is written by two tasks of one image); a loop that cannot be so cut is not
-- split. The portable branch (no SIMD path: BLAS products, whose row blocks may round unlike the
-- whole) always runs P_conv whole.

local parallel_plan = {}

-- Units per call at most (a multiple of 2 and 4 threads).
parallel_plan.DEFAULT_TASKS = 4
-- Multiply-adds a unit should have at least: below, the pool's dispatch costs more than it saves.
parallel_plan.DEFAULT_GRAIN = 1 << 18
parallel_plan.LINE_BYTES = 64

local function gcd(a, b)
  while b ~= 0 do a, b = b, a % b end
  return a
end

local function round_up(a, b) return (a + b - 1) // b * b end

-- Smallest count of items of `item_bytes` each whose total is a multiple of a cache line.
local function line_quantum(item_bytes)
  return parallel_plan.LINE_BYTES // gcd(item_bytes, parallel_plan.LINE_BYTES)
end

-- About `want` contiguous ranges of [0, count), every inner boundary the multiple of `quantum`
-- nearest to an even cut of `items` (index i starts at item i * size: tiles of `size` rows, the
-- last one shorter); nil when that leaves a single range.
local function ranges(count, want, quantum, items, size)
  if want < 2 then return nil end
  local cuts = { 0 }
  for j = 1, want - 1 do
    local cut = math.floor(j * items / want / size / quantum + 0.5) * quantum
    if cut > cuts[#cuts] and cut < count then cuts[#cuts + 1] = cut end
  end
  if #cuts < 2 then return nil end
  local list = {}
  for i, first in ipairs(cuts) do list[i] = { first = first, last = cuts[i + 1] or count } end
  return list
end

-- The kernel a call site (or the first call under it) runs.
local function site_kernel(f, site)
  while site.sites do site = site.sites[1] end
  for _, k in ipairs(f.kernels) do
    if k.name == site.call then return k end
  end
  error("parallel plan: no kernel " .. tostring(site.call))
end

-- Marks the driver's tile sites over `var` (row tiles "m0", NHWC pixel tiles "ow0") as split:
-- a tile loop's indices are tile indices from 0 (loop.split = 0), a one-tile site gets its
-- tile index (site.split_at): the full tiles come first, the tail tile (a smaller size) last.
local function mark_tile_sites(f, var)
  local tiles = f.row_tiles
  for _, site in ipairs(f.driver.sites) do
    local looped = false
    for _, loop in ipairs(site.loops) do
      if loop.var == var then loop.split, looped = 0, true end
    end
    if not looped then
      site.split_at = site_kernel(f, site).rows == tiles[1].size and 0 or tiles[1].count
    end
  end
end

-- Marks the depthwise border regions' row loops (output rows from region.oh_lo) as split.
local function mark_region_rows(f)
  for i, site in ipairs(f.driver.sites) do
    if #site.loops > 0 then site.loops[1].split = f.regions[i].oh_lo else site.split_at = f.regions[i].oh_lo end
  end
end

-- A blocked im2col (simd_plan's reduction blocks) shares the whole col matrix: every b_row
-- operand moves to its block's rows by kb_col (the driver's 0 when it stages block by block).
local function shared_blocks(f)
  local step = f.k_block.k * f.driver_ohow
  local function walk(list)
    for _, site in ipairs(list) do
      if site.sites then walk(site.sites) end
      for _, op in ipairs(site.args or {}) do
        if type(op) == "table" and op.buf == "b_row" then op.off.terms[#op.off.terms + 1] = { "kb_col", step } end
      end
    end
  end
  walk(f.driver.sites)
  f.driver.kb_col = true
end

-- Whether a driver statement list calls anything (a staging call, which stage_input 0 skips).
local function calls(list)
  for _, s in ipairs(list or {}) do
    if s.call then return true end
  end
  return false
end

-- The coefficient of the channel loop's variable in the first destination offset of a program.
local function channel_step(ops)
  for _, op in ipairs(ops) do
    if op.kind == "loop" then
      local step = channel_step(op.body)
      if step then return step end
    elseif op.dst then
      for _, t in ipairs(op.dst.terms) do
        if t[1] == "c" then return t[2] end
      end
      return nil
    end
  end
  return nil
end

-- The staging copy program of a shared staging (padded or phase-split copy, or the layer's
-- im2col), as ops over input channels [c_first, c_last): its top-level channel loop bounded by
-- those, a whole-buffer zero op cut into its channels' planes. With the elements a channel
-- stages; nil when the program has another form (unrolled, NHWC): phase 1 then stays whole.
local function channel_program(L, p, f)
  local ops, panels
  if f.driver.pad then
    ops = f.pad_ops
  else
    for _, s in ipairs(f.driver.prologue) do
      if s.call == p.sym .. "_im2col" and p.im2col and p.im2col.mode == "loops" then ops = p.im2col.ops end
      -- The whole im2col as B panels (one im2col_block of every channel): a channel's rows are
      -- its own elements of every panel, so channel ranges write disjoint elements.
      if s.call == "im2col_block" and f.panels and not f.k_block and f.block_im2col
          and f.block_im2col.mode == "loops" and p.cg == L.c then
        ops, panels = f.block_im2col.ops, true
      end
    end
  end
  if not ops or L.layout ~= "NCHW" then return nil end
  local per
  for _, op in ipairs(ops) do
    if op.kind == "loop" and op.var == "c" and op.lo == 0 and op.hi == L.c then
      per = per or channel_step(op.body)
    end
  end
  if not per then return nil end
  local out = {}
  for _, op in ipairs(ops) do
    if op.kind == "loop" and op.var == "c" and op.lo == 0 and op.hi == L.c then
      out[#out + 1] = { kind = "loop", var = "c", lo = "c_first", hi = "c_last", body = op.body }
    elseif op.kind == "zero" and not panels and op.dst.k == 0 and #op.dst.terms == 0 and op.count == L.c * per then
      out[#out + 1] = { kind = "zero", dst = { k = 0, terms = { { "c_first", per } } },
                        count = string.format("(size_t)(c_last - c_first) * %d", per) }
    elseif op.kind ~= "comment" then
      return nil
    end
  end
  return { ops = out, per = per }
end

-- How evenly two tasks share a split: the larger task's items over half of them (1: even);
-- unit u covers items [first * size, min(last * size, items)).
local function imbalance(list, items, size)
  if not list or #list < 2 then return math.huge end
  local half, a = #list // 2, 0
  for u = 1, half do a = a + math.min(list[u].last * size, items) - list[u].first * size end
  return math.max(a, items - a) / (items / 2)
end

-- The split of one SIMD path (f.split, and f.driver.split naming the driver loop it ranges
-- over), or nil and why not.
local function path_split(L, p, f, want)
  local d, bytes = f.driver, p.elem.bytes
  local sp
  if L.n > 1 then
    sp = { dim = "images", loop = "images", count = L.n, quantum = 1,
           doc = "whole images, each task staging its own in its workspace slot" }
  elseif L.layout == "NCHW" and d.groups then
    sp = { dim = "groups", loop = "groups", count = L.groups, quantum = line_quantum(p.mg * p.ohow * bytes),
           doc = "blocks of whole groups (their channels' weights, bias and planes)" }
  elseif L.layout == "NCHW" then
    local tiles = f.row_tiles
    sp = { dim = "row tiles", loop = "sites", var = "m0", count = tiles[1].count + (tiles[2] and 1 or 0),
           items = p.mg, size = tiles[1].size,
           quantum = line_quantum(tiles[1].size * p.ohow * bytes),
           doc = string.format("blocks of %d-channel row tiles (their weights, bias and planes)", tiles[1].size) }
    -- Bands of output rows instead, when every plane's band starts on a cache line and two
    -- tasks share them at least as evenly: each task then reads only its rows' input (the tile
    -- split streams the whole staged image once per task) and runs the full tiles only.
    if d.rows and (p.ohow * bytes) % parallel_plan.LINE_BYTES == 0 and not calls(d.row_prologue)
        and not (d.k_blocks and calls(d.k_blocks.prologue)) then
      local rows = { dim = "output rows", loop = "rows", count = d.rows, quantum = line_quantum(L.ow * bytes),
                     doc = "bands of output rows (of every output channel)" }
      local n = math.min(want, d.rows)
      local by_rows = imbalance(ranges(d.rows, n, rows.quantum, d.rows, 1), d.rows, 1)
      local by_tiles = imbalance(ranges(sp.count, math.min(want, sp.count), sp.quantum, sp.items, sp.size),
                                 sp.items, sp.size)
      if by_rows <= by_tiles + 0.01 then sp = rows end
    end
  elseif f.regions then
    sp = { dim = "output rows", loop = "regions", count = L.oh, quantum = line_quantum(L.ow * L.m * bytes),
           doc = "bands of output rows of the depthwise border regions" }
  elseif f.flat_pixels then
    local tiles = f.row_tiles
    sp = { dim = "pixel tiles", loop = "sites", var = "ow0", count = tiles[1].count + (tiles[2] and 1 or 0),
           items = p.ohow, size = tiles[1].size,
           quantum = line_quantum(tiles[1].size * L.m * bytes),
           doc = string.format("blocks of %d-pixel tiles", tiles[1].size) }
  else
    sp = { dim = "output rows", loop = "rows", count = L.oh, quantum = line_quantum(L.ow * L.m * bytes),
           doc = "bands of output rows" }
  end
  local list = ranges(sp.count, math.min(want, sp.count), sp.quantum, sp.items or sp.count, sp.size or 1)
  if not list then
    return nil, string.format("no two ranges of %s with 64-byte-aligned outputs", sp.dim)
  end
  sp.units, sp.quantum, sp.items, sp.size = list, nil, nil, nil
  -- Staging: none, each task's own (images; groups im2col'd one at a time), or shared.
  local stage_bytes = f.workspace_elems * bytes
  if stage_bytes == 0 and f.source ~= "im2col" then
    sp.stage, sp.stage_bytes = "none", 0
  elseif sp.dim == "images" or (sp.dim == "groups" and f.source == "im2col") then
    sp.stage, sp.stage_bytes = "own", round_up(stage_bytes, parallel_plan.LINE_BYTES)
  elseif f.k_block and f.source == "im2col" then
    sp.stage, sp.stage_bytes = "shared_blocks", round_up(p.kg * p.ohow * bytes, parallel_plan.LINE_BYTES)
    f.driver_ohow = p.ohow
    shared_blocks(f)
    f.driver_ohow = nil
  else
    sp.stage, sp.stage_bytes = "shared", round_up(stage_bytes, parallel_plan.LINE_BYTES)
    -- Staged by channels: a group's task stages its own groups' channels (no wait between the
    -- phases); otherwise phase 1 gives each task a block of channels (line-aligned when a block
    -- of whole lines is a cache line's multiple).
    local prog = channel_program(L, p, f)
    if prog then
      local quantum = line_quantum(prog.per * bytes)
      if L.c // quantum < 2 then quantum = 1 end
      sp.stage = sp.dim == "groups" and "own_channels" or "channel_parts"
      sp.stage_ops, sp.stage_quantum = prog.ops, quantum
    end
  end
  if sp.loop == "sites" then mark_tile_sites(f, sp.var) elseif sp.loop == "regions" then mark_region_rows(f) end
  d.split = sp.loop == "regions" and "sites" or sp.loop
  sp.var, sp.loop = nil, nil
  return sp
end

-- Whether two plan values (numbers, strings, tables of them) are equal.
local function same(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k, v in pairs(a) do
    if not same(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

local function split_any(paths)
  for _, f in ipairs(paths) do
    if f.split then return true end
  end
  return false
end

-- The split of a conv2d layer's P_conv_parallel (pure data; --plan prints it as plan.parallel,
-- and each SIMD path's as plan.simd[i].split), or a split of kind "serial" when P_conv_parallel
-- just calls P_conv: a transposed or s8 layer, no SIMD path (f64, firmware), or a layer too
-- small to share. Run after the SIMD drivers exist (simd_plan.driver).
--   options.parallel_tasks  units per call at most (default DEFAULT_TASKS)
--   options.parallel_grain  multiply-adds per unit at least (default DEFAULT_GRAIN)
function parallel_plan.plan(L, p, options)
  options = options or {}
  local split = { kind = "serial" }
  if L.op ~= "conv2d" then
    split.doc = "P_conv_parallel is not generated for conv_transpose2d"
    return split
  end
  if p.elem.epilogue == "requantize" then
    split.doc = "s8: a part would need its channels' slice of the quantization (not yet); P_conv_parallel calls P_conv"
    return split
  end
  if not p.simd then
    split.doc = "no SIMD path (f64, a build without SIMD, or a layer the BLAS multiplies): P_conv_parallel calls P_conv"
    return split
  end
  local tasks = options.parallel_tasks or parallel_plan.DEFAULT_TASKS
  local grain = math.max(options.parallel_grain or parallel_plan.DEFAULT_GRAIN, 1)
  local want = math.min(tasks, math.max(1, p.macs // grain))
  if want < 2 then
    split.doc = string.format("one task: %d MACs (units of at least %d)", p.macs, grain)
    return split
  end
  local why = {}
  local fixed, slot, slots = p.workspace_bytes, 0, 0
  for _, f in ipairs(p.simd) do
    local sp, problem = path_split(L, p, f, want)
    if sp then
      f.split = sp
      if sp.stage == "own" then
        slot, slots = math.max(slot, sp.stage_bytes), math.max(slots, #sp.units)
      else
        fixed = math.max(fixed, sp.stage_bytes)
      end
    elseif why[problem] then
      why[problem] = why[problem] .. ", " .. f.isa
    else
      why[#why + 1], why[problem] = problem, f.isa
    end
  end
  if not split_any(p.simd) then
    for i, problem in ipairs(why) do why[i] = string.format("%s (%s)", problem, why[problem]) end
    split.doc = string.format("one task: %d MACs (units of at least %d); %s", p.macs, grain, table.concat(why, "; "))
    return split
  end
  split.kind = "split"
  -- One channel-staging program for every split path, when they all stage by the same one.
  local shared_ops, differ = nil, false
  for _, f in ipairs(p.simd) do
    if f.split then
      local ops = f.split.stage_ops
      differ = differ or not ops or (shared_ops ~= nil and not same(ops, shared_ops))
      shared_ops = shared_ops or ops
    end
  end
  if shared_ops and not differ then
    split.stage_ops = shared_ops
    for _, f in ipairs(p.simd) do
      if f.split then f.split.stage_ops = nil end
    end
  end
  split.doc = "ranges of the SIMD driver's loops (plan.simd[i].split); P_conv whole on the other branches"
  -- What each compiled branch does (the bench's threads table says the same per layer).
  local paths = {}
  for _, f in ipairs(p.simd) do paths[f.isa] = f end
  split.branches = {}
  for _, isa in ipairs(require("generator.plan").SIMD_ISAS) do
    local f = paths[isa.name]
    split.branches[#split.branches + 1] = isa.name .. ": " .. (not f
      and "P_conv whole (no SIMD path: the BLAS multiplies the layer, or its staging is over the limit)"
      or f.split and string.format("%d units of %s", #f.split.units, f.split.dim)
      or "P_conv whole (" .. (why[1] or "not split") .. ")")
  end
  split.branches[#split.branches + 1] = "portable: P_conv whole (BLAS products: row blocks may round unlike the whole)"
  -- Workspace: the larger of P_conv's and a shared staging buffer, or one slot per task.
  split.fixed_bytes, split.slot_bytes, split.slots = fixed, slot, slots
  return split
end

return parallel_plan
