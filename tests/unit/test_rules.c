/*
 * test_rules.c -- the shipped rules do exactly the defaults of SPEC 3.1-3.4
 * and 3.6, on small models built in C (tests/rules/fixture.h).
 *
 * Each test builds its own model, runs the whole rules stage as a build
 * does (tiers, objectives, policy) with only the shipped lua/ directory,
 * and checks the C results: tiers and objectives, costs, backup policy
 * gaps, drill scores and findings, runbook sections.
 */
#include "testutil.h"

#include <stdio.h>
#include <time.h>

#include "../rules/fixture.h"

struct run {
	struct fx x;
	struct facts *f;
	struct rules *r;
	struct rules_results *res;
	struct diags *d;
	bool ok;
};

static void start(struct run *t, size_t services, size_t stores, size_t drills)
{
	memset(t, 0, sizeof(*t));
	fx_init(&t->x, services, stores, drills);
}

static void go(struct run *t)
{
	const char *dirs[1] = {fx_lua_dir()};

	t->d = diags_new();
	t->ok = fx_run(t->x.m, dirs, 1, &t->f, &t->r, &t->res, t->d);
	if (!t->ok) {
		char *all = fx_diags(t->d);
		fail_msg("rules failed:\n%s", all);
	}
}

static void finish(struct run *t)
{
	rules_results_free(t->res);
	rules_free(t->r);
	analyze_free(t->f);
	diags_free(t->d);
	model_free(t->x.m);
}

static const struct finding *find(const struct run *t, const char *kind,
				  const char *subject)
{
	for (size_t i = 0; i < t->res->n_findings; i++) {
		const struct finding *f = &t->res->findings[i];
		if (strcmp(f->kind, kind) == 0 && strcmp(f->subject, subject) == 0)
			return f;
	}
	return NULL;
}

static size_t count(const struct run *t, const char *kind)
{
	size_t n = 0;

	for (size_t i = 0; i < t->res->n_findings; i++)
		n += strcmp(t->res->findings[i].kind, kind) == 0;
	return n;
}

/* ---- tiers.lua (SPEC 3.1) ----------------------------------------------- */

static void test_tier_thresholds(void **state)
{
	static const struct {
		double revenue;
		int tier;
	} cases[] = {
		{1e9, 1}, {100000.01, 1}, {100000, 2}, {10000.5, 2}, {10000, 3},
		{1000.01, 3}, {1000, 4}, {0, 4}, {-5, 4},
		{NAN, 1},  /* no impact data: unclassified, judged as tier 1 (issue 13 item 8) */
	};
	struct run t;
	char id[32];

	(void)state;
	start(&t, ARRAY_LEN(cases), 0, 0);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		snprintf(id, sizeof(id), "s%zu", i);
		fx_service(&t.x, id, cases[i].revenue);
	}
	go(&t);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		if (t.res->tiers[i].tier != cases[i].tier)
			fail_msg("revenue %g: tier %d, expected %d", cases[i].revenue,
				 t.res->tiers[i].tier, cases[i].tier);
		assert_false(t.res->tiers[i].overridden);
		assert_non_null(t.res->tiers[i].reason);
		assert_int_equal(t.res->tiers[i].unclassified, isnan(cases[i].revenue));
	}
	/* the unclassified service is named so, and found */
	assert_string_equal(t.res->tiers[ARRAY_LEN(cases) - 1].tier_name, "unclassified");
	assert_int_equal(count(&t, "impact_unknown"), 1);
	assert_string_equal(t.res->tiers[2].reason,
			    "revenue loss of 100,000 per hour is above 10,000");
	assert_string_equal(t.res->tiers[9].reason, "no business impact recorded (revenue loss per hour): judged as tier 1 until classified");
	finish(&t);
}

static void test_tier_objectives(void **state)
{
	static const struct {
		const char *name;
		double rpo, rto, mult;
		const char *strategy;
		bool multi;
	} want[RULES_TIERS] = {
		{"critical", 0, 5, 3.5, "active-active multi-region", true},
		{"essential", 5, 60, 2.0, "active-passive multi-region", true},
		{"standard", 60, 240, 1.3, "pilot light", false},
		{"non-critical", 1440, 4320, 1.1, "backup and restore", false},
	};
	static const double revenue[RULES_TIERS] = {200000, 20000, 2000, 20};
	struct run t;
	char id[16];

	(void)state;
	start(&t, RULES_TIERS, 0, 0);
	for (int i = 0; i < RULES_TIERS; i++) {
		snprintf(id, sizeof(id), "t%d", i + 1);
		fx_service(&t.x, id, revenue[i]);
	}
	go(&t);
	for (int i = 0; i < RULES_TIERS; i++) {
		const struct service_tier *st = &t.res->tiers[i];
		const struct tier_level *lv = &t.res->levels[i];
		assert_int_equal(st->tier, i + 1);
		assert_string_equal(st->tier_name, want[i].name);
		assert_true(st->rpo_minutes == want[i].rpo);
		assert_true(st->rto_minutes == want[i].rto);
		assert_true(st->dr_multiplier == want[i].mult);
		assert_string_equal(st->strategy, want[i].strategy);
		assert_int_equal(st->multi_region, want[i].multi);
		assert_int_equal(lv->tier, i + 1);
		assert_string_equal(lv->name, want[i].name);
		assert_true(lv->rto_minutes == want[i].rto);
		assert_int_equal(t.res->tier_of[i], i + 1);
		assert_true(t.res->rpo_of[i] == want[i].rpo);
	}
	assert_non_null(t.res->levels_json);
	assert_int_equal(cJSON_GetArraySize(t.res->levels_json), RULES_TIERS);
	assert_true(t.res->lag_tolerance_minutes >= 0);
	finish(&t);
}

static void test_tier_override(void **state)
{
	struct run t;

	(void)state;
	start(&t, 2, 0, 0);
	fx_service(&t.x, "big", 1e6)->tier = 3;
	fx_service(&t.x, "small", 10)->tier = 1;
	go(&t);
	assert_int_equal(t.res->tiers[0].tier, 3);
	assert_true(t.res->tiers[0].overridden);
	assert_string_equal(t.res->tiers[0].strategy, "pilot light");
	assert_non_null(strstr(t.res->tiers[0].reason, "the revenue rule gives tier 1"));
	assert_int_equal(t.res->tiers[1].tier, 1);
	assert_true(t.res->tiers[1].rto_minutes == 5);
	finish(&t);
}

