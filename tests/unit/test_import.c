/* test_import.c -- the shared streaming reader of drgen import (import_json.c)
 * and its writer, through a small importer defined here. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dates.h"
#include "diag.h"
#include "import.h"
#include "util.h"
#include "zone.h"

/* What the test importer saw, per record. */
struct seen {
	int line, col;
	char *ptr;
	bool u64_ok;
	uint64_t u64;
	bool time_ok;
	int64_t time;
	size_t doc;
};

static struct seen seen[64];
static size_t n_seen;

static void seen_reset(void)
{
	for (size_t i = 0; i < n_seen; i++)
		free(seen[i].ptr);
	n_seen = 0;
}

static enum imp_action t_classify(struct imp_run *r, const struct imp_path *p,
				  enum imp_type type)
{
	if (p->depth == 0 && type == IMP_ARR)
		return IMP_DESCEND;
	if (p->depth == 1 && type == IMP_OBJ)
		return IMP_RECORD;
	imp_error_at_path(r, p, "wrong shape");
	return IMP_STOP;
}

/* {"id": ..., "n": number, "t": time, "skip": true} */
static void t_record(struct imp_run *r, const struct imp_path *p, const struct imp_node *rec)
{
	struct seen *s = &seen[n_seen < 63 ? n_seen++ : 63];
	memset(s, 0, sizeof(*s));
	s->line = rec->line;
	s->col = rec->col;
	s->ptr = imp_pointer(r, rec);
	s->doc = p->doc;
	if (imp_get(r, rec, "n"))
		s->u64_ok = imp_get_u64(r, rec, "n", true, &s->u64);
	if (imp_get(r, rec, "t"))
		s->time_ok = imp_get_time(r, rec, "t", true, "naive", &s->time);
	bool skip = false;
	if (imp_get_bool(r, rec, "skip", &skip) && skip) {
		imp_skip(r, rec, "asked to", NULL);
		return;
	}
	struct imp_rec o;
	imp_rec_init(r, &o, IMP_BACKUP);
	imp_get_str(r, rec, "id", false, &o.id);
	o.type = "full";
	o.status = "success";
	o.started = o.finished = s->time_ok ? s->time : 0;
	imp_rec_cand(&o, "ds");
	imp_emit(r, rec, &o);
}

static const struct imp_tool test_tool = {
	.name = "test", .what = "test", .passes = 1,
	.classify = t_classify, .record = t_record,
};

static char dir[64];

static char *write_tmp(const char *name, const char *text, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fwrite(text, 1, len, f);
	fclose(f);
	return path;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b = BUF_INIT;
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(&b, tmp, n);
	fclose(f);
	if (!b.data)
		return xstrdup("");
	return buf_detach(&b, NULL);
}

/* Runs the test importer on text; returns the exit status. */
static int run(const char *text, size_t len, const struct imp_options *opts_in, char **out,
	       struct diags **dout)
{
	seen_reset();
	char *in = write_tmp("in.json", text, len);
	char *outp = xasprintf("%s/out.ndjson", dir);
	unlink(outp);
	struct imp_options o = {0};
	if (opts_in)
		o = *opts_in;
	o.out = outp;
	o.provenance = NULL;
	struct diags *d = diags_new();
	const char *files[] = {in};
	int rc = imp_main(&test_tool, files, 1, &o, d);
	if (out)
		*out = slurp(outp);
	if (dout)
		*dout = d;
	else
		diags_free(d);
	char *side = xasprintf("%s.provenance.json", outp);
	unlink(side);
	free(side);
	free(in);
	free(outp);
	return rc;
}

static bool has_diag(const struct diags *d, const char *text, int line, int col)
{
	for (size_t i = 0; i < diags_len(d); i++) {
		const struct diag *g = diags_get(d, i);
		if (strstr(g->message, text) && (line < 0 || g->line == line) &&
		    (col < 0 || g->col == col))
			return true;
	}
	return false;
}

