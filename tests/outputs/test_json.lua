-- generator/json.lua against a strict JSON parser; the reports for spec file names with tabs, newlines, quotes.
-- Usage: lua5.4 tests/outputs/test_json.lua ROOT

package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
local lib = require("lib")
lib.setup(arg[1])
package.path = lib.root .. "/?.lua;" .. package.path
local json = require("generator.json")
local json_check = require("json_check")
local quote = lib.quote

local function rejects(text)
  local ok = pcall(json_check.decode, text)
  return not ok
end

lib.case("the strict parser rejects what RFC 8259 does not allow", function()
  local bad = { '{"a": 1,}', "[1,]", "[01]", "[-]", "[1.]", "[.5]", "[1e]", "[+1]", '"a\tb"', '"a\nb"', '"\\x"',
                '"\\u12"', "[NaN]", "[Infinity]", '{"a": 1, "a": 2}', '"\\ud800"', '"\\udc00"', '"\255"',
                "{a: 1}", "['a']", "[1] [2]", "", "nul", '"abc', "[1 2]", "{\"a\" 1}" }
  for _, text in ipairs(bad) do assert(rejects(text), "accepted: " .. text) end
  local good = { '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"]}', "0", "-0.0", '"\\ud83d\\ude00"', " [ ] " }
  for _, text in ipairs(good) do assert(not rejects(text), "rejected: " .. text) end
end)

lib.case("strings: every control character, quote, backslash and UTF-8 round-trips", function()
  local chars = {}
  for b = 0, 127 do chars[#chars + 1] = string.char(b) end
  local s = table.concat(chars) .. "é€😀\u{2028}\u{2029}" .. '"\\/'
  local text = json.encode(s)
  assert(not text:find("[%z\1-\31]"), "a raw control character in " .. text)
  assert(text:find("\\u0009", 1, true) and text:find("\\u000a", 1, true), "tab or newline not written as \\u00XX")
  assert(json_check.decode(text) == s, "the string did not round-trip")
end)

lib.case("invalid UTF-8 becomes U+FFFD, and the text stays valid", function()
  local text = json.encode({ "a\255b\192\128c\237\160\128d" })
  local back = json_check.decode(text)[1]
  assert(back:sub(1, 1) == "a" and back:find("b", 1, true) and back:sub(-1) == "d", back)
  assert(utf8.len(back), "an invalid byte survived")
  assert(select(2, back:gsub("\u{FFFD}", "")) >= 3, "not every invalid sequence was replaced: " .. text)
end)

lib.case("numbers: integers stay integers, floats read back exactly, NaN and infinities refused", function()
  local values = { 0, -1, math.maxinteger, math.mininteger, 0.1, 1 / 3, -0.0, 1e300, 5e-324, 2.0, 123456789.0 }
  local back = json_check.decode(json.encode(values))
  for i, v in ipairs(values) do
    assert(math.type(back[i]) == math.type(v), string.format("%s came back as %s", tostring(v), math.type(back[i])))
    assert(back[i] == v and (1 / back[i]) == (1 / v), string.format("%.17g came back as %.17g", v, back[i]))
  end
  for _, v in ipairs({ 0 / 0, math.huge, -math.huge }) do
    assert(not pcall(json.encode, { v }), tostring(v) .. " was encoded")
  end
end)

lib.case("objects: sorted keys for plain tables, the given order for json.object, errors for odd keys", function()
  assert(json.encode({ b = 1, a = 2, c = { z = 1, y = true } }, { inline_depth = 0 })
    == '{ "a": 2, "b": 1, "c": { "y": true, "z": 1 } }')
  assert(json.encode(json.object({ "z", "a" }, { a = 1, z = 2 }), { inline_depth = 0 }) == '{ "z": 2, "a": 1 }')
  assert(json.encode({}) == "[]" and json.encode(json.object({}, {})) == "{}")
  assert(not pcall(json.encode, { [1] = 1, [3] = 3 }), "a sparse array was encoded")
  assert(not pcall(json.encode, { [true] = 1 }), "a boolean key was encoded")
  assert(not pcall(json.encode, { print }), "a function was encoded")
  local pretty = json.encode(json.object({ "a", "b" }, { a = { 1, 2 }, b = json.null }))
  assert(pretty == '{\n  "a": [\n    1,\n    2\n  ],\n  "b": null\n}', pretty)
end)

lib.case("report.json of specs named with a tab, a newline, quotes, a backslash and a bad byte parses strictly",
  function()
    local spec_text = lib.read(lib.write_spec(lib.tmp .. "/plain.lua", { "a", "b" }))
    local names = { "tab\there.lua", "new\nline.lua", 'q"uo\'te\\s.lua', "bad\255byte.lua", "ctl\1\127.lua" }
    for _, name in ipairs(names) do
      local dir = lib.tmp .. "/out"
      os.execute("rm -rf " .. quote(dir))
      local spec = lib.tmp .. "/" .. name
      lib.write(spec, spec_text)
      local code, out = lib.generate(spec, dir)
      assert(code == 0, out)
      local text = assert(lib.read(dir .. "/t_report.json"), "no report.json")
      local ok, report = pcall(json_check.decode, text)
      assert(ok, string.format("report.json for %q does not parse: %s", name, tostring(report)))
      -- (convgen names the spec by what follows the last '/' or '\')
      local base = name:match("[^\\]*$")
      if utf8.len(base) then
        assert(report.spec == base, string.format("spec %q came back as %q", base, report.spec))
      end
      assert(#report.layers == 2 and report.layers[1].sym == "t_a", "layers lost")
      assert(math.type(report.layers[1].macs) == "integer" and math.type(report.total_macs) == "integer",
        "a count is not an integer")
      assert(lib.read(dir .. "/t_report.md"):find("^# [^\n]*: generated layers\n"), "report.md's heading is broken")
    end
  end)

lib.finish()