static void test_tier_inversion_and_single_region(void **state)
{
	struct run t;

	(void)state;
	start(&t, 3, 0, 0);
	struct service *top = fx_service(&t.x, "top", 500000);
	struct service *low = fx_service(&t.x, "low", 50);
	struct service *lone = fx_service(&t.x, "lone", 50000);
	fx_depends(&t.x, top, low);
	lone->n_regions = 1;
	go(&t);
	const struct finding *inv = find(&t, "tier_inversion", "top");
	assert_non_null(inv);
	assert_string_equal(inv->ref, "low");
	assert_string_equal(inv->severity, "high");
	assert_non_null(strstr(inv->message, "depends on low, which is tier 4"));
	assert_string_equal(inv->id, "tier_inversion/top/low");
	const struct finding *sr = find(&t, "single_region", "lone");
	assert_non_null(sr);
	assert_non_null(strstr(sr->message, "1 region"));
	assert_null(find(&t, "single_region", "low"));    /* tier 4: no need */
	finish(&t);
}

/* ---- cost.lua (SPEC 3.2) ------------------------------------------------ */

static void test_cost(void **state)
{
	struct run t;
	const uint64_t GB = 1ull << 30;

	(void)state;
	start(&t, 3, 2, 0);
	struct service *a = fx_service(&t.x, "a", 200000);   /* tier 1, x3.5 */
	struct service *b = fx_service(&t.x, "b", 20);       /* tier 4, x1.1 */
	fx_service(&t.x, "c", 20);                            /* no cost given */
	a->monthly_cost = 1000;
	b->monthly_cost = 100;
	struct datastore *ds = fx_store(&t.x, a, "a-db", CRIT_CRITICAL);
	fx_backup(ds, LOC_PRIMARY, 60, "aes-256-gcm", false, BTYPE_CONTINUOUS, 100 * GB);
	fx_backup(ds, LOC_SECONDARY, 60, "aes-256-gcm", false, BTYPE_CONTINUOUS, 100 * GB);
	fx_backup(ds, LOC_OFFSITE, 60, "aes-256-gcm", true, BTYPE_FULL, 1000 * GB);
	go(&t);
	/* 1000 x 2.5 + 100 GB x 0.023 + 100 GB x 0.0125 + 1000 GB x 0.004 */
	assert_true(t.res->costs[0].infrastructure == 2500);
	assert_true(fabs(t.res->costs[0].storage - (2.3 + 1.25 + 4.0)) < 1e-9);
	assert_true(fabs(t.res->costs[0].dr_monthly_cost - 2507.55) < 1e-9);
	assert_true(fabs(t.res->costs[1].dr_monthly_cost - 10) < 1e-9);
	assert_true(t.res->costs[2].dr_monthly_cost == 0);
	assert_true(fabs(t.res->cost_by_tier[0] - 2507.55) < 1e-9);
	assert_true(fabs(t.res->cost_by_tier[3] - 10) < 1e-9);
	assert_true(t.res->cost_by_tier[1] == 0);
	assert_true(fabs(t.res->cost_total - 2517.55) < 1e-9);
	assert_non_null(cJSON_GetObjectItem(t.res->cost_prices, "offsite"));
	finish(&t);
}

/* ---- backup_policy.lua (SPEC 3.3) --------------------------------------- */

static void test_policy_table(void **state)
{
	static const struct {
		const char *crit, *method, *enc, *comp, *verify;
		int copies;
	} want[] = {
		{"critical", "continuous replication", "aes-256-gcm", "zstd",
		 "checksum and restore test", 3},
		{"important", "incremental", "aes-256-cbc", "gzip", "checksum", 2},
		{"standard", "snapshot", "aes-128-cbc", "lz4", "size check", 1},
	};
	struct run t;

	(void)state;
	start(&t, 1, 0, 0);
	fx_service(&t.x, "a", 1);
	go(&t);
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		const cJSON *p = cJSON_GetObjectItem(t.res->backup_policies, want[i].crit);
		assert_non_null(p);
		assert_string_equal(cJSON_GetObjectItem(p, "method")->valuestring, want[i].method);
		assert_string_equal(cJSON_GetObjectItem(p, "encryption")->valuestring, want[i].enc);
		assert_string_equal(cJSON_GetObjectItem(p, "compression")->valuestring, want[i].comp);
		assert_string_equal(cJSON_GetObjectItem(p, "verification")->valuestring,
				    want[i].verify);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(p, "copies_at")),
				 want[i].copies);
		assert_non_null(cJSON_GetObjectItem(p, "schedule"));
		assert_non_null(cJSON_GetObjectItem(p, "retention"));
	}
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(t.res->backup_policies,
			    "critical"), "retention")->valuestring,
			    "continuous 7 d, snapshots 30 d, daily 90 d, monthly 7 y");
	assert_int_equal(cJSON_GetArraySize(t.res->backup_programme), 2);
	finish(&t);
}

/* A critical store that meets its whole policy raises nothing. */
static void good_critical(struct datastore *ds)
{
	for (int l = 0; l < LOC_COUNT; l++)
		fx_backup(ds, (enum backup_location)l, 300, "aes-256-gcm", l == LOC_OFFSITE,
			  l == LOC_OFFSITE ? BTYPE_FULL : BTYPE_CONTINUOUS, 1ull << 30);
	ds->backups.tests[RMETHOD_RESTORE].newest_ok = FX_AS_OF - 10 * FX_DAY;
	snprintf(ds->backups.tests[RMETHOD_RESTORE].newest_ok_id, BACKUP_ID_MAX, "rt-1");
}

