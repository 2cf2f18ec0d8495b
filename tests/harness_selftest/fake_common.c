/* Argument checking and workspace use shared by the self-test's fake layer functions. */
#include "fake_common.h"

#include <stdint.h>
#include <string.h>

int fake_conv_args(const void *x, const void *w, const void *y,
                   const void *workspace, size_t workspace_bytes) {
  if (x == NULL || w == NULL || y == NULL)
    return CG_ERR_NULL_POINTER;
  /* A layer that needs no workspace accepts any pointer, NULL included. */
  if (workspace_bytes == 0)
    return CG_OK;
  if (workspace == NULL)
    return CG_ERR_NULL_POINTER;
  if ((uintptr_t)workspace % CG_WORKSPACE_ALIGN != 0)
    return CG_ERR_WORKSPACE_ALIGN;
  return CG_OK;
}

void fake_use_workspace(void *workspace, size_t workspace_bytes) {
  if (workspace_bytes > 0)
    memset(workspace, 0, workspace_bytes);
}
