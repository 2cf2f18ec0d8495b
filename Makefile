# Entry points: `make demo` and `make test` each install what they need (scripts/setup.sh) and build; a plain `make` builds the project.
BUILD ?= build
BUILD_ASAN ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all setup setup-demo setup-test setup-bench configure demo test test-fast test-asan clean

# The default: configure (Release) and build everything the machine has the tools for.
all: configure
	cmake --build $(BUILD) -j $(JOBS)

# What each purpose needs, through apt on Debian; elsewhere the tools are checked (scripts/setup.sh).
setup:
	@sh scripts/setup.sh all
setup-demo:
	@sh scripts/setup.sh demo
setup-test:
	@sh scripts/setup.sh test
setup-bench:
	@sh scripts/setup.sh bench

configure: setup-demo
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

demo: configure
	cmake --build $(BUILD) --target convgen_demo -j $(JOBS)
	$(BUILD)/examples/convgen_demo

# The whole suite, then once more built with AddressSanitizer and UBSan.
test: test-fast test-asan

test-fast: setup-test
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCONVGEN_BUILD_TESTS=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: setup-test
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DCONVGEN_SANITIZE=ON -DCONVGEN_BUILD_TESTS=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	cd $(BUILD_ASAN) && ctest --output-on-failure -j $(JOBS)

# The benchmark (bench/README.md): checks, then times, every layer of bench/bench_shapes.csv through
# convgen, a textbook baseline, oneDNN and XNNPACK, forward and backward (data, weights); the tables,
# CSV and charts are kept in bench/results/ (a chart this run did not draw is removed there).
# Extra options through BENCH_ARGS, e.g. make bench BENCH_ARGS="--filter r18 --threads 2 --pass bwd".
BENCH_ARGS ?=
BENCH_OUT = $(BUILD)/bench
# OpenBLAS's best kernels on AVX-512 CPUs (it may pick Haswell's on Zen 5 otherwise)
BLAS_CORE = $(shell grep -q avx512f /proc/cpuinfo 2>/dev/null && echo OPENBLAS_CORETYPE=SkylakeX)
.PHONY: bench
bench: setup-bench configure
	cmake --build $(BUILD) --target convgen_bench -j $(JOBS)
	$(BENCH_OUT)/convgen_bench --csv $(BENCH_OUT)/bench_results.csv --png $(BENCH_OUT)/bench.png \
		--txt $(BENCH_OUT)/bench_table.txt $(BENCH_ARGS)
	mkdir -p bench/results
	cp $(BENCH_OUT)/bench_results.csv $(BENCH_OUT)/bench_table.txt bench/results/
	rm -f bench/results/bench.png bench/results/bench_backward.png
	for png in bench.png bench_backward.png; do \
		if [ -f $(BENCH_OUT)/$$png ]; then cp $(BENCH_OUT)/$$png bench/results/; fi; \
	done
	# the forward rows again with convgen's kernels built for AVX2+FMA without AVX-512 (x86 only) against
	# oneDNN limited to AVX2, and with convgen's portable path (docs/benchmark.md)
	cmake --build $(BUILD) --target convgen_bench_portable -j $(JOBS)
	if cmake --build $(BUILD) --target convgen_bench_avx2 -j $(JOBS); then \
		DNNL_MAX_CPU_ISA=AVX2 $(BENCH_OUT)/convgen_bench_avx2 --pass fwd --no-plot --csv bench/results/bench_avx2.csv \
			--txt bench/results/bench_avx2_table.txt $(BENCH_ARGS); fi
	$(BENCH_OUT)/convgen_bench_portable --pass fwd --no-plot --csv bench/results/bench_portable.csv \
		--txt bench/results/bench_portable_table.txt $(BENCH_ARGS)
	# the portable (no-BLAS) GEMM next to OpenBLAS, one thread, in one run
	cmake --build $(BUILD) --target bench_gemm -j $(JOBS)
	{ env $(BLAS_CORE) $(BUILD)/tests/portable/bench_gemm 256 1024 576 && \
	  env $(BLAS_CORE) $(BUILD)/tests/portable/bench_gemm 64 3136 576 && \
	  env $(BLAS_CORE) $(BUILD)/tests/portable/bench_gemm 16 1024 144; } | tee bench/results/gemm_portable.txt
	# baked weights (ONNX import): P_run against P_conv, SIMD and portable builds (docs/onnx.md)
	sh bench/baked/run.sh . $(BUILD)/bench-baked bench/results/baked_weights.txt

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)

# Code, stack and workspace bytes of the ResNet-8 example (host and Cortex-M4; workspace budgets): build/size/sizes.md (docs/size.md)
.PHONY: size-report
size-report: setup-demo
	lua5.4 scripts/size_report.lua examples/resnet8/resnet8.lua --out $(BUILD)/size

# Firmware benchmark (docs/firmware.md): every ResNet-8, DS-CNN and VWW layer of bench/bench_shapes.csv built for a
# Cortex-M4F and run twice under qemu-system-arm -icount (exact, deterministic instruction counts), outputs checked;
# f32 against the host reference, s8 bit for bit against the int8 reference run on the target.
.PHONY: bench-firmware
bench-firmware: setup
	sh bench/firmware/run.sh . $(BUILD)/bench-firmware bench/results/firmware_f32.txt
	FW_DTYPE=s8 sh bench/firmware/run.sh . $(BUILD)/bench-firmware-s8 bench/results/firmware_s8.txt
