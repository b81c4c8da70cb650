# mk/load_drills.mk -- fuzzing the drill parsers (JSON and JUnit XML).
#
#   make fuzz-drills   fuzzes load_drills_json and load_drills_xml for
#                      DRILLS_FUZZ_TIME seconds (default 60), seeded with
#                      the sample's drill files

DRILLS_FUZZ_TIME ?= 60
FUZZ_CC          ?= clang

DRILLS_FUZZ_SRC = src/load_drills.c src/load_drills_json.c \
                  src/load_drills_xml.c src/jsonpos.c src/util.c src/diag.c \
                  src/dates.c src/model.c src/source.c

build/fuzz/fuzz_drills: fuzz/fuzz_drills.c $(DRILLS_FUZZ_SRC) $(wildcard src/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ALL_CFLAGS) -O1 -g -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o $@ fuzz/fuzz_drills.c $(DRILLS_FUZZ_SRC) $(LIBS)

.PHONY: fuzz-drills
fuzz: fuzz-drills

# Seeds: the sample's drills, each behind its format byte.
fuzz-drills: build/fuzz/fuzz_drills
	@mkdir -p build/fuzz/corpus-drills build/fuzz/seeds-drills
	@for f in $(SAMPLE)/drills/*.json; do \
		[ -f "$$f" ] || continue; \
		{ printf '0'; cat "$$f"; } >build/fuzz/seeds-drills/$$(basename "$$f"); \
	done
	@for f in $(SAMPLE)/drills/*.xml; do \
		[ -f "$$f" ] || continue; \
		{ printf '1'; cat "$$f"; } >build/fuzz/seeds-drills/$$(basename "$$f"); \
	done
	build/fuzz/fuzz_drills -max_total_time=$(DRILLS_FUZZ_TIME) \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=build/fuzz/drills- \
		build/fuzz/corpus-drills build/fuzz/seeds-drills