static void test_policy_gaps(void **state)
{
	struct run t;

	(void)state;
	start(&t, 1, 9, 0);
	struct service *s = fx_service(&t.x, "pay", 500000);   /* tier 1, RPO 0 */
	good_critical(fx_store(&t.x, s, "ok-db", CRIT_CRITICAL));
	fx_store(&t.x, s, "never-db", CRIT_CRITICAL);
	struct datastore *stale = fx_store(&t.x, s, "stale-db", CRIT_CRITICAL);
	good_critical(stale);
	for (int l = 0; l < LOC_COUNT; l++)   /* 2 hours old: beyond 2 x 15 min */
		stale->backups.at[l].newest_success = FX_AS_OF - 7200;
	struct datastore *nooff = fx_store(&t.x, s, "nooff-db", CRIT_CRITICAL);
	good_critical(nooff);
	fx_location_empty(&nooff->backups.at[LOC_OFFSITE]);
	nooff->backups.at[LOC_PRIMARY].successes_immutable = 1;
	struct datastore *plain = fx_store(&t.x, s, "plain-db", CRIT_CRITICAL);
	good_critical(plain);
	fx_backup(plain, LOC_PRIMARY, 100, "none", false, BTYPE_CONTINUOUS, 1);
	struct datastore *old = fx_store(&t.x, s, "old-rt-db", CRIT_CRITICAL);
	good_critical(old);
	old->backups.tests[RMETHOD_RESTORE].newest_ok = FX_AS_OF - 40 * FX_DAY;
	/* An important store needs primary and secondary, no restore test. */
	struct datastore *imp = fx_store(&t.x, s, "imp-db", CRIT_IMPORTANT);
	fx_backup(imp, LOC_PRIMARY, 60, "aes-256-cbc", false, BTYPE_INCREMENTAL, 1);
	fx_backup(imp, LOC_SECONDARY, 60, "aes-256-cbc", false, BTYPE_INCREMENTAL, 1);
	/* A standard store needs a primary copy only; aes-128-cbc is enough. */
	struct datastore *std = fx_store(&t.x, s, "std-db", CRIT_STANDARD);
	fx_backup(std, LOC_PRIMARY, 60, "aes-128-cbc", false, BTYPE_SNAPSHOT, 1);
	/* An important store encrypted below policy. */
	struct datastore *weak = fx_store(&t.x, s, "weak-db", CRIT_IMPORTANT);
	fx_backup(weak, LOC_PRIMARY, 60, "aes-128-cbc", false, BTYPE_INCREMENTAL, 1);
	fx_backup(weak, LOC_SECONDARY, 60, "aes-256-cbc", false, BTYPE_INCREMENTAL, 1);
	go(&t);

	for (size_t i = 0; i < t.res->n_findings; i++) {
		const char *subj = t.res->findings[i].subject;
		if (strcmp(subj, "ok-db") == 0 || strcmp(subj, "imp-db") == 0 ||
		    strcmp(subj, "std-db") == 0)
			fail_msg("unexpected finding %s: %s", t.res->findings[i].id,
				 t.res->findings[i].message);
	}
	assert_string_equal(t.res->policies[0].policy, "critical");
	assert_int_equal(t.res->policies[0].n_gaps, 0);
	assert_string_equal(t.res->policies[6].policy, "important");
	assert_string_equal(t.res->policies[7].policy, "standard");

	const struct finding *f = find(&t, "backup_never", "never-db");
	assert_non_null(f);
	assert_string_equal(f->severity, "critical");
	assert_int_equal(t.res->policies[1].n_gaps, 1);
	f = find(&t, "backup_stale", "stale-db");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "2 hours old"));
	f = find(&t, "no_offsite_copy", "nooff-db");
	assert_non_null(f);
	assert_string_equal(f->severity, "critical");
	assert_non_null(f->recommendation);
	assert_non_null(find(&t, "unencrypted_backup", "plain-db"));
	f = find(&t, "no_restore_test", "old-rt-db");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "since 2026-09-22"));
	assert_null(find(&t, "no_restore_test", "never-db"));   /* never: one finding */
	assert_non_null(find(&t, "weak_encryption", "weak-db"));
	finish(&t);
}

static void test_restore_test_boundary(void **state)
{
	struct run t;

	(void)state;
	start(&t, 1, 2, 0);
	struct service *s = fx_service(&t.x, "pay", 500000);
	struct datastore *in = fx_store(&t.x, s, "in-db", CRIT_CRITICAL);
	struct datastore *out = fx_store(&t.x, s, "out-db", CRIT_CRITICAL);
	good_critical(in);
	good_critical(out);
	/* One calendar month before 2026-11-01 is 2026-10-01T00:00Z. */
	in->backups.tests[RMETHOD_RESTORE].newest_ok = FX_PERIOD_START;
	out->backups.tests[RMETHOD_RESTORE].newest_ok = FX_PERIOD_START - 1;
	go(&t);
	assert_null(find(&t, "no_restore_test", "in-db"));
	assert_non_null(find(&t, "no_restore_test", "out-db"));
	finish(&t);
}

/* ---- drills.lua (SPEC 3.4) ---------------------------------------------- */

struct score_case {
	double target_rto, target_rpo, recovery, loss;
	bool recovered;
	double integrity;
	double rto_ach, rpo_ach;   /* NAN: absent */
	bool passed;
	const char *status;        /* NULL: "pass" or "fail" as passed says */
};

