/* test_analyze.c -- facts from small hand-built models. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

#include "analyze.h"
#include "dates.h"
#include "diag.h"
#include "model.h"
#include "restore_tests.h"

#define MIN 60
#define HOUR 3600
#define DAY 86400

static int64_t T(const char *s)
{
	int64_t t;
	assert_true(date_parse_any(s, strlen(s), &t));
	return t;
}

/* A model with n services "s0".."s{n-1}", October 2026, as of Nov 1. */
static struct model *model_with(size_t n)
{
	struct model *m = model_new();

	m->as_of = T("2026-11-01T00:00:00Z");
	m->period_start = T("2026-10-01");
	m->period_end = T("2026-11-01");
	m->n_services = n;
	m->services = arena_calloc(m->arena, n ? n : 1, sizeof(*m->services));
	for (size_t i = 0; i < n; i++) {
		struct service *s = &m->services[i];
		s->id = arena_printf(m->arena, "s%zu", i);
		s->name = s->id;
		strmap_put(m->service_by_id, s->id, s);
	}
	return m;
}

/* Declares the dependencies of service s: a list of indices ended by -1. */
static void deps(struct model *m, size_t s, ...)
{
	struct service *sv = &m->services[s];
	va_list ap;
	int d;

	sv->depends_on = arena_calloc(m->arena, 8, sizeof(*sv->depends_on));
	sv->depends_on_index = arena_calloc(m->arena, 8, sizeof(*sv->depends_on_index));
	va_start(ap, s);
	while ((d = va_arg(ap, int)) >= 0) {
		sv->depends_on[sv->n_depends_on] = m->services[d].id;
		sv->depends_on_index[sv->n_depends_on++] = (size_t)d;
	}
	va_end(ap);
}

static void regions(struct model *m, size_t s, size_t n, const size_t *idx)
{
	struct service *sv = &m->services[s];
	sv->n_regions = n;
	sv->region_index = arena_calloc(m->arena, n ? n : 1, sizeof(size_t));
	sv->regions = arena_calloc(m->arena, n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		sv->region_index[i] = idx[i];
		sv->regions[i] = idx[i] ? "eu-west" : "eu-central";
	}
}

/* One datastore per service, owned by it, with an empty backup summary. */
static void one_store_each(struct model *m)
{
	m->n_datastores = m->n_services;
	m->datastores = arena_calloc(m->arena, m->n_datastores, sizeof(*m->datastores));
	for (size_t i = 0; i < m->n_services; i++) {
		struct datastore *d = &m->datastores[i];
		d->id = arena_printf(m->arena, "db%zu", i);
		d->service_index = i;
		for (int l = 0; l < LOC_COUNT; l++) {
			d->backups.at[l].newest_success = DATE_NONE;
			d->backups.at[l].newest_verified = DATE_NONE;
		}
		for (int k = 0; k < RMETHOD_COUNT; k++)
			restore_tests_init(&d->backups.tests[k]);
		m->services[i].datastore_index = arena_calloc(m->arena, 1, sizeof(size_t));
		m->services[i].datastore_index[0] = i;
		m->services[i].n_datastores = 1;
	}
}

static void success(struct model *m, size_t ds, int loc, int64_t finished,
		    const char *encryption)
{
	struct backup_location_summary *s = &m->datastores[ds].backups.at[loc];
	s->records++;
	s->successes++;
	s->newest_success = finished;
	snprintf(s->newest_success_id, sizeof(s->newest_success_id), "job-%d", loc);
	snprintf(s->newest_encryption, sizeof(s->newest_encryption), "%s", encryption);
	if (strcmp(encryption, "none") == 0)
		s->successes_unencrypted++;
}

