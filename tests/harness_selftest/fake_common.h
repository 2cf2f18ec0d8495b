/* Shared pieces of the self-test's fake models: layer declarations and reference-backed layer functions. */
#ifndef FAKE_COMMON_H
#define FAKE_COMMON_H

#include <stddef.h>

#include "convgen.h"

/* What a generated layer header declares, for one layer. */
#define FAKE_DECLARE_LAYER(sym, T)                                             \
  void sym##_im2col(const T *x, T *col);                                       \
  void sym##_col2im(const T *col, T *x);                                       \
  int sym##_conv(const T *x, const T *w, const T *bias, T *y,                  \
                 void *workspace);                                             \
  extern const cg_conv_desc sym##_desc;

/* The argument checks every generated conv makes, in one place. */
int fake_conv_args(const void *x, const void *w, const void *y,
                   const void *workspace, size_t workspace_bytes);
/* Writes the whole declared workspace, as a real kernel would, so the
   harness's workspace canaries have something to guard. */
void fake_use_workspace(void *workspace, size_t workspace_bytes);

/* Correct layer functions: thin wrappers over the reference. */
#define FAKE_IM2COL(sym, T, SFX)                                               \
  void sym##_im2col(const T *x, T *col) {                                      \
    cg_ref_im2col_##SFX(&sym##_desc, x, col);                                  \
  }
#define FAKE_COL2IM(sym, T, SFX)                                               \
  void sym##_col2im(const T *col, T *x) {                                      \
    cg_ref_col2im_##SFX(&sym##_desc, col, x);                                  \
  }
#define FAKE_CONV(sym, SYM, T, SFX)                                            \
  int sym##_conv(const T *x, const T *w, const T *bias, T *y,                  \
                 void *workspace) {                                            \
    int rc = fake_conv_args(x, w, y, workspace, SYM##_WORKSPACE_BYTES);        \
    if (rc == CG_OK) {                                                         \
      fake_use_workspace(workspace, SYM##_WORKSPACE_BYTES);                    \
      cg_ref_conv_##SFX(&sym##_desc, x, w, bias, y);                           \
    }                                                                          \
    return rc;                                                                 \
  }
#define FAKE_LAYER(sym, SYM, T, SFX)                                           \
  FAKE_IM2COL(sym, T, SFX) FAKE_COL2IM(sym, T, SFX) FAKE_CONV(sym, SYM, T, SFX)

#endif /* FAKE_COMMON_H */
