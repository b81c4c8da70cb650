/* test_core.c -- the shared mechanism: dates, diagnostics, util, source. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dates.h"
#include "diag.h"
#include "source.h"
#include "util.h"

/* ---- dates ---- */

static int64_t rfc(const char *s)
{
	int64_t t = 0;
	assert_true(date_parse_rfc3339(s, strlen(s), &t));
	return t;
}

static void test_rfc3339_offsets(void **state)
{
	(void)state;
	int64_t z = rfc("2026-10-31T22:00:00Z");
	assert_int_equal(z, 1793484000);
	/* The same instant written with other offsets. */
	assert_int_equal(rfc("2026-11-01T03:30:00+05:30"), z);
	assert_int_equal(rfc("2026-10-31T14:00:00-08:00"), z);
	assert_int_equal(rfc("2026-10-31t22:00:00.123456z"), z);
	char out[DATE_RFC3339_SIZE];
	date_format_rfc3339(rfc("2026-11-01T03:30:00+05:30"), out);
	assert_string_equal(out, "2026-10-31T22:00:00Z");
}

static void test_rfc3339_refuses(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"2026-10-31T22:00:00",       /* no offset */
		"2026-02-29T00:00:00Z",      /* 2026 is not a leap year */
		"2026-04-31T00:00:00Z",      /* April has 30 days */
		"2026-10-31T24:00:00Z",
		"2026-10-31T22:00:00+0530",  /* offset without a colon */
		"2026-10-31T22:00:00Z trailing",
		"2026-1-31T22:00:00Z",
		"",
	};
	int64_t t;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_false(date_parse_rfc3339(bad[i], strlen(bad[i]), &t));
	assert_true(date_parse_rfc3339("2024-02-29T00:00:00Z", 20, &t));
}

static void test_days_and_months(void **state)
{
	(void)state;
	int64_t t, s, e;
	assert_true(date_parse_day("2000-03-01", 10, &t));
	assert_int_equal(t, 951868800);
	assert_false(date_parse_day("2100-02-29", 10, &t));
	assert_true(date_parse_month("2026-12", 7, &s, &e));
	char out[11];
	date_format_day(s, out);
	assert_string_equal(out, "2026-12-01");
	date_format_day(e, out);
	assert_string_equal(out, "2027-01-01");
	assert_false(date_parse_month("2026-13", 7, &s, &e));
	/* Round trip over four centuries of days, negative ones included. */
	for (int64_t d = -146097; d <= 146097; d += 7) {
		int64_t y;
		unsigned m, dd;
		date_civil_from_days(d, &y, &m, &dd);
		assert_int_equal(date_days_from_civil(y, m, dd), d);
	}
}

/* ---- util ---- */

static void test_strmap_and_arena(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct strmap *m = strmap_new(2);
	char key[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "svc-%d", i);
		assert_null(strmap_put(m, arena_strdup(a, key), (void *)(intptr_t)(i + 1)));
	}
	assert_int_equal(strmap_count(m), 5000);
	assert_int_equal((intptr_t)strmap_get(m, "svc-4321"), 4322);
	assert_null(strmap_get(m, "svc-5000"));
	assert_int_equal((intptr_t)strmap_getn(m, "svc-12xyz", 6), 13);
	size_t pos = 0, seen = 0;
	const char *k;
	void *v;
	while (strmap_next(m, &pos, &k, &v))
		seen++;
	assert_int_equal(seen, 5000);
	char *big = arena_alloc(a, 1 << 20);  /* a chunk of its own */
	big[(1 << 20) - 1] = 'x';
	assert_string_equal(arena_printf(a, "%s-%d", "tier", 4), "tier-4");
	strmap_free(m);
	arena_free(a);
}

static void test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(util_edit_distance("descripton", "description", 2), 1);
	assert_int_equal(util_edit_distance("owner", "owner", 2), 0);
	assert_int_equal(util_edit_distance("biuld", "build", 2), 1);  /* a swap is one edit */
	assert_int_equal(util_edit_distance("ab", "ba", 1), 1);
	assert_int_equal(util_edit_distance("regions", "tier", 2), 3);  /* capped: cap + 1 */
}

/* ---- diagnostics ---- */

static char *print_to_string(const struct diags *d, bool quiet)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	diags_print(d, f, false, quiet);
	fclose(f);
	return text;
}