static void test_waves_diamond(void **state)
{
	(void)state;
	/* s0 <- s1, s0 <- s2, {s1, s2} <- s3 */
	struct model *m = model_with(4);
	deps(m, 1, 0, -1);
	deps(m, 2, 0, -1);
	deps(m, 3, 2, 1, -1);
	struct facts *f = analyze_model(m);
	assert_int_equal(f->services[0].recovery_wave, 1);
	assert_int_equal(f->services[1].recovery_wave, 2);
	assert_int_equal(f->services[2].recovery_wave, 2);
	assert_int_equal(f->services[3].recovery_wave, 3);
	assert_int_equal(f->n_waves, 3);
	assert_int_equal(f->n_in_cycle, 0);
	assert_int_equal(f->recovery_order[0], 0);
	assert_int_equal(f->recovery_order[1], 1);
	assert_int_equal(f->recovery_order[2], 2);
	assert_int_equal(f->recovery_order[3], 3);
	analyze_free(f);
	model_free(m);
}

static void test_waves_chain(void **state)
{
	(void)state;
	/* Declared in reverse: s0 needs s1 needs ... s4; plus a lone s5. */
	struct model *m = model_with(6);
	for (int i = 0; i < 4; i++)
		deps(m, (size_t)i, i + 1, -1);
	deps(m, 5, 4, 0, -1);  /* s5 waits for the slowest one, s0 (wave 5) */
	struct facts *f = analyze_model(m);
	for (int i = 0; i < 5; i++)
		assert_int_equal(f->services[i].recovery_wave, 5 - i);
	assert_int_equal(f->services[5].recovery_wave, 6);
	assert_int_equal(f->n_waves, 6);
	assert_int_equal(f->recovery_order[0], 4);
	assert_int_equal(f->recovery_order[4], 0);
	assert_int_equal(f->recovery_order[5], 5);
	analyze_free(f);
	model_free(m);
}

static void test_waves_order_by_id(void **state)
{
	(void)state;
	struct model *m = model_with(3);
	m->services[0].id = "zeta";
	m->services[1].id = "alpha";
	m->services[2].id = "mid";
	struct facts *f = analyze_model(m);
	assert_int_equal(f->recovery_order[0], 1);
	assert_int_equal(f->recovery_order[1], 2);
	assert_int_equal(f->recovery_order[2], 0);
	analyze_free(f);
	model_free(m);
}

static void test_waves_cycle_defensive(void **state)
{
	(void)state;
	/* The loader refuses cycles; analyze must still terminate. */
	struct model *m = model_with(4);
	deps(m, 0, 1, -1);
	deps(m, 1, 0, -1);
	deps(m, 2, 1, -1);  /* downstream of the cycle */
	struct facts *f = analyze_model(m);
	assert_int_equal(f->services[0].recovery_wave, 0);
	assert_int_equal(f->services[1].recovery_wave, 0);
	assert_int_equal(f->services[2].recovery_wave, 0);
	assert_int_equal(f->services[3].recovery_wave, 1);
	assert_int_equal(f->n_in_cycle, 3);
	assert_int_equal(f->recovery_order[0], 3);  /* cycle members last */
	analyze_free(f);
	model_free(m);
}

static void test_waves_large_chain_fast(void **state)
{
	(void)state;
	size_t n = 10000;
	struct model *m = model_with(n);
	for (size_t i = 1; i < n; i++)
		deps(m, i, (int)(i - 1), -1);
	clock_t c0 = clock();
	struct facts *f = analyze_model(m);
	double ms = 1000.0 * (double)(clock() - c0) / CLOCKS_PER_SEC;
	assert_int_equal(f->services[n - 1].recovery_wave, (int)n);
	assert_int_equal(f->n_waves, (int)n);
	assert_true(ms < 1000);  /* linear; generous for sanitizers */
	analyze_free(f);
	model_free(m);
}

