-- Armv7E-M with the DSP extension (Cortex-M4/M7): which s8 GEMMs take the SMLAD kernel (templates/gemm_s8_m4.c.in).
local armv7em = {
  name = "armv7em",
  title = "Armv7E-M DSP (SMLAD)",
  -- The compiler defines __ARM_FEATURE_DSP for these cores; CG_S8_NO_DSP forces the portable loops.
  guard = "defined(__ARM_FEATURE_DSP) && !defined(CG_S8_NO_DSP)",
  header = "arm_acle.h",
  -- The kernel repacks two k-columns of the strided operand as int16 pairs on the stack
  -- (4 bytes per k); past this depth that buffer would outgrow a small stack.
  max_k = 1024,
  -- The tile, output rows by output columns (make bench-firmware, docs/firmware.md): 2x4 where the
  -- columns are channels (NHWC: the requantization constants are per column and stay in
  -- registers) or the depth is small (k <= 16: the tile's set-up dominates); 2x2 for NCHW's deep
  -- GEMMs, whose per-row constants and eight accumulators would not fit the registers beside
  -- each other. 2x4 packs 8 bytes of Q per k on the stack, so only up to wide_max_k.
  wide_max_k = 256,
  narrow_nchw_min_k = 17,
  -- Depths up to this are written out instead of looped (no counter, literal offsets): vww_pw1
  -- (k = 8) 3.07 -> 2.85 instructions per MAC, r8_s2_short (k = 16) 2.71 -> 2.31, for a few hundred
  -- bytes of code; 32 gained 0.01-0.07 more on three layers for 500-800 bytes each.
  unroll_k = 16,
}

-- The DSP kernel's facts for one s8 GEMM of plan_s8 (nil: the portable loops only).
function armv7em.s8_gemm(g)
  if g.k > armv7em.max_k then return nil end
  local cols = 4
  if g.k > armv7em.wide_max_k or (g.weights_left and g.k >= armv7em.narrow_nchw_min_k) then cols = 2 end
  return { condition = armv7em.guard, header = armv7em.header, template = "gemm_s8_m4.c.in",
    rows = 2, cols = cols, unroll_k = armv7em.unroll_k }
end

return armv7em
