# convgen.mk: GNU make recipe that generates a spec's kernels and builds them and the runtime into two static libraries.
#
#   CONVGEN      = path/to/convgen          # source tree, or an install's share/convgen
#   CONVGEN_SPEC = model.lua
#   include $(CONVGEN)/cmake/convgen.mk     # installed: <prefix>/lib/cmake/convgen/convgen.mk
#
#   app: app.o $(CONVGEN_LIBS)
#   	$(CC) -o $@ app.o $(CONVGEN_LIBS) $(CONVGEN_LDLIBS)
#   app.o: CFLAGS += $(CONVGEN_INCLUDES)
#   app.o: $(CONVGEN_STAMP)
#
# Included before any rule of yours, its first target `convgen` (build both
# libraries) is the default goal. Options (set before the include or on the
# command line):
#   CONVGEN_ISA      native (default where the compiler builds for this machine) | avx512 | avx2
#                    | neon | portable | none (what the compiler targets)
#   CONVGEN_OPTIMIZE flags for the kernels and runtime (default -O3, the level the kernels are benchmarked at)
#   CONVGEN_OUT      output directory (default convgen-out), CONVGEN_NAME library name (default convgen_kernels)
#   CONVGEN_BLAS     1 (OpenBLAS through pkg-config, default) | 0 (the portable GEMM)
#   CONVGEN_GENFLAGS extra generator options (--workspace-budget N, --unroll loops, ...)
#   CONVGEN_PREFIX   --prefix: a prefix for every generated symbol and file name
#   CONVGEN_BATCH    ONNX models: --batch N, the size of a symbolic batch dimension
#   CONVGEN_LAYOUT   ONNX models: --layout NCHW | NHWC (docs/onnx.md)
# The kernels' flags are theirs alone: CFLAGS of your own files are untouched.
# Building prints one line naming the kernel paths compiled in, and warns when
# this machine's CPU has a SIMD path the generated code offers but the flags
# compile it out. <name>_kernel_paths (header <name>_kernel_paths.h) holds them.

CONVGEN_LUA ?= $(shell command -v lua5.4 || command -v lua54)
CONVGEN_OUT ?= convgen-out
CONVGEN_NAME ?= convgen_kernels
CONVGEN_OPTIMIZE ?= -O3
CONVGEN_BLAS ?= 1
CONVGEN_GENFLAGS ?=
CONVGEN_PREFIX ?=
CONVGEN_BATCH ?=
CONVGEN_LAYOUT ?=
# The installed layout keeps the generator under share/convgen, this file under lib/cmake/convgen.
CONVGEN_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
CONVGEN_ROOT ?= $(firstword $(wildcard $(CONVGEN_MK_DIR)/../generator/convgen.lua \
	$(CONVGEN_MK_DIR)/../../../share/convgen/generator/convgen.lua \
	$(CONVGEN_MK_DIR)/../../../../share/convgen/generator/convgen.lua))
CONVGEN_ROOT := $(patsubst %/generator/convgen.lua,%,$(CONVGEN_ROOT))
CONVGEN_INCDIR ?= $(firstword $(wildcard $(CONVGEN_MK_DIR)/../runtime/convgen.h \
	$(CONVGEN_MK_DIR)/../../../include/convgen.h $(CONVGEN_MK_DIR)/../../../../include/convgen.h))