static void test_inversions_and_single_region(void **state)
{
	(void)state;
	struct model *m = model_with(4);
	size_t two[] = {0, 1}, dup[] = {1, 1}, one[] = {0};
	deps(m, 0, 1, 2, -1);  /* tier 1 needs tier 3 (inversion) and tier 1 */
	deps(m, 3, 1, 2, -1);  /* tier 2 needs tier 3 (inversion) and tier 1 */
	regions(m, 0, 2, two);
	regions(m, 1, 1, one);
	regions(m, 2, 2, dup);  /* the same region twice is one region */
	regions(m, 3, 0, NULL);
	int tier[] = {1, 3, 1, 2};
	double rpo[] = {0, 60, 0, 5};
	bool multi[] = {true, false, true, true};
	struct objectives obj = {tier, rpo, multi, 1};

	struct facts *f = analyze_model(m);
	analyze_objectives(f, m, &obj);
	assert_int_equal(f->n_inversions, 2);
	assert_int_equal(f->inversions[0].service, 0);
	assert_int_equal(f->inversions[0].dependency, 1);
	assert_int_equal(f->inversions[0].service_tier, 1);
	assert_int_equal(f->inversions[0].dependency_tier, 3);
	assert_int_equal(f->inversions[1].service, 3);
	assert_int_equal(f->inversions[1].dependency, 1);
	assert_int_equal(f->n_single_region, 2);
	assert_int_equal(f->single_region[0], 2);
	assert_int_equal(f->single_region[1], 3);
	assert_false(f->services[0].single_region);
	assert_false(f->services[1].single_region);  /* one region, not required */
	assert_int_equal(f->services[2].n_distinct_regions, 1);

	/* Called again with other tiers: lists are rebuilt, not appended. */
	int flat[] = {2, 2, 2, 2};
	obj.tier = flat;
	analyze_objectives(f, m, &obj);
	assert_int_equal(f->n_inversions, 0);
	analyze_free(f);
	model_free(m);
}

static void test_currency_boundaries(void **state)
{
	(void)state;
	assert_int_equal(analyze_currency(-1, 60, 1), CURRENCY_NEVER);
	assert_int_equal(analyze_currency(0, 60, 1), CURRENCY_OK);
	assert_int_equal(analyze_currency(60 * MIN, 60, 1), CURRENCY_OK);
	assert_int_equal(analyze_currency(60 * MIN + 1, 60, 1), CURRENCY_LATE);
	assert_int_equal(analyze_currency(120 * MIN, 60, 1), CURRENCY_LATE);
	assert_int_equal(analyze_currency(120 * MIN + 1, 60, 1), CURRENCY_STALE);
	assert_int_equal(analyze_currency(24 * HOUR, 1440, 1), CURRENCY_OK);
	assert_int_equal(analyze_currency(48 * HOUR + 1, 1440, 1), CURRENCY_STALE);
	assert_string_equal(analyze_currency_name(CURRENCY_OK), "ok");
	assert_string_equal(analyze_currency_name(CURRENCY_LATE), "late");
	assert_string_equal(analyze_currency_name(CURRENCY_STALE), "stale");
	assert_string_equal(analyze_currency_name(CURRENCY_NEVER), "never");
}

static void test_currency_rpo_zero(void **state)
{
	(void)state;
	/* RPO 0 is judged against the lag tolerance (here 5 minutes). */
	assert_int_equal(analyze_currency(0, 0, 5), CURRENCY_OK);
	assert_int_equal(analyze_currency(5 * MIN, 0, 5), CURRENCY_OK);
	assert_int_equal(analyze_currency(5 * MIN + 1, 0, 5), CURRENCY_LATE);
	assert_int_equal(analyze_currency(10 * MIN, 0, 5), CURRENCY_LATE);
	assert_int_equal(analyze_currency(10 * MIN + 1, 0, 5), CURRENCY_STALE);
	/* A tolerance below the RPO changes nothing. */
	assert_int_equal(analyze_currency(60 * MIN, 60, 5), CURRENCY_OK);
	/* No tolerance: only a copy taken at the as-of instant is current. */
	assert_int_equal(analyze_currency(0, 0, 0), CURRENCY_OK);
	assert_int_equal(analyze_currency(1, 0, 0), CURRENCY_STALE);
	/* An absent RPO is the strictest. */
	assert_int_equal(analyze_currency(6 * MIN, NAN, 5), CURRENCY_LATE);
	assert_int_equal(analyze_currency(1, NAN, NAN), CURRENCY_STALE);
}

/*
 * The shipped tolerance (15 minutes) at the four boundaries, for RPO 0, 5
 * and 60 minutes: it floors RPO 0 only and never loosens an RPO above zero
 * (a tier-2 store, RPO 5, is late at 5 min 1 s although 15 > 5).
 */
