/* test_load_backups.c -- the backup-log loader: summaries, validation, threads. */
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

/* ------------------------------------------------------------------ */
/* Fixture: a plan directory in a temporary folder and a model.       */

struct fixture {
	char root[256];
	struct model *m;
	struct source_set *src;
	struct diags *d;
	bool ok;
};

static const char *const ds_ids[] = {"ledger-db", "payments-db", "web-cache"};
enum { LEDGER, PAYMENTS, WEB };

static int64_t t(const char *s)
{
	int64_t v = DATE_NONE;
	assert_true(date_parse_rfc3339(s, strlen(s), &v));
	return v;
}

static struct model *test_model(void)
{
	struct model *m = model_new();
	m->datastores = arena_calloc(m->arena, ARRAY_LEN(ds_ids), sizeof(*m->datastores));
	for (size_t i = 0; i < ARRAY_LEN(ds_ids); i++) {
		m->datastores[i].id = arena_strdup(m->arena, ds_ids[i]);
		strmap_put(m->datastore_by_id, m->datastores[i].id, &m->datastores[i]);
	}
	m->n_datastores = ARRAY_LEN(ds_ids);
	m->as_of = t("2026-11-01T00:00:00Z");
	assert_true(date_parse_month("2026-10", 7, &m->period_start, &m->period_end));
	return m;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *base = getenv("TMPBASE");
	snprintf(f->root, sizeof(f->root), "%s/lbXXXXXX", base && *base ? base : "/tmp");
	assert_non_null(mkdtemp(f->root));
	char sub[300];
	snprintf(sub, sizeof(sub), "%s/backups", f->root);
	assert_int_equal(mkdir(sub, 0755), 0);
	f->m = test_model();
	f->d = diags_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	source_set_free(f->src);
	diags_free(f->d);
	model_free(f->m);
	free(f);
	return 0;
}

