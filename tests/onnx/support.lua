-- Shared helpers of the ONNX tests: shell commands, tensor files, building and running tests/onnx/run_layer.c.

local support = {}

function support.quote(text)
  return "'" .. tostring(text):gsub("'", "'\\''") .. "'"
end
local quote = support.quote

-- Runs a shell command; returns success and its combined output.
function support.sh(command)
  local pipe = io.popen(command .. " 2>&1")
  local output = pipe:read("a")
  local ok = pipe:close()
  return ok == true, output
end

function support.read(path)
  local file = io.open(path, "rb")
  if not file then return nil end
  local bytes = file:read("a")
  file:close()
  return bytes
end

function support.write(path, bytes)
  local file = assert(io.open(path, "wb"))
  file:write(bytes)
  file:close()
end

function support.exists(path)
  local file = io.open(path, "rb")
  if file then file:close() end
  return file ~= nil
end

-- Little-endian float32 (or, with double, float64) values, as run_layer.c reads them.
function support.write_floats(path, values, double)
  local parts = {}
  local format = double and "<d" or "<f"
  for i, v in ipairs(values) do parts[i] = string.pack(format, v) end
  support.write(path, table.concat(parts))
end

-- NCHW tensor values to NHWC; a 1-D tensor (N, C, W) is (N, C, 1, W).
function support.to_nhwc(values, dims)
  local n, c = dims[1], dims[2]
  local h, w = dims[3], dims[4]
  if #dims == 3 then h, w = 1, dims[3] end
  local out = {}
  for b = 0, n - 1 do
    for ch = 0, c - 1 do
      for y = 0, h - 1 do
        for x = 0, w - 1 do
          out[((b * h + y) * w + x) * c + ch + 1] = values[((b * c + ch) * h + y) * w + x + 1]
        end
      end
    end
  end
  return out
end

-- ONNX weights (A, B, k...) to the NHWC layer's [k...][B][A]: a conv's (M, C/g, KH, KW)
-- becomes [KH][KW][C/g][M], a transposed conv's (C, M/g, KH, KW) [KH][KW][M/g][C].
function support.weights_to_nhwc(values, dims)
  local a, b = dims[1], dims[2]
  local taps = 1
  for i = 3, #dims do taps = taps * dims[i] end
  local out = {}
  for i = 0, a - 1 do
    for j = 0, b - 1 do
      for t = 0, taps - 1 do
        out[(t * b + j) * a + i + 1] = values[(i * b + j) * taps + t + 1]
      end
    end
  end
  return out
end

-- Builds the runtime objects run_layer needs once per work directory.
function support.build_runtime(root, work, cc, cflags)
  local objects = {}
  for _, name in ipairs({ "gemm_portable", "sizes" }) do
    local object = work .. "/" .. name .. ".o"
    local ok, out = support.sh(string.format("%s %s -DCONVGEN_PORTABLE_GEMM -I%s -c %s -o %s", cc, cflags,
      quote(root .. "/runtime"), quote(root .. "/runtime/" .. name .. ".c"), quote(object)))
    if not ok then error("building the runtime failed:\n" .. out, 0) end
    objects[#objects + 1] = quote(object)
  end
  return table.concat(objects, " ")
end

-- Compiles run_layer.c against the generated directory; returns ok, compiler output.
-- double: the layers under test are f64 ones. The runtime is the portable GEMM, so the
-- generated code is told (baked weights are then pre-packed where the portable path runs).
-- driver: another driver source under tests/onnx/ (default run_layer.c).
function support.build_driver(root, generated, exe, cc, cflags, runtime_objects, double, driver)
  cflags = cflags .. " -DCONVGEN_PORTABLE_GEMM"
  if double then cflags = cflags .. " -DRUN_LAYER_F64" end
  return support.sh(string.format("%s %s -I%s -I%s %s %s/*.c %s -o %s -lm", cc, cflags, quote(root .. "/runtime"),
    quote(generated), quote(root .. "/tests/onnx/" .. (driver or "run_layer.c")), quote(generated), runtime_objects,
    quote(exe)))
end

local function varint(v)
  local out = {}
  repeat
    local byte = v & 0x7f
    v = v >> 7
    out[#out + 1] = string.char(v ~= 0 and byte | 0x80 or byte)
  until v == 0
  return table.concat(out)
end

-- The model with TensorProto messages (serialized, each carrying its name, as in a test
-- case's input_N.pb) appended to its graph as initializers: a graph input with an
-- initializer of its name is a constant to the importer. Every other byte is kept.
function support.freeze_inputs(model_bytes, tensors)
  local protobuf = require("generator.onnx.protobuf")
  local starts, graph_first, graph_last, graph_at = {}, nil, nil, nil
  protobuf.each_field(model_bytes, 1, #model_bytes, function(number, _, value, offset, last)
    starts[#starts + 1] = offset
    if number == 7 then graph_first, graph_last, graph_at = value, last, #starts end
  end)
  assert(graph_at, "the model has no graph")
  starts[#starts + 1] = #model_bytes + 1
  local parts = {}
  for i = 1, #starts - 1 do
    if i == graph_at then
      local graph = { model_bytes:sub(graph_first, graph_last) }
      for _, t in ipairs(tensors) do graph[#graph + 1] = string.char(5 << 3 | 2) .. varint(#t) .. t end
      local body = table.concat(graph)
      parts[#parts + 1] = string.char(7 << 3 | 2) .. varint(#body) .. body
    else
      parts[#parts + 1] = model_bytes:sub(starts[i], starts[i + 1] - 1)
    end
  end
  return table.concat(parts)
end

-- Little-endian bytes of integer tensor values: int8 (one byte each, two's complement) or
-- int32 (four).
function support.write_ints(path, values, format)
  local parts = {}
  for i, v in ipairs(values) do parts[i] = string.pack(format, v) end
  support.write(path, table.concat(parts))
end

support.CFLAGS = "-std=c99 -O1 -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror"

return support