static void test_currency_tolerance_boundaries(void **state)
{
	static const struct {
		double rpo, judged;
	} rows[] = {{0, 15}, {5, 5}, {60, 60}};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t r = (int64_t)(rows[i].judged * MIN);
		assert_int_equal(analyze_currency(r, rows[i].rpo, 15), CURRENCY_OK);
		assert_int_equal(analyze_currency(r + 1, rows[i].rpo, 15), CURRENCY_LATE);
		assert_int_equal(analyze_currency(2 * r, rows[i].rpo, 15), CURRENCY_LATE);
		assert_int_equal(analyze_currency(2 * r + 1, rows[i].rpo, 15), CURRENCY_STALE);
	}
	/* Even a tolerance far above the RPO leaves it as written. */
	assert_int_equal(analyze_currency(5 * MIN + 1, 5, 1440), CURRENCY_LATE);
	assert_int_equal(analyze_currency(1 * MIN + 1, 1, 15), CURRENCY_LATE);
}

static void test_store_facts(void **state)
{
	(void)state;
	struct model *m = model_with(3);
	one_store_each(m);
	int64_t now = m->as_of;
	/* db0: three locations, newest at offsite, all encrypted */
	success(m, 0, LOC_PRIMARY, now - 30 * MIN, "aes-256-gcm");
	success(m, 0, LOC_SECONDARY, now - 90 * MIN, "aes-256-gcm");
	success(m, 0, LOC_OFFSITE, now - 10 * MIN, "aes-256-gcm");
	m->datastores[0].backups.at[LOC_OFFSITE].successes_immutable = 2;
	m->datastores[0].backups.at[LOC_PRIMARY].failures_in_period = 3;
	m->datastores[0].backups.at[LOC_OFFSITE].failures_in_period = 1;
	m->datastores[0].backups.at[LOC_PRIMARY].bytes_retained = 1000;
	m->datastores[0].backups.at[LOC_OFFSITE].bytes_retained = 24;
	m->datastores[0].backups.at[LOC_PRIMARY].successes_by_type[BTYPE_CONTINUOUS] = 5;
	m->datastores[0].backups.tests[RMETHOD_RESTORE].newest_ok = now - 20 * DAY;
	snprintf(m->datastores[0].backups.tests[RMETHOD_RESTORE].newest_ok_id,
		 BACKUP_ID_MAX, "rt-1");
	m->datastores[0].backups.tests[RMETHOD_RESTORE].newest_failed = now - 30 * DAY;
	/* db1: one plain copy among encrypted ones; a failed restore test newest */
	success(m, 1, LOC_PRIMARY, now - 2 * HOUR, "aes-128-cbc");
	success(m, 1, LOC_PRIMARY, now - 1 * HOUR, "none");
	success(m, 1, LOC_PRIMARY, now - 1 * HOUR + 1, "aes-128-cbc");
	m->datastores[1].backups.tests[RMETHOD_RESTORE].newest_ok = now - 40 * DAY;
	m->datastores[1].backups.tests[RMETHOD_RESTORE].newest_failed = now - 3 * DAY;
	snprintf(m->datastores[1].backups.tests[RMETHOD_RESTORE].newest_failed_id,
		 BACKUP_ID_MAX, "rt-bad");
	/* db2: nothing but failures */
	m->datastores[2].backups.at[LOC_PRIMARY].failures_in_period = 2;
	/* db2: an integrity check only, newer than any restore: kept apart */
	m->datastores[2].backups.tests[RMETHOD_INTEGRITY_CHECK].newest_ok = now - 1 * DAY;
	snprintf(m->datastores[2].backups.tests[RMETHOD_INTEGRITY_CHECK].newest_ok_id,
		 BACKUP_ID_MAX, "verify-1");
	m->datastores[2].backups.tests[RMETHOD_INTEGRITY_CHECK].tests = 4;
	/* db0's restore test names what it tested and which copy */
	snprintf(m->datastores[0].backups.tests[RMETHOD_RESTORE].newest_ok_tested_backup,
		 BACKUP_ID_MAX, "db0-full-1");
	m->datastores[0].backups.tests[RMETHOD_RESTORE].newest_ok_location = LOC_OFFSITE;
	m->datastores[0].backups.tests[RMETHOD_RESTORE].newest_ok_at[LOC_OFFSITE] = now - 20 * DAY;

	struct facts *f = analyze_model(m);
	const struct store_facts *a = &f->stores[0], *b = &f->stores[1], *c = &f->stores[2];
	assert_int_equal(a->newest_success, now - 10 * MIN);
	assert_int_equal(a->newest_location, LOC_OFFSITE);
	assert_int_equal(a->age_seconds, 10 * MIN);
	assert_true(a->age_minutes == 10.0);
	assert_int_equal(a->at[LOC_SECONDARY].age_seconds, 90 * MIN);
	assert_int_equal(a->n_locations_ok, 3);
	assert_true(a->offsite && a->encrypted && a->immutable && a->continuous);
	assert_int_equal(a->failures_in_period, 4);
	assert_int_equal(a->bytes_retained, 1024);
	assert_int_equal(a->last_restore_test, now - 20 * DAY);
	assert_string_equal(a->last_restore_test_id, "rt-1");
	assert_false(a->restore_test_failing);  /* an ok test is newer */
	assert_true(isnan(a->rpo_minutes));
	assert_int_equal(a->currency, CURRENCY_NEVER);  /* until objectives */

	assert_false(b->encrypted);
	assert_int_equal(b->successes_unencrypted, 1);
	assert_true(b->at[LOC_PRIMARY].newest_encrypted);
	assert_false(b->offsite || b->immutable || b->continuous);
	assert_true(b->restore_test_failing);
	assert_string_equal(b->last_restore_test_failed_id, "rt-bad");
	assert_int_equal(b->last_restore_test, now - 40 * DAY);

	assert_int_equal(c->newest_success, DATE_NONE);
	assert_int_equal(c->age_seconds, -1);
	assert_int_equal(c->n_locations_ok, 0);
	assert_false(c->encrypted);  /* nothing to be encrypted: not evidence */
	assert_int_equal(c->failures_in_period, 2);
	assert_int_equal(c->last_restore_test, DATE_NONE);  /* a check is no restore */
	assert_int_equal(c->last_integrity_check, now - 1 * DAY);
	assert_string_equal(c->last_integrity_check_id, "verify-1");
	assert_int_equal(c->integrity_checks, 4);
	assert_false(c->restore_test_failing);
	assert_string_equal(a->last_restore_test_tested_backup, "db0-full-1");
	assert_int_equal(a->last_restore_test_location, LOC_OFFSITE);
	assert_int_equal(a->at[LOC_OFFSITE].last_restore_test, now - 20 * DAY);
	assert_int_equal(a->at[LOC_PRIMARY].last_restore_test, DATE_NONE);
	assert_null(b->last_restore_test_tested_backup);
	assert_int_equal(b->last_restore_test_location, -1);

	int tier[] = {1, 3, 4};
	double rpo[] = {0, 60, 1440};
	bool multi[] = {true, false, false};
	struct objectives obj = {tier, rpo, multi, 15};
	analyze_objectives(f, m, &obj);
	assert_int_equal(a->currency, CURRENCY_OK);       /* 10 min <= 15 min */
	assert_int_equal(b->currency, CURRENCY_OK);       /* 59:59 <= 60 min */
	assert_int_equal(c->currency, CURRENCY_NEVER);
	assert_true(b->rpo_minutes == 60);
	assert_int_equal(f->currency_count[CURRENCY_OK], 2);
	assert_int_equal(f->currency_count[CURRENCY_NEVER], 1);
	obj.lag_tolerance_minutes = 4;
	analyze_objectives(f, m, &obj);
	assert_int_equal(a->currency, CURRENCY_STALE);    /* 10 > 2 x 4 */
	analyze_free(f);
	model_free(m);
}