static void test_records_and_positions(void **state)
{
	(void)state;
	const char *t = "[\n  {\"id\": \"a\", \"t\": 0},\n  {\"id\": \"b\", \"t\": \"1970-01-02T00:00:00+01:00\"}\n]\n";
	char *out = NULL;
	assert_int_equal(run(t, strlen(t), NULL, &out, NULL), 0);
	assert_int_equal(n_seen, 2);
	assert_int_equal(seen[0].line, 2);
	assert_int_equal(seen[0].col, 3);
	assert_string_equal(seen[0].ptr, "/0");
	assert_int_equal(seen[1].line, 3);
	assert_string_equal(seen[1].ptr, "/1");
	assert_true(seen[1].time_ok);
	assert_int_equal(seen[1].time, 86400 - 3600);
	assert_string_equal(out,
		"{\"id\":\"a\",\"datastore\":\"ds\",\"type\":\"full\",\"started\":\"1970-01-01T00:00:00Z\","
		"\"finished\":\"1970-01-01T00:00:00Z\",\"status\":\"success\",\"location\":\"primary\","
		"\"provenance\":{\"tool\":\"test\"}}\n"
		"{\"id\":\"b\",\"datastore\":\"ds\",\"type\":\"full\",\"started\":\"1970-01-01T23:00:00Z\","
		"\"finished\":\"1970-01-01T23:00:00Z\",\"status\":\"success\",\"location\":\"primary\","
		"\"provenance\":{\"tool\":\"test\"}}\n");
	free(out);
}

/* Records that straddle the reader's 256 KiB pieces keep exact lines. */
static void test_chunk_boundaries(void **state)
{
	(void)state;
	/* 60 records of 9 to 17 KiB, one per line: more than two pieces */
	struct buf big = BUF_INIT;
	buf_puts(&big, "[\n");
	for (int i = 0; i < 60; i++)
		buf_printf(&big, "%s{\"id\": \"r%d\", \"pad\": \"%0*d\", \"n\": %d}\n", i ? "," : "",
			   i, 9000 + i * 131, 0, i);
	buf_puts(&big, "]\n");
	assert_true(big.len > 512 * 1024);
	char *out = NULL;
	assert_int_equal(run(big.data, big.len, NULL, &out, NULL), 0);
	assert_int_equal(n_seen, 60);
	for (int i = 0; i < 60; i++) {
		assert_int_equal(seen[i].line, i + 2);
		assert_int_equal(seen[i].col, i ? 2 : 1);
		assert_true(seen[i].u64_ok);
		assert_int_equal(seen[i].u64, (uint64_t)i);
	}
	free(out);
	buf_free(&big);
}

static void test_numbers(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		bool ok;
		uint64_t value;
		const char *err;
	} cases[] = {
		{"0", true, 0, NULL},
		{"1500", true, 1500, NULL},
		{"1.5e3", true, 1500, NULL},
		{"1500.0", true, 1500, NULL},
		{"15E+2", true, 1500, NULL},
		{"-0", true, 0, NULL},
		{"18446744073709551615", true, UINT64_MAX, NULL},
		{"1e19", true, 10000000000000000000ull, NULL},
		{"18446744073709551616", false, 0, "is larger than 18446744073709551615"},
		{"2e19", false, 0, "is larger than"},
		{"1e400", false, 0, "is larger than"},
		{"1.5", false, 0, "must be a whole number"},
		{"-1", false, 0, "must not be negative"},
		{"150e-2", false, 0, "must be a whole number"},
		{"100e-2", true, 1, NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *t = xasprintf("[{\"id\": \"x\", \"n\": %s}]", cases[i].text);
		struct diags *d = NULL;
		int rc = run(t, strlen(t), NULL, NULL, &d);
		if (cases[i].ok) {
			if (rc != 0 || !seen[0].u64_ok || seen[0].u64 != cases[i].value)
				fail_msg("%s: rc %d, got %llu", cases[i].text, rc,
					 (unsigned long long)seen[0].u64);
		} else {
			assert_int_equal(rc, 2);
			if (!has_diag(d, cases[i].err, 1, 19))
				fail_msg("%s: no error \"%s\" at 1:19", cases[i].text, cases[i].err);
		}
		diags_free(d);
		free(t);
	}
}

