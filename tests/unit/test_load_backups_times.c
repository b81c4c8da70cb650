/*
 * test_load_backups_times.c -- the backup loader's fast time path (a parse
 * against the thread's last date) must accept and compute exactly what
 * date_parse_rfc3339 does, with the date cache cold and warm.
 *
 * Each case is a two-record log: the first record's times are midnight of
 * the case's date (which warms the cache with that date), the second
 * record's `finished` is the case's text.  `finished` comes before
 * `started` in both, so the time under test is parsed right after the
 * first record's.  A case passes when the loader reports as many errors
 * as date_parse_rfc3339 refuses times (the first record holds its time
 * twice), and the newest success is the latest time it accepts.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dates.h"
#include "diag.h"
#include "load_backups.h"
#include "model.h"
#include "source.h"

static char root[256];

static struct model *one_store_model(void)
{
	struct model *m = model_new();
	m->datastores = arena_calloc(m->arena, 1, sizeof(*m->datastores));
	m->datastores[0].id = arena_strdup(m->arena, "db");
	strmap_put(m->datastore_by_id, m->datastores[0].id, &m->datastores[0]);
	m->n_datastores = 1;
	assert_true(date_parse_rfc3339("2100-01-01T00:00:00Z", 20, &m->as_of));
	assert_true(date_parse_month("2026-10", 7, &m->period_start, &m->period_end));
	return m;
}

static void write_log(const char *text)
{
	char path[400];
	snprintf(path, sizeof(path), "%s/backups/t.ndjson", root);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Loads the log with the two records; returns the error count. */
static size_t load_case(const char *first, const char *second, int64_t *newest)
{
	char log[512];
	snprintf(log, sizeof(log),
		 "{\"id\":\"a\",\"datastore\":\"db\",\"type\":\"full\",\"finished\":\"%s\","
		 "\"started\":\"%s\",\"status\":\"success\",\"location\":\"primary\"}\n"
		 "{\"id\":\"b\",\"datastore\":\"db\",\"type\":\"full\",\"finished\":\"%s\","
		 "\"started\":\"1970-01-02T00:00:00Z\",\"status\":\"success\","
		 "\"location\":\"primary\"}\n", first, first, second);
	write_log(log);
	struct model *m = one_store_model();
	struct source_set *src = source_set_new(root);
	struct diags *d = diags_new();
	load_backups(m, src, d, 1);
	size_t errors = diags_count(d, DIAG_ERROR);
	*newest = m->datastores[0].backups.at[LOC_PRIMARY].newest_success;
	diags_free(d);
	source_set_free(src);
	model_free(m);
	return errors;
}

static bool parse(const char *s, int64_t *t)
{
	return date_parse_rfc3339(s, strlen(s), t);
}

static void test_fast_path_matches_rfc3339(void **state)
{
	(void)state;
	static const char *const days[] = {
		"2026-10-01", "2024-02-29", "1999-12-31", "2026-02-29", "2026-13-01", "2026-1x-01",
	};
	static const char *const clocks[] = {
		"00:00:00", "23:59:59", "23:59:60", "24:00:00", "12:60:00", "12:00:61", "1a:00:00",
		"12-00:00",
	};
	static const char seps[] = {'T', 't', ' ', 'X'};
	static const char *const zones[] = {
		"Z", "z", "+00:00", "-00:00", "-05:00", "+23:59", "+24:00", "-00:60", ".123Z",
		".5+02:00", "+0200", "", "+02:00x", "ZZ",
	};
	size_t cases = 0;
	for (size_t a = 0; a < ARRAY_LEN(days); a++) {
		char first[40];
		snprintf(first, sizeof(first), "%sT00:00:00Z", days[a]);
		for (size_t b = 0; b < ARRAY_LEN(clocks); b++)
		for (size_t c = 0; c < ARRAY_LEN(seps); c++)
		for (size_t z = 0; z < ARRAY_LEN(zones); z++) {
			char second[64];
			snprintf(second, sizeof(second), "%s%c%s%s", days[a], seps[c], clocks[b],
				 zones[z]);
			int64_t t1 = DATE_NONE, t2 = DATE_NONE, want = DATE_NONE, got;
			bool ok1 = parse(first, &t1), ok2 = parse(second, &t2);
			if (ok1)
				want = t1;
			if (ok2 && (want == DATE_NONE || t2 > want))
				want = t2;
			size_t errors = load_case(first, second, &got);
			/* The first record has the first time twice. */
			size_t want_errors = 2 * (size_t)!ok1 + (size_t)!ok2;
			if (errors != want_errors || got != want)
				fail_msg("\"%s\" after \"%s\": %zu errors, newest %lld; "
					 "date_parse_rfc3339 gives %zu errors, newest %lld",
					 second, first, errors, (long long)got, want_errors,
					 (long long)want);
			cases++;
		}
	}
	assert_true(cases > 1000);
}

static int setup(void **state)
{
	(void)state;
	const char *base = getenv("TMPBASE");
	snprintf(root, sizeof(root), "%s/lbtXXXXXX", base && *base ? base : "/tmp");
	assert_non_null(mkdtemp(root));
	char sub[300];
	snprintf(sub, sizeof(sub), "%s/backups", root);
	assert_int_equal(mkdir(sub, 0755), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char path[400];
	snprintf(path, sizeof(path), "%s/backups/t.ndjson", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/backups", root);
	rmdir(path);
	rmdir(root);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_path_matches_rfc3339),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
