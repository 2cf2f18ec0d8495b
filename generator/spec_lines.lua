-- Maps a spec's layer tables and their keys to source line numbers with a tiny Lua tokenizer.
--
-- The spec itself is run by the sandbox; this module only reads its text so that error
-- messages can point at a line. It understands the common literal shape
--   return { prefix = ..., layers = { { name = ..., ... }, { ... } } }
-- and returns whatever it can find when the spec is written differently. It never raises.
local spec_lines = {}

local LONG_SYMBOLS = {
  ["..."] = true, [".."] = true, ["=="] = true, ["~="] = true, ["<="] = true,
  [">="] = true, ["//"] = true, ["::"] = true, ["<<"] = true, [">>"] = true,
}
local OPENERS = { ["{"] = true, ["("] = true, ["["] = true }
local CLOSERS = { ["}"] = true, [")"] = true, ["]"] = true }

-- Lua counts "\r\n" and "\n\r" as one line break, but "\n\n" as two.
local function newline_width(text, pos)
  local first, second = text:sub(pos, pos), text:sub(pos + 1, pos + 1)
  if (second == "\r" or second == "\n") and second ~= first then
    return 2
  end
  return 1
end

-- Searches a copy of text[from..to] only: searching `text` from `from` would run on to
-- the next line break, which made long one-line specs quadratic.
local function count_line_breaks(text, from, to)
  local segment = text:sub(from, to)
  local breaks, pos = 0, 1
  while true do
    local found = segment:find("[\r\n]", pos)
    if not found then
      return breaks
    end
    breaks = breaks + 1
    pos = found + newline_width(segment, found)
  end
end