static void test_diag_excerpt_and_caret(void **state)
{
	(void)state;
	char path[] = "/tmp/drgen-diag-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *src = "{\n  \"name\": \"Zürich\", \"tier\": 9\n}\n";
	assert_int_equal(write(fd, src, strlen(src)), (ssize_t)strlen(src));
	close(fd);
	struct diags *d = diags_new();
	/* Column 29 is the 9, counted in bytes; the caret counts characters. */
	diag_add(d, DIAG_ERROR, path, 2, 29, "/tier", "tier 9 is out of range; expected 1 to 4");
	diag_add(d, DIAG_WARNING, path, 0, 0, "/services/0", "unknown key \"x\"");
	diags_sort(d);
	assert_int_equal(diags_count(d, DIAG_ERROR), 1);
	assert_true(diags_has_errors(d));
	char *text = print_to_string(d, false);
	char *want = xasprintf(
		"%s: warning: /services/0: unknown key \"x\"\n"
		"%s:2:29: error: tier 9 is out of range; expected 1 to 4\n"
		"     2 |   \"name\": \"Zürich\", \"tier\": 9\n"
		"       |                            ^\n"
		"       = at /tier\n",
		path, path);
	assert_string_equal(text, want);
	free(text);
	free(want);
	/* Quiet keeps errors only. */
	text = print_to_string(d, true);
	assert_null(strstr(text, "warning"));
	free(text);
	diags_free(d);
	unlink(path);
}

/* Nothing from an input drives the terminal: C0, DEL, C1, bad UTF-8. */
static void test_diag_escapes_terminal_controls(void **state)
{
	(void)state;
	char q[128];
	assert_string_equal(diag_quote(q, sizeof(q), "a\033[2J\x7f\xc2\x9b\xff\xed\xa0\x80é\"", 100),
			    "\"a\\u001b[2J\\u007f\\u009b\\xff\\xed\\xa0\\x80é\\\"\"");
	/* Cut at a character boundary. */
	assert_string_equal(diag_quote(q, sizeof(q), "abcé", 4), "\"abc...\"");

	char path[] = "/tmp/drgen-diag-\033]0;t\007-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *src = "{\"\xc2\x9b\033x\": 1}\n";
	assert_int_equal(write(fd, src, strlen(src)), (ssize_t)strlen(src));
	close(fd);
	struct buf big = BUF_INIT;
	buf_puts(&big, "/\033[1A");
	for (int i = 0; i < 100000; i++)
		buf_putc(&big, 'k');
	struct diags *d = diags_new();
	diag_add(d, DIAG_WARNING, path, 1, 6, big.data, "unknown key\033[2K");
	char *text = print_to_string(d, false);
	assert_null(strchr(text, '\033'));
	assert_null(strchr(text, '\007'));
	assert_null(strstr(text, "\xc2\x9b"));
	assert_non_null(strstr(text, "drgen-diag-\\u001b]0;t\\u0007-"));
	assert_non_null(strstr(text, ": warning: unknown key\\u001b[2K\n"));
	/* One '?' per character of the excerpt; the caret still finds 'x'. */
	assert_non_null(strstr(text, "     1 | {\"??x\": 1}\n       |     ^\n"));
	assert_non_null(strstr(text, "       = at /\\u001b[1Akkk"));
	assert_true(strlen(text) < 600);
	free(text);
	diags_free(d);
	buf_free(&big);
	unlink(path);
}

/* Colour marks the severity, not the same word in a file name. */
static void test_diag_color_after_file(void **state)
{
	(void)state;
	struct diags *d = diags_new();
	diag_add(d, DIAG_ERROR, "backups/error.ndjson", 0, 0, NULL, "bad");
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	diags_print(d, f, true, false);
	fclose(f);
	assert_string_equal(text, "backups/error.ndjson: \033[1;31merror\033[0m: bad\n");
	free(text);
	diags_free(d);
}

static void test_diag_last_line_twice(void **state)
{
	(void)state;
	char path[] = "/tmp/drgen-diag-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	/* No newline at the end, and an escape byte that must not be echoed. */
	const char *src = "{\"a\": 1}\n{\"b\": \x1b[2J}";
	assert_int_equal(write(fd, src, strlen(src)), (ssize_t)strlen(src));
	close(fd);
	struct diags *d = diags_new();
	diag_error(d, path, 2, 2, "first problem");
	diag_error(d, path, 2, 7, "second problem");
	char *text = print_to_string(d, false);
	char *want = xasprintf("%s:2:2: error: first problem\n"
			       "     2 | {\"b\": ?[2J}\n"
			       "       |  ^\n"
			       "%s:2:7: error: second problem\n"
			       "     2 | {\"b\": ?[2J}\n"
			       "       |       ^\n",
			       path, path);
	assert_string_equal(text, want);
	free(text);
	free(want);
	diags_free(d);
	unlink(path);
}

static void test_diag_sort_is_stable(void **state)
{
	(void)state;
	struct diags *d = diags_new();
	diag_error(d, "b.json", 3, 1, "third");
	diag_error(d, "a.json", 9, 1, "second");
	diag_error(d, "a.json", 2, 5, "first");
	diag_error(d, "b.json", 3, 1, "fourth");
	diags_sort(d);
	assert_string_equal(diags_get(d, 0)->message, "first");
	assert_string_equal(diags_get(d, 1)->message, "second");
	assert_string_equal(diags_get(d, 2)->message, "third");
	assert_string_equal(diags_get(d, 3)->message, "fourth");
	struct buf b = BUF_INIT;
	diag_format(diags_get(d, 0), &b);
	assert_string_equal(b.data, "a.json:2:5: error: first");
	buf_free(&b);
	diags_free(d);
}

/* ---- source ---- */

static void test_source_confinement(void **state)
{
	(void)state;
	char root[] = "/tmp/drgen-src-XXXXXX";
	assert_non_null(mkdtemp(root));
	char *sub = xasprintf("%s/runbooks", root);
	assert_int_equal(mkdir(sub, 0755), 0);
	char *link = xasprintf("%s/runbooks/escape.md", root);
	assert_int_equal(symlink("/etc/hostname", link), 0);
	struct source_set *s = source_set_new(root);
	struct diags *d = diags_new();
	char *p = source_resolve(s, "plan.json", "runbooks/./x/../api.md", d, "plan.json", 1, NULL);
	assert_string_equal(p, "runbooks/api.md");
	free(p);
	p = source_resolve(s, "runbooks/a.md", "b.md", d, "plan.json", 1, NULL);
	assert_string_equal(p, "runbooks/b.md");
	free(p);
	assert_null(source_resolve(s, "plan.json", "../secret", d, "plan.json", 1, NULL));
	assert_null(source_resolve(s, "plan.json", "/etc/passwd", d, "plan.json", 1, NULL));
	assert_null(source_resolve(s, "plan.json", "runbooks/escape.md", d, "plan.json", 1, NULL));
	assert_int_equal(diags_count(d, DIAG_ERROR), 3);
	assert_non_null(strstr(diags_get(d, 0)->message, "leaves the plan directory"));
	assert_non_null(strstr(diags_get(d, 2)->message, "symbolic link"));
	diags_free(d);
	source_set_free(s);
	unlink(link);
	rmdir(sub);
	rmdir(root);
	free(link);
	free(sub);
}

static void test_utf8(void **state)
{
	(void)state;
	size_t bad;
	assert_true(source_utf8_valid("Zürich ☃ 東京 😀", strlen("Zürich ☃ 東京 😀"), &bad));
	assert_false(source_utf8_valid("ab\xC0\xAF", 4, &bad));  /* overlong */
	assert_int_equal(bad, 2);
	assert_false(source_utf8_valid("\xED\xA0\x80", 3, &bad));  /* surrogate */
	assert_false(source_utf8_valid("\xE2\x98", 2, &bad));  /* cut short */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339_offsets),
		cmocka_unit_test(test_rfc3339_refuses),
		cmocka_unit_test(test_days_and_months),
		cmocka_unit_test(test_strmap_and_arena),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_diag_excerpt_and_caret),
		cmocka_unit_test(test_diag_escapes_terminal_controls),
		cmocka_unit_test(test_diag_color_after_file),
		cmocka_unit_test(test_diag_last_line_twice),
		cmocka_unit_test(test_diag_sort_is_stable),
		cmocka_unit_test(test_source_confinement),
		cmocka_unit_test(test_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
