# mk/mustache.mk -- the Mustache engine's spec runner, fuzzer and benchmark.
#
#   make test            builds build/san/tools/mustache_spec (and the fuzzer
#                        when clang is installed); tests/suites/mustache_spec.sh
#                        runs the spec and a short fuzzing session
#   make fuzz            fuzzes the template parser and renderer
#                        (MUSTACHE_FUZZ_TIME seconds, default 60)
#   make bench-mustache  renders a runbook-sized template many times, in MB/s

MUSTACHE_SPEC_DIR  ?= ../shared/mustache-spec
MUSTACHE_FUZZ_TIME ?= 60
FUZZ_CC            ?= clang

# The engine and what it links against, compiled into the fuzzer directly so
# that libFuzzer sees their coverage.
MUSTACHE_FUZZ_SRC = src/mustache.c src/mustache_parse.c src/mustache_render.c \
                    src/util.c src/diag.c src/source.c

build/san/tools/mustache_spec: tests/tools/mustache_spec.c build/san/libdrgen.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $< build/san/libdrgen.a $(LIBS)

build/tools/mustache_spec: tests/tools/mustache_spec.c build/libdrgen.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< build/libdrgen.a $(LIBS)

build/fuzz/fuzz_mustache: fuzz/fuzz_mustache.c $(MUSTACHE_FUZZ_SRC) $(wildcard src/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ALL_CFLAGS) -O1 -g -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o $@ fuzz/fuzz_mustache.c $(MUSTACHE_FUZZ_SRC) $(LIBS)

build/bench/bench_mustache: bench/bench_mustache.c build/libdrgen.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< build/libdrgen.a $(LIBS)

TEST_EXTRA += build/san/tools/mustache_spec
ifneq ($(shell command -v $(FUZZ_CC) 2>/dev/null),)
TEST_EXTRA += build/fuzz/fuzz_mustache
endif

.PHONY: fuzz fuzz-mustache bench-mustache
fuzz: fuzz-mustache

# Seeds: every test of the specification, written by the spec runner.
fuzz-mustache: build/fuzz/fuzz_mustache build/tools/mustache_spec
	@mkdir -p build/fuzz/corpus-mustache build/fuzz/seeds-mustache
	@build/tools/mustache_spec $(MUSTACHE_SPEC_DIR) \
		--corpus build/fuzz/seeds-mustache >/dev/null || true
	build/fuzz/fuzz_mustache -max_total_time=$(MUSTACHE_FUZZ_TIME) \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=build/fuzz/ \
		build/fuzz/corpus-mustache build/fuzz/seeds-mustache

bench-mustache: build/bench/bench_mustache
	build/bench/bench_mustache