static void add_drill(struct model *m, size_t i, const char *date,
		      enum drill_type type, int result_svc, int scope_svc)
{
	struct drill *d = &m->drills[i];
	d->id = arena_printf(m->arena, "d%zu", i);
	d->date = T(date);
	d->type = type;
	if (result_svc >= 0) {
		d->results = arena_calloc(m->arena, 1, sizeof(*d->results));
		d->results[0].service = m->services[result_svc].id;
		d->results[0].service_index = (size_t)result_svc;
		d->n_results = 1;
	}
	if (scope_svc >= 0) {
		d->scope_services = arena_calloc(m->arena, 1, sizeof(char *));
		d->scope_services[0] = m->services[scope_svc].id;
		d->n_scope_services = 1;
	}
}

static void test_drill_counts(void **state)
{
	(void)state;
	struct model *m = model_with(2);
	m->n_drills = 7;
	m->drills = arena_calloc(m->arena, m->n_drills, sizeof(*m->drills));
	/* sorted by date, as the loader leaves them */
	add_drill(m, 0, "2025-10-31T23:59:59Z", DRILL_TABLETOP, 0, -1);   /* > 12 m */
	add_drill(m, 1, "2025-11-01", DRILL_TABLETOP, 0, 0);              /* 12 m edge */
	add_drill(m, 2, "2026-04-15", DRILL_FULL_SIMULATION, 0, 1);
	add_drill(m, 3, "2026-10-01", DRILL_PARTIAL_FAILOVER, -1, 0);     /* period */
	add_drill(m, 4, "2026-10-31T23:59:59Z", DRILL_CHAOS, 0, -1);      /* period */
	add_drill(m, 5, "2026-11-01T00:00:00Z", DRILL_CHAOS, 0, -1);      /* as-of */
	add_drill(m, 6, "2026-11-01T00:00:01Z", DRILL_TABLETOP, 0, 1);    /* future */

	struct facts *f = analyze_model(m);
	const struct service_facts *s0 = &f->services[0], *s1 = &f->services[1];
	assert_int_equal(f->window_12m_start, T("2025-11-01"));
	assert_int_equal(s0->n_drills, 6);
	assert_int_equal(s0->drills[0], 0);
	assert_int_equal(s0->drills[5], 5);
	assert_int_equal(s0->n_drills_period, 2);
	assert_int_equal(s0->drills_period_by_type[DRILL_PARTIAL_FAILOVER], 1);
	assert_int_equal(s0->drills_period_by_type[DRILL_CHAOS], 1);
	assert_int_equal(s0->n_drills_12m, 5);
	assert_int_equal(s0->drills_12m_by_type[DRILL_TABLETOP], 1);
	assert_int_equal(s0->drills_12m_by_type[DRILL_FULL_SIMULATION], 1);
	assert_int_equal(s0->drills_12m_by_type[DRILL_PARTIAL_FAILOVER], 1);
	assert_int_equal(s0->drills_12m_by_type[DRILL_CHAOS], 2);
	assert_int_equal(s0->last_drill, 5);
	assert_int_equal(s0->last_drill_by_type[DRILL_TABLETOP], T("2025-11-01"));
	assert_int_equal(s0->last_drill_by_type[DRILL_CHAOS], T("2026-11-01"));

	assert_int_equal(s1->n_drills, 1);  /* named in scope only */
	assert_int_equal(s1->n_drills_period, 0);
	assert_int_equal(s1->n_drills_12m, 1);
	assert_int_equal(s1->last_drill, 2);
	assert_int_equal(s1->last_drill_by_type[DRILL_TABLETOP], DATE_NONE);
	analyze_free(f);
	model_free(m);
}

