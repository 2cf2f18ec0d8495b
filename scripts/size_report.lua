-- Code size, stack and RAM report of a spec's layers for the host and Cortex-M4: unrolled vs looped, workspace budgets.
--
--   lua5.4 scripts/size_report.lua SPEC [--out DIR] [--no-timing]
--
-- Generates the spec three ways (its own unroll policy, --unroll full, --unroll loops),
-- compiles each layer for the host (portable path, -Os and -O2; -march=native, -O2) and,
-- when arm-none-eabi-gcc is installed, for a Cortex-M4F (-Os and -O2), and sums the
-- sizes of each object's functions (nm). Stack bytes come from gcc's -fstack-usage
-- frames joined into call graphs (-fcallgraph-info=su, scripts/callgraph.lua): the
-- deepest path from any of a layer's functions, the portable GEMM included. Then it
-- times im2col and the portable conv of the unrolled and looped variants side by side
-- on the host, and generates the portable path under several workspace budgets to
-- measure what a smaller workspace costs in code, stack and time.
-- Writes DIR/sizes.md (also printed) and DIR/sizes.json; DIR defaults to build/size.

local script_dir = (arg[0]:match("^(.*)[/\\][^/\\]*$") or ".")
local ROOT = script_dir .. "/.."
local GENERATOR = ROOT .. "/generator/convgen.lua"
package.path = script_dir .. "/?.lua;" .. package.path
local callgraph = require("callgraph")

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
-- With `optional`, a spec the generator refuses under these flags gives nil and its first error line.
local function generate(dir, prefix, flags, optional)
  local cmd = string.format("lua5.4 %s --prefix %s %s %s -o %s", quote(GENERATOR), prefix, flags, quote(spec),
    quote(dir))
  if optional then
    local errors = capture(cmd .. " 2>&1 >/dev/null || echo '(failed)'")
    if errors:find("(failed)", 1, true) then return nil, errors:match("^[^\n]*") end
  else
    run(cmd)
  end
  local syms = {}
  -- (the same flags: the files written depend on them, e.g. P_conv_parallel's parts without --no-simd)
  for name in capture(string.format("lua5.4 %s --prefix %s %s --list-files %s -o %s", quote(GENERATOR), prefix,
      flags, quote(spec), quote(dir))):gmatch("([^/\n]+)%.c\n") do
    -- P_conv_parallel's parts (host builds with SIMD paths only; docs/threads.md) are not layers
    if not name:match("_part%d+$") then syms[#syms + 1] = name end
  end
  return syms
end

local TARGETS = {
  { key = "host_Os", label = "host -Os", cc = "cc", flags = "-Os -DCONVGEN_NO_SIMD" },
  { key = "host_O2", label = "host -O2", cc = "cc", flags = "-O2 -DCONVGEN_NO_SIMD" },
  { key = "host_native_O2", label = "host -march=native -O2", cc = "cc", flags = "-O2 -march=native" },
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

-- Whether `cc` writes call graphs (gcc does; clang does not).
local callgraph_support = {}
local function has_callgraph(cc)
  if callgraph_support[cc] == nil then
    local probe = outdir .. "/callgraph_probe.c"
    local f = assert(io.open(probe, "w"))
    f:write("int probe(void);\nint probe(void) { return 0; }\n")
    f:close()
    callgraph_support[cc] = os.execute(string.format(
      "%s -fstack-usage -fcallgraph-info=su -c %s -o %s >/dev/null 2>&1", cc, quote(probe),
      quote(outdir .. "/callgraph_probe.o"))) == true
  end
  return callgraph_support[cc]
end

-- Compiles `source` to `object` for `target`; with call graphs where the compiler writes them.
local function compile(target, source, object, extra)
  local graphs = has_callgraph(target.cc) and "-fstack-usage -fcallgraph-info=su" or ""
  run(string.format("%s -std=c99 %s %s %s -ffunction-sections -I%s -c %s -o %s", target.cc, target.flags,
    extra or "", graphs, quote(ROOT .. "/runtime"), quote(source), quote(object)))
  return (object:gsub("%.o$", ".ci"))
end

-- The portable GEMM's call graph for a target (what every im2col layer calls on a firmware).
local gemm_graphs = {}
local function gemm_graph(target)
  if not gemm_graphs[target.key] then
    gemm_graphs[target.key] = compile(target, ROOT .. "/runtime/gemm_portable.c",
      string.format("%s/gemm_portable.%s.o", outdir, target.key), "-DCONVGEN_PORTABLE_GEMM")
  end
  return gemm_graphs[target.key]
end

-- Code bytes and stack bytes of each layer: { sym = { bytes = n, stack = n or nil } }.
local function measure(dir, syms, target)
  local nm = target.cc == "cc" and "nm" or "arm-none-eabi-nm"
  local sizes = {}
  for _, sym in ipairs(syms) do
    local object = string.format("%s/%s.%s.o", dir, sym, target.key)
    local graph = compile(target, dir .. "/" .. sym .. ".c", object)
    local entry = { bytes = text_bytes(nm, object) }
    if has_callgraph(target.cc) then
      local g = assert(callgraph.read({ graph, gemm_graph(target) }))
      entry.stack, entry.dynamic = callgraph.deepest_entry(g, sym .. "_")
    end
    sizes[sym] = entry
  end
  return sizes
end

-- The portable GEMM's own stack for a target (cg_gemm_f32), or nil without call graphs.
local function gemm_stack(target)
  if not has_callgraph(target.cc) then return nil end
  return callgraph.depth(assert(callgraph.read({ gemm_graph(target) })), "cg_gemm_f32")
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

local names, results, refused = nil, {}, nil
for _, v in ipairs(variants) do
  local dir = outdir .. "/" .. v.key
  local syms, err = generate(dir, v.prefix, v.flags, v.key == "full")
  if not syms then refused = err end
  syms = syms or {}
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
if timing and not refused then
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

-- Workspace budget versus code size: the portable path (--no-simd, what a firmware
-- builds) generated under several budgets, measured on the compare target, and the
-- whole model's forward time on the host with the portable GEMM.
local BUDGETS = { "default", 65536, 16384, 4096, 1024 }
local budget_rows = {}
do
  local target
  for _, t in ipairs(targets) do
    if t.key == compare_key then target = t end
  end
  local harness = outdir .. "/budget_timing.c"
  local f = assert(io.open(harness, "w"))
  f:write([[
/* Written by scripts/size_report.lua: forward time of a whole model (portable path), median of 15 rounds per layer. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "b_model.h"

typedef struct { int (*conv)(const float *, const float *, const float *, float *, void *);
  size_t in, w, out, ws; } entry;
#define ENTRY(sym, SYM) \
  { sym##_conv, SYM##_INPUT_ELEMS, SYM##_WEIGHT_ELEMS, SYM##_OUTPUT_ELEMS, SYM##_WORKSPACE_BYTES },
static const entry layers[] = { B_MODEL_LAYERS_F32(ENTRY) };

static double now(void) {
  struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec; }
static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static void *buffer(size_t bytes) { float *p = aligned_alloc(64, (bytes + 64) / 64 * 64);
  for (size_t i = 0; i < bytes / sizeof *p; ++i) p[i] = (float)(i % 7) * 0.25f - 0.5f; return p; }

int main(void) {
  double total = 0;
  for (size_t i = 0; i < sizeof layers / sizeof layers[0]; ++i) {
    const entry *e = &layers[i]; double t[15];
    float *x = buffer(e->in * 4), *w = buffer(e->w * 4), *y = buffer(e->out * 4); void *ws = buffer(e->ws);
    for (int r = 0; r < 15; ++r) { double s = now(); e->conv(x, w, NULL, y, ws); t[r] = now() - s; }
    qsort(t, 15, sizeof t[0], cmp);
    total += t[7];
    free(x); free(w); free(y); free(ws);
  }
  printf("%.1f\n", total * 1e6);
  return 0;
}
]])
  f:close()
  for _, budget in ipairs(BUDGETS) do
    local dir = string.format("%s/budget_%s", outdir, budget)
    local flags = "--no-simd" .. (budget == "default" and "" or " --workspace-budget " .. budget)
    local syms = generate(dir, "b_", flags)
    local row = { budget = budget, bytes = 0, stack = 0 }
    for _, entry in pairs(measure(dir, syms, target)) do
      row.bytes = row.bytes + entry.bytes
      if entry.stack then row.stack = math.max(row.stack, entry.stack) end
    end
    local report = assert(io.open(dir .. "/b_report.json")):read("a")
    row.workspace = tonumber(report:match('"peak_workspace_bytes": *(%d+)'))
    if timing then
      local exe = dir .. "/budget_timing"
      run(string.format("cc -std=c11 -O2 -DCONVGEN_PORTABLE_GEMM -I%s -I%s %s %s/*.c %s %s -lm -o %s",
        quote(ROOT .. "/runtime"), quote(dir), quote(harness), quote(dir), quote(ROOT .. "/runtime/sizes.c"),
        quote(ROOT .. "/runtime/gemm_portable.c"), quote(exe)))
      row.us = tonumber(capture(quote(exe)))
    end
    budget_rows[#budget_rows + 1] = row
  end
end

-- The report ------------------------------------------------------------------------
local md = {}
local function add(line) md[#md + 1] = line end
local function per_target_table(title_cells, rule_cells, value)
  local header, rule = "| " .. table.concat(title_cells, " | ") .. " |", "| " .. table.concat(rule_cells, " | ") .. " |"
  for _, t in ipairs(targets) do
    header = header .. " " .. t.label .. " |"
    rule = rule .. " ---: |"
  end
  add(header)
  add(rule)
  for i, name in ipairs(names) do
    local line = "| " .. value(i, name) .. " |"
    for _, t in ipairs(targets) do line = line .. " " .. t.cell(results.spec[i][t.key]) .. " |" end
    add(line)
  end
end
add("# Code size, stack and RAM: " .. spec:match("([^/]+)$"))
add("")
add("Function bytes per layer (`nm` sizes of the object's functions: im2col, col2im, conv and their helpers), "
  .. "the layers generated with the spec's own unroll policy.")
add("")
local total, peak = {}, 0
for _, t in ipairs(targets) do
  t.cell = function(e) total[t.key] = (total[t.key] or 0) + e.bytes return tostring(e.bytes) end
end
per_target_table({ "layer", "MACs", "weight bytes", "workspace bytes" }, { "---", "---:", "---:", "---:" },
  function(_, name)
    local fact = facts[name] or {}
    peak = math.max(peak, fact.workspace_bytes or 0)
    return string.format("%s | %d | %d | %d", name, fact.macs or 0, fact.weight_bytes or 0, fact.workspace_bytes or 0)
  end)
local line = string.format("| **total** | | | peak %d |", peak)
for _, t in ipairs(targets) do line = line .. string.format(" **%d** |", total[t.key]) end
add(line)
add("")
add(string.format("Peak workspace %d bytes: one buffer, shared by layers that run one after another.", peak))
add("")

add("Stack bytes per layer: the deepest call path from any of the layer's functions, from gcc's "
  .. "`-fstack-usage` frames joined by `-fcallgraph-info=su`, with the portable GEMM (`cg_gemm_f32`, "
  .. "runtime/gemm_portable.c, the firmware's GEMM) where the path calls it; memcpy and memset not counted. "
  .. "A firmware's stack must hold the deepest layer plus its own frames.")
add("")
local deepest = {}
for _, t in ipairs(targets) do
  t.cell = function(e)
    if not e.stack then return "-" end
    deepest[t.key] = math.max(deepest[t.key] or 0, e.stack)
    return tostring(e.stack) .. (e.dynamic and "+" or "")
  end
end
per_target_table({ "layer" }, { "---" }, function(_, name) return name end)
line = "| **model** (deepest layer) |"
for _, t in ipairs(targets) do
  line = line .. " **" .. (deepest[t.key] and tostring(deepest[t.key]) or "-") .. "** |"
end
add(line)
line = "| of which the portable GEMM |"
for _, t in ipairs(targets) do
  local g = gemm_stack(t)
  line = line .. " " .. (g and tostring(g) or "-") .. " |"
end
add(line)
add("")

local names_to_compare
local m4 = compare_key
local m4_label = m4 == "m4_Os" and "Cortex-M4 -Os" or "host -Os"
add(string.format("Workspace budget versus code size: the portable path (`--no-simd`) generated with "
  .. "`--workspace-budget B`; code and deepest stack on %s, peak workspace from the generator's report, and the "
  .. "whole model's forward time on the host (portable GEMM, -O2, sum of per-layer medians of 15 runs). A "
  .. "smaller budget runs im2col and GEMM in bands of output rows: less RAM for the workspace, more code for "
  .. "the edge bands and more, smaller GEMM calls.", m4_label))
add("")
add("| budget | peak workspace bytes | code bytes | deepest stack bytes | workspace + stack | forward us (host) |")
add("| --- | ---: | ---: | ---: | ---: | ---: |")
for _, r in ipairs(budget_rows) do
  add(string.format("| %s | %d | %d | %d | %d | %s |", r.budget == "default" and "default (256 KiB)" or r.budget,
    r.workspace, r.bytes, r.stack, r.workspace + r.stack, r.us and string.format("%.0f", r.us) or "-"))
end
add("")

add(string.format("Unrolling: %s bytes and host time (portable path, -O2, median of 31 interleaved rounds) of every "
  .. "layer fully unrolled (`--unroll full`) and with loops (`--unroll loops`).", m4_label))
add("")
if refused then
  add("The generator refuses `--unroll full` for this spec, so there is no unrolled variant to compare: " .. refused)
  names_to_compare = {}
else
  add("| layer | bytes, full | bytes, loops | im2col us, full | im2col us, loops | conv us, full | conv us, loops |")
  add("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
end
for i, name in ipairs(names_to_compare or names) do
  local t = timings[name] or {}
  local function us(v) return v and string.format("%.2f", v) or "-" end
  add(string.format("| %s | %d | %d | %s | %s | %s | %s |", name, results.full[i][m4].bytes,
    results.loops[i][m4].bytes, us(t[1]), us(t[2]), us(t[3]), us(t[4])))
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
      local e = results[v.key][i] and results[v.key][i][t.key]
      if e then
        fields[#fields + 1] = string.format('"%s_%s_bytes": %d', v.key, t.key, e.bytes)
        if e.stack then fields[#fields + 1] = string.format('"%s_%s_stack_bytes": %d', v.key, t.key, e.stack) end
      end
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
json[#json + 1] = string.format('  "peak_workspace_bytes": %d,', peak)
local budget_json = {}
for i, r in ipairs(budget_rows) do
  budget_json[i] = string.format(
    '    { "budget": %s, "peak_workspace_bytes": %d, "code_bytes": %d, "stack_bytes": %d%s }',
    r.budget == "default" and '"default"' or tostring(r.budget), r.workspace, r.bytes, r.stack,
    r.us and string.format(', "forward_us": %.1f', r.us) or "")
end
json[#json + 1] = '  "budgets": [\n' .. table.concat(budget_json, ",\n") .. "\n  ]"
json[#json + 1] = "}"
out = assert(io.open(outdir .. "/sizes.json", "w"))
out:write(table.concat(json, "\n"), "\n")
out:close()
