/*
 * restore_tests.c -- the newest restore tests of a datastore, order-free.
 */
#include "restore_tests.h"

#include <string.h>

#include "dates.h"

void restore_tests_init(struct restore_test_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->newest_ok = DATE_NONE;
	s->newest_ok_tested_time = DATE_NONE;
	s->newest_ok_location = -1;
	s->newest_failed = DATE_NONE;
	for (int l = 0; l < LOC_COUNT; l++)
		s->newest_ok_at[l] = DATE_NONE;
}

/* Copies an id with the rest of the field zeroed, so that equal summaries
 * are equal bytes whatever the order they were folded in. */
static void id_put(char dst[BACKUP_ID_MAX], const char *src)
{
	size_t n = strlen(src);
	memcpy(dst, src, n);
	memset(dst + n, 0, BACKUP_ID_MAX - n);
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

void restore_tests_take_ok(struct restore_test_summary *s, int64_t t, const char *id,
			   const char *tested, int64_t tested_time, int location)
{
	if (t == DATE_NONE)
		return;
	if (location >= 0 && location < LOC_COUNT && t > s->newest_ok_at[location])
		s->newest_ok_at[location] = t;
	if (t < s->newest_ok)
		return;
	if (t == s->newest_ok) {
		int c = strcmp(id, s->newest_ok_id);
		if (!c)
			c = strcmp(tested, s->newest_ok_tested_backup);
		if (!c)
			c = cmp_i64(tested_time, s->newest_ok_tested_time);
		if (!c)
			c = location - s->newest_ok_location;
		if (c <= 0)
			return;
	}
	s->newest_ok = t;
	id_put(s->newest_ok_id, id);
	id_put(s->newest_ok_tested_backup, tested);
	s->newest_ok_tested_time = tested_time;
	s->newest_ok_location = location;
}

void restore_tests_take_failed(struct restore_test_summary *s, int64_t t, const char *id)
{
	if (t == DATE_NONE || t < s->newest_failed ||
	    (t == s->newest_failed && strcmp(id, s->newest_failed_id) <= 0))
		return;
	s->newest_failed = t;
	id_put(s->newest_failed_id, id);
}

void restore_tests_merge(struct restore_test_summary *into,
			 const struct restore_test_summary *from)
{
	into->tests += from->tests;
	into->failures_in_period += from->failures_in_period;
	for (int l = 0; l < LOC_COUNT; l++) {
		if (from->newest_ok_at[l] > into->newest_ok_at[l])
			into->newest_ok_at[l] = from->newest_ok_at[l];
	}
	restore_tests_take_ok(into, from->newest_ok, from->newest_ok_id,
			      from->newest_ok_tested_backup, from->newest_ok_tested_time,
			      from->newest_ok_location);
	restore_tests_take_failed(into, from->newest_failed, from->newest_failed_id);
}
