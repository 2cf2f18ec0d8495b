-- AArch64 Advanced SIMD (NEON) as data: lanes, registers, vector type, intrinsic spellings (cf. isa/avx512.lua).
-- NEON has no masked loads or stores: a tail mask is the bit pattern of its valid lanes as a
-- number (1, 3 or 7: the first 1, 2 or 3 lanes), and masked_load / masked_store hold one
-- spelling per mask, built from a 64-bit half and single-lane moves, so a tail vector never
-- reads or writes past its last valid lane.
return {
  name = "neon",
  title = "NEON",
  guard = "CONVGEN_NEON",         -- runtime/convgen.h: __aarch64__ and __ARM_NEON (after the x86 guards)
  header = "arm_neon.h",
  lanes = 4,
  registers = 32,
  accumulators = 24,              -- as AVX-512 (also 32 registers): the rest hold B vectors and the broadcast
  register_name = "q",
  vector = "float32x4_t",
  mask_format = "%d",
  zero = "vdupq_n_f32(0.0f)",
  load = "vld1q_f32({addr})",
  masked_load = {
    ["1"] = "vld1q_lane_f32({addr}, vdupq_n_f32(0.0f), 0)",
    ["3"] = "vcombine_f32(vld1_f32({addr}), vdup_n_f32(0.0f))",
    ["7"] = "vld1q_lane_f32({addr} + 2, vcombine_f32(vld1_f32({addr}), vdup_n_f32(0.0f)), 2)",
  },
  store = "vst1q_f32({addr}, {value})",
  masked_store = {                -- a statement's expression: the 3-lane store is a comma expression
    ["1"] = "vst1q_lane_f32({addr}, {value}, 0)",
    ["3"] = "vst1_f32({addr}, vget_low_f32({value}))",
    ["7"] = "vst1_f32({addr}, vget_low_f32({value})), vst1q_lane_f32({addr} + 2, {value}, 2)",
  },
  broadcast = "vdupq_n_f32(%s)",
  fma = "vfmaq_f32({c}, {a}, {b})",                 -- c + a * b: the accumulator comes first
  add = "vaddq_f32(%s, %s)",
  max = "vmaxq_f32(%s, %s)",                        -- FMAX: a NaN in either operand gives NaN
  min = "vminq_f32(%s, %s)",
  -- lanes 0, 2 / 1, 3 of the 8 floats {a} then {b} (stride-2 depthwise staging)
  even_lanes = "vuzp1q_f32({a}, {b})",
  odd_lanes = "vuzp2q_f32({a}, {b})",
}
