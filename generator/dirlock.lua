-- An exclusive lock on an output directory that a killed holder cannot leave behind.
--
-- Pure Lua cannot call flock(2), so a helper shell takes it with flock(1) on the directory
-- itself (no lock file to plant or leave over) and holds it until its input ends. Its input
-- is a FIFO that this process keeps open for writing: when we close it, or die in any way
-- (SIGKILL included), the kernel closes it, the helper sees end of file, exits, and the lock
-- goes with it. The FIFO lives in a private mktemp -d directory and is unlinked as soon as
-- both ends are open.

local dirlock = {}

dirlock.WAIT_SECONDS = 600

local function quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- The helper prints, one per line: its pid and the FIFO's private directory; then "locked", "nolock" (no
-- flock(1) on this system: the caller goes on unserialized), "busy" (timed out) or "error";
-- then the caller's work directory, a fresh mktemp -d inside dir that nothing can be planted in.
local HELPER = [[
t=$(mktemp -d) || exit 1
mkfifo "$t/hold" || exit 1
echo "$$ $t"
exec 8<"$t/hold"
s=locked
if command -v flock >/dev/null 2>&1; then
  exec 9<"$1"
  flock -x -w "$2" 9 || s=busy
else
  s=nolock
fi
d=
if [ "$s" != busy ]; then d=$(mktemp -d "$1/.convgen-XXXXXXXXXX") || s=error; fi
echo "$s"
echo "$d"
exec cat <&8 >/dev/null
]]

-- Takes the lock on dir (an existing directory; a relative path must not start with '-').
-- Returns a handle with .workdir (a fresh private directory inside dir, or nil without a lock)
-- and .locked, or nil and a message. Release with dirlock.release(handle).
function dirlock.acquire(dir)
  local helper = io.popen("sh -c " .. quote(HELPER) .. " convgen-lock " .. quote(dir) .. " "
    .. dirlock.WAIT_SECONDS)
  local pid, private = (helper:read("l") or ""):match("^(%d+) (.+)$")
  if not private then
    helper:close()
    return nil, "cannot start the lock helper (mktemp, mkfifo)"
  end
  -- Opening our end waits for the helper to open its end, so neither side can miss the other.
  local hold = io.open(private .. "/hold", "w")
  os.remove(private .. "/hold")
  os.remove(private)
  if not hold then
    os.execute("kill " .. pid) -- it waits for us on the FIFO
    helper:close()
    return nil, "cannot open the lock helper's FIFO in " .. private
  end
  local handle = { helper = helper, hold = hold }
  local status, workdir = helper:read("l"), helper:read("l")
  if (status == "locked" or status == "nolock") and workdir and workdir ~= "" then
    handle.locked, handle.workdir = status == "locked", workdir
    return handle
  end
  dirlock.release(handle)
  if status == "busy" then
    return nil, "another convgen run has held the lock on '" .. dir .. "' for " .. dirlock.WAIT_SECONDS
      .. " s; giving up"
  end
  return nil, "cannot lock '" .. dir .. "' or create a private directory in it"
end

function dirlock.release(handle)
  handle.hold:close()
  handle.helper:close()
end

return dirlock
