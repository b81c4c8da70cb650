/*
 * fuzz_backups.c -- libFuzzer target for the backup-log loader.
 *
 * Input: one option byte, then the contents of backups/log.ndjson.  The log
 * is written into a plan folder made once per process (fuzz.h) and read by
 * load_backups_with, as a build reads it.  The option byte picks
 *   bits 0-2  the chunk size (default, or 1 to 65536 bytes: small chunks
 *             put chunk boundaries between and inside every line),
 *   bits 3-4  max_errors (default, 1, 2 or 5),
 *   bit 5     threads: 1 or 2,
 *   bit 6     a second load with 3 threads, whose summaries and
 *             diagnostics must equal the first (load_backups.h: "the
 *             result is the same for any number of threads").
 * The model has a few datastores named like the sample's, so seeds from
 * samples/ reach the folding code, and others count as unknown.
 *
 * Checked besides memory safety: the return value agrees with the errors
 * added, and the summaries add up (successes by type sum to successes,
 * every record is counted once: per location, in the future, or unknown).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dates.h"
#include "diag.h"
#include "fuzz.h"
#include "load_backups.h"
#include "model.h"
#include "source.h"

static const char *const ds_ids[] = {
	"auth-db", "ledger-db", "settlement-files", "events-kafka", "wiki-attachments",
};

static struct model *fuzz_model(void)
{
	struct model *m = model_new();
	m->datastores = arena_calloc(m->arena, ARRAY_LEN(ds_ids), sizeof(*m->datastores));
	for (size_t i = 0; i < ARRAY_LEN(ds_ids); i++) {
		m->datastores[i].id = arena_strdup(m->arena, ds_ids[i]);
		strmap_put(m->datastore_by_id, m->datastores[i].id, &m->datastores[i]);
	}
	m->n_datastores = ARRAY_LEN(ds_ids);
	const char *asof = "2026-11-01T00:00:00Z";
	FUZZ_ASSERT(date_parse_rfc3339(asof, strlen(asof), &m->as_of));
	FUZZ_ASSERT(date_parse_month("2026-10", 7, &m->period_start, &m->period_end));
	return m;
}

struct run {
	struct model *m;
	struct source_set *src;
	struct diags *d;
};

static void run_load(const char *dir, struct run *r, int threads, size_t chunk,
		     size_t max_errors)
{
	r->m = fuzz_model();
	r->src = source_set_new(dir);
	r->d = diags_new();
	struct load_backups_options o = {threads, chunk, max_errors};
	bool ok = load_backups_with(r->m, r->src, r->d, &o);
	FUZZ_ASSERT(ok == (diags_count(r->d, DIAG_ERROR) == 0));
}

static void run_free(struct run *r)
{
	diags_free(r->d);
	source_set_free(r->src);
	model_free(r->m);
}

static void check_sums(const struct model *m)
{
	uint64_t total = 0;
	for (size_t i = 0; i < m->n_datastores; i++) {
		const struct backup_summary *b = &m->datastores[i].backups;
		/* b->future counts late records of both kinds, so the locations
		 * plus the late ones are at most the records of both kinds. */
		uint64_t records = 0;
		for (int l = 0; l < LOC_COUNT; l++) {
			const struct backup_location_summary *a = &b->at[l];
			uint64_t by_type = 0;
			for (int t = 0; t < BTYPE_COUNT; t++)
				by_type += a->successes_by_type[t];
			FUZZ_ASSERT(by_type == a->successes);
			FUZZ_ASSERT(a->successes <= a->records);
			FUZZ_ASSERT(a->failures_in_period <= a->records - a->successes);
			FUZZ_ASSERT(a->successes_unencrypted <= a->successes);
			FUZZ_ASSERT(a->successes_immutable <= a->successes);
			FUZZ_ASSERT(a->newest_success == DATE_NONE ||
				    a->newest_success <= m->as_of);
			FUZZ_ASSERT(memchr(a->newest_success_id, '\0', BACKUP_ID_MAX));
			FUZZ_ASSERT(memchr(a->newest_success_region, '\0', BACKUP_NAME_MAX));
			records += a->records;
		}
		FUZZ_ASSERT(records <= b->records);
		FUZZ_ASSERT(records + b->future <= b->records + b->restore_test_records);
		total += b->records + b->restore_test_records;
	}
	/* An unknown datastore counts records of both kinds. */
	for (size_t i = 0; i < m->n_unknown_datastores; i++)
		total += m->unknown_datastores[i].records;
	FUZZ_ASSERT(total == m->backup_records + m->restore_test_records);
}

#define SAME_STR(a, b) FUZZ_ASSERT(strcmp((a), (b)) == 0)