static void test_no_drills_no_services(void **state)
{
	(void)state;
	struct model *m = model_with(0);
	struct facts *f = analyze_model(m);
	assert_int_equal(f->n_services, 0);
	assert_int_equal(f->n_waves, 0);
	struct objectives obj = {NULL, NULL, NULL, 0};
	analyze_objectives(f, m, &obj);
	assert_int_equal(f->n_inversions, 0);
	analyze_free(f);
	model_free(m);
}

static void test_months_before(void **state)
{
	(void)state;
	assert_int_equal(analyze_months_before(T("2026-11-01T00:00:00Z"), 12),
			 T("2025-11-01T00:00:00Z"));
	assert_int_equal(analyze_months_before(T("2024-02-29T12:30:00Z"), 12),
			 T("2023-02-28T12:30:00Z"));
	assert_int_equal(analyze_months_before(T("2026-03-31T01:00:00Z"), 1),
			 T("2026-02-28T01:00:00Z"));
	assert_int_equal(analyze_months_before(T("2026-01-15"), 1), T("2025-12-15"));
	/* offsets are folded to UTC before any calendar step */
	assert_int_equal(analyze_months_before(T("2026-11-01T01:00:00+02:00"), 12),
			 T("2025-10-31T23:00:00Z"));
}

static void test_time_window(void **state)
{
	(void)state;
	struct diags *d = diags_new();
	struct time_window w;
	int64_t now = T("2026-11-17T08:00:00Z");

	/* --period alone: as-of is its end */
	assert_true(analyze_time_window(NULL, "2026-10", "1", now, &w, d));
	assert_int_equal(w.as_of, T("2026-11-01"));
	assert_int_equal(w.period_start, T("2026-10-01"));
	assert_int_equal(w.period_end, T("2026-11-01"));
	/* --as-of wins; period is the month that ended */
	assert_true(analyze_time_window("2026-11-01T02:00:00+02:00", NULL, "1", now, &w, d));
	assert_int_equal(w.as_of, T("2026-11-01"));
	assert_int_equal(w.period_start, T("2026-10-01"));
	/* SOURCE_DATE_EPOCH, then now */
	assert_true(analyze_time_window(NULL, NULL, "1767225600", now, &w, d));
	assert_int_equal(w.as_of, T("2026-01-01"));
	assert_int_equal(w.period_start, T("2025-12-01"));
	assert_true(analyze_time_window(NULL, NULL, NULL, now, &w, d));
	assert_int_equal(w.as_of, T("2026-11-01"));
	assert_int_equal(w.period_start, T("2026-10-01"));
	assert_int_equal(w.period_end, T("2026-11-01"));
	/* neither --period nor --as-of: facts at the period's end, not later */
	assert_true(analyze_time_window(NULL, NULL, "1765000000", now, &w, d));
	assert_int_equal(w.period_start, T("2025-11-01"));
	assert_int_equal(w.as_of, T("2025-12-01"));
	assert_int_equal(diags_len(d), 0);
	/* errors */
	assert_false(analyze_time_window("yesterday", NULL, NULL, now, &w, d));
	assert_false(analyze_time_window(NULL, "2026-13", NULL, now, &w, d));
	assert_false(analyze_time_window(NULL, NULL, "12abc", now, &w, d));
	assert_false(analyze_time_window("2026-09-30", "2026-10", NULL, now, &w, d));
	assert_int_equal(diags_len(d), 4);
	assert_string_equal(diags_get(d, 0)->message,
			    "invalid --as-of \"yesterday\": expected an RFC 3339 "
			    "time with offset or YYYY-MM-DD");
	assert_string_equal(diags_get(d, 3)->message,
			    "--as-of 2026-09-30T00:00:00Z is before the start of "
			    "--period 2026-10");
	diags_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waves_diamond),
		cmocka_unit_test(test_waves_chain),
		cmocka_unit_test(test_waves_order_by_id),
		cmocka_unit_test(test_waves_cycle_defensive),
		cmocka_unit_test(test_waves_large_chain_fast),
		cmocka_unit_test(test_inversions_and_single_region),
		cmocka_unit_test(test_currency_boundaries),
		cmocka_unit_test(test_currency_rpo_zero),
		cmocka_unit_test(test_currency_tolerance_boundaries),
		cmocka_unit_test(test_store_facts),
		cmocka_unit_test(test_drill_counts),
		cmocka_unit_test(test_no_drills_no_services),
		cmocka_unit_test(test_months_before),
		cmocka_unit_test(test_time_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