static void test_drill_scoring(void **state)
{
	static const struct score_case cases[] = {
		/* The RTO 5 / RPO 0 defaults of tier 1, explicit targets. */
		{5, 0, 7, 0, true, 1, 0.7143, 1, false, NULL},        /* RTO missed by 40 % */
		{5, 0, 0, 0, true, 1, 1, 1, true, NULL},              /* instant recovery */
		{0, 0, 3, 0, true, 1, 0, 1, false, NULL},             /* zero target, slow */
		{0, 0, 0, 0, true, 1, 1, 1, true, NULL},              /* zero target, instant */
		{60, 0, 1, 2, true, 1, 1, 0, false, NULL},            /* zero RPO, loss */
		{60, 5, 1, 0, true, 1, 1, 1, true, NULL},             /* zero loss scores 1 */
		{95, 5, 100, 0, true, 1, 0.95, 1, true, NULL},        /* exactly 0.95 passes */
		{94.99, 5, 100, 0, true, 1, 0.9499, 1, false, NULL},  /* just below */
		{60, 4.9, 1, 5, true, 1, 1, 0.98, true, NULL},        /* exactly 0.98 */
		{60, 4.89, 1, 5, true, 1, 1, 0.978, false, NULL},
		{60, 5, 1, 1, true, 0.999, 1, 1, false, NULL},        /* integrity below 100 % */
		{60, 5, 1, 1, true, NAN, 1, 1, true, NULL},           /* integrity not reported */
		/* Recovered, nothing measured: proves nothing, so no_data. */
		{60, 5, NAN, NAN, true, NAN, NAN, NAN, false, "no_data"},
		{60, 5, NAN, NAN, true, 1, NAN, NAN, false, "no_data"},
		{60, 5, 30, NAN, true, 1, 1, NAN, true, NULL},   /* RTO only: scored on it */
		{60, 5, NAN, 1, true, 1, NAN, 1, true, NULL},    /* RPO only */
		{60, 5, NAN, NAN, false, NAN, 0, NAN, false, NULL},  /* not recovered: fail */
		{60, 5, 30, 1, false, 1, 0, 1, false, NULL},          /* not recovered */
	};
	struct run t;
	char id[16];

	(void)state;
	start(&t, 1, 0, ARRAY_LEN(cases));
	fx_service(&t.x, "svc", 500000);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct score_case *c = &cases[i];
		snprintf(id, sizeof(id), "d%02zu", i);
		struct drill *d = fx_drill(&t.x, id, DRILL_FULL_SIMULATION,
					   FX_AS_OF - 10 * FX_DAY, 1);
		fx_result(&t.x, d, 0, "svc", c->target_rto, c->target_rpo, c->recovery,
			  c->loss, c->recovered, c->integrity);
	}
	go(&t);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct score_case *c = &cases[i];
		const struct drill_result_score *s = &t.res->drills[i].results[0];
		bool ok = s->passed == c->passed &&
			(isnan(c->rto_ach) ? isnan(s->rto_achievement) :
			 fabs(s->rto_achievement - c->rto_ach) < 1e-9) &&
			(isnan(c->rpo_ach) ? isnan(s->rpo_achievement) :
			 fabs(s->rpo_achievement - c->rpo_ach) < 1e-9);
		const char *want = c->status ? c->status : c->passed ? "pass" : "fail";
		ok = ok && s->status && strcmp(s->status, want) == 0 &&
			(strcmp(want, "no_data") == 0) == (s->reason != NULL);
		if (!ok)
			fail_msg("case %zu: rto %g rpo %g passed %d status %s", i,
				 s->rto_achievement, s->rpo_achievement, s->passed,
				 s->status ? s->status : "(none)");
		assert_int_equal(t.res->drills[i].passed, c->passed);
		assert_string_equal(t.res->drills[i].status, want);
		assert_int_equal(t.res->drills[i].n_results, 1);
	}
	finish(&t);
}

static const struct finding *find_ref(const struct run *t, const char *kind,
				      const char *ref)
{
	for (size_t i = 0; i < t->res->n_findings; i++) {
		const struct finding *f = &t->res->findings[i];
		if (strcmp(f->kind, kind) == 0 && f->ref && strcmp(f->ref, ref) == 0)
			return f;
	}
	return NULL;
}

static void test_drill_findings(void **state)
{
	struct run t;

	(void)state;
	start(&t, 2, 0, 7);
	fx_service(&t.x, "pay", 500000);       /* tier 1: RTO 5, RPO 0 */
	fx_service(&t.x, "wiki", 10);          /* tier 4: RTO 72 h */
	struct drill *d = fx_drill(&t.x, "rto", DRILL_FULL_SIMULATION, FX_AS_OF - 5 * FX_DAY, 2);
	fx_result(&t.x, d, 0, "pay", NAN, NAN, 7, 0, true, 1);
	fx_result(&t.x, d, 1, "wiki", NAN, NAN, 4000, 60, true, 1);
	d = fx_drill(&t.x, "rpo", DRILL_FULL_SIMULATION, FX_AS_OF - 4 * FX_DAY, 1);
	fx_result(&t.x, d, 0, "wiki", NAN, 60, 30, 90, true, 1);
	d = fx_drill(&t.x, "down", DRILL_FULL_SIMULATION, FX_AS_OF - 3 * FX_DAY, 1);
	fx_result(&t.x, d, 0, "pay", NAN, NAN, NAN, NAN, false, NAN);
	d->results[0].failure = "replica never caught up";
	d = fx_drill(&t.x, "avail", DRILL_PARTIAL_FAILOVER, FX_AS_OF - 2 * FX_DAY, 0);
	d->availability = 0.989;
	d = fx_drill(&t.x, "avail-ok", DRILL_PARTIAL_FAILOVER, FX_AS_OF - 1 * FX_DAY, 0);
	d->availability = 0.99;
	/* Measured nothing: no result, no availability.  A tabletop may. */
	fx_drill(&t.x, "silent", DRILL_PARTIAL_FAILOVER, FX_AS_OF - 1 * FX_DAY, 0);
	fx_drill(&t.x, "talk", DRILL_TABLETOP, FX_AS_OF - 1 * FX_DAY, 0);
	go(&t);

	/* Targets default to the tier's: 7 minutes against 5 achieves 71.4 %. */
	assert_true(t.res->drills[0].results[0].target_rto_minutes == 5);
	assert_true(t.res->drills[0].results[0].target_rpo_minutes == 0);
	assert_true(t.res->drills[0].results[1].target_rto_minutes == 4320);
	assert_true(fabs(t.res->drills[0].results[1].rto_achievement - 1) < 1e-9);
	const struct finding *f = find_ref(&t, "rto_missed", "rto");
	assert_non_null(f);
	assert_string_equal(f->subject, "pay");
	assert_string_equal(f->severity, "high");
	assert_true(strncmp(f->message, "achieved 71.4 % of the RTO target: 7 min against 5 "
			    "(shortfall 28.6 %) in the ", 77) == 0);
	assert_non_null(f->recommendation);
	assert_string_equal(f->id, "rto_missed/pay/rto");

	f = find_ref(&t, "rpo_missed", "rpo");
	assert_non_null(f);
	/* achievement = target / actual, shortfall = (1 - achievement) x 100 */
	assert_true(strncmp(f->message, "achieved 66.7 % of the RPO target: 90 min against 60 "
			    "(shortfall 33.3 %) in the ", 79) == 0);

	f = find_ref(&t, "not_recovered", "down");
	assert_non_null(f);
	assert_string_equal(f->severity, "critical");
	assert_non_null(strstr(f->message, "replica never caught up"));
	assert_true(t.res->drills[2].results[0].rto_achievement == 0);

	assert_false(t.res->drills[3].passed);
	assert_non_null(find(&t, "availability_missed", "avail"));
	assert_true(t.res->drills[4].passed);
	assert_null(find(&t, "availability_missed", "avail-ok"));
	assert_false(t.res->drills[5].passed);
	assert_string_equal(t.res->drills[5].status, "no_data");
	assert_true(t.res->drills[6].passed);
	finish(&t);
}

