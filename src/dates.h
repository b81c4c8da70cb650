/*
 * dates.h -- timestamps as seconds since the epoch, UTC.
 *
 * Every time in the model is an int64_t count of seconds since
 * 1970-01-01T00:00:00Z; DATE_NONE marks an absent one.  Parsing never
 * consults the locale or the time zone of the machine, so output is the same
 * everywhere.  The parsers are hand-written because the backup loader calls
 * them twice per record, tens of millions of times.
 */
#ifndef DRGEN_DATES_H
#define DRGEN_DATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DATE_NONE INT64_MIN

/* Room for "YYYY-MM-DDTHH:MM:SSZ" and its NUL. */
#define DATE_RFC3339_SIZE 21

/*
 * RFC 3339 date-time with a mandatory offset ("Z", "+02:00", "-0530" is
 * refused), optional fractional seconds (dropped).  Checks that the date
 * exists (2025-02-29 does not).  Returns false on any defect.
 */
bool date_parse_rfc3339(const char *s, size_t len, int64_t *out);

/* A calendar date "YYYY-MM-DD", as midnight UTC. */
bool date_parse_day(const char *s, size_t len, int64_t *out);

/* Either form: a date-time with offset, or a plain date. */
bool date_parse_any(const char *s, size_t len, int64_t *out);

/* "YYYY-MM", the first second of that month, and of the month after. */
bool date_parse_month(const char *s, size_t len, int64_t *start, int64_t *end);

/* Days since the epoch for a civil date (proleptic Gregorian), and back. */
int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d);
void date_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* "2026-11-01T00:00:00Z" into out (DATE_RFC3339_SIZE bytes). */
void date_format_rfc3339(int64_t t, char out[DATE_RFC3339_SIZE]);
/* "2026-11-01" into out (11 bytes). */
void date_format_day(int64_t t, char out[11]);
/* "2026-11" into out (8 bytes). */
void date_format_month(int64_t t, char out[8]);

/*
 * A fixed UTC offset: "Z", "z", "UTC", "+HH", "+HHMM" or "+HH:MM" (and "-"),
 * at most 14 hours; seconds east of UTC.
 */
bool date_parse_offset(const char *s, int *offset_seconds);

#endif
