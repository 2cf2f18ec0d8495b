-- Bad spec: tries to read a file.

local secret = io.open("/etc/passwd"):read("a")
return { prefix = secret, layers = {} }
