# mk/bench.mk -- the scale benchmark (issue 7; docs/performance.md).
#
#   make bench                  generates the large plan once (bench/data/),
#                               then times drgen against jq, Python, wc -l
#                               (and Hugo when installed)
#   make bench BENCH_SIZE=small a quick run on a plan a tenth of the size
#
# build/gen_plan writes synthetic plan directories of any size; the
# scale_smoke suite uses it too.

build/gen_plan: bench/gen_plan.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< -lpthread

TEST_EXTRA += build/gen_plan

bench: build/drgen build/gen_plan
	@BENCH_SIZE=$(BENCH_SIZE) sh bench/run.sh

BENCH_SIZE ?= large

# drgen import against jq on generated exports (bench/import.sh, issue 15).
.PHONY: bench-import
bench-import: build/drgen
	@sh bench/import.sh
bench: bench-import
