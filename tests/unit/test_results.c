/* test_results.c -- results.json building and its deterministic writer. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyze.h"
#include "dates.h"
#include "model.h"
#include "restore_tests.h"
#include "results.h"
#include "rules.h"

static int64_t T(const char *s)
{
	int64_t t;
	assert_true(date_parse_any(s, strlen(s), &t));
	return t;
}

static char *print_one(cJSON *v)
{
	char *s = results_print(v, NULL);
	cJSON_Delete(v);
	return s;
}

static void test_numbers(void **state)
{
	(void)state;
	struct { double x; const char *want; } cases[] = {
		{0.95, "0.95\n"}, {1, "1\n"}, {-0.0, "0\n"}, {60, "60\n"},
		{5e12, "5000000000000\n"}, {1e300, "1e+300\n"},
		{0.1 + 0.2, "0.30000000000000004\n"}, {NAN, "null\n"},
		{INFINITY, "null\n"}, {-2.5, "-2.5\n"}, {3000000000.0, "3000000000\n"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *s = print_one(cJSON_CreateNumber(cases[i].x));
		assert_string_equal(s, cases[i].want);
		free(s);
	}
	assert_true(results_round(0.123456, 4) == 0.1235);
	assert_true(results_round(2.0 / 3.0, 4) == 0.6667);
	assert_true(isnan(results_round(NAN, 4)));
}

static void test_strings_and_layout(void **state)
{
	(void)state;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "s", "a\"b\\c\n\x01 é");
	cJSON_AddItemToObject(o, "e", cJSON_CreateArray());
	cJSON_AddItemToObject(o, "o", cJSON_CreateObject());
	cJSON *a = cJSON_AddArrayToObject(o, "a");
	cJSON_AddItemToArray(a, cJSON_CreateTrue());
	cJSON_AddItemToArray(a, cJSON_CreateNull());
	char *s = print_one(o);
	assert_string_equal(s,
		"{\n"
		"  \"s\": \"a\\\"b\\\\c\\n\\u0001 é\",\n"
		"  \"e\": [],\n"
		"  \"o\": {},\n"
		"  \"a\": [\n"
		"    true,\n"
		"    null\n"
		"  ]\n"
		"}\n");
	free(s);
}

static struct model *small_model(void)
{
	struct model *m = model_new();
	m->as_of = T("2026-11-01");
	m->period_start = T("2026-10-01");
	m->period_end = T("2026-11-01");
	m->org.id = "kestrel";
	m->org.name = "Kestrel Payments";
	m->n_services = 2;
	m->services = arena_calloc(m->arena, 2, sizeof(*m->services));
	m->services[0].id = "ledger";
	m->services[0].name = "Ledger";
	m->services[0].tier = 1;
	m->services[1].id = "api";
	m->services[1].name = "API";
	m->services[1].depends_on = arena_calloc(m->arena, 1, sizeof(char *));
	m->services[1].depends_on_index = arena_calloc(m->arena, 1, sizeof(size_t));
	m->services[1].depends_on[0] = "ledger";
	m->services[1].n_depends_on = 1;
	m->services[0].monthly_cost = NAN;
	m->services[1].monthly_cost = 1200;
	m->n_datastores = 1;
	m->datastores = arena_calloc(m->arena, 1, sizeof(*m->datastores));
	struct datastore *d = &m->datastores[0];
	d->id = "ledger-db";
	d->criticality = CRIT_CRITICAL;
	d->size_gb = 12.5;
	for (int l = 0; l < LOC_COUNT; l++) {
		d->backups.at[l].newest_success = DATE_NONE;
	}
	for (int k = 0; k < RMETHOD_COUNT; k++)
		restore_tests_init(&d->backups.tests[k]);
	d->backups.at[LOC_OFFSITE].newest_success = T("2026-10-31T23:50:30Z");
	d->backups.at[LOC_OFFSITE].successes = 1;
	snprintf(d->backups.at[LOC_OFFSITE].newest_encryption, BACKUP_NAME_MAX, "aes-256-gcm");
	d->backups.at[LOC_OFFSITE].bytes_retained = 5000000000000ull;
	m->services[0].datastore_index = arena_calloc(m->arena, 1, sizeof(size_t));
	m->services[0].n_datastores = 1;
	return m;
}

static void test_document(void **state)
{
	(void)state;
	struct model *m = small_model();
	struct facts *f = analyze_model(m);
	int tier[] = {3, 2};  /* api (tier 2) depends on ledger (tier 3) */
	double rpo[] = {0, 5};
	bool multi[] = {true, true};
	struct objectives obj = {tier, rpo, multi, 15};
	analyze_objectives(f, m, &obj);

	cJSON *doc = results_build(m, f, NULL);
	char *s1 = results_print(doc, NULL);
	char *s2 = results_print(doc, NULL);
	assert_string_equal(s1, s2);

	cJSON *back = cJSON_Parse(s1);
	assert_non_null(back);
	assert_string_equal(cJSON_GetObjectItem(back, "as_of")->valuestring,
			    "2026-11-01T00:00:00Z");
	assert_string_equal(cJSON_GetObjectItem(back, "period")->valuestring, "2026-10");
	cJSON *svc = cJSON_GetArrayItem(cJSON_GetObjectItem(back, "services"), 1);
	assert_string_equal(cJSON_GetObjectItem(svc, "id")->valuestring, "api");
	assert_int_equal(cJSON_GetObjectItem(svc, "recovery_wave")->valueint, 2);
	assert_int_equal(cJSON_GetObjectItem(svc, "tier")->valueint, 2);
	assert_string_equal(cJSON_GetObjectItem(svc, "tier_source")->valuestring, "computed");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(
		cJSON_GetObjectItem(back, "services"), 0), "tier_source")->valuestring,
		"override");
	cJSON *ds = cJSON_GetArrayItem(cJSON_GetObjectItem(back, "datastores"), 0);
	assert_string_equal(cJSON_GetObjectItem(ds, "service")->valuestring, "ledger");
	assert_string_equal(cJSON_GetObjectItem(ds, "currency")->valuestring, "ok");
	assert_true(cJSON_GetObjectItem(ds, "age_minutes")->valuedouble == 9.5);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(ds, "last_restore_test")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(ds, "offsite")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(ds, "locations")), 1);
	assert_non_null(strstr(s1, "\"bytes_retained\": 5000000000000"));
	assert_non_null(strstr(s1, "\"size_gb\": 12.5"));
	assert_non_null(strstr(s1, "\"controls\": []"));
	assert_non_null(strstr(s1, "\"unknown_datastores\": []"));
	cJSON *inv = cJSON_GetObjectItem(back, "tier_inversions");
	assert_int_equal(cJSON_GetArraySize(inv), 1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(inv, 0), "service")->valuestring,
			    "api");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(back, "single_region_services")), 2);
	cJSON_Delete(back);
	free(s1);
	free(s2);
	cJSON_Delete(doc);
	analyze_free(f);
	model_free(m);
}