static void test_action_overdue(void **state)
{
	struct run t;
	static struct drill_issue issues[3];

	(void)state;
	start(&t, 1, 0, 1);
	fx_service(&t.x, "pay", 500000);
	struct drill *d = fx_drill(&t.x, "dr-1", DRILL_TABLETOP, FX_AS_OF - 20 * FX_DAY, 0);
	issues[0] = (struct drill_issue){"I-1", "Fix DNS TTL", "high", "bob",
					 FX_AS_OF - 3 * FX_DAY, true, NULL, 0};
	issues[1] = (struct drill_issue){"I-2", "Closed one", "high", "bob",
					 FX_AS_OF - 3 * FX_DAY, false, NULL, 0};
	issues[2] = (struct drill_issue){"I-3", "Not yet due", "low", NULL,
					 FX_AS_OF + FX_DAY, true, NULL, 0};
	d->issues = issues;
	d->n_issues = 3;
	go(&t);
	const struct finding *f = find_ref(&t, "action_overdue", "I-1");
	assert_non_null(f);
	assert_string_equal(f->subject, "dr-1");
	assert_string_equal(f->severity, "high");
	assert_non_null(strstr(f->message, "3 days after its due date 2026-10-29"));
	assert_null(find_ref(&t, "action_overdue", "I-2"));
	assert_null(find_ref(&t, "action_overdue", "I-3"));
	finish(&t);
}

/* Rules see an issue's services as a list (empty when it names none). */
static void test_issue_services_view(void **state)
{
	static const char *svc[] = {"pay", "ledger"};
	static struct drill_issue issues[2];
	const char *dirs[2] = {fx_rules_dir("view"), fx_lua_dir()};
	struct run t;

	(void)state;
	start(&t, 2, 0, 1);
	fx_service(&t.x, "pay", 500000);
	fx_service(&t.x, "ledger", 500000);
	struct drill *d = fx_drill(&t.x, "dr-1", DRILL_TABLETOP, FX_AS_OF - 20 * FX_DAY, 0);
	issues[0] = (struct drill_issue){"I-1", "Named", "high", "bob",
					 FX_AS_OF - 3 * FX_DAY, true, svc, 2};
	issues[1] = (struct drill_issue){"I-2", "Unnamed", "low", "bob",
					 FX_AS_OF - 3 * FX_DAY, true, NULL, 0};
	d->issues = issues;
	d->n_issues = 2;
	go(&t);
	struct rules *r = rules_new(dirs, 2);
	cJSON *out = rules_call_json(r, t.x.m, t.f, t.res, "issue_services", "run",
				     NULL, t.d);
	if (!out) {
		char *all = fx_diags(t.d);
		fail_msg("issue_services failed:\n%s", all);
	}
	assert_int_equal(cJSON_GetArraySize(out), 2);
	const cJSON *a = cJSON_GetArrayItem(out, 0), *b = cJSON_GetArrayItem(out, 1);
	assert_string_equal(cJSON_GetObjectItem(a, "id")->valuestring, "I-1");
	assert_int_equal(cJSON_GetObjectItem(a, "n")->valueint, 2);
	assert_string_equal(cJSON_GetObjectItem(a, "services")->valuestring, "pay,ledger");
	assert_int_equal(cJSON_GetObjectItem(b, "n")->valueint, 0);
	assert_string_equal(cJSON_GetObjectItem(b, "services")->valuestring, "");
	cJSON_Delete(out);
	rules_free(r);
	finish(&t);
}

static void test_drill_overdue_by_tier(void **state)
{
	struct run t;

	(void)state;
	start(&t, 4, 0, 4);
	fx_service(&t.x, "t1-fresh", 500000);
	fx_service(&t.x, "t1-stale", 500000);
	fx_service(&t.x, "t3", 5000);
	fx_service(&t.x, "t4-never", 5);
	/* Tier 1: a full simulation within 6 months. */
	struct drill *d = fx_drill(&t.x, "full-recent", DRILL_FULL_SIMULATION,
				   FX_AS_OF - 150 * FX_DAY, 2);
	fx_result(&t.x, d, 0, "t1-fresh", NAN, NAN, 1, 0, true, 1);
	fx_result(&t.x, d, 1, "t3", NAN, NAN, 1, 0, true, 1);
	d = fx_drill(&t.x, "full-old", DRILL_FULL_SIMULATION, FX_AS_OF - 200 * FX_DAY, 1);
	fx_result(&t.x, d, 0, "t1-stale", NAN, NAN, 1, 0, true, 1);
	/* Tier 3 also needs a partial failover within 3 months: its full
	 * simulation 150 days ago is too old for that. */
	d = fx_drill(&t.x, "tt", DRILL_TABLETOP, FX_AS_OF - 10 * FX_DAY, 0);
	go(&t);
	assert_null(find(&t, "drill_overdue", "t1-fresh"));
	const struct finding *f = find(&t, "drill_overdue", "t1-stale");
	assert_non_null(f);
	assert_string_equal(f->ref, "full_simulation");
	assert_string_equal(f->severity, "high");
	assert_non_null(strstr(f->message, "since 2026-04-15"));
	f = find_ref(&t, "drill_overdue", "partial_failover");
	assert_non_null(f);
	assert_string_equal(f->subject, "t3");
	assert_null(find(&t, "drill_overdue", "plan"));   /* tabletop 10 days ago */
	f = find(&t, "drill_overdue", "t4-never");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "has never had"));
	finish(&t);
}

