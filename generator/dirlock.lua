-- A lock on an output directory (exclusive for writers, shared for --check) that a killed holder cannot leave behind.
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

-- The helper ("$3" = exclusive) creates dir if needed and prints, one per line: its pid and the FIFO's private
-- directory; "waiting" if another run holds the lock; then "locked", "noflock" (no flock(1) here),
-- "unlockable" (flock(1) failed, e.g. a file system without locks), "busy" (timed out), "nodir"
-- (dir cannot be created) or "error"; then the name of the caller's work directory, a fresh
-- mktemp -d inside dir that nothing can be planted in (its name only: dir may hold a newline).
-- Without a lock the caller goes on unserialized. A shared helper ("$3" = shared) creates nothing:
-- a missing dir is "nodir", and it prints an empty line for the work directory.
local HELPER = [[
t=$(mktemp -d) || exit 1
mkfifo "$t/hold" || exit 1
echo "$$ $t"
exec 8<"$t/hold"
s=locked
m=-x
if [ "$3" = shared ]; then m=-s; [ -d "$1" ] || s=nodir; elif ! mkdir -p "$1"; then s=nodir; fi
if [ $s = nodir ]; then
  :
elif command -v flock >/dev/null 2>&1; then
  exec 9<"$1"
  flock -n $m -E 75 9; r=$?
  if [ $r = 75 ]; then echo waiting; flock $m -E 75 -w "$2" 9; r=$?; fi
  if [ $r = 75 ]; then s=busy; elif [ $r != 0 ]; then s=unlockable; fi
else
  s=noflock
fi
d=
if [ "$3" != shared ]; then
  case $s in locked|noflock|unlockable) d=$(mktemp -d "$1/.convgen-XXXXXXXXXX") || s=error ;; esac
fi
echo "$s"
echo "${d##*/}"
exec cat <&8 >/dev/null
]]

local WARNINGS = {
  noflock = "flock(1) not found: runs on this directory are not serialized",
  unlockable = "flock(1) cannot lock this directory (a file system without locks?): runs are not serialized",
}

-- Takes the lock on dir (created if missing; a relative path must not start with '-'), called
-- label in messages; notes receives a line when the run has to wait. Returns a handle with
-- .workdir (a fresh private directory inside dir; none when shared), .locked, and .warning when no
-- lock could be taken; or nil, a message and the helper's status ("nodir" when dir is missing).
-- Release with dirlock.release(handle).
function dirlock.acquire(dir, notes, label, shared)
  local helper = io.popen("exec sh -c " .. quote(HELPER) .. " convgen-lock " .. quote(dir) .. " "
    .. dirlock.WAIT_SECONDS .. (shared and " shared" or " exclusive"))
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
  local status = helper:read("l")
  if status == "waiting" then
    notes("waiting for another convgen run on '" .. label .. "' to finish")
    status = helper:read("l")
  end
  local workdir = helper:read("l")
  if (status == "locked" or WARNINGS[status]) and workdir and (shared or workdir:find("^%.convgen%-")) then
    handle.locked, handle.warning = status == "locked", WARNINGS[status]
    handle.workdir = not shared and dir .. "/" .. workdir or nil
    return handle
  end
  dirlock.release(handle)
  if status == "busy" then
    return nil, "another convgen run has held the lock on '" .. label .. "' for " .. dirlock.WAIT_SECONDS
      .. " s; giving up", status
  end
  if status == "nodir" then return nil, "cannot create output directory '" .. label .. "'", status end
  return nil, "cannot lock '" .. label .. "' or create a private directory in it", status
end

function dirlock.release(handle)
  handle.hold:close()
  handle.helper:close()
end

return dirlock
