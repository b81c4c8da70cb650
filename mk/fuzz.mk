# mk/fuzz.mk -- libFuzzer targets for every parser, and I/O fault injection.
#
#   make fuzz            builds every fuzz/fuzz_NAME.c and runs each one for
#                        FUZZ_SECONDS seconds (default 60)
#   make fuzz-NAME       one target: fuzz-plan, fuzz-backups, fuzz-jsonpos,
#                        fuzz-markdown, fuzz-drills, fuzz-mustache
#                        (FUZZ_SECONDS_NAME overrides the time of one)
#   make clean-fuzz      removes build/fuzz: binaries, corpora, crashes
#   make test            also builds the fuzzers when clang is installed
#                        (tests/suites/fuzz_smoke.sh runs each briefly) and
#                        build/failio.so (tests/suites/io_faults.sh)
#
# The library is compiled once more with clang, with coverage for libFuzzer
# and AddressSanitizer + UndefinedBehaviorSanitizer (build/fuzz/libdrgen.a);
# one pattern rule links every target against it.  Seeds come from the
# repository (fuzz/seeds.sh); inputs libFuzzer finds are kept in
# build/fuzz/corpus-NAME/, crashing inputs in build/fuzz/artifacts-NAME/.
# To replay one: build/fuzz/fuzz_NAME build/fuzz/artifacts-NAME/crash-...

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN      = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=undefined
FUZZ_NAMES    = $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BIN      = $(patsubst %,build/fuzz/fuzz_%,$(FUZZ_NAMES))

# Names the earlier per-target makefiles used for the time.
ifdef MUSTACHE_FUZZ_TIME
FUZZ_SECONDS_mustache ?= $(MUSTACHE_FUZZ_TIME)
endif
ifdef DRILLS_FUZZ_TIME
FUZZ_SECONDS_drills ?= $(DRILLS_FUZZ_TIME)
endif

build/fuzz/obj/%.o: src/%.c $(wildcard src/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@

build/fuzz/libdrgen.a: $(patsubst src/%.c,build/fuzz/obj/%.o,$(LIB_SRC))
	rm -f $@ && ar rcs $@ $^

build/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h build/fuzz/libdrgen.a
	$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< \
		build/fuzz/libdrgen.a $(LIBS)

# Not .PHONY: make looks for a pattern rule only for targets that are not.
fuzz-%: build/fuzz/fuzz_%
	@rm -rf build/fuzz/seeds-$*
	@mkdir -p build/fuzz/corpus-$* build/fuzz/artifacts-$*
	@SAMPLE=$(SAMPLE) MUSTACHE_SPEC_DIR=$(MUSTACHE_SPEC_DIR) \
		MUSTACHE_SPEC_RUNNER=build/tools/mustache_spec \
		sh fuzz/seeds.sh $* build/fuzz/seeds-$*
	build/fuzz/fuzz_$* -max_total_time=$(or $(FUZZ_SECONDS_$*),$(FUZZ_SECONDS)) \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=build/fuzz/artifacts-$*/ \
		build/fuzz/corpus-$* build/fuzz/seeds-$*

# The mustache seeds are the specification's tests, written by its runner.
fuzz-mustache: build/tools/mustache_spec

fuzz: $(addprefix fuzz-,$(FUZZ_NAMES))

clean-fuzz:
	rm -rf build/fuzz

# LD_PRELOAD shim that makes the Nth write, rename, fsync... fail.
build/failio.so: tests/tools/failio.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -U_FORTIFY_SOURCE -fPIC -shared -o $@ $< -ldl

TEST_EXTRA += build/failio.so
ifneq ($(shell command -v $(FUZZ_CC) 2>/dev/null),)
TEST_EXTRA += $(FUZZ_BIN)
endif

.PHONY: clean-fuzz