-- At `pos` a long bracket "[", "[=", "[==" ... "[" may open. Returns the position just
-- past its closing bracket (or past the end of text if it is never closed), or nil when
-- there is no long bracket here.
local function long_bracket_end(text, pos)
  local equals = text:match("^%[(=*)%[", pos)
  if not equals then
    return nil
  end
  local _, close_end = text:find("]" .. equals .. "]", pos + #equals + 2, true)
  return (close_end or #text) + 1
end

-- Returns the position just past a short string starting with its quote at `pos`. An
-- unterminated string stops before the line break, as Lua's own lexer does.
local function short_string_end(text, pos)
  local quote = text:sub(pos, pos)
  local stops = quote == '"' and '[\\\r\n"]' or "[\\\r\n']"
  local cursor = pos + 1
  while true do
    local found = text:find(stops, cursor)
    if not found then
      return #text + 1
    end
    local char = text:sub(found, found)
    if char == quote then
      return found + 1
    elseif char ~= "\\" then
      return found
    end
    local escaped = text:sub(found + 1, found + 1)
    if escaped == "\r" or escaped == "\n" then
      cursor = found + 1 + newline_width(text, found + 1)
    elseif escaped == "z" then
      local _, blank_end = text:find("^[ \t\r\n\f\v]*", found + 2)
      cursor = blank_end + 1
    else
      cursor = found + 2
    end
  end
end

-- Numbers are never inspected, only skipped: digits, letters, dots, and the sign that
-- may follow an exponent marker (1e-3, 0x1p+4).
local function number_end(text, pos)
  local cursor = pos
  while true do
    local _, run_end = text:find("^[%w%.]*", cursor)
    local last = text:sub(run_end, run_end)
    local next_char = text:sub(run_end + 1, run_end + 1)
    if last:match("[eEpP]") and (next_char == "+" or next_char == "-") then
      cursor = run_end + 2
    else
      return run_end + 1
    end
  end
end

local function symbol_end(text, pos)
  if LONG_SYMBOLS[text:sub(pos, pos + 2)] then
    return pos + 3
  elseif LONG_SYMBOLS[text:sub(pos, pos + 1)] then
    return pos + 2
  end
  return pos + 1
end

-- Returns the kind of the lexeme starting at `pos` and the position just past it.
-- Kinds: "blank" and "comment" (dropped), "name", "number", "string", "symbol".
local function next_lexeme(text, pos)
  local _, blank_end = text:find("^[ \t\r\n\f\v]+", pos)
  if blank_end then
    return "blank", blank_end + 1
  end
  if text:sub(pos, pos + 1) == "--" then
    local past = long_bracket_end(text, pos + 2)
    if past then
      return "comment", past
    end
    local _, line_end = text:find("^[^\r\n]*", pos)
    return "comment", line_end + 1
  end
  local char = text:sub(pos, pos)
  if char == "[" then
    local past = long_bracket_end(text, pos)
    if past then
      return "string", past
    end
  end
  if char == '"' or char == "'" then
    return "string", short_string_end(text, pos)
  end
  local _, name_end = text:find("^[%a_][%w_]*", pos)
  if name_end then
    return "name", name_end + 1
  end
  if char:match("%d") or text:match("^%.%d", pos) then
    return "number", number_end(text, pos)
  end
  return "symbol", symbol_end(text, pos)
end

-- Returns an array of { kind = ..., text = ..., line = ... } without blanks and comments.
local function tokenize(text)
  local tokens, pos, line = {}, 1, 1
  while pos <= #text do
    local kind, past = next_lexeme(text, pos)
    if kind ~= "blank" and kind ~= "comment" then
      tokens[#tokens + 1] = { kind = kind, text = text:sub(pos, past - 1), line = line }
    end
    if kind ~= "name" and kind ~= "number" and kind ~= "symbol" then
      line = line + count_line_breaks(text, pos, past - 1)
    end
    pos = past
  end
  return tokens
end

local function is_symbol(token, text)
  return token ~= nil and token.kind == "symbol" and token.text == text
end

-- A field of a table constructor, from the tokens between two separators:
-- `name = value` is "named", `[expr] = value` is "bracketed", anything else "positional".
local function classify_field(tokens, first, last)
  local head = tokens[first]
  if head.kind == "name" and first < last and is_symbol(tokens[first + 1], "=") then
    return { kind = "named", key = head.text, line = head.line, value_first = first + 2, value_last = last }
  end
  if is_symbol(head, "[") then
    return { kind = "bracketed", line = head.line }
  end
  return { kind = "positional", line = head.line, value_first = first, value_last = last }
end

-- Splits the constructor whose "{" is tokens[open] into fields. Returns the fields and
-- the index of the matching "}" (nil if the text ends first).
local function split_fields(tokens, open)
  local fields, depth, first = {}, 0, open + 1
  local function add_field(last)
    if first <= last then
      fields[#fields + 1] = classify_field(tokens, first, last)
    end
  end
  for index = open + 1, #tokens do
    local token = tokens[index]
    if token.kind == "symbol" then
      if OPENERS[token.text] then
        depth = depth + 1
      elseif CLOSERS[token.text] and depth == 0 then
        add_field(index - 1)
        return fields, index
      elseif CLOSERS[token.text] then
        depth = depth - 1
      elseif depth == 0 and (token.text == "," or token.text == ";") then
        add_field(index - 1)
        first = index + 1
      end
    end
  end
  return fields, nil
end

-- The fields of a value that is exactly one table constructor (`{ ... }` and nothing
-- else), or nil for any other expression.
local function plain_constructor_fields(tokens, first, last)
  if not is_symbol(tokens[first], "{") then
    return nil
  end
  local fields, close = split_fields(tokens, first)
  if close ~= last then
    return nil
  end
  return fields
end

-- Line of every `key =` of one layer table, plus "outer.inner" for keys of nested
-- constructors such as `input = { c = 3 }` or `padding = { top = 1, ... }`.
local function layer_key_lines(tokens, fields)
  local keys = {}
  for _, field in ipairs(fields) do
    if field.kind == "named" then
      keys[field.key] = field.line
      local inner = plain_constructor_fields(tokens, field.value_first, field.value_last)
      for _, inner_field in ipairs(inner or {}) do
        if inner_field.kind == "named" then
          keys[field.key .. "." .. inner_field.key] = inner_field.line
        end
      end
    end
  end
  return keys
end

-- Element i of a constructor with positional fields only is layers[i] at run time; with
-- any `key = value` or `[k] = v` field that correspondence is lost, so return nothing.
local function layer_lines(tokens, fields)
  local layers = {}
  for index, field in ipairs(fields) do
    if field.kind ~= "positional" then
      return {}, false
    end
    local inner = plain_constructor_fields(tokens, field.value_first, field.value_last)
    layers[index] = { line = field.line, keys = inner and layer_key_lines(tokens, inner) or {} }
  end
  return layers, true
end

-- Index of the last `return` outside any bracket: the chunk's own return statement
-- (a `return` inside a local helper function comes earlier in the file).
local function last_top_level_return(tokens)
  local depth, found = 0, nil
  for index, token in ipairs(tokens) do
    if token.kind == "symbol" and OPENERS[token.text] then
      depth = depth + 1
    elseif token.kind == "symbol" and CLOSERS[token.text] then
      depth = math.max(depth - 1, 0)
    elseif depth == 0 and token.kind == "name" and token.text == "return" then
      found = index
    end
  end
  return found
end

local function scan_tokens(tokens, result)
  local return_index = last_top_level_return(tokens)
  result.return_line = return_index and tokens[return_index].line
  if not return_index or not is_symbol(tokens[return_index + 1], "{") then
    return result
  end
  local fields = split_fields(tokens, return_index + 1)
  result.line = tokens[return_index + 1].line
  for _, field in ipairs(fields) do
    if field.kind == "named" then
      result.top_keys[field.key] = field.line
      if field.key == "defaults" then
        for _, inner in ipairs(plain_constructor_fields(tokens, field.value_first, field.value_last) or {}) do
          if inner.kind == "named" then
            result.default_keys[inner.key] = inner.line
          end
        end
      end
      if field.key == "layers" then
        local layer_fields = plain_constructor_fields(tokens, field.value_first, field.value_last)
        result.layers, result.layers_positional = {}, nil
        if layer_fields then
          result.layers, result.layers_positional = layer_lines(tokens, layer_fields)
        end
      end
    end
  end
  return result
end

-- spec_lines.scan(source_text) -> {
--   line = <line of the returned table's "{">,                      -- or nil
--   return_line = <line of the chunk's last top-level `return`>,    -- or nil
--   top_keys = { layers = 3, prefix = 2, ... },                     -- line of each top `key =`
--   default_keys = { layout = 3, ... },                             -- line of each `defaults` key
--   layers = { [i] = { line = 5, keys = { name = 5, ["input.c"] = 6, ... } } },
--   layers_positional = true,    -- false when layers had keyed fields (then layers = {}),
--                                -- nil when `layers =` is not a literal constructor
-- }
-- Every part may be missing; callers fall back to coarser locations.
function spec_lines.scan(source)
  local result = { top_keys = {}, default_keys = {}, layers = {} }
  if type(source) ~= "string" then
    return result
  end
  local ok, scanned = pcall(function()
    return scan_tokens(tokenize(source), result)
  end)
  if not ok then
    return { top_keys = {}, default_keys = {}, layers = {} }
  end
  return scanned
end

spec_lines.tokenize = tokenize

return spec_lines
