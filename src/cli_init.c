/*
 * cli_init.c -- `drgen init --minimal DIR`: the smallest plan that builds
 * clean today.
 *
 * One service, one datastore, one drill and one backup a day.  Every date is
 * relative to now (SOURCE_DATE_EPOCH when set), and the backups cover the
 * whole previous month up to now, so that a build with the default period
 * and either default as-of (the end of that month, or now) finds the
 * datastore within its RPO.  The files are written into a private temporary
 * folder and then copied to DIR by the same code that copies the sample, so
 * DIR gets the same checks (new or empty) and appears whole or not at all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "dates.h"
#include "diag.h"
#include "publish.h"

#define DAY 86400

/* The service's revenue at risk puts it in tier 4: an RPO of 24 hours. */
#define MINIMAL_REVENUE_PER_HOUR 500
/* Backups run daily at this second of the day (01:00 UTC). */
#define MINIMAL_BACKUP_SECOND 3600

static bool write_file(const char *path, const struct buf *b, struct diags *d)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		diag_error(d, path, 0, 0, "cannot create file: %s", strerror(errno));
		return false;
	}
	bool ok = fwrite(b->data, 1, b->len, f) == b->len;
	ok = (fclose(f) == 0) && ok;
	if (!ok)
		diag_error(d, path, 0, 0, "cannot write file: %s", strerror(errno));
	return ok;
}

static void day_text(int64_t days, char out[11])
{
	date_format_day(days * DAY, out);
}

static void plan_json(struct buf *b, int64_t today)
{
	char reviewed[11], next[11], verified[11];
	day_text(today - 30, reviewed);
	day_text(today - 30 + 365, next);
	day_text(today - 7, verified);
	buf_printf(b,
		   "{\n"
		   "  \"drgen\": 1,\n"
		   "  \"organization\": {\"id\": \"example\", \"name\": \"Example Ltd\"},\n"
		   "  \"plan\": {\"version\": \"0.1\", \"owner\": \"owner\", \"approved_by\": \"owner\",\n"
		   "           \"approved_on\": \"%s\", \"last_review\": \"%s\", \"next_review\": \"%s\"},\n"
		   "  \"regions\": [{\"id\": \"region-a\", \"role\": \"primary\"}],\n"
		   "  \"contacts\": [\n"
		   "    {\"id\": \"owner\", \"name\": \"Plan Owner\", \"role\": \"service owner\",\n"
		   "     \"email\": \"owner@example.invalid\", \"phone\": \"+00 0000 0000\",\n"
		   "     \"team\": \"operations\", \"last_verified\": \"%s\"}\n"
		   "  ],\n"
		   "  \"escalation\": [{\"level\": 1, \"contact\": \"owner\", \"after_minutes\": 0}],\n"
		   "  \"services\": [\n"
		   "    {\"id\": \"app\", \"name\": \"App\", \"description\": \"The one service of this plan.\",\n"
		   "     \"owner\": \"owner\", \"team\": \"operations\",\n"
		   "     \"impact\": {\"revenue_loss_per_hour\": %d},\n"
		   "     \"regions\": [\"region-a\"],\n"
		   "     \"datastores\": [{\"id\": \"app-db\", \"engine\": \"postgresql\",\n"
		   "                     \"criticality\": \"standard\", \"size_gb\": 1}],\n"
		   "     \"monthly_cost\": 100}\n"
		   "  ],\n"
		   "  \"compliance\": {\"frameworks\": []}\n"
		   "}\n",
		   reviewed, reviewed, next, verified, MINIMAL_REVENUE_PER_HOUR);
}

/*
 * One snapshot a day, from the day before the previous month up to now, and
 * one at the minute of now: a build within a day of `init` is within RPO.
 */
