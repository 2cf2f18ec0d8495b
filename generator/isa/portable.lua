-- The portable C path as an ISA every target has: no vector registers; im2col + cg_gemm_* (runtime/) and direct loops.
return {
  name = "portable",
  title = "portable C",
  guard = nil,        -- always compiled: the #else of every SIMD guard
  lanes = 1,
}