static void test_plan_review_and_exceptions(void **state)
{
	struct run t;
	static struct exception ex[2];
	static const char *svc[1] = {"pay"};

	(void)state;
	start(&t, 1, 0, 0);
	fx_service(&t.x, "pay", 500000);
	t.x.m->meta.last_review = analyze_months_before(FX_AS_OF, 13);
	t.x.m->meta.next_review = DATE_NONE;
	ex[0] = (struct exception){.id = "EX-1", .control = "iso27001:A.8.13", .services = svc,
				   .n_services = 1, .justification = "budget",
				   .approved_by = "cto", .approved_on = FX_AS_OF - 90 * FX_DAY,
				   .expires = FX_AS_OF - FX_DAY};
	ex[1] = (struct exception){.id = "EX-2", .control = "A.5.30", .justification = "later",
				   .approved_by = "cto", .approved_on = FX_AS_OF - 90 * FX_DAY,
				   .expires = FX_AS_OF + FX_DAY};
	t.x.m->exceptions = ex;
	t.x.m->n_exceptions = 2;
	go(&t);
	const struct finding *f = find(&t, "plan_review_overdue", "plan");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "2025-10-01"));
	f = find(&t, "exception_expired", "iso27001:A.8.13");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "expired on 2026-10-31"));
	assert_null(find(&t, "exception_expired", "A.5.30"));
	/* No tabletop at all: the programme's monthly tabletop is overdue. */
	assert_non_null(find(&t, "drill_overdue", "plan"));
	finish(&t);
}

static void test_plan_review_within_12_months(void **state)
{
	struct run t;

	(void)state;
	start(&t, 1, 0, 0);
	fx_service(&t.x, "pay", 500000);
	t.x.m->meta.last_review = analyze_months_before(FX_AS_OF, 11);
	t.x.m->meta.next_review = FX_AS_OF + FX_DAY;
	go(&t);
	assert_null(find(&t, "plan_review_overdue", "plan"));
	finish(&t);

	/* A next_review date that passed counts even within 12 months. */
	start(&t, 1, 0, 0);
	fx_service(&t.x, "pay", 500000);
	t.x.m->meta.last_review = analyze_months_before(FX_AS_OF, 6);
	t.x.m->meta.next_review = FX_AS_OF - FX_DAY;
	go(&t);
	assert_non_null(find(&t, "plan_review_overdue", "plan"));
	finish(&t);
}

/* ---- findings: order and ids -------------------------------------------- */

static int sev_rank(const char *s)
{
	static const char *const order[] = {"critical", "high", "medium", "low", "info"};
	for (int i = 0; i < 5; i++)
		if (strcmp(s, order[i]) == 0)
			return i;
	return 9;
}

static void test_findings_sorted_unique(void **state)
{
	struct run t;
	char id[16];

	(void)state;
	start(&t, 6, 6, 2);
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "s%d", i);
		struct service *s = fx_service(&t.x, id, i % 2 ? 500000 : 50);
		snprintf(id, sizeof(id), "ds%d", i);
		fx_store(&t.x, s, id, (enum criticality)(i % 3));
	}
	struct drill *d = fx_drill(&t.x, "x", DRILL_FULL_SIMULATION, FX_AS_OF - FX_DAY, 2);
	fx_result(&t.x, d, 0, "s1", NAN, NAN, 50, 5, true, 1);
	fx_result(&t.x, d, 1, "s1", NAN, NAN, 50, 5, true, 1);
	go(&t);
	assert_true(t.res->n_findings > 10);
	for (size_t i = 1; i < t.res->n_findings; i++) {
		const struct finding *a = &t.res->findings[i - 1], *b = &t.res->findings[i];
		int c = sev_rank(a->severity) - sev_rank(b->severity);
		if (!c)
			c = strcmp(a->kind, b->kind);
		assert_true(c <= 0);
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(t.res->findings[k].id, b->id);
	}
	/* The same service missing RTO twice in one drill: "#2" keeps ids unique. */
	assert_non_null(find_ref(&t, "rto_missed", "x"));
	bool dup = false;
	for (size_t i = 0; i < t.res->n_findings; i++)
		dup |= strcmp(t.res->findings[i].id, "rto_missed/s1/x#2") == 0;
	assert_true(dup);
	assert_true(count(&t, "backup_never") == 6);
	finish(&t);
}

/* ---- runbook.lua (SPEC 3.6) --------------------------------------------- */

static const cJSON *section(const cJSON *rb, const char *id)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, cJSON_GetObjectItem(rb, "sections")) {
		if (strcmp(cJSON_GetObjectItem(s, "id")->valuestring, id) == 0)
			return s;
	}
	return NULL;
}

static bool items_mention(const cJSON *sec, const char *needle)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(sec, "items")) {
		const cJSON *text = cJSON_GetObjectItem(it, "text");
		const cJSON *detail = cJSON_GetObjectItem(it, "detail");
		if ((text && strstr(text->valuestring, needle)) ||
		    (detail && strstr(detail->valuestring, needle)))
			return true;
	}
	return false;
}

/* Index of the first recovery step that mentions needle, or -1. */
static int step_index(const cJSON *rb, const char *needle)
{
	const cJSON *it;
	int i = 0;

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(section(rb, "recovery"), "items")) {
		const cJSON *text = cJSON_GetObjectItem(it, "text");
		if (text && strstr(text->valuestring, needle))
			return i;
		i++;
	}
	return -1;
}

static bool any_section_mentions(const cJSON *rb, const char *needle)
{
	const cJSON *sec;

	cJSON_ArrayForEach(sec, cJSON_GetObjectItem(rb, "sections")) {
		if (items_mention(sec, needle))
			return true;
	}
	return false;
}

