-- Malformed and unsupported ONNX models: one clear error line each, exit status 1, nothing written.
--
-- usage: lua5.4 tests/onnx/test_errors.lua ROOT WORK_DIR

local ROOT, WORK = arg[1], arg[2]
if not (ROOT and WORK) then
  io.stderr:write("usage: lua5.4 tests/onnx/test_errors.lua ROOT WORK_DIR\n")
  os.exit(2)
end
package.path = ROOT .. "/?.lua;" .. ROOT .. "/tests/onnx/?.lua;" .. package.path
local support = require("support")
local quote, sh = support.quote, support.sh

local LUA = arg[-1] or "lua5.4"
local FIXTURES = ROOT .. "/tests/onnx/fixtures"
local failures, count = 0, 0

-- Runs convgen on `model`; the single stderr line must be "<model>: <expected...>".
local function expect_error(what, model, expected, flags)
  count = count + 1
  local out_dir = string.format("%s/out%d", WORK, count)
  sh("rm -rf " .. quote(out_dir))
  local pipe = io.popen(string.format("%s %s %s %s -o %s 2>&1 >/dev/null; echo \"status=$?\"", LUA,
    quote(ROOT .. "/generator/convgen.lua"), flags or "", quote(model), quote(out_dir)))
  local output = pipe:read("a")
  pipe:close()
  local status = output:match("status=(%d+)\n$")
  local message = output:gsub("status=%d+\n$", "")
  local lines = select(2, message:gsub("\n", ""))
  local wanted = model .. ": " .. expected
  local problems = {}
  if status ~= "1" then problems[#problems + 1] = "exit status " .. tostring(status) .. ", expected 1" end
  if lines ~= 1 then problems[#problems + 1] = lines .. " lines on stderr, expected 1" end
  if message:sub(1, #wanted) ~= wanted then problems[#problems + 1] = "message does not start with: " .. wanted end
  if support.exists(out_dir) then problems[#problems + 1] = "the output directory was created" end
  if #problems > 0 then
    failures = failures + 1
    io.stdout:write("FAIL ", what, ": ", table.concat(problems, "; "), "\n  got: ", message, "\n")
  else
    io.stdout:write("ok   ", what, ": ", message)
  end
end

local function main()
  sh("rm -rf " .. quote(WORK) .. " && mkdir -p " .. quote(WORK))
  local good = assert(support.read(FIXTURES .. "/resnet8/model.onnx"))

  local truncated = WORK .. "/truncated.onnx"
  support.write(truncated, good:sub(1, #good // 2))
  expect_error("truncated", truncated, "byte ")

  -- Byte 0 is the ir_version key 0x08; 0x09 makes it a fixed64 field.
  local flipped = WORK .. "/flipped.onnx"
  support.write(flipped, string.char(good:byte(1) ~ 1) .. good:sub(2))
  expect_error("bit-flipped", flipped, "byte 0: ModelProto field 1 has wire type 1, expected 0")

  local text = WORK .. "/text.onnx"
  support.write(text, "return { layers = {} }\n")
  expect_error("not a model", text, "byte ")

  local empty = WORK .. "/empty.onnx"
  support.write(empty, "")
  expect_error("empty", empty, "not an ONNX model")

  expect_error("Conv missing its weight", FIXTURES .. "/bad_missing_weight/model.onnx",
    "node 'conv3' (Conv): needs an input X and a weight W (has 1 input)")
  expect_error("cycle", FIXTURES .. "/bad_cycle/model.onnx", "the graph has a cycle through node 'a' (Relu)")
  expect_error("unknown element type", FIXTURES .. "/bad_unknown_type/model.onnx",
    "tensor 'w': unknown element type 99")
  expect_error("external data", FIXTURES .. "/bad_external_data/model.onnx",
    "tensor 'w': external data (a separate weights file) is not supported")
  expect_error("unknown shape", FIXTURES .. "/bad_unknown_shape/model.onnx",
    "node 'conv' (Conv): the shape of input 'r' is unknown; run ONNX shape inference")

  expect_error("BatchNormalization with a negative variance", FIXTURES .. "/bad_negative_variance/model.onnx",
    "node 'conv' (Conv): the folded weights or bias hold NaN at index 0, which C cannot store as a constant")

  io.stdout:write(string.format("%d cases, %d failed\n", count, failures))
  return failures == 0 and 0 or 1
end

os.exit(main())