static void write_file(struct fixture *f, const char *name, const char *data, size_t len)
{
	char path[400];
	snprintf(path, sizeof(path), "%s/backups/%s", f->root, name);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void write_log(struct fixture *f, const char *name, const char *text)
{
	write_file(f, name, text, strlen(text));
}

/* Runs the loader on a fresh model and source set. */
static void load_with(struct fixture *f, int threads, size_t chunk_bytes, size_t max_errors)
{
	if (f->src) {
		source_set_free(f->src);
		model_free(f->m);
		diags_free(f->d);
		f->m = test_model();
		f->d = diags_new();
	}
	f->src = source_set_new(f->root);
	struct load_backups_options o = {threads, chunk_bytes, max_errors};
	f->ok = load_backups_with(f->m, f->src, f->d, &o);
}

static void load(struct fixture *f)
{
	load_with(f, 1, 0, 0);
}

/* Every diagnostic as "file:line:col: severity: message\n", the root cut. */
static char *diags_text(const struct fixture *f)
{
	struct buf out = BUF_INIT, one = BUF_INIT;
	size_t rl = strlen(f->root);
	buf_puts(&out, "");
	for (size_t i = 0; i < diags_len(f->d); i++) {
		buf_reset(&one);
		diag_format(diags_get(f->d, i), &one);
		const char *s = one.data;
		if (strncmp(s, f->root, rl) == 0 && s[rl] == '/')
			s += rl + 1;
		buf_puts(&out, s);
		buf_putc(&out, '\n');
	}
	buf_free(&one);
	return buf_detach(&out, NULL);
}

static void assert_diags(const struct fixture *f, const char *expected)
{
	char *got = diags_text(f);
	if (strcmp(got, expected) != 0)
		fprintf(stderr, "expected:\n%sgot:\n%s", expected, got);
	assert_string_equal(got, expected);
	free(got);
}

static const struct backup_location_summary *at(const struct fixture *f, int ds, int loc)
{
	return &f->m->datastores[ds].backups.at[loc];
}

#define REC(id, ds, fields) \
	"{\"id\":\"" id "\",\"datastore\":\"" ds "\",\"type\":\"full\"," fields "}\n"
#define OK_AT(started, finished) \
	"\"started\":\"" started "\",\"finished\":\"" finished "\",\"status\":\"success\""

/* ------------------------------------------------------------------ */
/* Aggregation                                                         */

static void test_status_kinds(void **state)
{
	struct fixture *f = *state;
	write_log(f, "a.ndjson",
		  REC("b1", "ledger-db", OK_AT("2026-10-10T01:00:00Z", "2026-10-10T01:10:00Z")
		      ",\"location\":\"primary\",\"bytes\":100")
		  REC("b2", "ledger-db", "\"started\":\"2026-10-11T01:00:00Z\","
		      "\"finished\":\"2026-10-11T01:05:00Z\",\"status\":\"failed\","
		      "\"location\":\"primary\"")
		  REC("b3", "ledger-db", "\"started\":\"2026-10-12T01:00:00Z\","
		      "\"finished\":\"2026-10-12T01:05:00Z\",\"status\":\"partial\","
		      "\"location\":\"primary\",\"bytes\":50")
		  REC("b4", "ledger-db", "\"started\":\"2026-10-31T23:00:00Z\","
		      "\"status\":\"running\",\"location\":\"primary\""));
	load(f);
	assert_true(f->ok);
	assert_diags(f, "");
	const struct backup_location_summary *s = at(f, LEDGER, LOC_PRIMARY);
	assert_int_equal(s->records, 4);
	assert_int_equal(s->successes, 1);
	assert_int_equal(s->failures_in_period, 2);
	assert_int_equal(s->newest_success, t("2026-10-10T01:10:00Z"));
	assert_string_equal(s->newest_success_id, "b1");
	assert_int_equal(s->bytes_retained, 100);
	assert_int_equal(s->successes_by_type[BTYPE_FULL], 1);
	assert_int_equal(f->m->datastores[LEDGER].backups.records, 4);
	assert_int_equal(f->m->datastores[LEDGER].backups.future, 0);
	assert_int_equal(f->m->backup_records, 4);
	/* Nothing else was touched. */
	assert_int_equal(at(f, LEDGER, LOC_OFFSITE)->records, 0);
	assert_int_equal(at(f, LEDGER, LOC_OFFSITE)->newest_success, DATE_NONE);
	assert_int_equal(f->m->datastores[PAYMENTS].backups.records, 0);
}

static void test_newest_per_location(void **state)
{
	struct fixture *f = *state;
	write_log(f, "a.ndjson",
		  REC("p-old", "payments-db", OK_AT("2026-10-01T00:00:00Z", "2026-10-01T00:10:00Z")
		      ",\"location\":\"primary\",\"region\":\"eu-west-1\","
		      "\"encryption\":\"aes-256-gcm\",\"compression\":\"zstd\"")
		  REC("p-new", "payments-db", OK_AT("2026-10-20T00:00:00Z", "2026-10-20T00:10:00Z")
		      ",\"location\":\"primary\",\"region\":\"eu-west-2\","
		      "\"encryption\":\"none\",\"compression\":\"lz4\",\"immutable\":true")
		  REC("o-1", "payments-db", OK_AT("2026-10-05T00:00:00Z", "2026-10-05T00:10:00Z")
		      ",\"location\":\"offsite\",\"region\":\"us-east-1\","
		      "\"encryption\":\"aes-256-cbc\"")
		  REC("o-fail", "payments-db", "\"started\":\"2026-10-25T00:00:00Z\","
		      "\"finished\":\"2026-10-25T00:01:00Z\",\"status\":\"failed\","
		      "\"location\":\"offsite\""));
	load(f);
	assert_true(f->ok);
	const struct backup_location_summary *p = at(f, PAYMENTS, LOC_PRIMARY);
	assert_int_equal(p->successes, 2);
	assert_int_equal(p->newest_success, t("2026-10-20T00:10:00Z"));
	assert_string_equal(p->newest_success_id, "p-new");
	assert_string_equal(p->newest_success_region, "eu-west-2");
	assert_string_equal(p->newest_encryption, "none");
	assert_string_equal(p->newest_compression, "lz4");
	assert_int_equal(p->successes_unencrypted, 1);
	assert_int_equal(p->successes_immutable, 1);
	const struct backup_location_summary *o = at(f, PAYMENTS, LOC_OFFSITE);
	assert_int_equal(o->records, 2);
	assert_int_equal(o->successes, 1);
	assert_string_equal(o->newest_success_id, "o-1");
	assert_string_equal(o->newest_success_region, "us-east-1");
	assert_string_equal(o->newest_compression, "");
	assert_int_equal(o->failures_in_period, 1);
	assert_int_equal(at(f, PAYMENTS, LOC_SECONDARY)->records, 0);
}

static void test_newest_tie_broken_by_id(void **state)
{
	struct fixture *f = *state;
	/* Same finish time: the greater id wins, whatever the order. */
	write_log(f, "a.ndjson",
		  REC("job-b", "web-cache", OK_AT("2026-10-01T00:00:00Z", "2026-10-01T01:00:00Z")
		      ",\"location\":\"primary\",\"region\":\"b\"")
		  REC("job-c", "web-cache", OK_AT("2026-10-01T00:30:00Z", "2026-10-01T01:00:00Z")
		      ",\"location\":\"primary\",\"region\":\"c\"")
		  REC("job-a", "web-cache", OK_AT("2026-10-01T00:00:00Z", "2026-10-01T01:00:00Z")
		      ",\"location\":\"primary\",\"region\":\"a\""));
	load(f);
	assert_string_equal(at(f, WEB, LOC_PRIMARY)->newest_success_id, "job-c");
	assert_string_equal(at(f, WEB, LOC_PRIMARY)->newest_success_region, "c");
}

static void test_period_failures(void **state)
{
	struct fixture *f = *state;
	write_log(f, "a.ndjson",
		  /* before the period */
		  REC("f1", "ledger-db", "\"started\":\"2026-09-30T23:00:00Z\","
		      "\"finished\":\"2026-09-30T23:59:59Z\",\"status\":\"failed\","
		      "\"location\":\"secondary\"")
		  /* first second of the period */
		  REC("f2", "ledger-db", "\"started\":\"2026-09-30T23:00:00Z\","
		      "\"finished\":\"2026-10-01T00:00:00Z\",\"status\":\"failed\","
		      "\"location\":\"secondary\"")
		  /* last second of the period */
		  REC("f3", "ledger-db", "\"started\":\"2026-10-31T23:00:00Z\","
		      "\"finished\":\"2026-10-31T23:59:59Z\",\"status\":\"partial\","
		      "\"location\":\"secondary\"")
		  /* a running job is not a failure */
		  REC("r1", "ledger-db", "\"started\":\"2026-10-15T00:00:00Z\","
		      "\"status\":\"running\",\"location\":\"secondary\""));
	load(f);
	assert_true(f->ok);
	assert_int_equal(at(f, LEDGER, LOC_SECONDARY)->records, 4);
	assert_int_equal(at(f, LEDGER, LOC_SECONDARY)->failures_in_period, 2);
	assert_int_equal(at(f, LEDGER, LOC_SECONDARY)->successes, 0);
	assert_int_equal(at(f, LEDGER, LOC_SECONDARY)->newest_success, DATE_NONE);
}

static void test_retention(void **state)
{
	struct fixture *f = *state;
	write_log(f, "a.ndjson",
		  /* finished 10-20 + 7 days = 10-27: expired at 11-01 */
		  REC("r7", "ledger-db", OK_AT("2026-10-20T00:00:00Z", "2026-10-20T00:00:00Z")
		      ",\"location\":\"offsite\",\"bytes\":1000,\"retention_days\":7")
		  /* + 30 days: kept */
		  REC("r30", "ledger-db", OK_AT("2026-10-20T00:00:00Z", "2026-10-20T00:00:00Z")
		      ",\"location\":\"offsite\",\"bytes\":2000,\"retention_days\":30")
		  /* expires exactly at as_of: no longer retained */
		  REC("r12", "ledger-db", OK_AT("2026-10-20T00:00:00Z", "2026-10-20T00:00:00Z")
		      ",\"location\":\"offsite\",\"bytes\":4000,\"retention_days\":12")
		  /* no retention stated: kept */
		  REC("rx", "ledger-db", OK_AT("2026-10-20T00:00:00Z", "2026-10-20T00:00:00Z")
		      ",\"location\":\"offsite\",\"bytes\":8000")
		  /* failed copies hold nothing */
		  REC("rf", "ledger-db", "\"started\":\"2026-10-20T00:00:00Z\","
		      "\"finished\":\"2026-10-20T00:00:00Z\",\"status\":\"failed\","
		      "\"location\":\"offsite\",\"bytes\":16000,\"retention_days\":3650"));
	load(f);
	assert_true(f->ok);
	assert_int_equal(at(f, LEDGER, LOC_OFFSITE)->bytes_retained, 10000);
	assert_int_equal(at(f, LEDGER, LOC_OFFSITE)->max_retention_days, 30);
	assert_int_equal(at(f, LEDGER, LOC_PRIMARY)->max_retention_days, 0);
}

/* A backup's own verification is a verification of the copy, restore_test
 * included; it is never a restore-test record, and it is warned about. */
static void test_legacy_restore_verification(void **state)
{
	struct fixture *f = *state;
	write_log(f, "a.ndjson",
		  REC("rt1", "payments-db", OK_AT("2026-10-02T00:00:00Z", "2026-10-02T01:00:00Z")
		      ",\"location\":\"primary\",\"verification\":\"restore_test\","
		      "\"verified_ok\":true")
		  REC("rt3", "payments-db", OK_AT("2026-10-16T00:00:00Z", "2026-10-16T01:00:00Z")
		      ",\"location\":\"primary\",\"verification\":\"restore_test\","
		      "\"verified_ok\":false")
		  REC("ck1", "payments-db", OK_AT("2026-10-20T00:00:00Z", "2026-10-20T01:00:00Z")
		      ",\"location\":\"primary\",\"verification\":\"checksum\","
		      "\"verified_ok\":true")
		  REC("ck2", "payments-db", OK_AT("2026-10-21T00:00:00Z", "2026-10-21T01:00:00Z")
		      ",\"location\":\"primary\",\"verification\":\"size_check\","
		      "\"verified_ok\":false")
		  REC("nv", "payments-db", OK_AT("2026-10-22T00:00:00Z", "2026-10-22T01:00:00Z")
		      ",\"location\":\"primary\",\"verification\":\"none\","
		      "\"verified_ok\":false"));
	load(f);
	assert_true(f->ok);
	const struct backup_location_summary *s = at(f, PAYMENTS, LOC_PRIMARY);
	const struct backup_summary *b = &f->m->datastores[PAYMENTS].backups;
	assert_int_equal(b->tests[RMETHOD_RESTORE].newest_ok, DATE_NONE);
	assert_int_equal(b->tests[RMETHOD_RESTORE].newest_failed, DATE_NONE);
	assert_int_equal(b->restore_test_records, 0);
	assert_int_equal(s->newest_verified, t("2026-10-20T01:00:00Z"));
	assert_int_equal(s->verification_failures, 2);
	assert_int_equal(s->successes, 5);
	assert_diags(f, "backups/a.ndjson:1:175: warning: \"verification\": \"restore_test\" on a "
		     "backup record counts as a verification of the copy, not as a restore test; "
		     "write the test as a record of \"kind\": \"restore_test\" in 2 records, "
		     "first here\n");
}

#define TEST(id, ds, fields) \
	"{\"kind\":\"restore_test\",\"id\":\"" id "\",\"datastore\":\"" ds "\"," fields "}\n"
#define TESTED "\"tested_backup\":\"ledger-db-f-20261001\""

/* Restore tests are their own records: they never move the newest backup. */
static void test_restore_test_records(void **state)
{
	struct fixture *f = *state;
	write_log(f, "a.ndjson",
		  REC("b1", "ledger-db", OK_AT("2026-10-01T01:00:00Z", "2026-10-01T01:30:00Z")
		      ",\"location\":\"offsite\"")
		  TEST("t1", "ledger-db", OK_AT("2026-10-05T00:00:00Z", "2026-10-05T02:00:00Z")
		       ",\"method\":\"restore\"," TESTED ",\"location\":\"offsite\","
		       "\"tested_backup_time\":\"2026-10-01T01:30:00Z\",\"target\":\"sandbox\"")
		  TEST("t2", "ledger-db", OK_AT("2026-10-20T00:00:00Z", "2026-10-20T03:00:00Z")
		       ",\"method\":\"integrity_check\"," TESTED)
		  TEST("t3", "ledger-db", "\"started\":\"2026-10-12T00:00:00Z\","
		       "\"finished\":\"2026-10-12T01:00:00Z\",\"status\":\"failed\","
		       "\"method\":\"restore\",\"tested_backup_time\":\"2026-10-01T01:30:00Z\"")
		  TEST("t4", "ledger-db", "\"started\":\"2026-10-31T00:00:00Z\","
		       "\"status\":\"running\",\"method\":\"restore\"," TESTED)
		  TEST("t5", "ledger-db", OK_AT("2026-11-02T00:00:00Z", "2026-11-02T01:00:00Z")
		       ",\"method\":\"restore\"," TESTED)
		  "{\"kind\":\"backup\",\"id\":\"b2\",\"datastore\":\"ledger-db\",\"type\":\"full\","
		  OK_AT("2026-09-30T01:00:00Z", "2026-09-30T01:30:00Z") ",\"location\":\"offsite\"}\n");
	load(f);
	assert_true(f->ok);
	assert_diags(f, "");
	const struct backup_summary *b = &f->m->datastores[LEDGER].backups;
	assert_int_equal(b->at[LOC_OFFSITE].newest_success, t("2026-10-01T01:30:00Z"));
	assert_string_equal(b->at[LOC_OFFSITE].newest_success_id, "b1");
	assert_int_equal(b->at[LOC_OFFSITE].records, 2);
	assert_int_equal(b->records, 2);
	assert_int_equal(b->restore_test_records, 5);
	assert_int_equal(b->future, 1);
	assert_int_equal(f->m->backup_records, 2);
	assert_int_equal(f->m->restore_test_records, 5);
	const struct restore_test_summary *r = &b->tests[RMETHOD_RESTORE];
	assert_int_equal(r->tests, 2);  /* t1, t3; t4 runs, t5 is after as-of */
	assert_int_equal(r->newest_ok, t("2026-10-05T02:00:00Z"));
	assert_string_equal(r->newest_ok_id, "t1");
	assert_string_equal(r->newest_ok_tested_backup, "ledger-db-f-20261001");
	assert_int_equal(r->newest_ok_tested_time, t("2026-10-01T01:30:00Z"));
	assert_int_equal(r->newest_ok_location, LOC_OFFSITE);
	assert_int_equal(r->newest_ok_at[LOC_OFFSITE], t("2026-10-05T02:00:00Z"));
	assert_int_equal(r->newest_ok_at[LOC_PRIMARY], DATE_NONE);
	assert_int_equal(r->newest_failed, t("2026-10-12T01:00:00Z"));
	assert_string_equal(r->newest_failed_id, "t3");
	assert_int_equal(r->failures_in_period, 1);
	const struct restore_test_summary *ic = &b->tests[RMETHOD_INTEGRITY_CHECK];
	assert_int_equal(ic->tests, 1);
	assert_int_equal(ic->newest_ok, t("2026-10-20T03:00:00Z"));
	assert_string_equal(ic->newest_ok_id, "t2");
	assert_int_equal(ic->newest_ok_location, -1);
	assert_string_equal(ic->newest_ok_tested_backup, "ledger-db-f-20261001");
}

/* What a restore test must say, and keys of the other kind. */
static void test_restore_test_errors(void **state)
{
	struct fixture *f = *state;
	write_log(f, "a.ndjson",
		  TEST("t1", "ledger-db", OK_AT("2026-10-05T00:00:00Z", "2026-10-05T02:00:00Z")
		       ",\"method\":\"restor\"," TESTED)
		  TEST("t2", "ledger-db", OK_AT("2026-10-05T00:00:00Z", "2026-10-05T02:00:00Z"))
		  TEST("t3", "ledger-db", OK_AT("2026-10-05T00:00:00Z", "2026-10-05T02:00:00Z")
		       ",\"method\":\"restore\",\"tested_backup_time\":\"2026-10-06T00:00:00Z\"")
		  TEST("t4", "ledger-db", OK_AT("2026-10-05T00:00:00Z", "2026-10-05T02:00:00Z")
		       ",\"method\":\"restore\"," TESTED ",\"type\":\"full\",\"bytes\":1")
		  "{\"kind\":\"restore-test\",\"id\":\"t5\"}\n"
		  REC("b1", "ledger-db", OK_AT("2026-10-01T01:00:00Z", "2026-10-01T01:30:00Z")
		      ",\"location\":\"offsite\",\"method\":\"restore\""));
	load(f);
	assert_false(f->ok);
	assert_diags(f,
		"backups/a.ndjson:1:153: error: invalid \"method\" value \"restor\" (did you mean "
		"\"restore\"?)\n"
		"backups/a.ndjson:2:1: error: missing required key \"method\" (in a restore test)\n"
		"backups/a.ndjson:2:1: error: missing required key \"tested_backup\" or "
		"\"tested_backup_time\" (a restore test names the backup it tested)\n"
		"backups/a.ndjson:3:184: error: \"tested_backup_time\" is after the restore test: a "
		"test cannot test a later backup\n"
		"backups/a.ndjson:5:9: error: invalid \"kind\" value \"restore-test\" (did you mean "
		"\"restore_test\"?)\n"
		"backups/a.ndjson:4:202: warning: key \"type\" of backup records ignored on a restore "
		"test\n"
		"backups/a.ndjson:4:216: warning: key \"bytes\" of backup records ignored on a "
		"restore test\n"
		"backups/a.ndjson:6:157: warning: key \"method\" of restore tests ignored on a backup "
		"record (a restore test has \"kind\": \"restore_test\")\n");
	assert_int_equal(f->m->restore_test_records, 1);
	assert_int_equal(f->m->backup_records, 1);
}

/* Ids are kept whole up to BACKUP_ID_LIMIT bytes and refused beyond. */
static void test_long_ids(void **state)
{
	struct fixture *f = *state;
	char hex[65], arn[301], big[BACKUP_ID_LIMIT + 2], ok[BACKUP_ID_LIMIT + 1];
	for (int i = 0; i < 64; i++)
		hex[i] = "0123456789abcdef"[i % 16];
	hex[64] = '\0';
	snprintf(arn, sizeof(arn), "arn:aws:backup:eu-west-1:123456789012:recovery-point:%0*d",
		 300 - 53, 7);
	assert_int_equal(strlen(arn), 300);
	memset(big, 'x', BACKUP_ID_LIMIT + 1);
	big[BACKUP_ID_LIMIT + 1] = '\0';
	memset(ok, 'y', BACKUP_ID_LIMIT);
	ok[BACKUP_ID_LIMIT] = '\0';
	char *log = xasprintf(
		"{\"id\":\"%s\",\"datastore\":\"ledger-db\",\"type\":\"full\",%s,\"location\":\"primary\"}\n"
		"{\"kind\":\"restore_test\",\"id\":\"%s\",\"datastore\":\"ledger-db\",%s,"
		"\"method\":\"restore\",\"tested_backup\":\"%s\"}\n"
		"{\"id\":\"%s\",\"datastore\":\"payments-db\",\"type\":\"full\",%s,\"location\":\"primary\"}\n"
		"{\"id\":\"%s\",\"datastore\":\"web-cache\",\"type\":\"full\",%s,\"location\":\"primary\"}\n",
		hex, OK_AT("2026-10-01T01:00:00Z", "2026-10-01T01:30:00Z"), arn,
		OK_AT("2026-10-02T01:00:00Z", "2026-10-02T01:30:00Z"), hex, ok,
		OK_AT("2026-10-01T01:00:00Z", "2026-10-01T01:30:00Z"), big,
		OK_AT("2026-10-01T01:00:00Z", "2026-10-01T01:30:00Z"));
	write_log(f, "a.ndjson", log);
	free(log);
	load(f);
	assert_false(f->ok);
	assert_diags(f, "backups/a.ndjson:4:7: error: \"id\" is 513 bytes long, above the limit "
		     "of 512 bytes\n");
	assert_string_equal(at(f, LEDGER, LOC_PRIMARY)->newest_success_id, hex);
	assert_string_equal(at(f, PAYMENTS, LOC_PRIMARY)->newest_success_id, ok);
	const struct restore_test_summary *r =
		&f->m->datastores[LEDGER].backups.tests[RMETHOD_RESTORE];
	assert_string_equal(r->newest_ok_id, arn);
	assert_string_equal(r->newest_ok_tested_backup, hex);
	assert_int_equal(at(f, WEB, LOC_PRIMARY)->newest_success, DATE_NONE);
}

/* provenance: any object, silently; anything else is an error. */
static void test_provenance(void **state)
{
	struct fixture *f = *state;
	write_log(f, "a.ndjson",
		  REC("b1", "ledger-db", OK_AT("2026-10-01T01:00:00Z", "2026-10-01T01:30:00Z")
		      ",\"location\":\"offsite\",\"provenance\":{\"tool\":\"aws-backup\","
		      "\"resource_arn\":\"arn:aws:rds:eu-west-1:1:db:x\",\"vault\":{\"name\":\"v\","
		      "\"tags\":[1,2,{\"a\":null}]}}")
		  TEST("t1", "ledger-db", OK_AT("2026-10-05T00:00:00Z", "2026-10-05T02:00:00Z")
		       ",\"method\":\"restore\"," TESTED ",\"provenance\":{}")
		  REC("b2", "ledger-db", OK_AT("2026-10-02T01:00:00Z", "2026-10-02T01:30:00Z")
		      ",\"location\":\"offsite\",\"provenance\":\"aws\"")
		  REC("b3", "ledger-db", OK_AT("2026-10-03T01:00:00Z", "2026-10-03T01:30:00Z")
		      ",\"location\":\"offsite\",\"provenance\":null"));
	load(f);
	assert_false(f->ok);
	assert_diags(f, "backups/a.ndjson:3:170: error: \"provenance\" must be an object, found "
		     "a string\n");
	assert_string_equal(at(f, LEDGER, LOC_OFFSITE)->newest_success_id, "b3");
	assert_int_equal(at(f, LEDGER, LOC_OFFSITE)->successes, 2);
	assert_int_equal(f->m->restore_test_records, 1);
}

static void test_offsets_and_future(void **state)
{
	struct fixture *f = *state;
	write_log(f, "a.ndjson",
		  /* 2026-11-01T05:00+05:30 is 2026-10-31T23:30Z: before as_of */
		  REC("ist", "web-cache", OK_AT("2026-11-01T04:00:00+05:30",
						"2026-11-01T05:00:00+05:30")
		      ",\"location\":\"primary\"")
		  /* 2026-10-31T20:00-08:00 is 2026-11-01T04:00Z: after as_of */
		  REC("pst", "web-cache", OK_AT("2026-10-31T19:00:00-08:00",
						"2026-10-31T20:00:00-08:00")
		      ",\"location\":\"primary\"")
		  /* a running job counts by its start */
		  REC("run", "web-cache", "\"started\":\"2026-11-02T00:00:00Z\","
		      "\"status\":\"running\",\"location\":\"secondary\"")
		  /* fractional seconds are dropped */
		  REC("frac", "web-cache", OK_AT("2026-10-01T00:00:00.5Z", "2026-10-01T00:00:09.999Z")
		      ",\"location\":\"offsite\""));
	load(f);
	assert_true(f->ok);
	assert_diags(f, "");
	const struct backup_summary *b = &f->m->datastores[WEB].backups;
	assert_int_equal(b->records, 4);
	assert_int_equal(b->future, 2);
	assert_int_equal(b->at[LOC_PRIMARY].records, 1);
	assert_int_equal(b->at[LOC_PRIMARY].newest_success, t("2026-10-31T23:30:00Z"));
	assert_string_equal(b->at[LOC_PRIMARY].newest_success_id, "ist");
	assert_int_equal(b->at[LOC_SECONDARY].records, 0);
	assert_int_equal(b->at[LOC_OFFSITE].newest_success, t("2026-10-01T00:00:09Z"));
}

static void test_unknown_datastores(void **state)
{
	struct fixture *f = *state;
	write_log(f, "a.ndjson",
		  REC("u1", "zeta-db", OK_AT("2026-10-01T00:00:00Z", "2026-10-01T00:10:00Z")
		      ",\"location\":\"primary\"")
		  REC("u2", "alpha-db", OK_AT("2026-10-01T00:00:00Z", "2026-10-01T00:10:00Z")
		      ",\"location\":\"primary\"")
		  REC("u3", "zeta-db", OK_AT("2026-10-01T00:00:00Z", "2026-10-01T00:10:00Z")
		      ",\"location\":\"primary\""));
	write_log(f, "b.ndjson",
		  REC("u4", "zeta-db", OK_AT("2026-10-01T00:00:00Z", "2026-10-01T00:10:00Z")
		      ",\"location\":\"primary\"")
		  REC("k1", "ledger-db", OK_AT("2026-10-01T00:00:00Z", "2026-10-01T00:10:00Z")
		      ",\"location\":\"primary\""));
	load(f);
	assert_true(f->ok);  /* a warning, not an error */
	assert_int_equal(f->m->n_unknown_datastores, 2);
	assert_string_equal(f->m->unknown_datastores[0].id, "alpha-db");
	assert_int_equal(f->m->unknown_datastores[0].records, 1);
	assert_string_equal(f->m->unknown_datastores[1].id, "zeta-db");
	assert_int_equal(f->m->unknown_datastores[1].records, 3);
	assert_int_equal(f->m->backup_records, 5);
	assert_int_equal(at(f, LEDGER, LOC_PRIMARY)->successes, 1);
	assert_diags(f, "backups: warning: 4 backup records name 2 datastores the plan does "
		     "not have\n"
		     "backups: note: records per datastore, most first: zeta-db (3), alpha-db (1)\n");
}

static void test_inputs_recorded(void **state)
{
	struct fixture *f = *state;
	const char *text = REC("x", "ledger-db", OK_AT("2026-10-01T00:00:00Z",
						    "2026-10-01T00:10:00Z")
				",\"location\":\"primary\"");
	write_log(f, "z.ndjson", text);
	write_log(f, "a.ndjson", "");
	write_log(f, "ignored.json", "not a log");
	load(f);
	assert_true(f->ok);
	const struct source_input *in;
	assert_int_equal(source_inputs(f->src, &in), 2);
	assert_string_equal(in[0].path, "backups/a.ndjson");
	assert_string_equal(in[0].kind, "backups");
	assert_int_equal(in[0].size, 0);
	assert_string_equal(in[0].sha256,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	char want[65];
	source_sha256_hex(text, strlen(text), want);
	assert_string_equal(in[1].path, "backups/z.ndjson");
	assert_string_equal(in[1].sha256, want);
	assert_int_equal(in[1].size, strlen(text));
}

static void test_no_backups_folder(void **state)
{
	struct fixture *f = *state;
	char sub[300];
	snprintf(sub, sizeof(sub), "%s/backups", f->root);
	assert_int_equal(rmdir(sub), 0);
	load(f);
	assert_true(f->ok);
	assert_diags(f, "");
	assert_int_equal(f->m->backup_records, 0);
	assert_int_equal(at(f, LEDGER, LOC_PRIMARY)->newest_success, DATE_NONE);
	assert_int_equal(f->m->datastores[LEDGER].backups.tests[RMETHOD_RESTORE].newest_ok, DATE_NONE);
	assert_int_equal(at(f, LEDGER, LOC_PRIMARY)->newest_verified, DATE_NONE);
}

static void test_line_forms(void **state)
{
	struct fixture *f = *state;
	/* BOM, CRLF, blank lines, spaces, escapes, no final newline. */
	write_log(f, "a.ndjson",
		  "\xEF\xBB\xBF{\"id\":\"a\",\"datastore\":\"ledger-db\",\"type\":\"full\","
		  "\"started\":\"2026-10-01T00:00:00Z\",\"finished\":\"2026-10-01T00:10:00Z\","
		  "\"status\":\"success\",\"location\":\"primary\"}\r\n"
		  "\n"
		  "   \t \r\n"
		  "  { \"id\" : \"b\" , \"datastore\" : \"ledger\\u002ddb\" , \"type\" : \"full\" ,"
		  " \"started\" : \"2026-10-02T00:00:00Z\" , \"finished\" : \"2026-10-02T00:10:00Z\" ,"
		  " \"status\" : \"\\u0073uccess\" , \"location\" : \"primary\" ,"
		  " \"region\" : \"caf\\u00e9 \\ud83d\\ude00\" }  \n"
		  "{\"id\":\"c\",\"datastore\":\"ledger-db\",\"type\":\"full\","
		  "\"started\":\"2026-09-01T00:00:00Z\",\"finished\":\"2026-09-01T00:10:00Z\","
		  "\"status\":\"success\",\"location\":\"primary\"}");
	load(f);
	assert_true(f->ok);
	assert_diags(f, "");
	assert_int_equal(at(f, LEDGER, LOC_PRIMARY)->successes, 3);
	assert_string_equal(at(f, LEDGER, LOC_PRIMARY)->newest_success_id, "b");
	assert_string_equal(at(f, LEDGER, LOC_PRIMARY)->newest_success_region,
			    "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

static void test_long_strings_cut_safely(void **state)
{
	struct fixture *f = *state;
	/* Ids are whole (test_long_ids); a region is cut: 30 ASCII bytes then
	 * "é" (2 bytes) do not fit in 31. */
	char id[80], region[64], line[512];
	memset(id, 'x', 62);
	strcpy(id + 62, "\xC3\xA9zz");
	memset(region, 'r', 30);
	strcpy(region + 30, "\xC3\xA9rrrr");
	snprintf(line, sizeof(line),
		 REC("%s", "ledger-db", OK_AT("2026-10-01T00:00:00Z", "2026-10-01T00:10:00Z")
		     ",\"location\":\"primary\",\"region\":\"%s\""), id, region);
	write_log(f, "a.ndjson", line);
	load(f);
	assert_true(f->ok);
	const struct backup_location_summary *s = at(f, LEDGER, LOC_PRIMARY);
	assert_string_equal(s->newest_success_id, id);
	assert_int_equal(strlen(s->newest_success_region), 30);
}

/* ------------------------------------------------------------------ */
/* Validation                                                          */

struct bad_case {
	const char *line;      /* without the newline */
	const char *expected;  /* the diagnostics after "backups/a.ndjson:" */
};

#define GOOD "\"id\":\"j\",\"datastore\":\"ledger-db\",\"type\":\"full\"," \
	"\"started\":\"2026-10-01T00:00:00Z\",\"finished\":\"2026-10-01T01:00:00Z\"," \
	"\"status\":\"success\",\"location\":\"primary\""

static const struct bad_case bad_cases[] = {
	{"[1,2]", "1:1: error: expected a JSON object, found an array"},
	{"\"text\"", "1:1: error: expected a JSON object, found a string"},
	{"42", "1:1: error: expected a JSON object, found a number"},
	{"nonsense", "1:1: error: invalid JSON: expected '{', found 'n'"},
	{"{", "1:2: error: invalid JSON: expected a key in double quotes, found the end of the line"},
	{"{\"id\":\"j\",}", "1:11: error: invalid JSON: expected a key in double quotes, found '}'"},
	{"{\"id\" \"j\"}", "1:7: error: invalid JSON: expected ':' after a key, found '\"'"},
	{"{\"id\":\"j\" \"x\"}", "1:11: error: invalid JSON: expected ',' or '}', found '\"'"},
	{"{\"id\":\"j}", "1:7: error: invalid JSON: unterminated string"},
	{"{\"id\":\"a\tb\"}",
	 "1:9: error: invalid JSON: control character U+0009 in a string (write it as an escape)"},
	{"{\"id\":\"a\\qb\"}",
	 "1:9: error: invalid JSON: invalid escape, backslash followed by 'q'"},
	{"{\"id\":\"\\u12G4\"}",
	 "1:8: error: invalid JSON: \\u must be followed by four hex digits"},
	{"{\"id\":\"\\ud800x\"}", "1:8: error: invalid JSON: unpaired surrogate in \\u escape"},
	{"{\"id\":\"\\u0000\"}", "1:8: error: \\u0000 (NUL) is not allowed in strings"},
	{"{\"bytes\":01}", "1:10: error: invalid JSON: invalid number"},
	{"{\"bytes\":1.}", "1:10: error: invalid JSON: invalid number"},
	{"{\"bytes\":-}", "1:10: error: invalid JSON: invalid number"},
	{"{\"immutable\":tru}",
	 "1:14: error: invalid JSON: expected a value (a string, number, object, array, "
	 "true, false or null)"},
	{"{\"x\":[1,{\"a\":}]}", "1:14: error: invalid JSON: expected a value, found '}'"},
	{"{" GOOD "} x", "1:157: error: invalid JSON: 'x' after the end of the record"},
	{"{\"id\":\"caf\xC3\"}", "1:11: error: invalid UTF-8 (byte 0xc3)"},
	{"{\"id\":\"ok\"}\xFF", "1:12: error: invalid UTF-8 (byte 0xff)"},
	{"{}", "1:1: error: missing required keys \"id\", \"datastore\", \"type\", \"started\", "
	       "\"status\", \"location\""},
	{"{\"id\":\"j\",\"datastore\":\"ledger-db\",\"type\":\"full\","
	 "\"started\":\"2026-10-01T00:00:00Z\",\"location\":\"primary\"}",
	 "1:1: error: missing required key \"status\""},
	{"{\"id\":\"j\",\"datastore\":\"ledger-db\",\"type\":\"full\","
	 "\"started\":\"2026-10-01T00:00:00Z\",\"status\":\"failed\",\"location\":\"primary\"}",
	 "1:1: error: missing required key \"finished\" (required unless \"status\" is \"running\")"},
	{"{\"id\":\"j\",\"datastore\":\"ledger-db\",\"type\":\"full\","
	 "\"started\":\"2026-10-01T00:00:00Z\",\"finished\":null,\"status\":\"partial\","
	 "\"location\":\"primary\"}",
	 "1:93: error: \"finished\" must be a string when \"status\" is \"partial\", found null"},
	{"{" GOOD ",\"status\":\"failed\"}", "1:156: error: duplicate key \"status\""},
	{"{" GOOD ",\"bytes\":\"12\"}", "1:164: error: \"bytes\" must be a number, found a string"},
	{"{" GOOD ",\"bytes\":-5}", "1:164: error: \"bytes\" must not be negative"},
	{"{" GOOD ",\"bytes\":1.5}", "1:164: error: \"bytes\" must be a whole number"},
	{"{" GOOD ",\"bytes\":18446744073709551616}", "1:164: error: \"bytes\" is too large"},
	{"{" GOOD ",\"retention_days\":-1}",
	 "1:173: error: \"retention_days\" must not be negative"},
	{"{" GOOD ",\"immutable\":\"yes\"}",
	 "1:168: error: \"immutable\" must be true or false, found a string"},
	{"{" GOOD ",\"verified_ok\":1}",
	 "1:170: error: \"verified_ok\" must be true or false, found a number"},
	{"{" GOOD ",\"region\":[\"a\"]}", "1:165: error: \"region\" must be a string, found an array"},
	{"{\"id\":null,\"datastore\":\"ledger-db\",\"type\":\"full\","
	 "\"started\":\"2026-10-01T00:00:00Z\",\"status\":\"running\",\"location\":\"primary\"}",
	 "1:7: error: \"id\" must be a string, found null"},
	{"{\"id\":\"\",\"datastore\":\"ledger-db\",\"type\":\"full\","
	 "\"started\":\"2026-10-01T00:00:00Z\",\"status\":\"running\",\"location\":\"primary\"}",
	 "1:7: error: \"id\" must not be empty"},
	{"{\"id\":\"j\",\"datastore\":\"ledger-db\",\"type\":\"weekly\","
	 "\"started\":\"2026-10-01T00:00:00Z\",\"status\":\"running\",\"location\":\"primary\"}",
	 "1:42: error: invalid \"type\" value \"weekly\": expected full, incremental, "
	 "snapshot or continuous"},
	{"{\"id\":\"j\",\"datastore\":\"ledger-db\",\"type\":\"full\","
	 "\"started\":\"2026-10-01T00:00:00Z\",\"status\":\"sucess\",\"location\":\"primary\"}",
	 "1:91: error: invalid \"status\" value \"sucess\" (did you mean \"success\"?)"},
	{"{\"id\":\"j\",\"datastore\":\"ledger-db\",\"type\":\"full\","
	 "\"started\":\"2026-10-01T00:00:00Z\",\"status\":\"running\",\"location\":\"moon\"}",
	 "1:112: error: invalid \"location\" value \"moon\": expected primary, secondary "
	 "or offsite"},
	{"{" GOOD ",\"verification\":\"sha\"}",
	 "1:171: error: invalid \"verification\" value \"sha\": expected none, size_check, "
	 "checksum or restore_test"},
	{"{\"id\":\"j\",\"datastore\":\"ledger-db\",\"type\":\"full\","
	 "\"started\":\"2026-10-01\",\"status\":\"running\",\"location\":\"primary\"}",
	 "1:59: error: invalid \"started\" time \"2026-10-01\": expected an RFC 3339 "
	 "date-time with offset, like 2026-10-01T02:00:00Z"},
	{"{\"id\":\"j\",\"datastore\":\"ledger-db\",\"type\":\"full\","
	 "\"started\":\"2026-02-29T00:00:00Z\",\"status\":\"running\",\"location\":\"primary\"}",
	 "1:59: error: invalid \"started\" time \"2026-02-29T00:00:00Z\": expected an RFC 3339 "
	 "date-time with offset, like 2026-10-01T02:00:00Z"},
	{"{\"id\":\"j\",\"datastore\":\"ledger-db\",\"type\":\"full\","
	 "\"started\":\"2026-10-01T05:00:00Z\",\"finished\":\"2026-10-01T06:00:00+02:00\","
	 "\"status\":\"success\",\"location\":\"primary\"}",
	 "1:93: error: \"finished\" is before \"started\""},
	/* Several problems in one record are all reported. */
	{"{\"id\":\"j\",\"datastore\":\"ledger-db\",\"type\":\"fll\","
	 "\"started\":\"2026-10-01T05:00:00Z\",\"finished\":\"2026-10-01T06:00:00Z\","
	 "\"status\":\"success\",\"location\":\"offsite\",\"bytes\":-1}",
	 "1:42: error: invalid \"type\" value \"fll\" (did you mean \"full\"?)\n"
	 "backups/a.ndjson:1:163: error: \"bytes\" must not be negative"},
	/* An escaped quote in a message value is shown escaped. */
	{"{\"id\":\"j\",\"datastore\":\"ledger-db\",\"type\":\"a\\\"b\\n\","
	 "\"started\":\"2026-10-01T00:00:00Z\",\"status\":\"running\",\"location\":\"primary\"}",
	 "1:42: error: invalid \"type\" value \"a\\\"b\\u000a\": expected full, incremental, "
	 "snapshot or continuous"},
};

static void test_each_error_message(void **state)
{
	struct fixture *f = *state;
	int failures = 0;
	for (size_t i = 0; i < ARRAY_LEN(bad_cases); i++) {
		struct buf text = BUF_INIT, want = BUF_INIT;
		buf_printf(&text, "%s\n", bad_cases[i].line);
		write_log(f, "a.ndjson", text.data);
		buf_printf(&want, "backups/a.ndjson:%s\n", bad_cases[i].expected);
		load(f);
		char *got = diags_text(f);
		if (strcmp(got, want.data) != 0) {
			fprintf(stderr, "case %zu: %s\nexpected: %sgot:      %s", i,
				bad_cases[i].line, want.data, got);
			failures++;
		}
		assert_false(f->ok);
		assert_int_equal(f->m->backup_records, 0);
		free(got);
		buf_free(&text);
		buf_free(&want);
	}
	assert_int_equal(failures, 0);
}

static void test_unknown_keys_once_per_file(void **state)
{
	struct fixture *f = *state;
	struct buf text = BUF_INIT;
	for (int i = 0; i < 5; i++)
		buf_printf(&text, "{" GOOD ",\"stauts\":\"x\",\"note\":{\"a\":[1,2,{}]}}\n");
	buf_printf(&text, "{" GOOD ",\"extra\":null}\n");
	write_log(f, "a.ndjson", text.data);
	write_log(f, "b.ndjson", "{" GOOD ",\"note\":1}\n");
	load(f);
	assert_true(f->ok);
	assert_int_equal(f->m->backup_records, 7);
	assert_diags(f,
		     "backups/a.ndjson:1:156: warning: unknown key \"stauts\" (did you mean "
		     "\"status\"?) in 5 records, first here\n"
		     "backups/a.ndjson:1:169: warning: unknown key \"note\" in 5 records, "
		     "first here\n"
		     "backups/a.ndjson:6:156: warning: unknown key \"extra\"\n"
		     "backups/b.ndjson:1:156: warning: unknown key \"note\"\n");
	buf_free(&text);
}

static void test_error_cap(void **state)
{
	struct fixture *f = *state;
	struct buf text = BUF_INIT;
	for (int i = 0; i < 60; i++)
		buf_puts(&text, "oops\n");
	write_log(f, "a.ndjson", text.data);
	load_with(f, 2, 64, 3);
	assert_false(f->ok);
	assert_diags(f, "backups/a.ndjson:1:1: error: invalid JSON: expected '{', found 'o'\n"
		     "backups/a.ndjson:2:1: error: invalid JSON: expected '{', found 'o'\n"
		     "backups/a.ndjson:3:1: error: invalid JSON: expected '{', found 'o'\n"
		     "backups/a.ndjson: note: 57 more errors in this file not shown\n");
	buf_free(&text);
}

static void test_line_too_long(void **state)
{
	struct fixture *f = *state;
	size_t n = SOURCE_MAX_LINE + 10;
	struct buf text = BUF_INIT;
	buf_printf(&text, "{" GOOD "}\n");
	/* A string value just over the limit, then a good line. */
	buf_puts(&text, "{\"id\":\"");
	for (size_t i = 0; i < n; i++)
		buf_putc(&text, 'x');
	buf_puts(&text, "\"}\n{" GOOD "}\n");
	/* Exactly at the limit is allowed (and then fails for other reasons). */
	buf_puts(&text, "{\"id\":\"");
	for (size_t i = 0; i < SOURCE_MAX_LINE - 9; i++)
		buf_putc(&text, 'y');
	buf_puts(&text, "\"}\n");
	/* Over the limit without a final newline. */
	for (size_t i = 0; i < n; i++)
		buf_putc(&text, 'z');
	write_file(f, "a.ndjson", text.data, text.len);
	for (int threads = 1; threads <= 2; threads++) {
		load_with(f, threads, threads == 1 ? 0 : 4096, 0);
		assert_false(f->ok);
		assert_int_equal(f->m->backup_records, 2);
		assert_diags(f,
			     "backups/a.ndjson:2:1: error: line longer than the limit of 1048576 bytes\n"
			     "backups/a.ndjson:4:7: error: \"id\" is 1048567 bytes long, above the "
			     "limit of 512 bytes\n"
			     "backups/a.ndjson:4:1: error: missing required keys \"datastore\", "
			     "\"type\", \"started\", \"status\", \"location\"\n"
			     "backups/a.ndjson:5:1: error: line longer than the limit of 1048576 bytes\n");
	}
	buf_free(&text);
}

/* ------------------------------------------------------------------ */
/* Chunks and threads                                                  */

/* A log of n lines mixing every kind of record, some bad. */
static void mixed_log(struct buf *b, int n, unsigned seed)
{
	static const char *const ds[] = {"ledger-db", "payments-db", "web-cache", "other-db",
					 "legacy"};
	static const char *const st[] = {"success", "success", "success", "failed",
					 "partial", "running"};
	static const char *const loc[] = {"primary", "secondary", "offsite"};
	static const char *const ver[] = {"none", "checksum", "restore_test", "size_check"};
	unsigned x = seed;
	for (int i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		unsigned r = x >> 8;
		if (r % 97 == 0) {
			buf_puts(b, "{\"id\":broken}\n");
			continue;
		}
		if (r % 89 == 0) {
			buf_puts(b, "\n");
			continue;
		}
		const char *s = st[r % 6];
		int day = 1 + (int)(r / 7 % 34), hour = (int)(r / 11 % 24);
		int mon = day > 31 ? 11 : 10;
		if (day > 31)
			day -= 31;
		if (r % 7 == 0) {  /* a restore test, of either method */
			buf_printf(b, "{\"kind\":\"restore_test\",\"id\":\"t%d%s\",\"datastore\":\"%s\","
				   "\"started\":\"2026-%02d-%02dT%02d:00:00Z\",",
				   (int)(r % 23), r % 2 ? "-long-id-of-a-restore-job" : "", ds[r / 3 % 5],
				   mon, day, hour);
			if (strcmp(s, "running") != 0)
				buf_printf(b, "\"finished\":\"2026-%02d-%02dT%02d:30:00Z\",", mon, day,
					   hour);
			buf_printf(b, "\"status\":\"%s\",\"method\":\"%s\",\"tested_backup\":\"j%d\"%s}\n",
				   s, r / 17 % 2 ? "restore" : "integrity_check", (int)(r % 50),
				   r % 3 ? ",\"location\":\"offsite\"" : "");
			continue;
		}
		buf_printf(b, "{\"id\":\"j%d\",\"datastore\":\"%s\",\"type\":\"incremental\","
			   "\"started\":\"2026-%02d-%02dT%02d:00:00Z\",",
			   (int)(r % 50), ds[r / 3 % 5], mon, day, hour);
		if (strcmp(s, "running") != 0)
			buf_printf(b, "\"finished\":\"2026-%02d-%02dT%02d:30:00+00:00\",", mon, day,
				   hour);
		buf_printf(b, "\"status\":\"%s\",\"location\":\"%s\",\"bytes\":%u,"
			   "\"region\":\"r%u\",\"retention_days\":%u,\"verification\":\"%s\","
			   "\"verified_ok\":%s%s}\n",
			   s, loc[r / 5 % 3], r % 1000, r % 3, r % 40, ver[r / 13 % 4],
			   r % 3 ? "true" : "false", r % 31 == 0 ? ",\"odd\":1" : "");
	}
}

static char *summary_dump(const struct fixture *f)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < f->m->n_datastores; i++)
		buf_append(&b, (const char *)&f->m->datastores[i].backups,
			   sizeof(struct backup_summary));
	buf_printf(&b, "|%llu|%llu|", (unsigned long long)f->m->backup_records,
		   (unsigned long long)f->m->restore_test_records);
	for (size_t i = 0; i < f->m->n_unknown_datastores; i++)
		buf_printf(&b, "%s=%llu;", f->m->unknown_datastores[i].id,
			   (unsigned long long)f->m->unknown_datastores[i].records);
	char *d = diags_text(f);
	buf_puts(&b, d);
	free(d);
	return buf_detach(&b, NULL);
}

static void test_same_result_any_threads_and_chunks(void **state)
{
	struct fixture *f = *state;
	struct buf a = BUF_INIT, b = BUF_INIT;
	mixed_log(&a, 3000, 1);
	mixed_log(&b, 1700, 2);
	write_file(f, "a.ndjson", a.data, a.len);
	write_file(f, "b.ndjson", b.data, b.len);
	load_with(f, 1, 0, 0);
	size_t len = sizeof(struct backup_summary) * f->m->n_datastores;
	char *want = summary_dump(f);
	assert_true(f->m->backup_records > 3500);
	assert_true(f->m->restore_test_records > 400);
	assert_true(f->m->n_unknown_datastores == 2);
	static const struct {
		int threads;
		size_t chunk;
	} runs[] = {{2, 0}, {2, 1000}, {3, 777}, {8, 301}, {1, 5000}};
	for (size_t i = 0; i < ARRAY_LEN(runs); i++) {
		load_with(f, runs[i].threads, runs[i].chunk, 0);
		char *got = summary_dump(f);
		assert_memory_equal(got, want, len);
		assert_string_equal(got + len, want + len);
		free(got);
	}
	free(want);
	buf_free(&a);
	buf_free(&b);
}

static void test_chunk_line_numbers(void **state)
{
	struct fixture *f = *state;
	struct buf text = BUF_INIT;
	for (int i = 1; i <= 200; i++) {
		if (i % 37 == 0)
			buf_printf(&text, "bad %d\n", i);
		else if (i % 41 == 0)
			buf_printf(&text, "{" GOOD ",\"k%d\":1}\n", i);
		else
			buf_printf(&text, "{" GOOD "}\n");
	}
	write_file(f, "a.ndjson", text.data, text.len);
	const char *want =
		"backups/a.ndjson:37:1: error: invalid JSON: expected '{', found 'b'\n"
		"backups/a.ndjson:74:1: error: invalid JSON: expected '{', found 'b'\n"
		"backups/a.ndjson:111:1: error: invalid JSON: expected '{', found 'b'\n"
		"backups/a.ndjson:148:1: error: invalid JSON: expected '{', found 'b'\n"
		"backups/a.ndjson:185:1: error: invalid JSON: expected '{', found 'b'\n"
		"backups/a.ndjson:41:156: warning: unknown key \"k41\"\n"
		"backups/a.ndjson:82:156: warning: unknown key \"k82\"\n"
		"backups/a.ndjson:123:156: warning: unknown key \"k123\"\n"
		"backups/a.ndjson:164:156: warning: unknown key \"k164\"\n";
	size_t chunks[] = {0, 1, 200, 203, 1000, 4096};
	for (size_t i = 0; i < ARRAY_LEN(chunks); i++) {
		load_with(f, 2, chunks[i], 0);
		assert_diags(f, want);
		assert_int_equal(f->m->backup_records, 195);
	}
	buf_free(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newest_per_location, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newest_tie_broken_by_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_period_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_restore_verification, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_test_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_provenance, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offsets_and_future, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_datastores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inputs_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_backups_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_strings_cut_safely, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_error_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_keys_once_per_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_result_any_threads_and_chunks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_chunk_line_numbers, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
