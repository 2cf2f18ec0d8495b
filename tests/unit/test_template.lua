-- Unit tests of the template engine (generator/template.lua): ${expr}, `$` lines, errors naming the template line.
-- Usage: lua5.4 tests/unit/test_template.lua ROOT
local unit = dofile((arg[0]:match("^(.*)/") or ".") .. "/unit.lua")
unit.root()
local template = require("generator.template")
local case, check, equal, raises = unit.case, unit.check, unit.equal, unit.raises

-- Templates are written to files because render() reads its templates from a directory;
-- each gets a fresh name, so the engine's cache never serves an older text.
local written = {}
local function write_template(source)
  local path = os.tmpname()
  local file = assert(io.open(path, "wb"))
  file:write(source)
  file:close()
  written[#written + 1] = path
  return path:match("^(.*)/([^/]+)$")
end

local function render(source, vars, helpers)
  local dir, name = write_template(source)
  return template.render(dir, name, vars or {}, helpers), name
end

-- The message of a failing render, and the name its template is shown under.
local function render_error(source, vars)
  local dir, name = write_template(source)
  local message = raises(function() template.render(dir, name, vars or {}) end, "render")
  return message, "templates/" .. name
end

case("text lines pass through with ${expr} replaced", function()
  equal(render("a ${x} b ${x + 1}\nplain\n", { x = 2 }), "a 2 b 3\nplain\n", "output")
end)

case("C text with quotes, backslashes, percent signs and tabs is kept verbatim", function()
  local line = 'printf("%d\\n", v[${i}]);\t/* 100% */\n'
  equal(render(line, { i = 7 }), 'printf("%d\\n", v[7]);\t/* 100% */\n', "output")
end)

case("${...} may hold braces (table constructors, nested calls)", function()
  equal(render("${ ({ 10, 20 })[2] } ${f({ a = 1 })}\n", { f = function(t) return t.a end }), "20 1\n", "output")
end)

case("a last line without a newline still renders, with one", function()
  equal(render("x = ${v};", { v = 3 }), "x = 3;\n", "output")
end)

case("$ lines are Lua: for, if/else, local; indented $ lines too", function()
  local source = table.concat({
    "$for i = 1, 3 do",
    "  $local sq = i * i",
    "  $if sq % 2 == 1 then",
    "odd ${sq}",
    "  $else",
    "even ${sq}",
    "  $end",
    "$end",
    "",
  }, "\n")
  equal(render(source), "odd 1\neven 4\nodd 9\n", "output")
end)

case("a line starting with ${ is text, not Lua", function()
  equal(render("${a}${b}\n", { a = "x", b = 1 }), "x1\n", "output")
end)

case("a text line ending in $\\ joins the next line", function()
  equal(render("$for i = 1, 3 do\nv${i}, $\\\n$end\nend\n"), "v1, v2, v3, end\n", "output")
end)

case("helpers are visible; variables hide helpers of the same name", function()
  local helpers = { twice = function(v) return 2 * v end, name = "helper" }
  equal(render("${twice(n)} ${name}\n", { n = 4, name = "var" }, helpers), "8 var\n", "output")
end)

case("nil substitution is an error naming the template and its line", function()
  local message, shown = render_error("line 1\nline 2\nx = ${missing};\nline 4\n")
  check(message:find(shown .. ":3:", 1, true), "message names %s:3: %s", shown, message)
  check(message:find("nil", 1, true), "message says nil: %s", message)
end)

case("nil substitution inside a loop names the line of the ${...}", function()
  local message, shown = render_error("$for i = 1, 2 do\n$local t = {}\n\nv = ${t.field};\n$end\n")
  check(message:find(shown .. ":4:", 1, true), "message names %s:4: %s", shown, message)
end)

case("templates see no io, os or load (each is a nil substitution)", function()
  for _, name in ipairs({ "io", "os", "load", "require", "dofile" }) do
    local message, shown = render_error("ok\n${" .. name .. "}\n")
    check(message:find(shown .. ":2:", 1, true), "%s: message names %s:2: %s", name, shown, message)
  end
end)

case("a runtime error in a $ line names that line", function()
  local message, shown = render_error("a\nb\nc\n$local z = nil + 1\nd\n")
  check(message:find(shown .. ":4:", 1, true), "message names %s:4: %s", shown, message)
end)

case("a runtime error in ${expr} names that line", function()
  local message, shown = render_error("a\n${ #n }\n", { n = 5 })
  check(message:find(shown .. ":2:", 1, true), "message names %s:2: %s", shown, message)
end)

case("a Lua syntax error in a $ line names that line", function()
  local message, shown = render_error("a\nb\n$local = 3\nc\n")
  check(message:find(shown .. ":3:", 1, true), "message names %s:3: %s", shown, message)
end)

case("an unclosed $if names the line that opened it", function()
  local message, shown = render_error("a\n$if true then\nb\nc\n")
  check(message:find(shown .. ":", 1, true), "message names %s: %s", shown, message)
  check(message:find("line 2", 1, true), "message points at line 2: %s", message)
end)

case("an unclosed ${ is reported with its template line", function()
  local message, shown = render_error("a\nb\nfoo ${x + 1\n")
  check(message:find(shown .. ":3:", 1, true), "message names %s:3: %s", shown, message)
  check(message:find("unclosed", 1, true), "message says unclosed: %s", message)
end)

case("include renders another template in place; it sees its vars, then its includer's", function()
  local child_dir, child = write_template("[${own} ${outer}]$\\\n")
  local parent_dir = write_template("")
  check(child_dir == parent_dir, "temporary files share a directory")
  local out = render("<$\\\n$include(child, { own = 1 })\n>\n", { child = child, outer = "o" })
  equal(out, "<[1 o]>\n", "output")
end)

case("an error inside an included template names the included template's line", function()
  local _, child = write_template("fine\nfine\nbad ${nothing}\n")
  local message = render_error("top\n$include(child)\n", { child = child })
  check(message:find("templates/" .. child .. ":3:", 1, true), "message names templates/%s:3: %s", child, message)
end)

for _, path in ipairs(written) do os.remove(path) end
unit.finish()
