-- The --report table: one line per layer with shapes, MACs, memory and unroll decisions.

local json = require("generator.json")

local report = {}

local function shape(a, b, c, d)
  return string.format("%dx%dx%dx%d", a, b, c, d)
end

-- Per-layer numbers shared by every form of the report.
local function layer_facts(p)
  local L = p.layer
  local nchw = L.layout == "NCHW"
  return {
    sym = p.sym, op = L.op, layout = L.layout, dtype = L.dtype,
    input = nchw and shape(L.n, L.c, L.h, L.w) or shape(L.n, L.h, L.w, L.c),
    output = nchw and shape(L.n, L.m, L.oh, L.ow) or shape(L.n, L.oh, L.ow, L.m),
    macs = p.macs, weight_bytes = p.weight_elems * p.elem.bytes, workspace_bytes = p.workspace_bytes,
    -- s8 layers have no col2im (no gradients), whatever the shared plan computed.
    im2col = p.im2col and p.im2col.mode or "-", col2im = (p.col2im and not p.s8) and p.col2im.mode or "-",
  }
end

local function totals(plans)
  local t = { macs = 0, weight_bytes = 0, peak_workspace = 0 }
  for _, p in ipairs(plans) do
    local f = layer_facts(p)
    t.macs = t.macs + f.macs
    t.weight_bytes = t.weight_bytes + f.weight_bytes
    t.peak_workspace = math.max(t.peak_workspace, f.workspace_bytes)
  end
  return t
end

-- <prefix>report.md: what the generator knows before anything is compiled.
function report.markdown(plans, spec_name)
  -- a tab or newline in the spec's file name must not break the heading
  local title = spec_name:gsub("%c", function(c) return string.format("\\x%02X", c:byte()) end)
  local out = {
    "# " .. title .. ": generated layers",
    "",
    "Written by convgen (generator/report.lua). Code sizes need a compiler: "
      .. "`lua5.4 scripts/size_report.lua SPEC` measures them.",
    "",
    "| layer | op | layout | dtype | input | output | MACs | weight bytes | workspace bytes | im2col | col2im |",
    "| --- | --- | --- | --- | --- | --- | ---: | ---: | ---: | --- | --- |",
  }
  for _, p in ipairs(plans) do
    local f = layer_facts(p)
    out[#out + 1] = string.format("| %s | %s | %s | %s | %s | %s | %d | %d | %d | %s | %s |", f.sym, f.op,
      f.layout, f.dtype, f.input, f.output, f.macs, f.weight_bytes, f.workspace_bytes, f.im2col, f.col2im)
  end
  local t = totals(plans)
  out[#out + 1] = ""
  out[#out + 1] = string.format("%d layers, %d MACs, %d weight bytes. Peak workspace: %d bytes "
    .. "(one 64-byte aligned buffer shared by layers that run one after another).",
    #plans, t.macs, t.weight_bytes, t.peak_workspace)
  return table.concat(out, "\n") .. "\n"
end

-- <prefix>report.json: the same, for tools. Keys are written in a fixed order; each layer on one line.
function report.json(plans, spec_name)
  local KEYS = { "sym", "op", "layout", "dtype", "input", "output", "macs", "weight_bytes", "workspace_bytes",
                 "im2col", "col2im" }
  local layers = {}
  for i, p in ipairs(plans) do layers[i] = json.object(KEYS, layer_facts(p)) end
  local t = totals(plans)
  return json.encode(json.object({ "spec", "layers", "total_macs", "total_weight_bytes", "peak_workspace_bytes" }, {
    spec = spec_name, layers = layers, total_macs = t.macs, total_weight_bytes = t.weight_bytes,
    peak_workspace_bytes = t.peak_workspace,
  }), { inline_depth = 2 }) .. "\n"
end

function report.text(plans)
  local rows = {}
  local header = { "layer", "op", "layout", "dtype", "input", "output", "kernel", "stride", "pad t,b,l,r",
                   "dil", "groups", "MACs", "weight B", "workspace B", "im2col", "col2im" }
  for _, p in ipairs(plans) do
    local L, f = p.layer, layer_facts(p)
    local op = L.op == "conv2d" and (L.backward and "conv2d+bwd" or "conv2d") or "transpose"
    rows[#rows + 1] = {
      f.sym, op, f.layout, f.dtype, f.input, f.output,
      L.kh .. "x" .. L.kw, L.sh .. "x" .. L.sw,
      string.format("%d,%d,%d,%d", L.pad_top, L.pad_bottom, L.pad_left, L.pad_right),
      L.dh .. "x" .. L.dw, tostring(L.groups), tostring(f.macs),
      tostring(f.weight_bytes), tostring(f.workspace_bytes), f.im2col, f.col2im,
    }
  end
  local widths = {}
  for i, h in ipairs(header) do widths[i] = #h end
  for _, r in ipairs(rows) do
    for i, cell in ipairs(r) do widths[i] = math.max(widths[i], #cell) end
  end
  local out = {}
  local function line(cells)
    local parts = {}
    for i, cell in ipairs(cells) do
      parts[i] = (i <= 4) and (cell .. string.rep(" ", widths[i] - #cell))
        or (string.rep(" ", widths[i] - #cell) .. cell)
    end
    out[#out + 1] = table.concat(parts, "  "):gsub("%s+$", "")
  end
  line(header)
  for _, r in ipairs(rows) do line(r) end
  local t = totals(plans)
  out[#out + 1] = string.format(
    "%d layers, %d MACs, %d weight bytes, peak workspace %d bytes (one buffer shared by all layers)",
    #plans, t.macs, t.weight_bytes, t.peak_workspace)
  return table.concat(out, "\n") .. "\n"
end

return report
