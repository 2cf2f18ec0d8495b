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
  -- The tile: output rows by output columns; every accumulator, the widened P words, the
  -- column pairs of Q and the two pointers must fit the 14 usable core registers.
  tile_rows = 2, tile_cols = 2,
}

-- The DSP kernel's facts for one s8 GEMM of plan_s8 (nil: the portable loops only).
function armv7em.s8_gemm(g)
  if g.k > armv7em.max_k then return nil end
  return { condition = armv7em.guard, header = armv7em.header, template = "gemm_s8_m4.c.in",
    rows = armv7em.tile_rows, cols = armv7em.tile_cols }
end

return armv7em