/* Rule results made by hand: the document takes them as they are. */
/* A results_write target that keeps what it gets, failing after `fail_after` calls. */
struct sink {
	struct buf b;
	size_t calls;
	size_t fail_after;
};

static bool sink_write(void *ctx, const void *data, size_t len)
{
	struct sink *k = ctx;
	if (k->calls++ >= k->fail_after)
		return false;
	buf_append(&k->b, data, len);
	return true;
}

static void test_with_rules(void **state)
{
	(void)state;
	struct model *m = small_model();
	m->n_drills = 1;
	m->drills = arena_calloc(m->arena, 1, sizeof(*m->drills));
	m->drills[0].id = "dr-1";
	m->drills[0].date = T("2026-10-10");
	m->drills[0].type = DRILL_FULL_SIMULATION;
	m->drills[0].availability = 0.995;
	m->drills[0].n_results = 1;
	m->drills[0].results = arena_calloc(m->arena, 1, sizeof(struct drill_result));
	m->drills[0].results[0] = (struct drill_result){
		"ledger", 0, NAN, 0, 6, 0, true, 1, false, NULL};
	struct facts *f = analyze_model(m);

	struct rules_results r = {0};
	struct service_tier tiers[2] = {
		{1, "critical", true, "explicit tier", 0, 5, "active-active multi-region", 3.5, true, false},
		{2, "essential", false, "revenue", 5, 60, "active-passive multi-region", 2, true, false}};
	int tier_of[2] = {1, 2};
	double rpo_of[2] = {0, 5};
	bool multi_of[2] = {true, true};
	struct service_cost costs[2] = {{100.5, 100, 0.5}, {2400, 2400, NAN}};
	struct drill_result_score score = {5, 0, 5.0 / 6.0, 1, false, "fail", NULL};
	struct drill_score ds = {false, "fail", &score, 1};
	struct finding findings[2] = {
		{"rto_missed/ledger/dr-1", "rto_missed", "high", "ledger",
		 "RTO target missed by 20 %", "rehearse", "dr-1", "drills"},
		{"backup_stale/ledger-db", "backup_stale", "critical", "ledger-db",
		 "stale", "fix", NULL, "backup_policy"}};
	r.tiers = tiers;
	r.n_tiers = 2;
	r.tier_of = tier_of;
	r.rpo_of = rpo_of;
	r.multi_region_of = multi_of;
	r.lag_tolerance_minutes = 5;
	r.levels[0] = (struct tier_level){1, "critical", "> 100000", 0, 5,
					  "active-active multi-region", 3.5, true};
	r.costs = costs;
	r.cost_total = 2500.5;
	r.cost_by_tier[0] = 100.5;
	r.cost_by_tier[1] = 2400;
	r.drills = &ds;
	r.findings = findings;
	r.n_findings = 2;

	struct objectives obj = {tier_of, rpo_of, multi_of, r.lag_tolerance_minutes};
	analyze_objectives(f, m, &obj);
	cJSON *doc = results_build(m, f, &r);
	char *s = results_print(doc, NULL);
	cJSON *back = cJSON_Parse(s);
	cJSON *svc = cJSON_GetArrayItem(cJSON_GetObjectItem(back, "services"), 0);
	assert_string_equal(cJSON_GetObjectItem(svc, "tier_name")->valuestring, "critical");
	assert_string_equal(cJSON_GetObjectItem(svc, "tier_source")->valuestring, "override");
	assert_true(cJSON_GetObjectItem(svc, "rto_minutes")->valuedouble == 5);
	assert_true(cJSON_GetObjectItem(svc, "dr_monthly_cost")->valuedouble == 100.5);
	cJSON *res = cJSON_GetArrayItem(cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(back, "drills"), 0), "results"), 0);
	assert_true(cJSON_GetObjectItem(res, "rto_achievement")->valuedouble == 0.8333);
	assert_true(cJSON_GetObjectItem(res, "target_rto_minutes")->valuedouble == 5);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(res, "passed")));
	assert_non_null(strstr(s, "\"rto_achievement\": 0.8333,"));
	assert_non_null(strstr(s, "\"availability\": 0.995,"));
	cJSON *fnd = cJSON_GetObjectItem(back, "findings");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(fnd, 0), "id")->valuestring,
			    "backup_stale/ledger-db");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(fnd, 0), "ref")));
	cJSON *cost = cJSON_GetObjectItem(back, "cost");
	assert_true(cJSON_GetObjectItem(cost, "monthly_total")->valuedouble == 2500.5);
	assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(cost, "by_tier"), "3")->valuedouble == 0);
	assert_true(cJSON_GetObjectItem(cost, "backup_storage")->valuedouble == 0.5);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(back, "tiers")), 1);

	/* Streamed entry by entry: the same bytes as the whole tree printed. */
	struct results *rs = results_new(m, f, &r);
	cJSON *summary = results_summary(rs);
	struct sink all = {BUF_INIT, 0, SIZE_MAX};
	assert_true(results_write(rs, summary, sink_write, &all));
	assert_int_equal(all.b.len, strlen(s));
	assert_memory_equal(all.b.data, s, all.b.len);
	buf_free(&all.b);
	/* A writer that fails stops the stream at once. */
	struct sink failing = {BUF_INIT, 0, 0};
	assert_false(results_write(rs, summary, sink_write, &failing));
	assert_int_equal(failing.calls, 1);
	buf_free(&failing.b);
	cJSON_Delete(summary);
	results_free(rs);

	cJSON_Delete(back);
	free(s);
	cJSON_Delete(doc);
	analyze_free(f);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings_and_layout),
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_with_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