CONVGEN_INCDIR := $(patsubst %/convgen.h,%,$(CONVGEN_INCDIR))
CONVGEN_RUNTIME_SRC := $(wildcard $(CONVGEN_MK_DIR)/../runtime/*.c)

ifeq ($(CONVGEN_ROOT),)
$(error convgen.mk: no generator found next to $(CONVGEN_MK_DIR); set CONVGEN_ROOT)
endif
ifeq ($(CONVGEN_LUA),)
$(error convgen.mk: lua5.4 not found (Debian/Ubuntu: apt-get install lua5.4; macOS: brew install lua))
endif
ifeq ($(CONVGEN_SPEC),)
$(error convgen.mk: set CONVGEN_SPEC to the spec file)
endif

# ISA flags. The default is the build machine's CPU when the compiler builds for it.
CONVGEN_CC_MACHINE := $(shell $(CC) -dumpmachine 2>/dev/null)
CONVGEN_HOST_MACHINE := $(shell uname -m)
CONVGEN_CC_ACCEPTS = $(shell $(CC) $(1) -E -x c /dev/null >/dev/null 2>&1 && echo '$(1)')
ifeq ($(CONVGEN_ISA),)
  CONVGEN_ISA := $(if $(filter $(CONVGEN_HOST_MACHINE)-%,$(CONVGEN_CC_MACHINE)),native,none)
endif
ifeq ($(CONVGEN_ISA),native)
  CONVGEN_ISA_FLAGS := $(firstword $(call CONVGEN_CC_ACCEPTS,-march=native) $(call CONVGEN_CC_ACCEPTS,-mcpu=native))
else ifeq ($(CONVGEN_ISA),avx512)
  CONVGEN_ISA_FLAGS := -mavx512f -mfma
else ifeq ($(CONVGEN_ISA),avx2)
  CONVGEN_ISA_FLAGS := -mavx2 -mfma
else ifeq ($(CONVGEN_ISA),neon)
  CONVGEN_ISA_FLAGS := $(if $(filter aarch64% arm64%,$(CONVGEN_CC_MACHINE)),,-mfpu=neon)
else ifeq ($(CONVGEN_ISA),portable)
  CONVGEN_ISA_FLAGS :=
  override CONVGEN_GENFLAGS += --no-simd
else ifeq ($(CONVGEN_ISA),none)
  CONVGEN_ISA_FLAGS :=
else
  $(error convgen.mk: CONVGEN_ISA must be native, avx512, avx2, neon, portable or none, not '$(CONVGEN_ISA)')
endif

ifeq ($(CONVGEN_BLAS),1)
  CONVGEN_BLAS_CFLAGS := $(shell pkg-config --cflags openblas)
  CONVGEN_LDLIBS ?= $(shell pkg-config --libs openblas) -lm
  CONVGEN_RUNTIME_SRC := $(filter-out %/gemm_portable.c,$(CONVGEN_RUNTIME_SRC))
else
  CONVGEN_BLAS_CFLAGS := -DCONVGEN_PORTABLE_GEMM
  CONVGEN_LDLIBS ?= -lm
  CONVGEN_RUNTIME_SRC := $(filter-out %/gemm_cblas.c,$(CONVGEN_RUNTIME_SRC))
endif
CONVGEN_GENERATOR := $(CONVGEN_ROOT)/generator/convgen.lua
CONVGEN_SYMBOL := $(subst -,_,$(CONVGEN_NAME))
CONVGEN_INCLUDES := -I$(CONVGEN_INCDIR) -I$(CONVGEN_OUT) $(CONVGEN_BLAS_CFLAGS)
CONVGEN_KERNEL_CFLAGS := -std=c99 $(CONVGEN_OPTIMIZE) $(CONVGEN_ISA_FLAGS) $(CONVGEN_INCLUDES)
CONVGEN_STAMP := $(CONVGEN_OUT)/.convgen.stamp
CONVGEN_KERNEL_LIB := $(CONVGEN_OUT)/lib$(CONVGEN_NAME).a
# From the source tree the runtime is built here; an install has it built already.
CONVGEN_RUNTIME_LIB := $(if $(CONVGEN_RUNTIME_SRC),$(CONVGEN_OUT)/libconvgen_runtime.a,\
	$(firstword $(wildcard $(CONVGEN_MK_DIR)/../../libconvgen_runtime.a $(CONVGEN_MK_DIR)/../../*/libconvgen_runtime.a)))
CONVGEN_LIBS := $(CONVGEN_KERNEL_LIB) $(CONVGEN_RUNTIME_LIB)
CONVGEN_IMPORT_FLAGS := $(if $(CONVGEN_PREFIX),--prefix $(CONVGEN_PREFIX)) $(if $(CONVGEN_BATCH),--batch $(CONVGEN_BATCH)) \
	$(if $(CONVGEN_LAYOUT),--layout $(CONVGEN_LAYOUT))
CONVGEN_RUN := $(CONVGEN_LUA) $(CONVGEN_GENERATOR) $(CONVGEN_GENFLAGS) $(CONVGEN_IMPORT_FLAGS)

# The file list, once per make run. A bad spec stops make here, its errors
# printed once (the generator's stderr goes straight to the terminal).
ifeq ($(filter clean convgen-clean,$(MAKECMDGOALS)),)
CONVGEN_FILES := $(shell $(CONVGEN_RUN) --list-files $(CONVGEN_SPEC) -o $(CONVGEN_OUT))
ifneq ($(.SHELLSTATUS),0)
$(error convgen: $(CONVGEN_SPEC) is not a valid spec (errors above))
endif
endif
CONVGEN_SOURCES := $(filter %.c,$(CONVGEN_FILES))
CONVGEN_OBJECTS := $(CONVGEN_SOURCES:.c=.o) $(CONVGEN_OUT)/$(CONVGEN_SYMBOL)_kernel_paths.o
CONVGEN_RUNTIME_OBJECTS := $(patsubst %.c,$(CONVGEN_OUT)/runtime/%.o,$(notdir $(CONVGEN_RUNTIME_SRC)))

