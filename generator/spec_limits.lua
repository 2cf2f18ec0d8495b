-- Every documented limit of the spec front end in one table (docs/spec.md lists them with their errors).
return {
  -- The spec file itself.
  max_spec_bytes = 4 * 1024 * 1024,
  -- Running the spec (in a child process, see sandbox.lua).
  instructions = 10000000,
  cpu_seconds = 3,              -- checked by the instruction hook
  hard_cpu_seconds = 5,         -- `ulimit -t` on the child: a backstop the spec cannot dodge
  memory_kb = 256 * 1024,       -- checked by the instruction hook
  hard_memory_kb = 640 * 1024,  -- `ulimit -v` on the child: bounds even one huge concatenation
  -- What the spec returns, as copied from the child to the generator.
  max_values = 200000,          -- tables, strings, numbers ... in the returned table
  max_depth = 16,               -- nesting of the returned table (a real spec needs 4)
  max_string_bytes = 4096,      -- longer strings are cut (no valid value is this long)
  max_result_bytes = 16 * 1024 * 1024,
  -- Validation.
  max_layers = 512,
  max_errors = 50,              -- printed; the rest are counted in one last line
  max_file_name_bytes = 240,    -- every file the layer implies, below NAME_MAX (255) with room for temporaries
  max_kernel_taps = 65536,      -- KH*KW
  max_stride = 65536,
  max_dilation = 65536,
  -- Each padding side: at most this many rows/columns beyond the dilated kernel's own extent
  -- (more only adds outputs that see nothing but zeros, and makes planning slow).
  max_extra_padding = 64,
  -- unroll = "full" writes code for every element of the patch matrix (KH*KW*C*OH*OW).
  max_full_unroll_elements = 16384,
  -- Planning and emission of the whole spec (generator/work_limit.lua).
  -- Instructions are the deterministic limit; CPU time (of the whole generator process) is a
  -- backstop for work done inside C functions, which the instruction count does not see.
  -- Both grow with the spec's layer count (a base plus a share per layer), so that a long spec
  -- of ordinary layers is not refused while one hostile layer still stops early.
  generator_instructions = 40 * 1000000,
  generator_instructions_per_layer = 80000,
  generator_cpu_seconds = 6,
  generator_cpu_seconds_per_layer = 0.006,
  generator_memory_kb = 384 * 1024,
}
