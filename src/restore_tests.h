/*
 * restore_tests.h -- folding restore-test records into a struct
 * restore_test_summary (model.h), in any order with the same result.
 *
 * The backup loader reads the records (docs/backup-format.md, records of
 * "kind": "restore_test"); these functions keep the newest passed and the
 * newest failed test, breaking ties of equal times by comparing everything
 * stored, so that merging the summaries of several threads gives the same
 * result whichever thread read which line.
 */
#ifndef DRGEN_RESTORE_TESTS_H
#define DRGEN_RESTORE_TESTS_H

#include <stdint.h>

#include "model.h"

/* An empty summary: no tests, every time DATE_NONE. */
void restore_tests_init(struct restore_test_summary *s);

/*
 * A passed test finished at t; tested is the tested backup's id ("" when
 * not given), tested_time its time (DATE_NONE when not given), location
 * the copy tested (-1 when not given).  Strings are at most
 * BACKUP_ID_MAX - 1 bytes.
 */
void restore_tests_take_ok(struct restore_test_summary *s, int64_t t, const char *id,
			   const char *tested, int64_t tested_time, int location);

/* A failed (or partial) test finished at t. */
void restore_tests_take_failed(struct restore_test_summary *s, int64_t t, const char *id);

/* Adds from into into (counts summed, newest kept). */
void restore_tests_merge(struct restore_test_summary *into,
			 const struct restore_test_summary *from);

#endif
