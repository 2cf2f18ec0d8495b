/* Unpacks baked weights from the portable GEMM's packed order (runtime/gemm_packed.h) back to the plain one, for tests and the bench. */
#ifndef CONVGEN_TESTS_UNPACK_WEIGHTS_H
#define CONVGEN_TESTS_UNPACK_WEIGHTS_H

#include <stddef.h>

#include "convgen.h"
#include "gemm_packed.h"

/* The plain order back from the packed one, written from runtime/gemm_packed.h's description
   (an independent check of it): NCHW weights are A = [M/g][K] per group in strips of MR rows,
   NHWC weights B = [K][M] with each group's M/g columns in panels of NR. */
static inline void unpack_weights(const cg_conv_desc *d, size_t elems, const float *packed, float *plain) {
  const int nchw = d->layout == CG_LAYOUT_NCHW;
  const size_t m = (size_t)d->m, groups = (size_t)d->groups, rows = m / groups, k = elems / m;
  const size_t tile = nchw ? CG_GEMM_PACK_MR : CG_GEMM_PACK_NR_F32;
  const size_t strips = (rows + tile - 1) / tile;
  for (size_t g = 0; g < groups; ++g)
    for (size_t s = 0; s < strips; ++s)
      for (size_t p = 0; p < k; ++p)
        for (size_t i = 0; i < tile; ++i) {
          const size_t r = s * tile + i;
          const float v = packed[g * strips * tile * k + (s * k + p) * tile + i];
          if (r >= rows) continue;
          if (nchw)
            plain[(g * rows + r) * k + p] = v;
          else
            plain[p * m + g * rows + r] = v;
        }
}

#endif /* CONVGEN_TESTS_UNPACK_WEIGHTS_H */
