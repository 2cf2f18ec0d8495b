# Entry points: `make demo` and `make test` do their own set-up on a fresh Debian machine.
BUILD ?= build
BUILD_ASAN ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all setup configure demo test test-fast test-asan clean

all: configure
	cmake --build $(BUILD) -j $(JOBS)

setup:
	@sh scripts/setup.sh

configure: setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

demo: configure
	cmake --build $(BUILD) --target convgen_demo -j $(JOBS)
	$(BUILD)/examples/convgen_demo

# The whole suite, then once more built with AddressSanitizer and UBSan.
test: test-fast test-asan

test-fast: configure
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: setup
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DCONVGEN_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	cd $(BUILD_ASAN) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
