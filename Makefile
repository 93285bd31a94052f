# The two commands: `make demo` (build + run the pipeline on embedded
# defaults) and `make test` (build + every test). Both install what they need.
BUILD      ?= build
# One clang build with ASan+UBSan and libFuzzer coverage serves both the
# sanitized unit tests and the fuzz targets (one build instead of two).
SANITIZE_BUILD ?= build-sanitize
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 30
# Lets ccache reuse objects across clones of the repository.
export CCACHE_BASEDIR := $(CURDIR)

.PHONY: all deps test-deps build binary sanitize-build test release-test unit-test integration-test \
        asan-test fuzz-test demo demo-clean bench clean format

all: build

deps:
	@bash scripts/install-deps.sh

test-deps:
	@bash scripts/install-deps.sh --test

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

sanitize-build: test-deps
	@CC=clang CXX=clang++ cmake -S . -B $(SANITIZE_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=None \
	  -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" -DCMAKE_C_FLAGS="-O1 -gline-tables-only" \
	  -DPINPIPE_FUZZ=ON -DPINPIPE_BENCH=OFF -DPINPIPE_INTEGRATION_TESTS=OFF >/dev/null
	@cmake --build $(SANITIZE_BUILD) -j $(JOBS)

unit-test: build test-deps
	@ctest --test-dir $(BUILD) -L unit -j $(JOBS) --output-on-failure

integration-test: build test-deps
	@ctest --test-dir $(BUILD) -L integration --output-on-failure

# Every release-build test, unit and integration, in one ctest run (its
# closing line is the run's verdict).
release-test: build test-deps
	@ctest --test-dir $(BUILD) -j $(JOBS) --output-on-failure

asan-test: sanitize-build
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(SANITIZE_BUILD) -L unit -j $(JOBS) --output-on-failure

fuzz-test: sanitize-build
	@bash scripts/run-fuzzers.sh $(SANITIZE_BUILD) $(FUZZ_SECONDS)

# Sanitizers and fuzzers first, the full release suite last.
test: asan-test fuzz-test release-test

# Only the binary: the demo needs no test or benchmark targets.
binary: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target pinpipe

demo: binary
	@bash scripts/demo-pipeline.sh $(BUILD)/pinpipe

# The cleaning core alone: gen 100,000 records, clean, summarize.
demo-clean: binary
	@bash scripts/demo-clean.sh $(BUILD)/pinpipe

bench: build test-deps
	@bash bench/run.sh $(BUILD)

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD)