static void check_same_location(const struct backup_location_summary *a,
				const struct backup_location_summary *b)
{
	FUZZ_ASSERT(a->records == b->records && a->successes == b->successes);
	FUZZ_ASSERT(a->failures_in_period == b->failures_in_period);
	FUZZ_ASSERT(a->newest_success == b->newest_success);
	SAME_STR(a->newest_success_id, b->newest_success_id);
	SAME_STR(a->newest_success_region, b->newest_success_region);
	SAME_STR(a->newest_encryption, b->newest_encryption);
	SAME_STR(a->newest_compression, b->newest_compression);
	FUZZ_ASSERT(a->bytes_retained == b->bytes_retained);
	FUZZ_ASSERT(a->successes_unencrypted == b->successes_unencrypted);
	FUZZ_ASSERT(a->successes_immutable == b->successes_immutable);
	FUZZ_ASSERT(memcmp(a->successes_by_type, b->successes_by_type,
			   sizeof(a->successes_by_type)) == 0);
	FUZZ_ASSERT(a->newest_verified == b->newest_verified);
	FUZZ_ASSERT(a->verification_failures == b->verification_failures);
	FUZZ_ASSERT(a->max_retention_days == b->max_retention_days);
}

static void check_same_tests(const struct restore_test_summary *a,
			     const struct restore_test_summary *b)
{
	FUZZ_ASSERT(a->tests == b->tests && a->failures_in_period == b->failures_in_period);
	FUZZ_ASSERT(a->newest_ok == b->newest_ok && a->newest_failed == b->newest_failed);
	SAME_STR(a->newest_ok_id, b->newest_ok_id);
	SAME_STR(a->newest_ok_tested_backup, b->newest_ok_tested_backup);
	FUZZ_ASSERT(a->newest_ok_tested_time == b->newest_ok_tested_time);
	FUZZ_ASSERT(a->newest_ok_location == b->newest_ok_location);
	FUZZ_ASSERT(memcmp(a->newest_ok_at, b->newest_ok_at, sizeof(a->newest_ok_at)) == 0);
	SAME_STR(a->newest_failed_id, b->newest_failed_id);
}

static bool same_opt(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_same(const struct run *x, const struct run *y)
{
	const struct model *a = x->m, *b = y->m;
	FUZZ_ASSERT(a->backup_records == b->backup_records);
	for (size_t i = 0; i < a->n_datastores; i++) {
		const struct backup_summary *sa = &a->datastores[i].backups;
		const struct backup_summary *sb = &b->datastores[i].backups;
		FUZZ_ASSERT(sa->records == sb->records && sa->future == sb->future);
		FUZZ_ASSERT(sa->restore_test_records == sb->restore_test_records);
		for (int l = 0; l < LOC_COUNT; l++)
			check_same_location(&sa->at[l], &sb->at[l]);
		for (int k = 0; k < RMETHOD_COUNT; k++)
			check_same_tests(&sa->tests[k], &sb->tests[k]);
	}
	FUZZ_ASSERT(a->n_unknown_datastores == b->n_unknown_datastores);
	for (size_t i = 0; i < a->n_unknown_datastores; i++) {
		SAME_STR(a->unknown_datastores[i].id, b->unknown_datastores[i].id);
		FUZZ_ASSERT(a->unknown_datastores[i].records == b->unknown_datastores[i].records);
	}
	FUZZ_ASSERT(diags_len(x->d) == diags_len(y->d));
	for (size_t i = 0; i < diags_len(x->d); i++) {
		const struct diag *p = diags_get(x->d, i), *q = diags_get(y->d, i);
		FUZZ_ASSERT(p->severity == q->severity && p->line == q->line &&
			    p->col == q->col);
		FUZZ_ASSERT(same_opt(p->file, q->file) && same_opt(p->where, q->where));
		SAME_STR(p->message, q->message);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t chunks[8] = {0, 1, 7, 64, 200, 1024, 4096, 65536};
	static const size_t max_errors[4] = {0, 1, 2, 5};
	static const char *dir;
	if (size < 1)
		return 0;
	if (!dir) {
		static const char *const subdirs[] = {"backups"};
		dir = fuzz_dir_make("backups", subdirs, 1);
	}
	uint8_t opt = data[0];
	fuzz_write_file(dir, "backups/log.ndjson", data + 1, size - 1);

	struct run a, b;
	size_t chunk = chunks[opt & 7], errs = max_errors[(opt >> 3) & 3];
	run_load(dir, &a, opt & 0x20 ? 2 : 1, chunk, errs);
	check_sums(a.m);
	fuzz_check_diags(a.d);
	if (opt & 0x40) {
		run_load(dir, &b, 3, chunk, errs);
		check_same(&a, &b);
		run_free(&b);
	}
	run_free(&a);
	return 0;
}
