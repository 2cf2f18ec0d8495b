-- Code size and RAM report of a spec's layers: .text per layer for the host and Cortex-M4, unrolled vs looped.
--
--   lua5.4 scripts/size_report.lua SPEC [--out DIR] [--no-timing]
--
-- Generates the spec three ways (its own unroll policy, --unroll full, --unroll loops),
-- compiles each layer for the host (portable path, -Os and -O2; AVX-512 path, -O2) and,
-- when arm-none-eabi-gcc is installed, for a Cortex-M4F (-Os and -O2), and sums the
-- sizes of each object's functions (nm). Then it times im2col and the portable conv of
-- the unrolled and looped variants side by side in one process on the host.
-- Writes DIR/sizes.md (also printed) and DIR/sizes.json; DIR defaults to build/size.

local script_dir = (arg[0]:match("^(.*)[/\\][^/\\]*$") or ".")
local ROOT = script_dir .. "/.."
local GENERATOR = ROOT .. "/generator/convgen.lua"

local function usage(message)
  io.stderr:write("size_report: ", message, "\nusage: lua5.4 scripts/size_report.lua SPEC [--out DIR] [--no-timing]\n")
  os.exit(2)
end

local spec, outdir, timing = nil, "build/size", true
do
  local i = 1
  while i <= #arg do
    if arg[i] == "--out" then
      i = i + 1
      outdir = arg[i] or usage("--out needs a directory")
    elseif arg[i] == "--no-timing" then
      timing = false
    elseif arg[i] == "-h" or arg[i] == "--help" then
      print("usage: lua5.4 scripts/size_report.lua SPEC [--out DIR] [--no-timing]")
      os.exit(0)
    elseif spec then
      usage("more than one spec given")
    else
      spec = arg[i]
    end
    i = i + 1
  end
  if not spec then usage("no spec given") end
end

local function quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function run(cmd)
  local ok = os.execute(cmd)
  if not ok then
    io.stderr:write("size_report: command failed: ", cmd, "\n")
    os.exit(1)
  end
end

local function capture(cmd)
  local p = io.popen(cmd)
  local out = p:read("a")
  p:close()
  return out
end

local function have(program)
  return capture("command -v " .. program .. " 2>/dev/null") ~= ""
end