static void test_times(void **state)
{
	(void)state;
	struct diags *d = NULL;
	const char *t = "[{\"t\": 1600721892.929}, {\"t\": \"2020-09-28T04:00:00.123000+00:00\"}]";
	assert_int_equal(run(t, strlen(t), NULL, NULL, NULL), 0);
	assert_int_equal(seen[0].time, 1600721892);
	assert_int_equal(seen[1].time, 1601265600);
	t = "[{\"t\": \"2017-02-27T12:27:20.789123\"}]";
	assert_int_equal(run(t, strlen(t), NULL, NULL, &d), 2);
	assert_true(has_diag(d, "has no offset: naive; say which with --tz", 1, 8));
	diags_free(d);
	const char *why = NULL;
	struct zone *plus1 = zone_open("+01:00", &why);
	assert_non_null(plus1);
	struct imp_options o = {.tz = plus1};
	assert_int_equal(run(t, strlen(t), &o, NULL, NULL), 0);
	assert_int_equal(seen[0].time, 1488198440 - 3600);
	zone_free(plus1);
	t = "[{\"t\": -5}]";
	assert_int_equal(run(t, strlen(t), NULL, NULL, &d), 2);
	assert_true(has_diag(d, "not a time drgen can use", 1, 8));
	diags_free(d);
}

/* Seconds of a wall-clock or UTC reading "YYYY-MM-DDTHH:MM:SS". */
static int64_t at(const char *s)
{
	char t[32];
	int64_t v;
	snprintf(t, sizeof(t), "%sZ", s);
	assert_true(date_parse_rfc3339(t, strlen(t), &v));
	return v;
}

static void test_zone_offsets(void **state)
{
	(void)state;
	const char *why = NULL;
	static const struct { const char *spec; int off; } ok[] = {
		{"+05:30", 19800}, {"-0800", -28800}, {"Z", 0}, {"UTC", 0}, {"+02", 7200},
	};
	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		struct zone *z = zone_open(ok[i].spec, &why);
		assert_non_null(z);
		int64_t u;
		assert_int_equal(zone_to_utc(z, 1000000, &u, NULL), ZONE_FIT_ONE);
		assert_int_equal(u, 1000000 - ok[i].off);
		assert_string_equal(zone_spec(z), ok[i].spec);
		zone_free(z);
	}
	/* not offsets, and names that could reach outside the zoneinfo */
	static const char *const bad[] = {
		"+25:00", "+14:30", "+1", "../../etc/passwd", "/etc/localtime", "localtime",
		"Europe/../../../etc/passwd", ".hidden", "Europe//Berlin", "", "Mars/Olympus",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		why = NULL;
		assert_null(zone_open(bad[i], &why));
		assert_non_null(why);
	}
}

static void test_zone_names(void **state)
{
	(void)state;
	const char *why = NULL;
	struct zone *z = zone_open("Europe/Berlin", &why);
	if (!z) {
		/* tools/install-deps.sh installs tzdata; a machine without it */
		print_message("skip: no Europe/Berlin in the zoneinfo: %s\n", why);
		skip();
	}
	int64_t u, later;
	assert_int_equal(zone_to_utc(z, at("2026-01-15T12:00:00"), &u, NULL), ZONE_FIT_ONE);
	assert_int_equal(u, at("2026-01-15T11:00:00"));
	assert_int_equal(zone_to_utc(z, at("2026-07-01T12:00:00"), &u, NULL), ZONE_FIT_ONE);
	assert_int_equal(u, at("2026-07-01T10:00:00"));
	/* the last Sunday of March: 02:00 to 03:00 never happens */
	assert_int_equal(zone_to_utc(z, at("2026-03-29T02:30:00"), &u, NULL), ZONE_FIT_GAP);
	assert_int_equal(zone_to_utc(z, at("2026-03-29T03:00:00"), &u, NULL), ZONE_FIT_ONE);
	assert_int_equal(u, at("2026-03-29T01:00:00"));
	assert_int_equal(zone_to_utc(z, at("2026-03-29T01:59:59"), &u, NULL), ZONE_FIT_ONE);
	assert_int_equal(u, at("2026-03-29T00:59:59"));
	/* the last Sunday of October: 02:00 to 03:00 happens twice */
	assert_int_equal(zone_to_utc(z, at("2026-10-25T02:30:00"), &u, &later),
			 ZONE_FIT_FOLD);
	assert_int_equal(u, at("2026-10-25T00:30:00"));
	assert_int_equal(later, at("2026-10-25T01:30:00"));
	assert_int_equal(zone_to_utc(z, at("2026-10-25T03:00:00"), &u, NULL), ZONE_FIT_ONE);
	assert_int_equal(u, at("2026-10-25T02:00:00"));
	assert_int_equal(zone_offset_at(z, at("2026-10-25T00:59:59")), 7200);
	assert_int_equal(zone_offset_at(z, at("2026-10-25T01:00:00")), 3600);
	/* 1900: before the first transition, local mean time's type 0 */
	assert_int_equal(zone_to_utc(z, at("1880-01-01T12:00:00"), &u, NULL), ZONE_FIT_ONE);
	assert_int_equal(u, at("1880-01-01T12:00:00") - 3208);
	zone_free(z);
	/* TZDIR names another zoneinfo folder; there Europe/Berlin is absent */
	setenv("TZDIR", "/nonexistent", 1);
	assert_null(zone_open("Europe/Berlin", &why));
	unsetenv("TZDIR");
}

