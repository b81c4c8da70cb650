/*
 * test_track.c -- findings as tracked from period to period (src/track.c,
 * docs/audit.md): anchors of controls and findings, the status and first
 * report carried from the previous results.json, the due date of the
 * severity policy at its boundary, and the ISO 4217 check of
 * organization.currency (src/currency.c).
 */
#include "testutil.h"

#include "currency.h"
#include "dates.h"
#include "model.h"
#include "rules.h"
#include "track.h"

static int64_t at(const char *rfc3339)
{
	int64_t t = 0;
	assert_true(date_parse_rfc3339(rfc3339, strlen(rfc3339), &t));
	return t;
}

static void test_control_anchors(void **state)
{
	static const char *const cases[][3] = {
		{"iso27001", "A.8.13", "iso27001-a.8.13"},
		{"nist80053", "CP-9(1)", "nist80053-cp-9-1"},
		{"dora", "Art. 12(7)", "dora-art-12-7"},
		{"hipaa", "164.308(a)(7)(ii)(B)", "hipaa-164.308-a-7-ii-b"},
		{"soc2", "CC7.4", "soc2-cc7.4"},
		{"pci", "12.10.4.1", "pci-12.10.4.1"},
	};
	char out[128];
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		track_control_anchor(cases[i][0], cases[i][1], out, sizeof(out));
		assert_string_equal(out, cases[i][2]);
	}
	track_anchor("exception", "EX-2026-01", out, sizeof(out));
	assert_string_equal(out, "exception-ex-2026-01");
	track_anchor("exception", "x\" onmouseover=\"alert(1)", out, sizeof(out));
	assert_string_equal(out, "exception-x-onmouseover-alert-1");
}

static void test_currency_codes(void **state)
{
	(void)state;
	assert_true(currency_known("EUR"));
	assert_true(currency_known("USD"));
	assert_true(currency_known("CHF"));
	assert_true(currency_known("AED"));   /* the first */
	assert_true(currency_known("ZWL"));   /* the last */
	assert_false(currency_known("eur"));
	assert_false(currency_known("EURO"));
	assert_false(currency_known("EU"));
	assert_false(currency_known("ABC"));
	assert_false(currency_known(""));
	assert_false(currency_known(NULL));
}

struct fixture {
	struct model *m;
	struct rules_results *r;
	struct finding f[3];
	cJSON *policy, *previous;
};

/*
 * Three high findings (30 days): one carried from a report whose first
 * report was 2026-09-01, one only in the previous report (2026-10-01), and
 * one new this period.
 */
static void setup(struct fixture *x, const char *as_of)
{
	x->m = model_new();
	x->m->as_of = at(as_of);
	x->m->period_start = at("2026-10-01T00:00:00Z");
	x->m->period_end = at("2026-11-01T00:00:00Z");
	x->r = rules_results_new(x->m);
	x->f[0] = (struct finding){"backup_stale/db", "backup_stale", "high", "db", "m", "r", NULL, "t"};
	x->f[1] = (struct finding){"single_region/app", "single_region", "high", "app", "m", "r", NULL, "t"};
	x->f[2] = (struct finding){"no_restore_test/db", "no_restore_test", "high", "db", "m", "r", NULL, "t"};
	x->r->findings = x->f;
	x->r->n_findings = 3;
	x->policy = cJSON_Parse("{\"due_days\": {\"high\": 30}, \"controls\": "
				"{\"backup_stale\": [\"backup_currency_within_rpo\"]}}");
	x->previous = cJSON_Parse(
		"{\"period\": \"2026-09\", \"as_of\": \"2026-10-01T00:00:00Z\", \"findings\": ["
		"{\"id\": \"backup_stale/db\", \"open_since\": \"2026-08\","
		" \"first_reported\": \"2026-09-01T00:00:00Z\"},"
		"{\"id\": \"single_region/app\"}]}");
	assert_non_null(x->policy);
	assert_non_null(x->previous);
}

static void teardown(struct fixture *x)
{
	x->r->findings = NULL;
	x->r->n_findings = 0;
	rules_results_free(x->r);
	model_free(x->m);
	cJSON_Delete(x->policy);
	cJSON_Delete(x->previous);
}

static void test_status_and_due_boundary(void **state)
{
	struct fixture x;
	cJSON *controls = cJSON_Parse(
		"[{\"framework\": \"iso27001\", \"control\": \"A.8.13\", \"checks\": ["
		"{\"check\": \"backup_currency_within_rpo\", \"status\": \"fail\","
		" \"reason\": \"db (critical): newest copy 3 hours old\"}]},"
		"{\"framework\": \"iso27001\", \"control\": \"A.5.30\", \"checks\": ["
		"{\"check\": \"backup_currency_within_rpo\", \"status\": \"pass\","
		" \"reason\": \"db is fine\"}]}]");
	(void)state;

	/* 2026-09-01 + 30 days = 2026-10-01T00:00:00Z: due, not yet overdue */
	setup(&x, "2026-10-01T00:00:00Z");
	struct track *t = track_new(x.m, x.r, x.policy, x.previous, controls);
	const struct track_finding *a = track_of(t, &x.r->findings[0]);
	const struct track_finding *b = track_of(t, &x.r->findings[1]);
	const struct track_finding *c = track_of(t, &x.r->findings[2]);
	assert_string_equal(a->status, "open");
	assert_string_equal(a->open_since, "2026-08");
	assert_int_equal(a->first_reported, at("2026-09-01T00:00:00Z"));
	assert_int_equal(a->due, at("2026-10-01T00:00:00Z"));
	assert_false(a->overdue);
	assert_string_equal(a->anchor, "finding-backup-stale-db");
	/* carried without its own first report: the previous report's as-of */
	assert_string_equal(b->status, "open");
	assert_string_equal(b->open_since, "2026-09");
	assert_int_equal(b->first_reported, at("2026-10-01T00:00:00Z"));
	/* new: this period, due 30 days after this report */
	assert_string_equal(c->status, "new");
	assert_string_equal(c->open_since, "2026-10");
	assert_int_equal(c->due, at("2026-10-31T00:00:00Z"));
	/* linked to the failing check that names its subject, not the passing one */
	assert_int_equal(a->n_controls, 1);
	assert_int_equal(a->controls[0], 0);
	assert_int_equal(c->n_controls, 0);
	track_free(t);
	teardown(&x);

	/* one second later it is overdue */
	setup(&x, "2026-10-01T00:00:01Z");
	t = track_new(x.m, x.r, x.policy, x.previous, controls);
	assert_true(track_of(t, &x.r->findings[0])->overdue);
	assert_false(track_of(t, &x.r->findings[2])->overdue);
	track_free(t);

	/* without a previous report: open, since unknown, due from this report */
	t = track_new(x.m, x.r, x.policy, NULL, controls);
	assert_string_equal(track_of(t, &x.r->findings[0])->status, "open");
	assert_string_equal(track_of(t, &x.r->findings[0])->open_since, "");
	assert_int_equal(track_of(t, &x.r->findings[0])->first_reported, x.m->as_of);
	track_free(t);
	teardown(&x);
	cJSON_Delete(controls);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_anchors),
		cmocka_unit_test(test_currency_codes),
		cmocka_unit_test(test_status_and_due_boundary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
