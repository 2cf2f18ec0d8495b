/* Shared pieces of the self-test's fake models: layer declarations and reference-backed layer functions (conv2d, its gradients, conv_transpose2d). */
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

/* What a generated header adds for a conv2d layer with backward = true. */
#define FAKE_DECLARE_BACKWARD(sym, T)                                          \
  int sym##_conv_backward_data(const T *dy, const T *w, T *dx,                 \
                               void *workspace);                               \
  int sym##_conv_backward_weights(const T *x, const T *dy, T *dw, T *db,       \
                                  void *workspace);

/* What a generated header declares for a conv_transpose2d layer (no
   im2col, col2im or conv). */
#define FAKE_DECLARE_TRANSPOSE(sym, T)                                         \
  int sym##_conv_transpose(const T *x, const T *w, const T *bias, T *y,        \
                           void *workspace);                                   \
  extern const cg_conv_desc sym##_desc;

/* The argument checks every generated function makes, in one place: its
   three required pointers (conv: x, w, y; backward data: dy, w, dx;
   backward weights: x, dy, dw; transpose: x, w, y) and the workspace. */
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

#define FAKE_BACKWARD_DATA(sym, SYM, T, SFX)                                   \
  int sym##_conv_backward_data(const T *dy, const T *w, T *dx,                 \
                               void *workspace) {                              \
    int rc = fake_conv_args(dy, w, dx, workspace, SYM##_WORKSPACE_BYTES);      \
    if (rc == CG_OK) {                                                         \
      fake_use_workspace(workspace, SYM##_WORKSPACE_BYTES);                    \
      cg_ref_conv_backward_data_##SFX(&sym##_desc, dy, w, dx);                 \
    }                                                                          \
    return rc;                                                                 \
  }
#define FAKE_BACKWARD_WEIGHTS(sym, SYM, T, SFX)                                \
  int sym##_conv_backward_weights(const T *x, const T *dy, T *dw, T *db,       \
                                  void *workspace) {                           \
    int rc = fake_conv_args(x, dy, dw, workspace, SYM##_WORKSPACE_BYTES);      \
    if (rc == CG_OK) {                                                         \
      fake_use_workspace(workspace, SYM##_WORKSPACE_BYTES);                    \
      cg_ref_conv_backward_weights_##SFX(&sym##_desc, x, dy, dw, db);          \
    }                                                                          \
    return rc;                                                                 \
  }
#define FAKE_BACKWARD(sym, SYM, T, SFX)                                        \
  FAKE_BACKWARD_DATA(sym, SYM, T, SFX) FAKE_BACKWARD_WEIGHTS(sym, SYM, T, SFX)

#define FAKE_TRANSPOSE(sym, SYM, T, SFX)                                       \
  int sym##_conv_transpose(const T *x, const T *w, const T *bias, T *y,        \
                           void *workspace) {                                  \
    int rc = fake_conv_args(x, w, y, workspace, SYM##_WORKSPACE_BYTES);        \
    if (rc == CG_OK) {                                                         \
      fake_use_workspace(workspace, SYM##_WORKSPACE_BYTES);                    \
      cg_ref_conv_transpose_##SFX(&sym##_desc, x, w, bias, y);                 \
    }                                                                          \
    return rc;                                                                 \
  }

#endif /* FAKE_COMMON_H */
