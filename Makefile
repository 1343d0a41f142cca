# Thin wrapper over CMake (like neovim's): the real build lives in CMakeLists.txt.
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=
CTEST_FLAGS ?= --output-on-failure
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all bootstrap configure test test-asan up clean

all: configure
	cmake --build $(BUILD) -j $(JOBS)

bootstrap:
	@scripts/bootstrap --source

configure:
	@[ -f $(BUILD)/CMakeCache.txt ] || cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

# Installs what is missing, builds, runs the whole suite.
test: bootstrap all
	ctest --test-dir $(BUILD) $(CTEST_FLAGS)

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: bootstrap
	@[ -f $(ASAN_BUILD)/CMakeCache.txt ] || cmake -S . -B $(ASAN_BUILD) -DRL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) $(CTEST_FLAGS)

# Installs what is missing, builds, and runs Redis sized for this container.
up: bootstrap all
	$(BUILD)/redis-light up $(UP_FLAGS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