static void backups_ndjson(struct buf *b, int64_t now, int64_t first_day)
{
	int64_t last = now - now % 60;
	for (int64_t day = first_day;; day++) {
		int64_t t = day * DAY + MINIMAL_BACKUP_SECOND;
		if (t >= last)
			t = last;
		char when[DATE_RFC3339_SIZE], id[DATE_RFC3339_SIZE];
		date_format_rfc3339(t, when);
		date_format_rfc3339(t, id);
		for (char *p = id; *p; p++) {
			if (*p == ':')
				*p = '-';
		}
		buf_printf(b,
			   "{\"id\":\"app-db-%s\",\"datastore\":\"app-db\",\"type\":\"snapshot\","
			   "\"started\":\"%s\",\"finished\":\"%s\",\"status\":\"success\","
			   "\"bytes\":1073741824,\"location\":\"primary\",\"region\":\"region-a\","
			   "\"encryption\":\"aes-128-cbc\",\"compression\":\"lz4\",\"immutable\":false,"
			   "\"retention_days\":30,\"verification\":\"size_check\",\"verified_ok\":true}\n",
			   id, when, when);
		if (t == last)
			break;
	}
}

static void drill_json(struct buf *b, const char *date)
{
	buf_printf(b,
		   "{\n"
		   "  \"id\": \"tabletop-%s\",\n"
		   "  \"date\": \"%s\",\n"
		   "  \"type\": \"tabletop\",\n"
		   "  \"scope\": {\"services\": [\"app\"]},\n"
		   "  \"results\": [],\n"
		   "  \"issues\": [],\n"
		   "  \"participants\": [\"owner\"]\n"
		   "}\n",
		   date, date);
}

static int64_t now_seconds(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		errno = 0;
		long long v = strtoll(sde, &end, 10);
		if (!errno && *end == '\0' && v >= 0)
			return (int64_t)v;
	}
	return (int64_t)time(NULL);
}

int cli_init_minimal(const char *dst, struct diags *d)
{
	int64_t now = now_seconds();
	int64_t today = now / DAY;
	int64_t y;
	unsigned m, day;
	date_civil_from_days(today, &y, &m, &day);
	int64_t prev_first = m == 1 ? date_days_from_civil(y - 1, 12, 1)
				    : date_days_from_civil(y, m - 1, 1);
	char drill_day[11];
	day_text(prev_first + 9, drill_day);

	const char *tmpdir = getenv("TMPDIR");
	char *tmp = xasprintf("%s/drgen-init.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(tmp)) {
		diag_error(d, NULL, 0, 0, "cannot create a temporary folder in %s: %s",
			   tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
		free(tmp);
		return EXIT_INTERNAL;
	}
	char *dirs[] = {xasprintf("%s/backups", tmp), xasprintf("%s/drills", tmp)};
	char *files[] = {
		xasprintf("%s/plan.json", tmp),
		xasprintf("%s/backups/app-db.ndjson", tmp),
		xasprintf("%s/drills/%s-tabletop.json", tmp, drill_day),
	};
	struct buf text[3] = {BUF_INIT, BUF_INIT, BUF_INIT};
	plan_json(&text[0], today);
	backups_ndjson(&text[1], now, prev_first - 1);
	drill_json(&text[2], drill_day);

	int rc = EXIT_OK;
	for (size_t i = 0; i < ARRAY_LEN(dirs) && rc == EXIT_OK; i++) {
		if (mkdir(dirs[i], 0755) != 0) {
			diag_error(d, dirs[i], 0, 0, "cannot create folder: %s", strerror(errno));
			rc = EXIT_INTERNAL;
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(files) && rc == EXIT_OK; i++) {
		if (!write_file(files[i], &text[i], d))
			rc = EXIT_INTERNAL;
	}
	if (rc == EXIT_OK)
		rc = publish_copy_tree(tmp, dst, d);
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		unlink(files[i]);
		free(files[i]);
		buf_free(&text[i]);
	}
	for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
		rmdir(dirs[i]);
		free(dirs[i]);
	}
	rmdir(tmp);
	free(tmp);
	return rc;
}
