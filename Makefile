# The top-level driver. `make run` runs the system, `make test` runs every test.
# Both install the Debian packages they need first (scripts/deps.sh).

MAKEFLAGS += --no-print-directory
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
BUILD    ?= build
ASAN     ?= build-asan
FUZZB    ?= build-fuzz
FUZZ_SECONDS ?= 30

.PHONY: all deps build asan test test-unit test-asan check-style fuzz fuzz-ci bench run clean format

all: build

deps:
	@./scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DPOS_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)

# Every test: style check, the suite, the suite again under ASan+UBSan, and
# (where clang's libFuzzer is present and CI is set) a short fuzz of each target.
test: check-style build asan
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)
	@if [ -n "$$CI" ]; then $(MAKE) --no-print-directory fuzz-ci; fi

test-unit: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

check-style:
	@./scripts/check-style.sh

fuzz-build: deps
	@if command -v clang >/dev/null 2>&1; then \
	  CC=clang cmake -S . -B $(FUZZB) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOS_FUZZ=ON -DPOS_SANITIZE=ON >/dev/null && \
	  cmake --build $(FUZZB) -j $(JOBS) --target fuzz_all; \
	else echo "fuzz: clang not installed, skipping"; fi

# make fuzz FUZZ_SECONDS=N: run every fuzz target for N seconds each.
fuzz: fuzz-build
	@./scripts/fuzz.sh $(FUZZB) $(FUZZ_SECONDS)

fuzz-ci: fuzz

# Every benchmark, one `name value unit` line per figure (docs/performance.md).
bench: build
	@for b in $(BUILD)/bench/bench-*; do [ -x "$$b" ] && "$$b"; done
	@python3 scripts/bench-host.py $(BUILD)

run: build
	@./scripts/run.sh $(BUILD)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZB)
