-- A strict RFC 8259 JSON parser for the tests: decodes, or raises an error naming the byte offset.
-- Stricter than most readers on purpose: no trailing commas, leading zeros, bare control characters,
-- invalid escapes, lone surrogates, invalid UTF-8, duplicate keys, or anything after the value.

local json_check = {}

function json_check.decode(text)
  local pos = 1

  local function fail(message)
    error(string.format("JSON offset %d: %s", pos, message), 0)
  end

  local function skip_space()
    pos = text:find("[^ \t\n\r]", pos) or #text + 1
  end

  local function expect(literal)
    if text:sub(pos, pos + #literal - 1) ~= literal then fail("expected '" .. literal .. "'") end
    pos = pos + #literal
  end

  local function hex4()
    local h = text:match("^%x%x%x%x", pos)
    if not h then fail("\\u needs four hex digits") end
    pos = pos + 4
    return tonumber(h, 16)
  end

  local ESCAPES = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

  local function parse_string()
    expect('"')
    local out = {}
    while true do
      local c = text:sub(pos, pos)
      if c == "" then fail("unterminated string") end
      if c == '"' then
        pos = pos + 1
        break
      elseif c == "\\" then
        local e = text:sub(pos + 1, pos + 1)
        pos = pos + 2
        if ESCAPES[e] then
          out[#out + 1] = ESCAPES[e]
        elseif e == "u" then
          local cp = hex4()
          if cp >= 0xD800 and cp <= 0xDBFF then
            expect("\\u")
            local low = hex4()
            if low < 0xDC00 or low > 0xDFFF then fail("high surrogate without a low one") end
            cp = 0x10000 + (cp - 0xD800) * 0x400 + (low - 0xDC00)
          elseif cp >= 0xDC00 and cp <= 0xDFFF then
            fail("lone low surrogate")
          end
          out[#out + 1] = utf8.char(cp)
        else
          fail("invalid escape '\\" .. e .. "'")
        end
      elseif c:byte() < 0x20 then
        fail(string.format("unescaped control character 0x%02x in a string", c:byte()))
      else
        local run_end = (text:find('[%z\1-\31"\\]', pos) or #text + 1) - 1
        local run = text:sub(pos, run_end)
        if not utf8.len(run) then fail("invalid UTF-8 in a string") end
        out[#out + 1] = run
        pos = run_end + 1
      end
    end
    return table.concat(out)
  end

  local function parse_number()
    local int = text:match("^-?%d+", pos)
    if not int then fail("invalid number") end
    if int:match("^-?0%d") then fail("leading zero") end
    local p = pos + #int
    local frac = text:match("^%.%d+", p) or ""
    if frac == "" and text:sub(p, p) == "." then fail("no digit after '.'") end
    p = p + #frac
    local exp = text:match("^[eE][-+]?%d+", p) or ""
    if exp == "" and text:match("^[eE]", p) then fail("malformed exponent") end
    local s = text:sub(pos, p + #exp - 1)
    pos = p + #exp
    if frac == "" and exp == "" then return math.tointeger(tonumber(s)) or tonumber(s) end
    return tonumber(s) -- a float: it has a fraction or an exponent
  end

  local parse_value

  local function parse_array()
    expect("[")
    local arr = {}
    skip_space()
    if text:sub(pos, pos) == "]" then
      pos = pos + 1
      return arr
    end
    while true do
      arr[#arr + 1] = parse_value()
      skip_space()
      local c = text:sub(pos, pos)
      pos = pos + 1
      if c == "]" then return arr end
      if c ~= "," then fail("expected ',' or ']'") end
    end
  end

  local function parse_object()
    expect("{")
    local obj, keys = {}, {}
    skip_space()
    if text:sub(pos, pos) == "}" then
      pos = pos + 1
      return obj, keys
    end
    while true do
      skip_space()
      local key = parse_string()
      if obj[key] ~= nil then fail("duplicate key '" .. key .. "'") end
      skip_space()
      expect(":")
      obj[key] = parse_value()
      keys[#keys + 1] = key
      skip_space()
      local c = text:sub(pos, pos)
      pos = pos + 1
      if c == "}" then return obj, keys end
      if c ~= "," then fail("expected ',' or '}'") end
    end
  end

  function parse_value()
    skip_space()
    local c = text:sub(pos, pos)
    if c == "{" then return (parse_object()) end
    if c == "[" then return parse_array() end
    if c == '"' then return parse_string() end
    if c == "t" then expect("true") return true end
    if c == "f" then expect("false") return false end
    if c == "n" then expect("null") return json_check.null end
    if c:match("[-%d]") then return parse_number() end
    fail("unexpected " .. (c == "" and "end of text" or "'" .. c .. "'"))
  end

  if not utf8.len(text) then fail("the text is not valid UTF-8") end
  local value = parse_value()
  skip_space()
  if pos <= #text then fail("text after the value") end
  return value
end

json_check.null = setmetatable({}, { __tostring = function() return "null" end })

return json_check
