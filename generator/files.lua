-- Output files: all-or-nothing writes that leave unchanged files untouched.

local files = {}

local function shell_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function read_all(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return text
end

-- Names of the outputs whose file in dir is missing or has other content.
function files.stale(dir, outputs)
  local names = {}
  for _, out in ipairs(outputs) do
    if read_all(dir .. "/" .. out.name) ~= out.text then names[#names + 1] = out.name end
  end
  return names
end

-- Write every changed output. Each goes to a temporary file in dir first;
-- only when all of them are written are they renamed into place, so a failure
-- (disk full, permissions) leaves every existing file as it was.
function files.write_all(dir, outputs)
  if not os.execute("mkdir -p -- " .. shell_quote(dir)) then
    return nil, "cannot create output directory '" .. dir .. "'"
  end
  local pending = {}
  local function discard()
    for _, p in ipairs(pending) do os.remove(p.tmp) end
  end
  for _, out in ipairs(outputs) do
    local final = dir .. "/" .. out.name
    if read_all(final) ~= out.text then
      local tmp = dir .. "/." .. out.name .. ".convgen-tmp"
      local f, err = io.open(tmp, "wb")
      local written = f and f:write(out.text)
      local closed = f and f:close()
      if not (f and written and closed) then
        discard()
        os.remove(tmp)
        return nil, "cannot write '" .. tmp .. "': " .. tostring(err)
      end
      pending[#pending + 1] = { tmp = tmp, final = final }
    end
  end
  for i, p in ipairs(pending) do
    local ok, err = os.rename(p.tmp, p.final)
    if not ok then
      for j = i, #pending do os.remove(pending[j].tmp) end
      return nil, "cannot rename into '" .. p.final .. "': " .. tostring(err)
    end
  end
  return true
end

return files
