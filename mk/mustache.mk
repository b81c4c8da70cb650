# mk/mustache.mk -- the Mustache engine's spec runner and benchmark.
#
#   make test            builds build/san/tools/mustache_spec;
#                        tests/suites/mustache_spec.sh runs the spec and a
#                        short fuzzing session when build/fuzz/fuzz_mustache
#                        was built (mk/fuzz.mk builds it when clang is there)
#   make fuzz-mustache   fuzzes the template parser and renderer (mk/fuzz.mk;
#                        seeded with the specification's tests)
#   make bench-mustache  renders a runbook-sized template many times, in MB/s

MUSTACHE_SPEC_DIR  ?= ../shared/mustache-spec

build/san/tools/mustache_spec: tests/tools/mustache_spec.c build/san/libdrgen.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $< build/san/libdrgen.a $(LIBS)

build/tools/mustache_spec: tests/tools/mustache_spec.c build/libdrgen.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< build/libdrgen.a $(LIBS)

build/bench/bench_mustache: bench/bench_mustache.c build/libdrgen.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< build/libdrgen.a $(LIBS)

TEST_EXTRA += build/san/tools/mustache_spec

.PHONY: bench-mustache
bench-mustache: build/bench/bench_mustache
	build/bench/bench_mustache
