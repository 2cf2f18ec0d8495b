-- Tests for spec loading (sandbox, line finder, validation, shape arithmetic) and the CLI's error contract.
-- Usage: lua5.4 tests/test_generator.lua ROOT      (ROOT = repository root; any working directory)

local ROOT = arg[1]
if not ROOT then
  io.stderr:write("usage: lua5.4 tests/test_generator.lua ROOT\n")
  os.exit(2)
end
package.path = ROOT .. "/?.lua;" .. package.path

local spec = require("generator.spec")
local sandbox = require("generator.sandbox")
local spec_lines = require("generator.spec_lines")
local shape = require("generator.shape")

local BAD = ROOT .. "/tests/specs/bad/"
local SPECS = ROOT .. "/tests/specs/"
local CLI = ROOT .. "/generator/convgen.lua"
-- Run the CLI with the same interpreter that runs these tests.
local LUA = arg[-1] or "lua5.4"

---------------------------------------------------------------------------
-- Runner
---------------------------------------------------------------------------

local passed, failed = 0, 0

local function case(name, body)
  local ok, problem = pcall(body)
  if ok then
    passed = passed + 1
    print("ok    " .. name)
  else
    failed = failed + 1
    print("FAIL  " .. name .. ": " .. tostring(problem))
  end
end

local function skip(name, reason)
  print("skip  " .. name .. ": skipped: " .. reason)
end

-- Level 2 makes the message point at the test line that made the failing check.
local function check(condition, message, ...)
  if not condition then
    error(string.format(message, ...), 2)
  end
end

local function check_equal(actual, expected, what)
  if actual ~= expected then
    error(string.format("%s: expected %s, got %s", what, tostring(expected), tostring(actual)), 2)
  end
end

local function show(list)
  return "\n    " .. table.concat(list, "\n    ")
end

---------------------------------------------------------------------------
-- Helpers for failing specs
---------------------------------------------------------------------------

