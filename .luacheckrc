-- luacheck settings: Lua 5.4; the malformed specs under tests/specs/bad are wrong on purpose.
std = "lua54"
max_line_length = 120
exclude_files = { "tests/specs/bad/*", "build/*", "build-*/*" }