static void test_runbook_sections(void **state)
{
	static const char *const ids[] = {"pre_disaster", "detection", "declaration",
					  "pre_checks", "recovery", "validation",
					  "rollback", "contacts"};
	static struct health_check hc = {"api", "https://pay.example/health", 200};
	struct run t;

	(void)state;
	start(&t, 5, 3, 0);
	struct service *pay = fx_service(&t.x, "pay", 500000);
	struct service *db = fx_service(&t.x, "db", 500000);
	struct service *auth = fx_service(&t.x, "auth", 500000);
	struct service *wiki = fx_service(&t.x, "wiki", 5);
	struct service *led = fx_service(&t.x, "led", 500000);
	fx_depends(&t.x, auth, db);
	fx_depends(&t.x, pay, auth);
	fx_depends(&t.x, pay, db);
	pay->health_checks = &hc;
	pay->n_health_checks = 1;
	struct datastore *pd = fx_store(&t.x, pay, "pay-db", CRIT_CRITICAL);
	pd->procedure.json = "{\"replica_regions\": [\"eu-central-1\"], "
			     "\"promote\": {\"commands\": [\"ctl promote pay-db\"], \"minutes\": 3}}";
	struct datastore *wd = fx_store(&t.x, wiki, "wiki-db", CRIT_STANDARD);
	fx_backup(wd, LOC_PRIMARY, 3600, "aes-128-cbc", false, BTYPE_SNAPSHOT, 1);
	struct datastore *ld = fx_store(&t.x, led, "led-db", CRIT_CRITICAL);
	fx_backup(ld, LOC_SECONDARY, 600, "aes-256-gcm", false, BTYPE_FULL, 1);
	go(&t);

	const cJSON *rb = t.res->runbooks[0];
	assert_non_null(rb);
	const cJSON *secs = cJSON_GetObjectItem(rb, "sections");
	assert_int_equal(cJSON_GetArraySize(secs), (int)ARRAY_LEN(ids));
	for (size_t i = 0; i < ARRAY_LEN(ids); i++)
		assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(secs, (int)i),
				    "id")->valuestring, ids[i]);
	/* Two regions and a replica in the second: the tier's strategy holds. */
	assert_string_equal(cJSON_GetObjectItem(rb, "strategy")->valuestring,
			    "active-active multi-region, from eu-west-1 to eu-central-1");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(rb, "automatic_failover")));
	assert_true(items_mention(section(rb, "pre_disaster"), "replication lag of pay-db (at most 5 s)"));
	assert_true(items_mention(section(rb, "detection"), "3 consecutive failures"));
	assert_true(items_mention(section(rb, "detection"), "data corruption"));
	assert_true(items_mention(section(rb, "declaration"), "monitor consensus is at least 0.8"));
	assert_true(items_mention(section(rb, "pre_checks"), "Replication lag of pay-db is at most 5 s"));
	assert_true(items_mention(section(rb, "validation"), "https://pay.example/health returns 200"));
	assert_true(items_mention(section(rb, "validation"), "p99 latency below 500 ms"));
	assert_true(items_mention(section(rb, "validation"), "Error rate below 0.1 %"));
	assert_true(items_mention(section(rb, "validation"), "checksums on a 10 % sample"));
	assert_true(items_mention(section(rb, "rollback"), "Redirect traffic back to eu-west-1"));
	assert_true(items_mention(section(rb, "recovery"), "10 % first"));
	assert_true(items_mention(section(rb, "recovery"), "TTL 60 s"));
	/* Fence before promote; the plan's command and minutes on the promotion. */
	int fence = step_index(rb, "Fence the old primary of pay-db in eu-west-1");
	int promote = step_index(rb, "Promote the replica of pay-db in eu-central-1");
	assert_true(fence >= 0 && promote == fence + 1);
	const cJSON *steps = cJSON_GetObjectItem(section(rb, "recovery"), "items");
	const cJSON *ps = cJSON_GetArrayItem(steps, promote);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(ps, "commands"), 0)->valuestring,
			    "ctl promote pay-db");
	assert_true(cJSON_GetObjectItem(ps, "minutes")->valuedouble == 3);

	/* Dependencies first, in recovery order: db (wave 1) before auth (wave 2). */
	assert_non_null(strstr(cJSON_GetObjectItem(cJSON_GetArrayItem(steps, 1), "text")->valuestring,
			       "Wait until db is recovered"));
	assert_non_null(strstr(cJSON_GetObjectItem(cJSON_GetArrayItem(steps, 2), "text")->valuestring,
			       "Wait until auth is recovered"));
	/* The running total is the budget; tier 1 (RTO 5) cannot make it. */
	const cJSON *budget = cJSON_GetObjectItem(rb, "budget");
	const cJSON *last = cJSON_GetArrayItem(steps, cJSON_GetArraySize(steps) - 1);
	assert_true(cJSON_GetObjectItem(budget, "minutes")->valuedouble ==
		    cJSON_GetObjectItem(last, "total")->valuedouble);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(budget, "exceeds")));
	const struct finding *over = find(&t, "runbook_exceeds_rto", "pay");
	assert_non_null(over);
	assert_string_equal(over->severity, "high");
	assert_non_null(strstr(over->message, "the steps of pay take"));
	assert_non_null(strstr(over->message, "RTO 5 minutes"));

	/* Stateless (db, auth): no backup, restore or promotion anywhere. */
	const cJSON *dbr = t.res->runbooks[1];
	assert_false(any_section_mentions(dbr, "backup"));
	assert_false(any_section_mentions(dbr, "estore"));
	assert_false(any_section_mentions(dbr, "romot"));
	assert_true(items_mention(section(dbr, "recovery"), "Scale db in eu-central-1"));

	/* Backup and restore: no automatic failover, the copy named; it fits its RTO. */
	const cJSON *wrb = t.res->runbooks[3];
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(wrb, "automatic_failover")));
	assert_true(items_mention(section(wrb, "recovery"), "Restore wiki-db"));
	assert_true(items_mention(section(wrb, "recovery"), "wiki-db-0"));
	assert_false(items_mention(section(wrb, "pre_disaster"), "replication lag"));
	assert_null(find(&t, "runbook_exceeds_rto", "wiki"));

	/* A tier-1 store without a replica is restored; its pre-check is the
	 * lag tolerance (RPO 0), and the missing replica fact is named. */
	const cJSON *lrb = t.res->runbooks[4];
	assert_true(items_mention(section(lrb, "pre_checks"),
				  "at most 15 minutes old (RPO 0, judged with the replication-lag tolerance)"));
	assert_false(items_mention(section(lrb, "pre_checks"), "at most 1 hour old"));
	assert_true(step_index(lrb, "Restore led-db") >= 0);
	assert_true(step_index(lrb, "Promote") < 0);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(lrb, "automatic_failover")));
	assert_non_null(strstr(cJSON_GetArrayItem(cJSON_GetObjectItem(lrb, "missing"), 0)->valuestring,
			       "whether led-db has a replica in eu-central-1"));

	/* Sections that read the same in two runbooks are kept once: the later
	 * one is a reference to the earlier (and reads the same). */
	const cJSON *v1 = section(dbr, "validation"), *v2 = section(t.res->runbooks[2], "validation");
	assert_true(cJSON_Compare(v1, v2, true));
	assert_false(v1->type & cJSON_IsReference);
	assert_true(v2->type & cJSON_IsReference);
	assert_ptr_equal(v1->child, v2->child);
	finish(&t);
}

