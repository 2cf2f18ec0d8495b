-- bench/csv_to_spec.lua: turns the benchmark's shape CSV into a convgen spec and a C header naming each layer's suite.
--
--   lua5.4 bench/csv_to_spec.lua SHAPES.csv -o SPEC.lua [--header SUITES.h] [--prefix P] [--both-layouts]
--                                [--no-backward] [--s8]
--
-- One spec layer per CSV row, with the padding written as its four sides and the
-- kernel, stride and dilation as pairs, so the spec says exactly what the row says.
-- Every layer gets backward = true (its gradient functions, timed by the bench's
-- backward rows) unless --no-backward is given.
-- --both-layouts adds, for every row, a twin in the other layout named NAME_nchw or
-- NAME_nhwc. --s8 adds, for every row, an int8 twin NAME_s8 in NHWC with the quantization of
-- bench/s8_quant.lua (the bench's s8 pass). Outputs are rewritten only when their text changes
-- (CMake runs this at configure time, and an untouched spec does not regenerate the kernels).
-- Exit status: 0 on success, 1 for a bad CSV (every problem reported as FILE:LINE: message), 2 for usage.

-- The int8 twins' layer text, from the file beside this one.
local s8_layer = dofile((arg[0]:match("^(.*)[/\\]") or ".") .. "/s8_quant.lua")

local COLUMNS = {
  "suite", "name", "layout", "dtype", "n", "c", "h", "w", "m", "kh", "kw", "sh", "sw",
  "pt", "pb", "pl", "pr", "dh", "dw", "groups", "bias", "activation",
}

-- Integer columns and the smallest value each may take.
local INTEGER_MIN = {
  n = 1, c = 1, h = 1, w = 1, m = 1, kh = 1, kw = 1, sh = 1, sw = 1,
  pt = 0, pb = 0, pl = 0, pr = 0, dh = 1, dw = 1, groups = 1, bias = 0,
}

local USAGE = "usage: lua5.4 csv_to_spec.lua SHAPES.csv -o SPEC.lua [--header SUITES.h] [--prefix P] [--both-layouts]"
  .. " [--no-backward] [--s8]"

local function usage_error(message)
  io.stderr:write("csv_to_spec: ", message, "\n", USAGE, "\n")
  os.exit(2)
end

local function parse_args(argv)
  local opts = { prefix = "bench_", backward = true }
  local i = 1
  while i <= #argv do
    local a = argv[i]
    if a == "-o" or a == "--output" or a == "--header" or a == "--prefix" then
      if argv[i + 1] == nil then usage_error(a .. " needs a value") end
      local key = (a == "-o" or a == "--output") and "output" or a:sub(3)
      opts[key] = argv[i + 1]
      i = i + 2
    elseif a == "--both-layouts" then
      opts.both_layouts = true
      i = i + 1
    elseif a == "--no-backward" then
      opts.backward = false
      i = i + 1
    elseif a == "--s8" then
      opts.s8 = true
      i = i + 1
    elseif a == "-h" or a == "--help" then
      print(USAGE)
      os.exit(0)
    elseif a:sub(1, 1) == "-" then
      usage_error("unknown option " .. a)
    elseif opts.csv then
      usage_error("more than one CSV file given")
    else
      opts.csv = a
      i = i + 1
    end
  end
  if not opts.csv or not opts.output then usage_error("a CSV file and -o SPEC.lua are required") end
  if not opts.prefix:match("^[%a_][%w_]*$") and opts.prefix ~= "" then
    usage_error("--prefix must be a C identifier prefix")
  end
  return opts
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return text
end

-- Writes text to path unless the file already holds exactly that text.
local function write_if_changed(path, text)
  if read_file(path) == text then return true end
  local tmp = path .. ".tmp"
  local f, err = io.open(tmp, "wb")
  if not f then return nil, err end
  local ok, werr = f:write(text)
  f:close()
  if not ok then
    os.remove(tmp)
    return nil, werr
  end
  return os.rename(tmp, path)
end

local function split_fields(line)
  local fields = {}
  for field in (line .. ","):gmatch("([^,]*),") do
    fields[#fields + 1] = field:match("^%s*(.-)%s*$")
  end
  return fields
end

-- "none" | "relu" | "relu6" | "clamp:LO:HI" -> the spec's activation value as Lua text.
local function activation_text(value)
  if value == "none" or value == "relu" or value == "relu6" then
    return string.format("%q", value)
  end
  local lo, hi = value:match("^clamp:([^:]+):([^:]+)$")
  if lo and tonumber(lo) and tonumber(hi) and tonumber(lo) <= tonumber(hi) then
    return string.format('{ "clamp", %s, %s }', lo, hi)
  end
  return nil
end

-- Parses the CSV into a list of row tables; returns rows or nil plus the list of errors.
local function parse_csv(path, text)
  local errors, rows, seen = {}, {}, {}
  local function fail(line_no, message)
    errors[#errors + 1] = string.format("%s:%d: %s", path, line_no, message)
  end
  local header, index = nil, {}
  local line_no = 0
  for line in (text:gsub("\r\n", "\n") .. (text:sub(-1) == "\n" and "" or "\n")):gmatch("([^\n]*)\n") do
    line_no = line_no + 1
    if line:match("^%s*$") or line:match("^%s*#") then
      goto continue  -- blank lines and # comments
    end
    if line:find('"', 1, true) then
      fail(line_no, "quoted fields are not supported")
    elseif not header then
      header = split_fields(line)
      for i, name in ipairs(header) do index[name] = i end
      for _, name in ipairs(COLUMNS) do
        if not index[name] then fail(line_no, "missing column '" .. name .. "'") end
      end
      if #errors > 0 then return nil, errors end
    else
      local fields = split_fields(line)
      if #fields ~= #header then
        fail(line_no, string.format("%d fields, the header has %d", #fields, #header))
      else
        local row = { line = line_no }
        for _, name in ipairs(COLUMNS) do row[name] = fields[index[name]] end
        for _, name in ipairs(COLUMNS) do
          local min = INTEGER_MIN[name]
          if min then
            local v = math.tointeger(tonumber(row[name]))
            if not v or v < min then
              fail(line_no, string.format("column '%s' must be an integer >= %d, got '%s'", name, min, row[name]))
            end
            row[name] = v
          end
        end
        if not row.name:match("^[%a_][%w_]*$") then
          fail(line_no, "name '" .. row.name .. "' is not a C identifier")
        elseif seen[row.name] then
          fail(line_no, "duplicate layer name '" .. row.name .. "' (first on line " .. seen[row.name] .. ")")
        else
          seen[row.name] = line_no
        end
        if not row.suite:match("^[%w_%-%.]+$") then fail(line_no, "suite '" .. row.suite .. "' is not a plain word") end
        row.layout = row.layout:upper()
        if row.layout ~= "NCHW" and row.layout ~= "NHWC" then
          fail(line_no, "layout must be NCHW or NHWC, got '" .. row.layout .. "'")
        end
        if row.dtype ~= "f32" and row.dtype ~= "f64" then
          fail(line_no, "dtype must be f32 or f64, got '" .. row.dtype .. "'")
        end
        if row.bias and row.bias > 1 then fail(line_no, "bias must be 0 or 1") end
        row.activation_text = activation_text(row.activation)
        if not row.activation_text then
          fail(line_no, "activation must be none, relu, relu6 or clamp:LO:HI, got '" .. row.activation .. "'")
        end
        rows[#rows + 1] = row
      end
    end
    ::continue::
  end
  if not header then fail(math.max(line_no, 1), "no header line") end
  if #errors > 0 then return nil, errors end
  return rows
end

local function layer_text(row, name, layout, backward, quant)
  if quant then return s8_layer.text(row, name) end
  return string.format(table.concat({
    "    { op = \"conv2d\", name = %q, layout = %q, dtype = %q,  -- %s, CSV line %d",
    "      input = { n = %d, c = %d, h = %d, w = %d }, filters = %d,",
    "      kernel = { %d, %d }, stride = { %d, %d }, dilation = { %d, %d },",
    "      padding = { top = %d, bottom = %d, left = %d, right = %d },",
    "      groups = %d, bias = %s, activation = %s, backward = %s },",
  }, "\n"),
    name, layout, row.dtype, row.suite, row.line,
    row.n, row.c, row.h, row.w, row.m,
    row.kh, row.kw, row.sh, row.sw, row.dh, row.dw,
    row.pt, row.pb, row.pl, row.pr,
    row.groups, row.bias == 1 and "true" or "false", row.activation_text, tostring(backward))
end

local function expand(rows, both_layouts, s8)
  local layers = {}
  for _, row in ipairs(rows) do
    layers[#layers + 1] = { row = row, name = row.name, layout = row.layout }
    if both_layouts then
      local other = row.layout == "NCHW" and "NHWC" or "NCHW"
      layers[#layers + 1] = { row = row, name = row.name .. "_" .. other:lower(), layout = other }
    end
  end
  if s8 then
    for _, row in ipairs(rows) do
      layers[#layers + 1] = { row = row, name = row.name .. "_s8", layout = "NHWC", s8 = true }
    end
  end
  return layers
end

local function spec_text(csv_name, prefix, layers, backward)
  local out = {
    "-- Benchmark spec written by bench/csv_to_spec.lua from " .. csv_name .. ". Do not edit: edit the CSV.",
    "return {",
    string.format("  prefix = %q,", prefix),
    "  layers = {",
  }
  for _, l in ipairs(layers) do out[#out + 1] = layer_text(l.row, l.name, l.layout, backward, l.s8) end
  out[#out + 1] = "  },"
  out[#out + 1] = "}"
  return table.concat(out, "\n") .. "\n"
end

local function header_text(csv_name, layers)
  local out = {
    "/* Suite of every benchmark layer, written by bench/csv_to_spec.lua from " .. csv_name .. ". Do not edit. */",
    "#ifndef BENCH_SUITES_H_INCLUDED",
    "#define BENCH_SUITES_H_INCLUDED",
    "",
    "/* X(name, \"suite\") per layer, in CSV order. */",
    "#define BENCH_SUITES(X) \\",
  }
  for i, l in ipairs(layers) do
    out[#out + 1] = string.format("  X(%s, \"%s\")%s", l.name, l.row.suite, i < #layers and " \\" or "")
  end
  out[#out + 1] = ""
  out[#out + 1] = "#endif /* BENCH_SUITES_H_INCLUDED */"
  return table.concat(out, "\n") .. "\n"
end

local function main(argv)
  local opts = parse_args(argv)
  local text = read_file(opts.csv)
  if not text then
    io.stderr:write("csv_to_spec: cannot read '", opts.csv, "'\n")
    os.exit(1)
  end
  local rows, errors = parse_csv(opts.csv, text)
  if not rows then
    io.stderr:write(table.concat(errors, "\n"), "\n")
    os.exit(1)
  end
  if #rows == 0 then
    io.stderr:write(opts.csv, ": no layers\n")
    os.exit(1)
  end
  local layers = expand(rows, opts.both_layouts, opts.s8)
  local csv_name = opts.csv:match("([^/]*)$")
  local ok, err = write_if_changed(opts.output, spec_text(csv_name, opts.prefix, layers, opts.backward))
  if ok and opts.header then
    ok, err = write_if_changed(opts.header, header_text(csv_name, layers))
  end
  if not ok then
    io.stderr:write("csv_to_spec: ", tostring(err), "\n")
    os.exit(1)
  end
end

main(arg)