local function load_failure(path, overrides)
  local model, errors = spec.load(path, overrides)
  check(model == nil, "expected %s to be rejected, but it loaded", path)
  check(type(errors) == "table" and #errors > 0, "expected a non-empty error list")
  for _, message in ipairs(errors) do
    check(type(message) == "string" and not message:find("[\r\n]"), "error is not one line: %q", tostring(message))
  end
  return errors
end

-- `expected` lists { line, fragment } per error, in order; a nil line means "FILE: ...".
local function check_errors(path, errors, expected)
  check(#errors == #expected, "expected %d error(s), got %d:%s", #expected, #errors, show(errors))
  for index, want in ipairs(expected) do
    local location = want[1] and string.format("%s:%d: ", path, want[1]) or (path .. ": ")
    local message = errors[index]
    check(message:sub(1, #location) == location, "error %d should start with %q:%s", index, location, show(errors))
    check(message:find(want[2], 1, true), "error %d should contain %q, got %q", index, want[2], message)
  end
end

local function expect_bad(file, expected)
  local path = BAD .. file
  local errors = load_failure(path)
  check_errors(path, errors, expected)
  return errors
end

local function elapsed_seconds(body)
  local start = os.clock()
  local results = table.pack(body())
  return os.clock() - start, table.unpack(results, 1, results.n)
end

---------------------------------------------------------------------------
-- One malformed spec per problem
---------------------------------------------------------------------------

local BAD_CASES = {
  { "unknown layer key with suggestion", "unknown_key.lua",
    { { 5, "layer 'conv1': unknown key 'strde' (did you mean 'stride'?)" } } },
  { "unknown top-level key with suggestion", "unknown_top_key.lua",
    { { 4, "unknown key 'layer' (did you mean 'layers'?)" } } },
  { "missing required keys", "missing_required.lua",
    { { 4, "layer 'conv1': missing required key 'filters'" }, { 4, "layer 'conv1': missing required key 'kernel'" } } },
  { "missing required input key", "missing_input_key.lua",
    { { 6, "layer 'conv1': missing required key 'input.c'" } } },
  { "non-integer size", "non_integer_size.lua", { { 7, "'filters' must be an integer, got 3.5" } } },
  { "non-positive size", "non_positive_size.lua", { { 7, "'input.h' must be positive, got 0" } } },
  { "negative padding", "negative_padding.lua", { { 10, "'padding.bottom' must be non-negative, got -1" } } },
  { "groups not dividing input channels", "groups_not_dividing_c.lua",
    { { 9, "groups 3 does not divide input channels 8" } } },
  { "groups not dividing filters", "groups_not_dividing_filters.lua",
    { { 9, "groups 3 does not divide filters 8" } } },
  { "kernel larger than padded input", "kernel_larger_than_input.lua",
    { { 8, "effective kernel 5x5 (kernel 5x5, dilation 1x1) larger than padded input 4x4" } } },
  { "dilated kernel larger than padded input", "dilation_too_large.lua",
    { { 8, "effective kernel 7x7 (kernel 3x3, dilation 3x3) larger than padded input 6x6" } } },
  { "unknown layout", "unknown_layout.lua",
    { { 6, "unknown layout 'nchw' (did you mean 'NCHW'?); expected one of: NCHW, NHWC" } } },
  { "unknown dtype", "unknown_dtype.lua", { { 7, "unknown dtype 'f16'" } } },
  { "unknown activation", "unknown_activation.lua",
    { { 9, "unknown activation 'rleu' (did you mean 'relu'?); expected one of: none, relu, relu6, clamp" } } },
  { "unknown op", "unknown_op.lua", { { 5, "unknown op 'conv3d' (did you mean 'conv2d'?)" } } },
  { "unknown unroll", "unknown_unroll.lua", { { 9, "unknown unroll 'ful' (did you mean 'full'?)" } } },
  { "clamp with lo > hi", "clamp_reversed.lua", { { 9, "clamp bounds must satisfy lo <= hi, got lo = 6, hi = 0" } } },
  { "clamp bound not a number", "clamp_not_number.lua",
    { { 9, "clamp lower bound must be a finite number, got \"0\"" } } },
  { "name not a C identifier", "name_not_identifier.lua",
    { { 6, "layer #1: name 'conv-1' is not a C identifier" } } },
  { "C keyword as name", "name_keyword.lua", { { 5, "layer 'int': name 'int' is a C keyword" } } },
  { "duplicate names", "duplicate_names.lua", { { 6, "duplicate name 'conv1' (already used by layer #1)" } } },
  { "names equal except for case", "duplicate_names_case.lua",
    { { 7, "layer 'Conv1': duplicate name 'Conv1' (layer #1 is named 'conv1'" } } },
  { "reserved name model", "reserved_model.lua",
    { { 6, "name 'model' is reserved (the generator writes 'net_model.h')" } } },
  { "prefix not an identifier", "bad_prefix.lua", { { 3, "'prefix' must be \"\" or the start of a C identifier" } } },
  { "spec returns nil", "returns_nil.lua", { { 6, "spec must return a table (got nil)" } } },
  { "syntax error", "syntax_error.lua", { { 4, "'}' expected near 'input'" } } },
  { "runtime error", "runtime_error.lua", { { 8, "attempt to call a nil value (global 'make_layer')" } } },
  { "runtime error quoting a line break stays on one line", "multiline_message.lua",
    { { 3, "attempt to call a nil value (field 'make\\nlayer')" } } },
  { "os.execute not reachable", "os_execute.lua", { { 2, "attempt to index a nil value (global 'os')" } } },
  { "io.open not reachable", "io_open.lua", { { 3, "attempt to index a nil value (global 'io')" } } },
  { "require not reachable", "require_module.lua", { { 2, "attempt to call a nil value (global 'require')" } } },
  { "layers missing", "layers_missing.lua", { { 2, "missing required key 'layers'" } } },
  { "layers empty", "layers_empty.lua", { { 4, "'layers' must not be empty" } } },
  { "layers not a table", "layers_not_table.lua",
    { { 3, "'layers' must be a non-empty array of layer tables, got \"conv1\"" } } },
  { "layers with a non-array key", "layers_keyed_entry.lua", { { 3, "unexpected key 'extra'" } } },
  { "layer that is not a table", "layer_not_table.lua", { { 5, "layer #2: must be a table, got \"conv2\"" } } },
  { "four-sides padding missing a side", "padding_sides_incomplete.lua",
    { { 9, "missing required key 'padding.right'" } } },
  { "four-sides padding with an unknown side", "padding_sides_unknown.lua",
    { { 10, "unknown key 'padding.rigth' (did you mean 'padding.right'?)" } } },
  { "stride given as a string", "stride_string.lua",
    { { 9, "'stride' must be a positive integer or a pair { sh, sw }, got \"2\"" } } },
  { "bias not a boolean", "bias_not_boolean.lua", { { 9, "'bias' must be a boolean (true or false), got 1" } } },
  { "element count above 2^31-1", "too_many_elements.lua",
    { { 6, "input has more than 2147483647 elements (N*C*H*W = 1*3*40000*40000)" } } },
  { "spec built by code falls back to the file", "built_by_code.lua",
    { { 7, "layer 'conv2': 'stride' must be positive, got 0" } } },
  -- Issue 8, sections 3 and 4: hostile specs, each refused with one FILE:LINE: line.
  { "deep recursion", "recursion.lua", { { 3, "spec recurses too deeply (stack overflow)" } } },
  { "250 nested parentheses", "nested_parentheses.lua", { { 2, "spec nests brackets too deeply" } } },
  { "one concatenation of 100 16 MB operands", "concat_many.lua",
    { { 4, "spec uses too much memory (allocation failed)" } } },
  { "a million layer references", "million_layers.lua", { { 5, "spec returns more than 200000 values" } } },
  { "more layers than the limit", "too_many_layers.lua", { { 7, "too many layers (600; at most 512)" } } },
  { "issue 8's overflowing padding", "huge_padding.lua",
    { { 5, "layer 'ovf': padding top 2097152 is more than the dilated kernel's extent - 1 + 64 (= 64)" },
      { 5, "layer 'ovf': padding bottom 2097152 is more than" } } },
  { "top padding 100000", "padding_100000.lua",
    { { 5, "layer 'tall_pad': padding top 100000 is more than the dilated kernel's extent - 1 + 64 (= 66)" } } },
  { "NHWC, h = 65535, top padding 1048576", "nhwc_tall_padding.lua",
    { { 5, "layer 'nhwc_pad': padding top 1048576 is more than the dilated kernel's extent - 1 + 64 (= 64)" } } },
  { "transposed kernel of 67108864 rows", "huge_kernel_transposed.lua",
    { { 5, "layer 'tall': kernel 67108864x1 has more than 65536 taps" } } },
  { "unroll full past its limit", "full_unroll_too_large.lua",
    { { 5, "layer 'big': unroll \"full\" would write code for each of the 147456 elements" } } },
  { "clamp bound outside f32", "clamp_out_of_range.lua",
    { { 5, "layer 'clamped': clamp upper bound 1e+39 is outside the range of f32" } } },
  { "name making reserved macros", "name_underscore.lua",
    { { 4, "layer '_': symbol '_' starts with '_': the macros made from it (__C, ...) are reserved" } } },
  { "name too long for a file name", "name_too_long.lua",
    { { 4, "symbol (prefix .. name) is 300 characters long; its file names ('nnnnnnnn....c') must stay within 240" }
    } },
  -- Issue 10: 1-D layers, connected layers, defaults.
  { "1-D input with h", "conv1d_input_h.lua", { { 4, "layer 'a': unknown key 'input.h' (known keys: n, c, w)" } } },
  { "1-D kernel as a pair", "conv1d_kernel_pair.lua",
    { { 5, "layer 'a': 'kernel' of a 1-D layer must be a positive integer, got a table" } } },
  { "input naming no layer", "input_unknown_layer.lua",
    { { 5, "layer 'conv2': input 'cnov1' names no layer of this spec (did you mean 'conv1'?)" } } },
  { "input naming a later layer", "input_later_layer.lua",
    { { 4, "layer 'conv1': input 'conv2' is layer #2, which does not come before this one" } } },
  { "connected layer with another layout and dtype", "input_layout_mismatch.lua",
    { { 6, "layer 'conv2': layout \"NHWC\" differs from that of its input, layer 'conv1' (NCHW)" },
      { 6, "layer 'conv2': dtype \"f64\" differs from that of its input, layer 'conv1' (f32)" } } },
  { "1-D layer reading a many-row output", "conv1d_from_2d.lua",
    { { 5, "layer 'conv2': input layer 'conv1' has 6 output rows; a 1-D layer needs one" } } },
  { "misspelled default", "defaults_unknown_key.lua",
    { { 4, "unknown key 'defaults.layotu' (did you mean 'defaults.layout'?)" } } },
  { "bad default value, at the defaults' line", "defaults_bad_value.lua",
    { { 5, "layer 'conv1': unknown dtype 'f16' (did you mean 'f32'?); expected one of: f32, f64, s8 "
      .. "(from defaults)" } } },
  { "per-layer keys as defaults", "defaults_name.lua",
    { { 3, "'name' cannot be a default: give it on each layer" },
      { 3, "'filters' cannot be a default: give it on each layer" } } },
}

-- Issue 11: int8 layers with bad quant tables, one problem per layer, each at its key's line.
BAD_CASES[#BAD_CASES + 1] = { "s8 quant tables", "s8_bad_quant.lua", {
  { 4, "layer 'no_quant': dtype \"s8\" needs a 'quant' table" },
  { 7, "layer 'relu6_no_scale': activation relu6 needs quant.output_scale or explicit quant.activation_min and "
    .. "quant.activation_max" },
  { 9, "layer 'bad_multiplier': quant.multiplier[2] = 5 must be 0 or an integer in [2^30, 2^31)" },
  { 11, "layer 'bad_shift': quant.shift[1] = 31 must be an integer in [-31, 30]" },
  { 12, "layer 'too_many_taps': 73728 taps per output can overflow the int32 accumulator" },
  { 15, "layer 'quant_on_f32': 'quant' is only for dtype \"s8\" layers (this one is f32)" },
  { 16, "layer 's8_backward': 'backward' is not available for dtype \"s8\" (no int8 gradients)" },
  { 18, "layer 's8_transposed': dtype \"s8\" is available for conv2d and conv1d layers only" },
  { 21, "layer 'unknown_key': unknown key quant.scale" },
  { 23, "layer 'zero_point_range': quant.input_zero_point must be an integer in [-128, 127], got 200" },
  { 25, "layer 'weight_scales': quant.weight_scale must be one number or a list of 2 (one per filter), got 3" },
  { 27, "layer 'huge_multiplier': filter 1: the real multiplier 1.0000000118763893e+70 needs a shift of 233" },
  { 29, "layer 'empty_clamp': the int8 clamp [5, 4] is empty" },
} }

-- Issue 11, ONNX part: the ONNX-form quant keys (arithmetic, weight zero points, int32 output).
BAD_CASES[#BAD_CASES + 1] = { "s8 ONNX-form quant tables", "s8_bad_onnx.lua", {
  { 5, "layer 'bad_arithmetic': quant.arithmetic must be \"tflite\" or \"onnx\", got gemmlowp" },
  { 7, "layer 'onnx_multiplier': arithmetic \"onnx\" takes quant.input_scale, weight_scale and output_scale" },
  { 9, "layer 'wzp_range': quant.weight_zero_point must be an integer in [-128, 127], got 200" },
  { 11, "layer 'wzp_list': quant.weight_zero_point must be one integer or a list of 2 (one per filter), got 3" },
  { 13, "layer 'wzp_entry': quant.weight_zero_point[2] must be an integer in [-128, 127], got 0.5" },
  { 15, "layer 's32_output_zp': quant.output_zero_point has no meaning with output_type \"s32\"" },
  { 17, "layer 's32_relu': activation relu needs an int8 output; output_type \"s32\" takes none" },
  { 19, "layer 'bad_output_type': quant.output_type must be \"s8\" or \"s32\", got u8" },
  { 20, "layer 'onnx_too_many_taps': 36864 taps per output can overflow the int32 accumulator (255 * 255 per tap" },
  { 23, "layer 'onnx_zero_scale': filter 1: the scale input_scale * weight_scale / output_scale is 0 in float32" },
} }

local function run_bad_cases()
  for _, bad in ipairs(BAD_CASES) do
    case("rejects: " .. bad[1], function()
      expect_bad(bad[2], bad[3])
    end)
  end
end

---------------------------------------------------------------------------
-- Sandbox limits and isolation
---------------------------------------------------------------------------

local function string_methods_work()
  return ("ab"):rep(2) == "abab"
end

local function run_sandbox_cases()
  case("rejects: infinite loop runs too long, with the line it was stopped at", function()
    local seconds = elapsed_seconds(function()
      expect_bad("infinite_loop.lua", { { 3, "spec runs too long (more than 10000000 instructions)" } })
    end)
    check(seconds < 10, "took %.1f s", seconds)
  end)

  case("rejects: string.rep bomb fails fast without allocating", function()
    local before = collectgarbage("count")
    local seconds = elapsed_seconds(function()
      expect_bad("rep_bomb.lua", { { 2, "attempt to index a string value" } })
    end)
    check(seconds < 0.5, "took %.2f s", seconds)
    check(collectgarbage("count") - before < 10 * 1024, "memory grew by %.0f KB", collectgarbage("count") - before)
  end)

  case("rejects: doubling string hits the memory cap", function()
    local path = BAD .. "concat_bomb.lua"
    local seconds, result, message = elapsed_seconds(function()
      return sandbox.load(path, { memory_kb = 16 * 1024 })
    end)
    check(result == nil, "bomb was not stopped")
    check_equal(message, path .. ":4: spec uses too much memory (more than 16 MB)", "message")
    check(seconds < 2, "took %.2f s", seconds)
  end)

  case("sandbox restores the string metatable and the debug hook", function()
    load_failure(BAD .. "rep_bomb.lua")
    load_failure(BAD .. "infinite_loop.lua")
    check(string_methods_work(), "string methods are broken after the sandbox ran")
    check(debug.gethook() == nil, "a debug hook is still installed")
  end)

  case("sandbox exposes no globals to the spec", function()
    local model = assert(spec.load(SPECS .. "good_sandbox_env.lua"))
    check_equal(model.layers[1].name, "isolated", "layer name chosen by the spec")
  end)

  case("sandbox returns the table and the source text", function()
    local path = SPECS .. "good_defaults.lua"
    local data, source = sandbox.load(path)
    check(type(data) == "table" and type(data.layers) == "table", "no table returned")
    check(type(source) == "string" and source:find("filters = 16", 1, true), "source text missing")
  end)

  case("rejects: at most 50 problems printed, the rest counted at the first hidden one's line", function()
    local path = BAD .. "many_errors.lua"
    local errors = load_failure(path)
    check_equal(#errors, 51, "lines")
    check_equal(errors[51], path .. ":7: 950 more problems not shown (at most 50 are printed)", "last line")
  end)

  case("rejects: comparing 64 MB strings stops on CPU time, not after hours", function()
    local seconds = elapsed_seconds(function()
      expect_bad("compare_bomb.lua", { { 5, "spec runs too long (more than 3 s of CPU time)" } })
    end)
    check(seconds < 1, "the parent spent %.1f s (the child runs the spec)", seconds)
  end)

  case("the child's ulimit -t stops a spec even when the hook's limits are lifted", function()
    local path = BAD .. "infinite_loop.lua"
    local result, message = sandbox.load(path, { instructions = 1e15, cpu_seconds = 1e9 })
    check(result == nil, "the loop was not stopped")
    check_equal(message, path .. ": spec runs too long (stopped after 5 s of CPU time)", "message")
  end)

  case("rejects: unreadable spec file", function()
    local path = BAD .. "does_not_exist.lua"
    check_errors(path, load_failure(path), { { nil, "cannot read spec file" } })
  end)
end

---------------------------------------------------------------------------
-- Several problems at once
---------------------------------------------------------------------------

local SEVERAL_EXPECTED = {
  { 3, "unknown key 'prefx' (did you mean 'prefix'?)" },
  { 9, "layer 'conv1': unknown key 'strde' (did you mean 'stride'?)" },
  { 5, "layer 'conv1': missing required key 'filters'" },
  { 10, "layer 'conv1': unknown activation 'rleu' (did you mean 'relu'?)" },
  { 13, "layer #2: name 'conv-2' is not a C identifier" },
  { 14, "layer #2: unknown dtype 'f16'" },
  { 18, "layer #2: groups 3 does not divide input channels 8" },
  { 18, "layer #2: groups 3 does not divide filters 4" },
  { 19, "layer #2: 'bias' must be a boolean (true or false), got \"yes\"" },
  { 22, "layer 'conv1': duplicate name 'conv1' (already used by layer #1)" },
  { 26, "layer 'conv1': 'padding' must be non-negative, got -1" },
}

local function run_several_problems_case()
  case("reports every problem of a file, in a deterministic order", function()
    local first = expect_bad("several_problems.lua", SEVERAL_EXPECTED)
    for _ = 1, 3 do
      local again = load_failure(BAD .. "several_problems.lua")
      check_equal(table.concat(again, "\n"), table.concat(first, "\n"), "second run")
    end
  end)
end

---------------------------------------------------------------------------
-- Good specs
---------------------------------------------------------------------------

local INTEGER_FIELDS = {
  "n", "c", "h", "w", "m", "kh", "kw", "sh", "sw", "dh", "dw",
  "pad_top", "pad_bottom", "pad_left", "pad_right", "groups", "oh", "ow",
}
local OTHER_FIELDS = { "name", "sym", "op", "layout", "dtype", "bias", "act", "unroll" }

local function check_complete(layer)
  for _, field in ipairs(INTEGER_FIELDS) do
    check(math.type(layer[field]) == "integer", "layer %s: %s is not an integer: %s",
      tostring(layer.name), field, tostring(layer[field]))
  end
  for _, field in ipairs(OTHER_FIELDS) do
    check(layer[field] ~= nil, "layer %s: %s missing", tostring(layer.name), field)
  end
end

local function load_good(file, overrides)
  local model, errors = spec.load(SPECS .. file, overrides)
  check(model ~= nil, "expected %s to load:%s", file, errors and show(errors) or "")
  for _, layer in ipairs(model.layers) do
    check_complete(layer)
  end
  return model
end

local function check_fields(layer, expected, label)
  label = label or layer.name
  local keys = {}
  for key in pairs(expected) do
    keys[#keys + 1] = key
  end
  table.sort(keys)
  for _, key in ipairs(keys) do
    check_equal(layer[key], expected[key], label .. "." .. key)
  end
end

local function check_padding(layer, top, bottom, left, right)
  check_fields(layer, { pad_top = top, pad_bottom = bottom, pad_left = left, pad_right = right })
end

local function run_good_cases()
  case("accepts: defaults are filled in", function()
    local model = load_good("good_defaults.lua")
    check_equal(model.path, SPECS .. "good_defaults.lua", "model.path")
    check_equal(model.prefix, "", "model.prefix")
    check_equal(#model.layers, 1, "layer count")
    local layer = model.layers[1]
    check_fields(layer, {
      name = "conv1", sym = "conv1", op = "conv2d", layout = "NCHW", dtype = "f32",
      n = 1, c = 3, h = 32, w = 30, m = 16, kh = 3, kw = 3, sh = 1, sw = 1, dh = 1, dw = 1,
      groups = 1, bias = true, unroll = "auto", oh = 30, ow = 28, line = 4,
    })
    check_padding(layer, 0, 0, 0, 0)
    check_equal(layer.act.kind, "none", "act.kind")
  end)

  case("accepts: SAME padding for stride 2, even kernels and dilation", function()
    local layers = load_good("good_same.lua").layers
    check_padding(layers[1], 0, 1, 0, 1)
    check_fields(layers[1], { sym = "same_s2_k3", oh = 16, ow = 16 })
    check_padding(layers[2], 4, 5, 1, 2)
    check_fields(layers[2], { oh = 25, ow = 5 })
    check_padding(layers[3], 2, 2, 2, 2)
    check_fields(layers[3], { oh = 7, ow = 7 })
    check_padding(layers[4], 0, 0, 0, 0)
    check_fields(layers[4], { oh = 2, ow = 2 })
    check_padding(layers[5], 0, 0, 0, 0)
    check_fields(layers[5], { oh = 4, ow = 4 })
  end)

  case("accepts: pair and four-sides forms, integral floats, options", function()
    local layers = load_good("good_forms.lua").layers
    check_fields(layers[1], {
      sym = "net_pairs", layout = "NHWC", dtype = "f64", n = 2, c = 4, m = 6, kh = 3, kw = 5,
      sh = 2, sw = 1, dh = 1, dw = 2, groups = 2, bias = false, unroll = "full", oh = 10, ow = 12, line = 5,
    })
    check_padding(layers[1], 1, 1, 2, 2)
    check_fields(layers[1].act, { kind = "relu6", lo = 0, hi = 6 }, "pairs.act")
    check_padding(layers[2], 0, 1, 2, 3)
    check_fields(layers[2], { oh = 7, ow = 12, unroll = "loops" })
    check_fields(layers[2].act, { kind = "clamp", lo = -0.5, hi = 2 }, "sides.act")
    check_fields(layers[3].act, { kind = "relu" }, "relu_layer.act")
    check_equal(layers[1].source.padding[2], 2, "source keeps the padding as written")
  end)

  case("accepts: conv1d and conv_transpose1d as one-row 2-D layers, connected inputs, defaults", function()
    local layers = load_good("good_conv1d.lua").layers
    check_fields(layers[1], {
      op = "conv2d", rank = 1, layout = "NHWC", n = 1, c = 3, h = 1, w = 40, kh = 1, kw = 5, sh = 1, sw = 2,
      dh = 1, dw = 1, pad_top = 0, pad_bottom = 0, pad_left = 1, pad_right = 2, oh = 1, ow = 20,
    })
    check_equal(layers[1].act.kind, "relu", "a.act from defaults")
    check_equal(layers[1].source.op, "conv1d", "source keeps the op as written")
    check_fields(layers[2], { input_from = "a", c = 8, h = 1, w = 20, dw = 2, groups = 8, pad_left = 2,
      pad_right = 2, ow = 20 })
    check_fields(layers[3], { op = "conv_transpose2d", rank = 1, input_from = "b", out_pad_h = 0, out_pad_w = 1,
      oh = 1, ow = 41 })
    check_equal(layers[3].act.kind, "none", "c.act overrides the default")
    check_fields(layers[4], { op = "conv2d", rank = 2, input_from = "c", c = 4, h = 1, w = 41, ow = 41 })
    check_fields(layers[5], { layout = "NCHW", dtype = "f64", n = 2, c = 4, w = 33, pad_left = 2, pad_right = 2,
      ow = 11, backward = true })
    check_fields(layers[6], { layout = "NCHW", dtype = "f64", n = 2, c = 5, w = 11, input_from = "e" })
  end)

  case("spec.validate: an importer's table, connected 1-D layers, messages under its labels", function()
    local data = {
      prefix = "m_",
      defaults = { layout = "NHWC" },
      layers = {
        { name = "c1", op = "conv1d", input = { c = 2, w = 16 }, filters = 4, kernel = 3, padding = 1 },
        { name = "c2", op = "conv1d", input = "c1", filters = 4, kernel = 3, stride = 2 },
      },
    }
    local model, errors = spec.validate(data, { path = "net.onnx", labels = { "node 'Conv_0'", "node 'Conv_1'" } })
    check(model ~= nil, "rejected:%s", errors and show(errors) or "")
    check_fields(model.layers[2], { input_from = "c1", layout = "NHWC", c = 4, w = 16, ow = 7, rank = 1 })
    data.layers[2].input = "c3"
    model, errors = spec.validate(data, { path = "net.onnx", labels = { "node 'Conv_0'", "node 'Conv_1'" } })
    check(model == nil, "accepted an unknown input")
    check_equal(errors[1], "net.onnx: node 'Conv_1': input 'c3' names no layer of this spec (did you mean 'c1'?)",
      "message")
  end)

  case("accepts: unroll override replaces every layer's unroll", function()
    for _, layer in ipairs(load_good("good_forms.lua", { unroll = "loops" }).layers) do
      check_equal(layer.unroll, "loops", layer.name .. ".unroll")
    end
  end)

  case("rejects: unknown unroll override", function()
    local errors = load_failure(SPECS .. "good_forms.lua", { unroll = "ful" })
    check_equal(#errors, 1, "error count")
    check(errors[1]:find("unroll override: unknown unroll 'ful' (did you mean 'full'?)", 1, true), "got %q", errors[1])
  end)
end

---------------------------------------------------------------------------
-- Shape arithmetic and the line finder
---------------------------------------------------------------------------

local function run_unit_cases()
  case("shape.same_padding matches TensorFlow SAME_UPPER", function()
    local cases = { { 32, 3, 2, 1, 0, 1 }, { 49, 10, 2, 1, 4, 5 }, { 5, 4, 1, 1, 1, 2 }, { 7, 3, 1, 2, 2, 2 },
      { 6, 1, 3, 1, 0, 0 }, { 1, 5, 1, 1, 2, 2 } }
    for _, c in ipairs(cases) do
      local before, after = shape.same_padding(c[1], c[2], c[3], c[4])
      check(before == c[5] and after == c[6], "in=%d k=%d s=%d d=%d: got %d/%d, expected %d/%d",
        c[1], c[2], c[3], c[4], before, after, c[5], c[6])
    end
  end)

  case("shape.out_size floors and can drop below 1", function()
    check_equal(shape.out_size(32, 3, 2, 1, 0, 1), 16, "32/k3/s2 same")
    check_equal(shape.out_size(8, 3, 1, 1, 1, 1), 8, "8/k3/pad1")
    check_equal(shape.out_size(10, 3, 3, 1, 0, 0), 3, "10/k3/s3")
    check_equal(shape.out_size(4, 5, 1, 1, 0, 0), 0, "kernel larger than input")
    check_equal(shape.out_size(4, 3, 2, 3, 0, 0), -1, "dilated kernel larger than input")
  end)

  case("spec_lines skips braces in comments and strings, counts every newline style", function()
    local source = table.concat({
      "--[==[ { ]==] local s = '{\\z",
      "   }' -- {",
      "return {\r\n  prefix = [[",
      "{]],\n\r  layers = {",
      "    { name = \"a\", input = {",
      "      c = 3 } },",
      "  },",
      "}",
    }, "\n")
    local lines = spec_lines.scan(source)
    check_equal(lines.line, 3, "return table line")
    check_equal(lines.top_keys.prefix, 4, "prefix line")
    check_equal(lines.top_keys.layers, 6, "layers line")
    check_equal(lines.layers[1].line, 7, "layer line")
    check_equal(lines.layers[1].keys.name, 7, "name line")
    check_equal(lines.layers[1].keys["input.c"], 8, "input.c line")
  end)

  case("spec_lines maps layers only when the constructor is purely positional", function()
    local lines = spec_lines.scan("return { layers = { { name = 'a' }, [2] = { name = 'b' } } }")
    check(next(lines.layers) == nil and lines.layers_positional == false, "keyed layers were mapped")
    local by_code = spec_lines.scan("local t = {}\nreturn { layers = t }")
    check(next(by_code.layers) == nil and by_code.top_keys.layers == 2, "code-built layers")
  end)

  case("spec_lines ignores returns inside helper functions", function()
    local lines = spec_lines.scan("local function f()\n  return { layers = 1 }\nend\nreturn {\n  layers = {} }")
    check_equal(lines.top_keys.layers, 5, "layers line")
  end)

  case("spec_lines is linear: 1500 layers on one line, 1 MB of tokens", function()
    local parts = { "return { layers = {" }
    for i = 1, 1500 do
      parts[#parts + 1] = string.format('{ name = "l%d", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 },',
        i)
    end
    parts[#parts + 1] = "} }"
    local seconds, lines = elapsed_seconds(function() return spec_lines.scan(table.concat(parts, " ")) end)
    check_equal(#lines.layers, 1500, "layers found")
    check(seconds < 2, "one-line spec took %.1f s", seconds)
    seconds = elapsed_seconds(function() return spec_lines.scan(string.rep("a ", 500000)) end)
    check(seconds < 2, "1 MB of tokens took %.1f s", seconds)
  end)

  case("spec_lines never raises on weird input", function()
    local inputs = { "return {{{{", "}}}} return", "return { layers = { {", "\"unterminated", "--[[ open",
      "[==[", "return { 'a\\", string.rep("{", 10000), "\0\1\2\255", "" }
    for _, text in ipairs(inputs) do
      local ok, result = pcall(spec_lines.scan, text)
      check(ok and type(result) == "table", "raised on %q", text:sub(1, 20))
    end
    check(type(spec_lines.scan(nil)) == "table", "nil input")
  end)
end

---------------------------------------------------------------------------
-- The CLI's error contract
---------------------------------------------------------------------------

local function shell_quote(text)
  return "'" .. text:gsub("'", "'\\''") .. "'"
end

local function exists(path)
  return os.execute("test -e " .. shell_quote(path)) == true
end

local function list_dir(path)
  local names = {}
  local listing = assert(io.popen("ls -A " .. shell_quote(path)))
  for name in listing:lines() do
    names[#names + 1] = name
  end
  listing:close()
  table.sort(names)
  return names
end

local function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    lines[#lines + 1] = line
  end
  return lines
end

-- Runs body(dir) with a fresh empty directory and always removes it afterwards.
local function with_temp_dir(body)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir " .. shell_quote(dir)), "cannot create " .. dir)
  local ok, problem = pcall(body, dir)
  os.execute("rm -rf " .. shell_quote(dir))
  if not ok then
    error(problem, 0)
  end
end

-- Returns the exit status and the stderr lines of `convgen SPEC -o OUTDIR`.
local function run_cli(spec_path, outdir, options)
  local stderr_path = os.tmpname()
  local quoted_options = {}
  for index, option in ipairs(options or {}) do
    quoted_options[index] = shell_quote(option) .. " "
  end
  local command = string.format("%s %s %s%s -o %s >/dev/null 2>%s", shell_quote(LUA), shell_quote(CLI),
    table.concat(quoted_options), shell_quote(spec_path), shell_quote(outdir), shell_quote(stderr_path))
  local _, _, status = os.execute(command)
  local lines = read_lines(stderr_path)
  os.remove(stderr_path)
  return status, lines
end

local function check_cli_rejects(spec_path, outdir)
  local status, lines = run_cli(spec_path, outdir)
  local _, errors = spec.load(spec_path)
  check_equal(status, 1, "exit status")
  check_equal(table.concat(lines, "\n"), table.concat(errors, "\n"), "stderr")
end

local function run_cli_cases()
  case("CLI: bad spec -> errors on stderr, status 1, empty OUTDIR stays empty", function()
    with_temp_dir(function(dir)
      check_cli_rejects(BAD .. "unknown_key.lua", dir)
      check_equal(#list_dir(dir), 0, "files in OUTDIR")
    end)
  end)

  case("CLI: bad s8 quant tables -> every error, status 1, nothing written", function()
    with_temp_dir(function(dir)
      check_cli_rejects(BAD .. "s8_bad_quant.lua", dir)
      check_equal(#list_dir(dir), 0, "files in OUTDIR")
    end)
  end)

  case("CLI: several problems all printed, existing files untouched", function()
    with_temp_dir(function(dir)
      local keep = dir .. "/keep.txt"
      local file = assert(io.open(keep, "w"))
      file:write("precious\n")
      file:close()
      check_cli_rejects(BAD .. "several_problems.lua", dir)
      check_equal(table.concat(list_dir(dir), ","), "keep.txt", "files in OUTDIR")
      check_equal(table.concat(read_lines(keep), "\n"), "precious", "existing file")
    end)
  end)

  case("CLI: sandbox failure -> status 1, OUTDIR not created", function()
    with_temp_dir(function(dir)
      local outdir = dir .. "/out"
      check_cli_rejects(BAD .. "infinite_loop.lua", outdir)
      check(not exists(outdir), "OUTDIR was created")
    end)
  end)

  case("CLI: --prefix is checked like the spec's prefix (keyword symbol, reserved, too long)", function()
    with_temp_dir(function(dir)
      local path = SPECS .. "prefix_keyword.lua"
      local status, lines = run_cli(path, dir, { "--prefix", "in" })
      check_equal(status, 1, "exit status with --prefix in")
      check_equal(table.concat(lines, "\n"), path .. ":4: layer 't': symbol 'int' (prefix .. name) is a C keyword",
        "stderr")
      status, lines = run_cli(path, dir, { "--prefix", "_p" })
      check_equal(status, 2, "exit status with --prefix _p")
      check(lines[1]:find("starts with '_'", 1, true), "got %q", lines[1])
      status, lines = run_cli(path, dir, { "--prefix", string.rep("p", 250) })
      check_equal(status, 2, "exit status with a 250-character prefix")
      check(lines[1]:find("must stay within 240", 1, true), "got %q", lines[1])
      check_equal(#list_dir(dir), 0, "files in OUTDIR")
    end)
  end)

  case("CLI: good spec -> status 0 and <prefix>model.h written", function()
    with_temp_dir(function(dir)
      local status, lines = run_cli(SPECS .. "good_same.lua", dir)
      check_equal(status, 0, "exit status (stderr:" .. show(lines) .. ")")
      check(exists(dir .. "/same_model.h"), "same_model.h missing")
    end)
  end)
end

---------------------------------------------------------------------------

run_bad_cases()
run_sandbox_cases()
run_several_problems_case()
run_good_cases()
run_unit_cases()
if exists(CLI) then
  run_cli_cases()
else
  skip("CLI cases", "CLI not present")
end

print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
