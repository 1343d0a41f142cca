# Thin wrapper over CMake (like neovim's): the real build lives in CMakeLists.txt.
# No make yet (a bare container)? `sh scripts/quickstart up` installs it and the rest.
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=
CTEST_FLAGS ?= --output-on-failure
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all bootstrap bootstrap-build configure test test-asan up clean
# Prerequisites run in order (bootstrap installs cmake before configure needs it);
# the parallelism is cmake --build's.
.NOTPARALLEL:

all: configure
	cmake --build $(BUILD) -j $(JOBS)

# Everything the build, Redis's source and the test suite need.
bootstrap:
	@sh scripts/bootstrap --source --test

# What the build and Redis's source need (no test tools).
bootstrap-build:
	@sh scripts/bootstrap --source

# A build dir counts as configured only once CMake has finished generating it: the
# Makefile generator writes CMakeFiles/Makefile.cmake last (Ninja: build.ninja). A
# configure that failed or was interrupted leaves CMakeCache.txt behind, holding whatever
# it cached (a compiler that cannot link, CC=/nonexistent), so the next run starts that
# directory's configuration afresh instead of trusting it. The failed run's cache goes at
# once; its CMakeFiles/ logs stay until the retry, for reading.
# $(call cmake_configure,DIR,EXTRA CMAKE FLAGS)
define cmake_configure
	@if [ ! -f $(1)/CMakeFiles/Makefile.cmake ] && [ ! -f $(1)/build.ninja ]; then \
	  rm -rf $(1)/CMakeCache.txt $(1)/CMakeFiles; \
	  cmake -S . -B $(1) $(2) || { \
	    rm -f $(1)/CMakeCache.txt; \
	    echo "make: configuring $(1) failed (see above); the next make configures it afresh." >&2; \
	    echo "make: missing compiler or libraries? sh scripts/bootstrap --test installs or names them." >&2; \
	    exit 1; }; \
	fi
endef

configure:
	$(call cmake_configure,$(BUILD),$(CMAKE_FLAGS))

# Installs what is missing, builds, runs the whole suite.
test: bootstrap all
	ctest --test-dir $(BUILD) $(CTEST_FLAGS)

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: bootstrap
	$(call cmake_configure,$(ASAN_BUILD),-DRL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS))
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) $(CTEST_FLAGS)

# Installs what is missing (not the test tools), builds, and runs Redis sized for this
# container in the foreground. make itself dies of Ctrl-C after Redis stopped cleanly
# (status 130); sh scripts/quickstart up runs redis-light directly and exits 0.
up: bootstrap-build all
	$(BUILD)/redis-light up $(UP_FLAGS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
