-- The --report table: one line per layer with shapes, MACs, memory and unroll decisions.

local report = {}

local function shape(a, b, c, d)
  return string.format("%dx%dx%dx%d", a, b, c, d)
end

function report.text(plans)
  local rows = {}
  local header = { "layer", "layout", "dtype", "input", "output", "kernel", "stride", "pad t,b,l,r",
                   "dil", "groups", "MACs", "weight B", "workspace B", "im2col", "col2im" }
  local total_macs, total_weights, peak_workspace = 0, 0, 0
  for _, p in ipairs(plans) do
    local L = p.layer
    local nchw = L.layout == "NCHW"
    rows[#rows + 1] = {
      p.sym, L.layout, L.dtype,
      nchw and shape(L.n, L.c, L.h, L.w) or shape(L.n, L.h, L.w, L.c),
      nchw and shape(L.n, L.m, L.oh, L.ow) or shape(L.n, L.oh, L.ow, L.m),
      L.kh .. "x" .. L.kw, L.sh .. "x" .. L.sw,
      string.format("%d,%d,%d,%d", L.pad_top, L.pad_bottom, L.pad_left, L.pad_right),
      L.dh .. "x" .. L.dw, tostring(L.groups), tostring(p.macs),
      tostring(p.weight_elems * p.elem.bytes), tostring(p.workspace_bytes),
      p.im2col.mode, p.col2im.mode,
    }
    total_macs = total_macs + p.macs
    total_weights = total_weights + p.weight_elems * p.elem.bytes
    peak_workspace = math.max(peak_workspace, p.workspace_bytes)
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
      parts[i] = (i <= 3) and (cell .. string.rep(" ", widths[i] - #cell))
        or (string.rep(" ", widths[i] - #cell) .. cell)
    end
    out[#out + 1] = table.concat(parts, "  "):gsub("%s+$", "")
  end
  line(header)
  for _, r in ipairs(rows) do line(r) end
  out[#out + 1] = string.format(
    "%d layers, %d MACs, %d weight bytes, peak workspace %d bytes (one buffer shared by all layers)",
    #plans, total_macs, total_weights, peak_workspace)
  return table.concat(out, "\n") .. "\n"
end

return report
