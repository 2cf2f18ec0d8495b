/* The firmware benchmark's layer list for examples/firmware/fw_model.h: every layer of the generated fwb_ spec. */
#ifndef FWB_LAYERS_H_INCLUDED
#define FWB_LAYERS_H_INCLUDED

#include "fwb_model.h"

#define FW_LAYERS(X) FWB_MODEL_LAYERS_F32(X)

#endif /* FWB_LAYERS_H_INCLUDED */