static void test_several_values(void **state)
{
	(void)state;
	const char *t = "[{\"id\": \"a\"}]\n[{\"id\": \"b\"}] [{\"id\": \"c\"}]";
	assert_int_equal(run(t, strlen(t), NULL, NULL, NULL), 0);
	assert_int_equal(n_seen, 3);
	assert_int_equal(seen[1].doc, 1);
	assert_int_equal(seen[2].doc, 2);
	assert_string_equal(seen[2].ptr, "(value 3 of the file)/0");
}

static void test_errors_leave_output(void **state)
{
	(void)state;
	char *path = xasprintf("%s/out.ndjson", dir);
	struct diags *d = NULL;
	/* truncated */
	const char *t = "[{\"id\": \"a\"}, {\"id\": ";
	assert_int_equal(run(t, strlen(t), NULL, NULL, &d), 2);
	assert_true(has_diag(d, "the file ends inside a value", 1, -1));
	assert_int_equal(access(path, F_OK), -1);
	diags_free(d);
	/* syntax */
	t = "[{\"id\": \"a\"},\n {\"id\" \"b\"}]";
	assert_int_equal(run(t, strlen(t), NULL, NULL, &d), 2);
	assert_true(has_diag(d, "invalid JSON", 2, -1));
	diags_free(d);
	/* wrong shape, at the value */
	t = "[1]";
	assert_int_equal(run(t, strlen(t), NULL, NULL, &d), 2);
	assert_true(has_diag(d, "wrong shape", 1, 2));
	diags_free(d);
	/* a key twice */
	t = "[{\"n\": 1, \"n\": 2}]";
	assert_int_equal(run(t, strlen(t), NULL, NULL, &d), 2);
	assert_true(has_diag(d, "key \"n\" given twice", 1, 16));
	diags_free(d);
	/* invalid UTF-8 */
	t = "[{\"id\": \"\xff\"}]";
	assert_int_equal(run(t, strlen(t), NULL, NULL, &d), 2);
	assert_true(has_diag(d, "invalid JSON", 1, -1));
	diags_free(d);
	free(path);
}

static void test_skips_and_escapes(void **state)
{
	(void)state;
	char *out = NULL;
	struct diags *d = NULL;
	const char *t = "[{\"id\": \"caf\\u00e9 \\\"q\\\" \\u0001\"}, {\"id\": \"s\", \"skip\": true}, {}]";
	assert_int_equal(run(t, strlen(t), NULL, &out, &d), 0);
	assert_non_null(strstr(out, "\"id\":\"caf\xc3\xa9 \\\"q\\\" \\u0001\""));
	assert_true(has_diag(d, "record skipped: asked to", 1, -1));
	assert_true(has_diag(d, "record skipped: no id", 1, -1));
	assert_true(has_diag(d, "2 skipped", 0, -1));
	free(out);
	diags_free(d);
}

static void test_record_limit(void **state)
{
	(void)state;
	size_t n = IMP_RECORD_MAX + 100;
	char *t = xmalloc(n + 64);
	size_t len = (size_t)sprintf(t, "[{\"id\": \"");
	memset(t + len, 'x', n);
	len += n;
	len += (size_t)sprintf(t + len, "\"}, {\"id\": \"ok\"}]");
	struct diags *d = NULL;
	assert_int_equal(run(t, len, NULL, NULL, &d), 2);
	assert_true(has_diag(d, "record larger than the limit", 1, 2));
	assert_int_equal(n_seen, 1);   /* the next record is still read */
	diags_free(d);
	free(t);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_import.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	seen_reset();
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records_and_positions),
		cmocka_unit_test(test_chunk_boundaries),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_zone_offsets),
		cmocka_unit_test(test_zone_names),
		cmocka_unit_test(test_several_values),
		cmocka_unit_test(test_errors_leave_output),
		cmocka_unit_test(test_skips_and_escapes),
		cmocka_unit_test(test_record_limit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
