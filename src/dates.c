/*
 * dates.c -- civil-date arithmetic and RFC 3339 parsing without libc's
 * time-zone machinery (timegm, strptime and mktime depend on the
 * environment; these functions depend on nothing).
 */
#include "dates.h"

#include <stdio.h>
#include <string.h>

int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Shift the year to start in March, so the leap day ends it. */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void date_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30,
					      31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Reads exactly n digits at s; false if any is not a digit. */
static bool digits(const char *s, int n, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < n; i++) {
		unsigned c = (unsigned char)s[i] - '0';
		if (c > 9)
			return false;
		v = v * 10 + c;
	}
	*out = v;
	return true;
}

static bool parse_ymd(const char *s, int64_t *days)
{
	unsigned y, m, d;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return false;
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return false;
	*days = date_days_from_civil(y, m, d);
	return true;
}

bool date_parse_day(const char *s, size_t len, int64_t *out)
{
	int64_t days;
	if (len != 10 || !parse_ymd(s, &days))
		return false;
	*out = days * 86400;
	return true;
}

bool date_parse_rfc3339(const char *s, size_t len, int64_t *out)
{
	int64_t days;
	unsigned hh, mm, ss;
	if (len < 20 || !parse_ymd(s, &days))
		return false;
	if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &hh) || s[13] != ':' || !digits(s + 14, 2, &mm) ||
	    s[16] != ':' || !digits(s + 17, 2, &ss))
		return false;
	/* 60 is a leap second; counted as the next second's start. */
	if (hh > 23 || mm > 59 || ss > 60)
		return false;
	size_t i = 19;
	if (i < len && s[i] == '.') {
		size_t start = ++i;
		while (i < len && (unsigned)(s[i] - '0') <= 9)
			i++;
		if (i == start)
			return false;
	}
	if (i >= len)
		return false;
	int64_t offset = 0;
	if (s[i] == 'Z' || s[i] == 'z') {
		i++;
	} else if (s[i] == '+' || s[i] == '-') {
		unsigned oh, om;
		if (len - i != 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
		    !digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
			return false;
		offset = (int64_t)(oh * 3600 + om * 60);
		if (s[i] == '-')
			offset = -offset;
		i += 6;
	} else {
		return false;
	}
	if (i != len)
		return false;
	*out = days * 86400 + hh * 3600 + mm * 60 + ss - offset;
	return true;
}

bool date_parse_any(const char *s, size_t len, int64_t *out)
{
	return len == 10 ? date_parse_day(s, len, out)
			 : date_parse_rfc3339(s, len, out);
}

bool date_parse_month(const char *s, size_t len, int64_t *start, int64_t *end)
{
	unsigned y, m;
	if (len != 7 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    m < 1 || m > 12)
		return false;
	*start = date_days_from_civil(y, m, 1) * 86400;
	*end = (m == 12 ? date_days_from_civil(y + 1, 1, 1)
			: date_days_from_civil(y, m + 1, 1)) * 86400;
	return true;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Years outside 0..9999 cannot be written in four digits; clamp them. */
static unsigned year4(int64_t y)
{
	return y < 0 ? 0 : y > 9999 ? 9999 : (unsigned)y;
}

static void split(int64_t t, int64_t *y, unsigned *m, unsigned *d, unsigned *secs)
{
	int64_t days = floor_div(t, 86400);
	*secs = (unsigned)(t - days * 86400);
	date_civil_from_days(days, y, m, d);
}

void date_format_rfc3339(int64_t t, char out[DATE_RFC3339_SIZE])
{
	int64_t y;
	unsigned m, d, s;
	split(t, &y, &m, &d, &s);
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%04u-%02u-%02uT%02u:%02u:%02uZ",
		 year4(y), m, d, s / 3600, s / 60 % 60, s % 60);
	memcpy(out, tmp, DATE_RFC3339_SIZE - 1);
	out[DATE_RFC3339_SIZE - 1] = '\0';
}

void date_format_day(int64_t t, char out[11])
{
	int64_t y;
	unsigned m, d, s;
	split(t, &y, &m, &d, &s);
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%04u-%02u-%02u", year4(y), m, d);
	memcpy(out, tmp, 10);
	out[10] = '\0';
}

void date_format_month(int64_t t, char out[8])
{
	int64_t y;
	unsigned m, d, s;
	split(t, &y, &m, &d, &s);
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%04u-%02u", year4(y), m);
	memcpy(out, tmp, 7);
	out[7] = '\0';
}

bool date_parse_offset(const char *s, int *offset_seconds)
{
	int sign, h, mi = 0;
	size_t n;

	if (strcmp(s, "Z") == 0 || strcmp(s, "UTC") == 0 ||
	    strcmp(s, "z") == 0) {
		*offset_seconds = 0;
		return true;
	}
	n = strlen(s);
	if (n < 3 || (s[0] != '+' && s[0] != '-'))
		return false;
	sign = s[0] == '-' ? -1 : 1;
	if (!(s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9'))
		return false;
	h = (s[1] - '0') * 10 + (s[2] - '0');
	if (n == 3) {
		;
	} else if (n == 6 && s[3] == ':' && s[4] >= '0' && s[4] <= '9' &&
		   s[5] >= '0' && s[5] <= '9') {
		mi = (s[4] - '0') * 10 + (s[5] - '0');
	} else if (n == 5 && s[3] >= '0' && s[3] <= '9' && s[4] >= '0' &&
		   s[4] <= '9') {
		mi = (s[3] - '0') * 10 + (s[4] - '0');
	} else {
		return false;
	}
	if (h > 14 || mi > 59 || (h == 14 && mi > 0))
		return false;
	*offset_seconds = sign * (h * 3600 + mi * 60);
	return true;
}