-- Generate the spec with `prefix` and optional generator flags into dir; returns the layer symbols.
local function generate(dir, prefix, flags)
  run(string.format("lua5.4 %s --prefix %s %s %s -o %s", quote(GENERATOR), prefix, flags, quote(spec), quote(dir)))
  local syms = {}
  for name in capture(string.format("lua5.4 %s --prefix %s --list-files %s -o %s", quote(GENERATOR), prefix,
      quote(spec), quote(dir))):gmatch("([^/\n]+)%.c\n") do
    syms[#syms + 1] = name
  end
  return syms
end

local TARGETS = {
  { key = "host_Os", label = "host -Os", cc = "cc", flags = "-Os -DCONVGEN_NO_SIMD" },
  { key = "host_O2", label = "host -O2", cc = "cc", flags = "-O2 -DCONVGEN_NO_SIMD" },
  { key = "host_avx512_O2", label = "host AVX-512 -O2", cc = "cc", flags = "-O2 -march=native" },
  { key = "m4_Os", label = "Cortex-M4 -Os", cc = "arm-none-eabi-gcc",
    flags = "-Os -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" },
  { key = "m4_O2", label = "Cortex-M4 -O2", cc = "arm-none-eabi-gcc",
    flags = "-O2 -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" },
}

-- Bytes of the functions an object defines (nm's symbol sizes of text symbols).
local function text_bytes(nm, object)
  local total = 0
  for size, kind in capture(nm .. " -S --defined-only " .. quote(object)):gmatch("%x+ (%x+) ([tTwW])") do
    if kind then total = total + tonumber(size, 16) end
  end
  return total
end

local function measure(dir, syms, target)
  local nm = target.cc == "cc" and "nm" or "arm-none-eabi-nm"
  local sizes = {}
  for _, sym in ipairs(syms) do
    local object = string.format("%s/%s.%s.o", dir, sym, target.key)
    run(string.format("%s -std=c99 %s -ffunction-sections -I%s -c %s -o %s", target.cc, target.flags,
      quote(ROOT .. "/runtime"), quote(dir .. "/" .. sym .. ".c"), quote(object)))
    sizes[sym] = text_bytes(nm, object)
  end
  return sizes
end

run("mkdir -p " .. quote(outdir))
local variants = {
  { key = "spec", label = "as in the spec", prefix = "s_", flags = "" },
  { key = "full", label = "--unroll full", prefix = "u_", flags = "--unroll full" },
  { key = "loops", label = "--unroll loops", prefix = "l_", flags = "--unroll loops" },
}
local targets = {}
for _, t in ipairs(TARGETS) do
  if have(t.cc) then targets[#targets + 1] = t end
end
-- The unroll variants are compared on one target only: fully unrolled layers of
-- real size are slow to compile, and one target shows the trade-off.
local compare_key = have("arm-none-eabi-gcc") and "m4_Os" or "host_Os"

local names, results = nil, {}
for _, v in ipairs(variants) do
  local dir = outdir .. "/" .. v.key
  local syms = generate(dir, v.prefix, v.flags)
  names = names or {}
  results[v.key] = {}
  for i, sym in ipairs(syms) do names[i] = sym:sub(#v.prefix + 1) end
  for _, t in ipairs(targets) do
    if v.key == "spec" or t.key == compare_key then
      local sizes = measure(dir, syms, t)
      for i, sym in ipairs(syms) do
        results[v.key][i] = results[v.key][i] or {}
        results[v.key][i][t.key] = sizes[sym]
      end
    end
  end
end

-- Static facts (MACs, weights, workspace) come from the generator's own report.
local facts = {}
do
  local json = io.open(outdir .. "/spec/s_report.json"):read("a")
  for entry in json:gmatch("{ (\"sym\".-) }") do
    local sym = entry:match('"sym": "([^"]+)"')
    facts[sym:sub(3)] = {
      macs = tonumber(entry:match('"macs": (%d+)')),
      weight_bytes = tonumber(entry:match('"weight_bytes": (%d+)')),
      workspace_bytes = tonumber(entry:match('"workspace_bytes": (%d+)')),
    }
  end
end

-- Host timing: im2col and portable conv, unrolled vs looped, interleaved in one process.
local timings = {}
if timing then
  local dir = outdir .. "/timing"
  run("mkdir -p " .. quote(dir))
  local src = dir .. "/unroll_timing.c"
  local f = assert(io.open(src, "w"))
  f:write([[
/* Written by scripts/size_report.lua: times the unrolled and looped variants side by side. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "u_model.h"
#include "l_model.h"

typedef struct { const char *name; void (*im2col)(const float *, float *); int (*conv)(const float *,
  const float *, const float *, float *, void *); size_t in, w, out, col, ws; } entry;
#define ENTRY(sym, SYM) { #sym, sym##_im2col, sym##_conv, SYM##_INPUT_ELEMS, SYM##_WEIGHT_ELEMS, \
  SYM##_OUTPUT_ELEMS, (size_t)SYM##_COL_ROWS * SYM##_COL_COLS, SYM##_WORKSPACE_BYTES },
static const entry full[] = { U_MODEL_LAYERS_F32(ENTRY) }, loops[] = { L_MODEL_LAYERS_F32(ENTRY) };

static double now(void) {
  struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static void *buffer(size_t bytes) { float *p = aligned_alloc(64, (bytes + 64) / 64 * 64);
  for (size_t i = 0; i < bytes / sizeof *p; ++i) p[i] = (float)(i % 7) * 0.25f - 0.5f; return p; }

/* Median over 31 rounds of the time of `reps` calls, both variants interleaved. */
static void time_pair(const entry *a, const entry *b, int conv, double *ta, double *tb) {
  const entry *e[2] = { a, b }; double t[2][31]; int reps = 1;
  float *x = buffer(a->in * 4), *w = buffer(a->w * 4), *y = buffer(a->out * 4), *col = buffer(a->col * 4);
  void *ws = buffer(a->ws);
  for (;;) {
    double s = now(); for (int r = 0; r < reps; ++r) a->im2col(x, col);
    if (now() - s > 2e-4) break;
    reps *= 2;
  }
  for (int round = 0; round < 31; ++round)
    for (int v = 0; v < 2; ++v) {
      double s = now();
      for (int r = 0; r < reps; ++r) { if (conv) e[v]->conv(x, w, NULL, y, ws); else e[v]->im2col(x, col); }
      t[v][round] = (now() - s) / reps;
    }
  qsort(t[0], 31, sizeof(double), cmp); qsort(t[1], 31, sizeof(double), cmp);
  *ta = t[0][15] * 1e6; *tb = t[1][15] * 1e6;
  free(x); free(w); free(y); free(col); free(ws);
}

int main(void) {
  for (size_t i = 0; i < sizeof full / sizeof full[0]; ++i) {
    double fi, li, fc, lc;
    time_pair(&full[i], &loops[i], 0, &fi, &li);
    time_pair(&full[i], &loops[i], 1, &fc, &lc);
    printf("%s %.3f %.3f %.3f %.3f\n", full[i].name + 2, fi, li, fc, lc);
  }
  return 0;
}
]])
  f:close()
  local exe = dir .. "/unroll_timing"
  local blas = capture("pkg-config --cflags --libs openblas 2>/dev/null"):gsub("\n", " ")
  run(string.format("cc -std=c11 -O2 -DCONVGEN_NO_SIMD -I%s -I%s -I%s %s %s/full/*.c %s/loops/*.c %s/*.c %s -lm -o %s",
    quote(ROOT .. "/runtime"), quote(outdir .. "/full"), quote(outdir .. "/loops"), quote(src), quote(outdir),
    quote(outdir), quote(ROOT .. "/runtime"), blas, quote(exe)))
  for line in capture(quote(exe) .. " 2>&1"):gmatch("[^\n]+") do
    local name, fi, li, fc, lc = line:match("^(%S+) (%S+) (%S+) (%S+) (%S+)$")
    if name then timings[name] = { tonumber(fi), tonumber(li), tonumber(fc), tonumber(lc) } end
  end
end

-- The report ------------------------------------------------------------------------
local md = {}
local function add(line) md[#md + 1] = line end
add("# Code size and RAM: " .. spec:match("([^/]+)$"))
add("")
add("Function bytes per layer (`nm` sizes of the object's functions: im2col, col2im, conv and their helpers), "
  .. "the layers generated with the spec's own unroll policy.")
add("")
local header = "| layer | MACs | weight bytes | workspace bytes |"
local rule = "| --- | ---: | ---: | ---: |"
for _, t in ipairs(targets) do
  header = header .. " " .. t.label .. " |"
  rule = rule .. " ---: |"
end
add(header)
add(rule)
local total, peak = {}, 0
for i, name in ipairs(names) do
  local fact = facts[name] or {}
  local line = string.format("| %s | %d | %d | %d |", name, fact.macs or 0, fact.weight_bytes or 0,
    fact.workspace_bytes or 0)
  for _, t in ipairs(targets) do
    local v = results.spec[i][t.key]
    total[t.key] = (total[t.key] or 0) + v
    line = line .. string.format(" %d |", v)
  end
  peak = math.max(peak, fact.workspace_bytes or 0)
  add(line)
end
local line = string.format("| **total** | | | peak %d |", peak)
for _, t in ipairs(targets) do line = line .. string.format(" **%d** |", total[t.key]) end
add(line)
add("")
add(string.format("Peak workspace %d bytes: one buffer, shared by layers that run one after another.", peak))
add("")
local m4 = compare_key
local m4_label = m4 == "m4_Os" and "Cortex-M4 -Os" or "host -Os"
add(string.format("Unrolling: %s bytes and host time (portable path, -O2, median of 31 interleaved rounds) of every "
  .. "layer fully unrolled (`--unroll full`) and with loops (`--unroll loops`).", m4_label))
add("")
add("| layer | bytes, full | bytes, loops | im2col us, full | im2col us, loops | conv us, full | conv us, loops |")
add("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for i, name in ipairs(names) do
  local t = timings[name] or {}
  local function us(v) return v and string.format("%.2f", v) or "-" end
  add(string.format("| %s | %d | %d | %s | %s | %s | %s |", name, results.full[i][m4], results.loops[i][m4],
    us(t[1]), us(t[2]), us(t[3]), us(t[4])))
end
local text = table.concat(md, "\n") .. "\n"
io.stdout:write(text)
local out = assert(io.open(outdir .. "/sizes.md", "w"))
out:write(text)
out:close()

local json = { "{", string.format('  "spec": %q,', spec:match("([^/]+)$")), '  "layers": [' }
for i, name in ipairs(names) do
  local fields = { string.format('"name": %q', name) }
  for _, v in ipairs(variants) do
    for _, t in ipairs(targets) do
      local bytes = results[v.key][i][t.key]
      if bytes then fields[#fields + 1] = string.format('"%s_%s_bytes": %d', v.key, t.key, bytes) end
    end
  end
  local t = timings[name]
  if t then
    fields[#fields + 1] = string.format('"im2col_us_full": %.3f, "im2col_us_loops": %.3f, '
      .. '"conv_us_full": %.3f, "conv_us_loops": %.3f', t[1], t[2], t[3], t[4])
  end
  json[#json + 1] = "    { " .. table.concat(fields, ", ") .. " }" .. (i < #names and "," or "")
end
json[#json + 1] = "  ],"
json[#json + 1] = string.format('  "peak_workspace_bytes": %d', peak)
json[#json + 1] = "}"
out = assert(io.open(outdir .. "/sizes.json", "w"))
out:write(table.concat(json, "\n"), "\n")
out:close()