/* One region, no copy elsewhere: recovery in place, naming no other region. */
static void test_runbook_single_region(void **state)
{
	struct run t;

	(void)state;
	start(&t, 2, 1, 0);
	struct service *one = fx_service(&t.x, "one", 50000);   /* tier 2 */
	struct service *fx = fx_service(&t.x, "fx", 5000);       /* tier 3, stateless */
	one->n_regions = 1;
	fx->n_regions = 1;
	struct datastore *od = fx_store(&t.x, one, "one-db", CRIT_IMPORTANT);
	fx_backup(od, LOC_PRIMARY, 1800, "aes-256-gcm", false, BTYPE_FULL, 1);
	snprintf(od->backups.at[LOC_PRIMARY].newest_success_region,
		 sizeof(od->backups.at[LOC_PRIMARY].newest_success_region), "eu-west-1");
	go(&t);

	const cJSON *rb = t.res->runbooks[0];
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(rb, "in_place")));
	assert_false(any_section_mentions(rb, "eu-central-1"));
	assert_false(any_section_mentions(rb, "eu-north-1"));
	assert_true(step_index(rb, "Restore one-db (postgresql) in place in eu-west-1") >= 0);
	assert_string_equal(cJSON_GetObjectItem(rb, "strategy")->valuestring,
			    "restore in place in eu-west-1");
	assert_non_null(strstr(cJSON_GetObjectItem(rb, "strategy_gap")->valuestring,
			       "calls for active-passive multi-region"));
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(rb, "automatic_failover")));

	const cJSON *frb = t.res->runbooks[1];
	assert_false(any_section_mentions(frb, "eu-central-1"));
	assert_true(step_index(frb, "Redeploy fx in eu-west-1") >= 0);
	assert_false(any_section_mentions(frb, "estore"));
	assert_false(any_section_mentions(frb, "romot"));
	assert_false(any_section_mentions(frb, "backup"));
	assert_null(cJSON_GetObjectItem(frb, "strategy_gap"));
	finish(&t);
}

/* ---- a larger plan, for the stage's speed ------------------------------- */

static void test_ten_thousand_services(void **state)
{
	const size_t n = 10000;
	struct run t;
	char id[32];
	struct timespec t0, t1;

	(void)state;
	start(&t, n, n, n);
	for (size_t i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "svc-%05zu", i);
		struct service *s = fx_service(&t.x, id, (double)(i % 4) * 40000);
		s->monthly_cost = 100;
		if (i > 0)
			fx_depends(&t.x, s, &t.x.m->services[i / 2]);
		snprintf(id, sizeof(id), "ds-%05zu", i);
		struct datastore *ds = fx_store(&t.x, s, id, (enum criticality)(i % 3));
		fx_backup(ds, LOC_PRIMARY, 600, "aes-256-gcm", false, BTYPE_CONTINUOUS, 1ull << 30);
		fx_backup(ds, LOC_SECONDARY, 600, "aes-256-gcm", false, BTYPE_CONTINUOUS, 1ull << 30);
		snprintf(id, sizeof(id), "dr-%05zu", i);
		struct drill *d = fx_drill(&t.x, id, DRILL_FULL_SIMULATION,
					   FX_AS_OF - (int64_t)(i % 150) * FX_DAY, 1);
		fx_result(&t.x, d, 0, t.x.m->services[i].id, NAN, NAN, 1, 0, true, 1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	go(&t);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("rules stage for %zu services, %zu stores, %zu drills: %.3f s, %zu findings\n",
		      n, n, n, secs, t.res->n_findings);
	/* Generous: sanitizer builds and a loaded machine are slower. */
	assert_true(secs < 20);
	assert_int_equal(t.res->n_tiers, n);
	finish(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tier_thresholds),
		cmocka_unit_test(test_tier_objectives),
		cmocka_unit_test(test_tier_override),
		cmocka_unit_test(test_tier_inversion_and_single_region),
		cmocka_unit_test(test_cost),
		cmocka_unit_test(test_policy_table),
		cmocka_unit_test(test_policy_gaps),
		cmocka_unit_test(test_restore_test_boundary),
		cmocka_unit_test(test_drill_scoring),
		cmocka_unit_test(test_drill_findings),
		cmocka_unit_test(test_action_overdue),
		cmocka_unit_test(test_issue_services_view),
		cmocka_unit_test(test_drill_overdue_by_tier),
		cmocka_unit_test(test_plan_review_and_exceptions),
		cmocka_unit_test(test_plan_review_within_12_months),
		cmocka_unit_test(test_findings_sorted_unique),
		cmocka_unit_test(test_runbook_sections),
		cmocka_unit_test(test_runbook_single_region),
		cmocka_unit_test(test_ten_thousand_services),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
