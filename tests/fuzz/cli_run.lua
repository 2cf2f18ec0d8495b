-- Helpers for the generator's resource and fuzz tests: temp dirs, running the CLI measured, checking error lines.
local cli_run = {}

local LUA = arg[-1] or "lua5.4"
local ROOT = arg[1]
local CLI = ROOT .. "/generator/convgen.lua"

function cli_run.quote(text)
  return "'" .. text:gsub("'", "'\\''") .. "'"
end

function cli_run.exists(path)
  return os.execute("test -e " .. cli_run.quote(path)) == true
end

function cli_run.list_dir(path)
  local names = {}
  local listing = assert(io.popen("ls -A " .. cli_run.quote(path)))
  for name in listing:lines() do
    names[#names + 1] = name
  end
  listing:close()
  table.sort(names)
  return names
end

function cli_run.read_lines(path)
  local lines = {}
  local file = io.open(path, "rb")
  if not file then
    return lines
  end
  for line in file:lines() do
    lines[#lines + 1] = line
  end
  file:close()
  return lines
end

-- Runs body(dir) with a fresh empty directory and always removes it afterwards.
function cli_run.with_temp_dir(body)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir " .. cli_run.quote(dir)), "cannot create " .. dir)
  local ok, problem = pcall(body, dir)
  os.execute("rm -rf " .. cli_run.quote(dir))
  if not ok then
    error(problem, 0)
  end
end

-- Runs `convgen [options] SPEC -o OUTDIR` under the rusage wrapper. Returns
-- { status =, cpu = user + system seconds, rss_kb =, stderr = { lines } }.
function cli_run.run_measured(rusage, spec_path, outdir, workdir, options)
  local report_path, stderr_path = workdir .. "/rusage.txt", workdir .. "/stderr.txt"
  local words = { rusage, report_path, LUA, CLI }
  for _, option in ipairs(options or {}) do
    words[#words + 1] = option
  end
  words[#words + 1] = spec_path
  words[#words + 1] = "-o"
  words[#words + 1] = outdir
  for index, word in ipairs(words) do
    words[index] = cli_run.quote(word)
  end
  os.execute(table.concat(words, " ") .. " >/dev/null 2>" .. cli_run.quote(stderr_path))
  local report = cli_run.read_lines(report_path)[1] or ""
  local user, system, rss, status = report:match("^(%S+) (%S+) (%d+) (%d+)$")
  return {
    status = tonumber(status) or -1,
    cpu = (tonumber(user) or 0) + (tonumber(system) or 0),
    rss_kb = tonumber(rss) or 0,
    stderr = cli_run.read_lines(stderr_path),
  }
end

-- Problems with the error lines of a refused spec: each must be "SPEC:LINE: ...", and
-- there must be at least one.
function cli_run.check_error_lines(lines, spec_path)
  local problems = {}
  if #lines == 0 then
    problems[#problems + 1] = "refused without a message"
  end
  for _, line in ipairs(lines) do
    local rest = line:sub(1, #spec_path + 1) == spec_path .. ":" and line:sub(#spec_path + 2)
    if not (rest and rest:match("^%d+: %S")) then
      problems[#problems + 1] = "not a FILE:LINE: error: " .. line:sub(1, 160)
      break
    end
  end
  return problems
end

return cli_run