.PHONY: convgen convgen-clean
convgen: $(CONVGEN_LIBS)

$(CONVGEN_STAMP): $(CONVGEN_SPEC) $(wildcard $(CONVGEN_ROOT)/generator/*.lua $(CONVGEN_ROOT)/generator/*/*.lua \
		$(CONVGEN_ROOT)/templates/*.in)
	$(CONVGEN_RUN) $(CONVGEN_SPEC) -o $(CONVGEN_OUT)
	@touch $@
$(CONVGEN_SOURCES): $(CONVGEN_STAMP)

# The paths the kernels contain: one #if per CONVGEN_* macro the generated code switches on.
$(CONVGEN_OUT)/$(CONVGEN_SYMBOL)_kernel_paths.c: $(CONVGEN_STAMP)
	@{ printf '/* Written by convgen.mk: the kernel paths the %s kernels were compiled with. */\n' '$(CONVGEN_NAME)'; \
	  printf '#include "convgen.h"\n#include "%s_kernel_paths.h"\n\nconst char %s_kernel_paths[] =\n' \
	    '$(CONVGEN_SYMBOL)' '$(CONVGEN_SYMBOL)'; \
	  for m in $$(sed -n 's/^#[ \t]*\(el\)\{0,1\}if.*\(CONVGEN_[A-Z0-9_]*\).*/\2/p' $(CONVGEN_SOURCES) | \
	      grep -v '^CONVGEN_NO_SIMD$$' | sort -u); do \
	    n=$$(echo $${m#CONVGEN_} | tr A-Z a-z); \
	    printf '#if defined(%s) && %s\n  "%s "\n#endif\n' $$m $$m $$n; \
	  done; printf '  "portable";\n'; } > $@.tmp && mv $@.tmp $@
	@printf '/* Written by convgen.mk. */\n#ifndef %s_KERNEL_PATHS_H\n#define %s_KERNEL_PATHS_H\n%s\nextern const char %s_kernel_paths[];\n#endif\n' \
	  '$(CONVGEN_SYMBOL)' '$(CONVGEN_SYMBOL)' '/* SIMD paths compiled in, then "portable". */' '$(CONVGEN_SYMBOL)' \
	  > $(CONVGEN_OUT)/$(CONVGEN_SYMBOL)_kernel_paths.h

$(CONVGEN_OUT)/%.o: $(CONVGEN_OUT)/%.c $(CONVGEN_STAMP)
	$(CC) $(CONVGEN_KERNEL_CFLAGS) -c $< -o $@

$(CONVGEN_OUT)/runtime/%.o: $(CONVGEN_MK_DIR)/../runtime/%.c
	@mkdir -p $(@D)
	$(CC) $(CONVGEN_KERNEL_CFLAGS) -c $< -o $@

# The one line saying which paths the library holds (and the warning).
$(CONVGEN_KERNEL_LIB): $(CONVGEN_OBJECTS)
	$(AR) rcs $@ $^
	@paths=$$(strings $(CONVGEN_OUT)/$(CONVGEN_SYMBOL)_kernel_paths.o | grep 'portable$$' | head -n 1); \
	echo "convgen: $(CONVGEN_NAME): kernel paths: $$paths; ISA $(CONVGEN_ISA); kernel flags: $(CONVGEN_OPTIMIZE) $(CONVGEN_ISA_FLAGS)"; \
	native=$$(echo '#include "convgen.h"' | $(CC) $(call CONVGEN_CC_ACCEPTS,-march=native) -I$(CONVGEN_INCDIR) -dM -E -x c - \
	  2>/dev/null | sed -n 's/^#define \(CONVGEN_[A-Z0-9_]*\) 1$$/\1/p'); \
	for m in $$native; do \
	  n=$$(echo $${m#CONVGEN_} | tr A-Z a-z); \
	  if grep -q "$$m" $(CONVGEN_SOURCES) && ! echo " $$paths " | grep -q " $$n "; then \
	    echo "convgen: warning: $(CONVGEN_NAME): this CPU runs the generated $$n path, but CONVGEN_ISA=$(CONVGEN_ISA) compiles it out"; \
	  fi; \
	done

$(CONVGEN_OUT)/libconvgen_runtime.a: $(CONVGEN_RUNTIME_OBJECTS)
	$(AR) rcs $@ $^

convgen-clean:
	rm -rf $(CONVGEN_OUT)
