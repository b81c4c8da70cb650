/* test_views.c -- view models, display formats, render_all (threads, CSV, JUnit). */
#include "testutil.h"

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "build_format.h"
#include "dates.h"
#include "diag.h"
#include "evidence.h"
#include "load.h"
#include "publish.h"
#include "render.h"
#include "mustache.h"
#include "results.h"
#include "rules.h"
#include "views.h"

#define PLAN "tests/golden/small-plan"

/* ---- display formats -------------------------------------------------- */

static void test_format_objective(void **state)
{
	(void)state;
	struct { double m; const char *want; } cases[] = {
		{0, "0 min"}, {5, "5 min"}, {0.5, "0.5 min"}, {60, "1 h"}, {90, "1.5 h"},
		{240, "4 h"}, {1440, "24 h"}, {4320, "72 h"}, {NAN, ""}, {-1, ""},
	};
	char out[32];
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		views_format_objective(cases[i].m, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
}

static void test_format_age(void **state)
{
	(void)state;
	struct { double m; const char *want; } cases[] = {
		{0, "< 1 min"}, {0.4, "< 1 min"}, {1, "1 min"}, {42, "42 min"}, {59.6, "1 h"},
		{60, "1 h"}, {200, "3 h 20 min"}, {2879, "47 h 59 min"}, {2880, "2 d"},
		{3000, "2 d 2 h"}, {7354.8, "5 d 2 h"}, {NAN, ""}, {-1, ""},
	};
	char out[32];
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		views_format_age(cases[i].m, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
}

static void test_format_number(void **state)
{
	(void)state;
	struct { double x; int dec; const char *want; } cases[] = {
		{0, 0, "0"}, {999, 0, "999"}, {1000, 0, "1,000"}, {12400, 0, "12,400"},
		{1234567.891, 2, "1,234,567.89"}, {-4500.5, 0, "-4,501"}, {-0.001, 0, "0"},
		{0.5, 0, "1"}, {NAN, 0, ""}, {INFINITY, 0, ""},
	};
	char out[48];
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		views_format_number(cases[i].x, cases[i].dec, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
	/* A small buffer is never overrun and stays terminated. */
	char small[6];
	views_format_number(123456789, 0, small, sizeof(small));
	assert_true(strlen(small) < sizeof(small));
}

/* ---- the small golden plan through the pipeline ------------------------ */

struct fixture {
	struct source_set *src;
	struct model *m;
	struct facts *f;
	struct rules *rules;
	struct rules_results *res;
	struct results *entries;
	cJSON *results;
	struct diags *d;
	struct render_input in;
	struct views *v;
	char *tmp;
};

static const char *const template_dirs[] = {"templates"};

static int fixture_setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));
	struct time_window w;
	const char *rule_dirs[] = {PLAN "/rules", "lua"};
	const char *base = getenv("TMPBASE");

	fx->d = diags_new();
	assert_true(analyze_time_window("2026-11-01T00:00:00Z", "2026-10", NULL, 0, &w, fx->d));
	fx->src = source_set_new(PLAN);
	struct load_options lo = {PLAN, w.as_of, w.period_start, w.period_end, 1};
	fx->m = load_plan_dir(&lo, fx->src, fx->d);
	assert_false(diags_has_errors(fx->d));
	fx->f = analyze_model(fx->m);
	fx->rules = rules_new(rule_dirs, 2);
	fx->res = rules_results_new(fx->m);
	assert_true(rules_run_tiers(fx->rules, fx->m, fx->f, fx->res, fx->d));
	struct objectives obj;
	rules_objectives(fx->res, &obj);
	analyze_objectives(fx->f, fx->m, &obj);
	assert_true(rules_run_policy(fx->rules, fx->m, fx->f, fx->res, fx->d));
	assert_true(rules_run_runbooks(fx->rules, fx->m, fx->f, fx->res, fx->d));
	fx->entries = results_new(fx->m, fx->f, fx->res);
	fx->results = results_summary(fx->entries);
	fx->in = (struct render_input){
		.model = fx->m, .facts = fx->f, .rules = fx->res, .results = fx->results,
		.entries = fx->entries,
		.generated_at = "2026-11-01T00:00:00Z", .formats = BUILD_ALL,
		.template_dirs = template_dirs, .n_template_dirs = 1, .threads = 2,
	};
	fx->v = views_new(&fx->in);
	fx->tmp = xasprintf("%s/views.XXXXXX", base && *base ? base : "/tmp");
	assert_non_null(mkdtemp(fx->tmp));
	*state = fx;
	return 0;
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int fixture_teardown(void **state)
{
	struct fixture *fx = *state;
	views_free(fx->v);
	cJSON_Delete(fx->results);
	results_free(fx->entries);
	rules_results_free(fx->res);
	rules_free(fx->rules);
	analyze_free(fx->f);
	model_free(fx->m);
	source_set_free(fx->src);
	diags_free(fx->d);
	nftw(fx->tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(fx->tmp);
	free(fx);
	return 0;
}

/* The value at a dotted path ("page.links.plan", "tiers.0.count"). */
static const cJSON *at(const cJSON *v, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	for (char *p = strtok_r(copy, ".", &save); p && v; p = strtok_r(NULL, ".", &save)) {
		if (cJSON_IsArray(v))
			v = cJSON_GetArrayItem(v, atoi(p));
		else
			v = cJSON_GetObjectItemCaseSensitive(v, p);
	}
	free(copy);
	return v;
}

static const char *str_at(const cJSON *v, const char *path)
{
	const cJSON *x = at(v, path);
	return cJSON_IsString(x) ? x->valuestring : NULL;
}

static double num_at(const cJSON *v, const char *path)
{
	const cJSON *x = at(v, path);
	return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

static bool true_at(const cJSON *v, const char *path)
{
	return cJSON_IsTrue(at(v, path));
}

/* A view with its lazy lists built, so paths like "findings.0.id" work. */
static cJSON *expanded(cJSON *view)
{
	cJSON *v = mustache_view_expand(view);
	cJSON_Delete(view);
	return v;
}

static size_t service_index(const struct model *m, const char *id)
{
	const struct service *s = model_service_find(m, id);
	assert_non_null(s);
	return (size_t)(s - m->services);
}

static void test_index_view(void **state)
{
	struct fixture *fx = *state;
	cJSON *v = expanded(views_index(fx->v, 0, VIEWS_HTML));

	assert_string_equal(str_at(v, "page.org"), "Wren Logistics");
	assert_string_equal(str_at(v, "page.period"), "2026-10");
	assert_string_equal(str_at(v, "page.as_of"), "2026-11-01 00:00 UTC");
	assert_string_equal(str_at(v, "page.root"), "");
	assert_string_equal(str_at(v, "page.links.plan"), "plan.html");
	assert_string_equal(str_at(v, "page.links.audit"), "audit/2026-10.html");
	assert_true(true_at(v, "page.current.index"));
	assert_null(at(v, "page.current.plan"));
	assert_true(num_at(v, "kpis.stores_within_rpo.total") == 4);
	assert_true(num_at(v, "counts.services") == 4);
	assert_int_equal(cJSON_GetArraySize(at(v, "tiers")), 4);
	/* payments and (by override) catalog: tier 1 and tier 3 */
	assert_true(num_at(v, "tiers.0.count") == 1);
	assert_string_equal(str_at(v, "tiers.0.rpo"), "0 min");
	assert_string_equal(str_at(v, "tiers.3.rto"), "72 h");
	/* Findings most severe first. */
	const cJSON *top = at(v, "top_findings");
	const char *order[] = {"critical", "high", "medium", "low", "info"};
	size_t last = 0;
	const cJSON *f;
	assert_true(cJSON_GetArraySize(top) > 0);
	cJSON_ArrayForEach(f, top) {
		size_t r = 0;
		while (r < 5 && strcmp(str_at(f, "severity"), order[r]) != 0)
			r++;
		assert_true(r >= last);
		last = r;
		assert_non_null(str_at(f, "severity_label"));
		assert_non_null(str_at(f, "message"));
	}
	/* Charts are SVG built here, for HTML only. */
	assert_non_null(strstr(str_at(v, "chart_tiers"), "<svg"));
	assert_non_null(strstr(str_at(v, "chart_backups"), "role=\"img\""));
	assert_false(true_at(v, "has_previous"));
	cJSON_Delete(v);

	v = expanded(views_index(fx->v, 0, VIEWS_MD));
	assert_null(at(v, "chart_tiers"));
	assert_null(at(v, "chart_backups"));
	cJSON_Delete(v);
}

static void test_runbook_view(void **state)
{
	struct fixture *fx = *state;
	size_t orders = service_index(fx->m, "orders");
	cJSON *v = expanded(views_runbook(fx->v, orders, VIEWS_HTML));

	assert_string_equal(str_at(v, "page.root"), "../");
	assert_string_equal(str_at(v, "page.links.plan"), "../plan.html");
	assert_string_equal(str_at(v, "page.alternate"), "orders.md");
	assert_string_equal(str_at(v, "service.id"), "orders");
	assert_string_equal(str_at(v, "service.href"), "../runbooks/orders.html");
	assert_string_equal(str_at(v, "service.rpo"), "5 min");
	assert_string_equal(str_at(v, "service.rto"), "1 h");
	assert_string_equal(str_at(v, "service.owner.name"), "Cy Okafor");
	assert_string_equal(str_at(v, "service.owner.phone_href"), "tel:+35315550143");
	assert_string_equal(str_at(v, "service.owner.email_href"), "mailto:cy.okafor@wren.example");
	/* Its own escalation chain; the first three in the glance box. */
	assert_true(true_at(v, "own_escalation"));
	assert_int_equal(cJSON_GetArraySize(at(v, "glance_contacts")), 3);
	assert_string_equal(str_at(v, "glance_contacts.0.contact.name"), "Cy Okafor");
	assert_true(true_at(v, "glance_contacts.0.immediately"));
	assert_string_equal(str_at(v, "glance_contacts.1.after"), "10 min");
	/* Dependencies in recovery order (wave, then id); catalog is tier 3. */
	assert_string_equal(str_at(v, "dependencies.0.id"), "catalog");
	assert_string_equal(str_at(v, "dependencies.1.id"), "payments");
	assert_true(true_at(v, "dependencies.0.inversion"));
	assert_false(true_at(v, "dependencies.1.inversion"));
	assert_string_equal(str_at(v, "dependents.0.id"), "reports");
	/* The team's prose first, headings with ids; then runbook.lua's sections. */
	assert_non_null(strstr(str_at(v, "prose_first"),
				"<h3 id=\"orders-hand-written-procedures\">Orders: hand-written procedures</h3>"));
	assert_string_equal(str_at(v, "toc.0.href"), "#procedures");
	assert_string_equal(str_at(v, "toc.1.href"), "#dependencies");
	const cJSON *sec;
	bool recovery = false, contacts = false;
	cJSON_ArrayForEach(sec, at(v, "sections")) {
		const char *id = str_at(sec, "id");
		if (strcmp(id, "recovery") == 0) {
			recovery = true;
			assert_true(true_at(sec, "ordered"));
			assert_true(cJSON_GetArraySize(at(sec, "items")) > 2);
			/* every step has minutes and a running total */
			assert_non_null(str_at(sec, "items.0.minutes"));
			assert_non_null(str_at(sec, "items.0.total"));
		}
		if (strcmp(id, "contacts") == 0)
			contacts = true_at(sec, "is_contacts");
	}
	assert_true(recovery && contacts);
	assert_null(at(v, "extra_prose"));
	/* Posture at a glance: the stores worst first, the budget, the findings. */
	assert_string_equal(str_at(v, "posture.stores.0.id"), "orders-db");
	assert_string_equal(str_at(v, "posture.stores.0.currency_label"), "STALE");
	assert_non_null(str_at(v, "posture.budget.text"));
	assert_non_null(str_at(v, "posture.strategy"));
	assert_true(true_at(v, "posture.has_findings"));
	/* a runbook's own findings do not link to the runbook */
	assert_null(at(v, "findings.0.subject_href"));
	/* Datastores with backup status; the last drill and this service's result. */
	assert_string_equal(str_at(v, "datastores.0.id"), "orders-db");
	assert_string_equal(str_at(v, "datastores.0.currency_label"), "STALE");
	assert_string_equal(str_at(v, "datastores.0.currency_class"), "st-stale");
	assert_string_equal(str_at(v, "datastores.0.age"), "4 h");
	assert_string_equal(str_at(v, "datastores.0.newest_success"), "2026-10-31 20:00 UTC");
	assert_string_equal(str_at(v, "last_drill.id"), "dr-2026-10-full");
	assert_string_equal(str_at(v, "last_drill.result.recovery"), "1.6 h");
	assert_string_equal(str_at(v, "last_drill.outcome.status_label"), "FAILED");
	assert_true(true_at(v, "has_findings"));
	cJSON_Delete(v);

	/* Markdown: links to .md, prose as Markdown. */
	v = expanded(views_runbook(fx->v, orders, VIEWS_MD));
	assert_string_equal(str_at(v, "page.links.plan"), "../plan.md");
	assert_string_equal(str_at(v, "dependencies.0.href"), "../runbooks/catalog.md");
	assert_non_null(strstr(str_at(v, "prose_first"), "### Orders: hand-written procedures"));
	assert_string_equal(str_at(v, "toc.1.md_href"), "#dependencies-and-recovery-order");
	cJSON_Delete(v);

	/* A service with no prose, no datastores of its own is fine too. */
	v = expanded(views_runbook(fx->v, service_index(fx->m, "payments"), VIEWS_HTML));
	assert_false(true_at(v, "has_dependencies"));
	assert_false(true_at(v, "own_escalation"));
	assert_string_equal(str_at(v, "glance_contacts.0.contact.name"), "Platform on-call");
	cJSON_Delete(v);
}

static void test_plan_and_audit_views(void **state)
{
	struct fixture *fx = *state;
	cJSON *v = expanded(views_plan(fx->v, 0, VIEWS_HTML));

	assert_int_equal(cJSON_GetArraySize(at(v, "objectives")), 4);
	assert_string_equal(str_at(v, "objectives.0.multiplier"), "3.5×");
	assert_string_equal(str_at(v, "plan.owner.name"), "Ada Byrne");
	assert_string_equal(str_at(v, "plan.approved_on"), "2026-02-10");
	assert_non_null(str_at(v, "cost.total"));
	assert_string_equal(str_at(v, "backup_policies.0.criticality"), "critical");
	assert_string_equal(str_at(v, "backup_policies.0.stores.0.id"), "payments-db");
	assert_true(cJSON_GetArraySize(at(v, "test_programme")) >= 3);
	assert_string_equal(str_at(v, "waves.0.services.0.id"), "catalog");
	/* catalog's tier is set in the plan. */
	const cJSON *s;
	cJSON_ArrayForEach(s, at(v, "services")) {
		if (strcmp(str_at(s, "id"), "catalog") == 0)
			assert_true(true_at(s, "tier_override"));
	}
	cJSON_Delete(v);

	v = expanded(views_audit(fx->v, 0, VIEWS_HTML));
	assert_string_equal(str_at(v, "page.alternate"), "2026-10.md");
	assert_true(num_at(v, "scope.drills_in_period") == 2);
	assert_string_equal(str_at(v, "overdue_actions.0.id"), "W-7");
	assert_true(num_at(v, "overdue_actions.0.days_overdue") == 4);
	assert_int_equal(cJSON_GetArraySize(at(v, "overdue_actions")), 1);
	assert_true(true_at(v, "exceptions.0.expired"));
	assert_string_equal(str_at(v, "exceptions.0.status_label"), "EXPIRED");
	assert_string_equal(str_at(v, "exceptions.0.approved_by"), "Bo Lindqvist");
	assert_false(true_at(v, "compliance.has_controls"));
	assert_string_equal(str_at(v, "drills_period.0.id"), "tt-2026-10");
	assert_false(true_at(v, "drills_period.0.has_results"));
	assert_string_equal(str_at(v, "drills_period.1.results.3.service.id"), "reports");
	assert_false(true_at(v, "drills_period.1.results.3.recovered"));
	assert_string_equal(str_at(v, "sign_off.approver.name"), "Bo Lindqvist");
	cJSON_Delete(v);
}

/* ---- render_all ------------------------------------------------------------ */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	if (len)
		*len = b.len;
	return b.data ? b.data : xstrdup("");
}

/* Renders into DIR/name with the given thread count; returns the manifest. */
static char *render_to(struct fixture *fx, const char *name, int threads)
{
	char *out = xasprintf("%s/%s", fx->tmp, name);
	struct publish *p = NULL;
	struct render_stats stats;
	struct render_input in = fx->in;
	struct diags *d = diags_new();

	in.threads = threads;
	assert_int_equal(publish_begin(out, &p, d), 0);
	assert_true(render_all(&in, p, d, &stats));
	assert_false(diags_has_errors(d));
	/* 2 formats x (plan, audit, 4 runbooks) + index + evidence page = 14 documents */
	assert_int_equal(stats.documents, 14);
	assert_true(stats.n_templates >= 9);
	struct evidence_manifest_info info = {
		.drgen_version = "test", .as_of = "2026-11-01T00:00:00Z", .period = "2026-10",
		.generated_at = "2026-11-01T00:00:00Z", .templates = stats.templates,
		.n_templates = stats.n_templates,
	};
	assert_int_equal(publish_commit(p, &info, NULL, d), 0);
	render_stats_free(&stats);
	diags_free(d);
	char *mpath = xasprintf("%s/evidence/manifest.json", out);
	char *manifest = read_file(mpath, NULL);
	assert_non_null(manifest);
	free(mpath);
	free(out);
	return manifest;
}

static void test_render_threads_identical(void **state)
{
	struct fixture *fx = *state;
	char *one = render_to(fx, "t1", 1);
	char *three = render_to(fx, "t3", 3);
	char *many = render_to(fx, "t16", 16);
	/* The manifest holds the SHA-256 of every file written. */
	assert_string_equal(one, three);
	assert_string_equal(one, many);
	assert_non_null(strstr(one, "\"runbooks/orders.md\""));
	assert_non_null(strstr(one, "\"evidence/backups.csv\""));
	assert_non_null(strstr(one, "\"evidence/controls.xml\""));
	assert_non_null(strstr(one, "\"evidence.html\""));
	free(one);
	free(three);
	free(many);
}

static void test_render_formats(void **state)
{
	struct fixture *fx = *state;
	char *out = xasprintf("%s/md-only", fx->tmp);
	struct publish *p = NULL;
	struct render_stats stats;
	struct render_input in = fx->in;
	struct diags *d = diags_new();

	in.formats = BUILD_MD | BUILD_JSON;
	assert_int_equal(publish_begin(out, &p, d), 0);
	assert_true(render_all(&in, p, d, &stats));
	assert_int_equal(stats.documents, 6);  /* plan, audit, 4 runbooks */
	/* Markdown documents escape values for Markdown, not HTML. */
	publish_abort(p);
	render_stats_free(&stats);
	diags_free(d);
	free(out);
}

static void test_missing_template(void **state)
{
	struct fixture *fx = *state;
	char *out = xasprintf("%s/missing", fx->tmp);
	struct publish *p = NULL;
	struct render_stats stats;
	struct render_input in = fx->in;
	struct diags *d = diags_new();
	const char *dirs[] = {"tests/unit"};  /* no templates there */

	in.template_dirs = dirs;
	assert_int_equal(publish_begin(out, &p, d), 0);
	assert_false(render_all(&in, p, d, &stats));
	assert_true(diags_has_errors(d));
	struct buf b = BUF_INIT;
	diag_format(diags_get(d, 0), &b);
	assert_non_null(strstr(b.data, "index.html"));
	buf_free(&b);
	publish_abort(p);
	render_stats_free(&stats);
	diags_free(d);
	free(out);
}

/* Evidence files: CSV cells that look like formulas, XML escaping. */
static void test_evidence_escaping(void **state)
{
	struct fixture *fx = *state;
	char *out = xasprintf("%s/evidence", fx->tmp);
	struct publish *p = NULL;
	struct render_stats stats;
	struct render_input in = fx->in;
	struct diags *d = diags_new();
	const char *saved = fx->m->datastores[0].id;
	/* The first finding in id order, as results.json and controls.xml list it. */
	struct finding *f0 = (struct finding *)results_finding_at(fx->entries, 0);
	const char *saved_message = f0->message;

	/* Ids are validated by the loader; the writers must not rely on it. */
	fx->m->datastores[0].id = "=HYPERLINK(\"http://x\",\"a,b\")";
	f0->message = "a <b> & \"c\" 'd' \x01 e";
	in.formats = BUILD_JUNIT | BUILD_JSON;
	assert_int_equal(publish_begin(out, &p, d), 0);
	assert_true(render_all(&in, p, d, &stats));
	assert_int_equal(stats.documents, 0);
	struct evidence_manifest_info info = {
		.drgen_version = "test", .as_of = "2026-11-01T00:00:00Z", .period = "2026-10",
		.generated_at = "2026-11-01T00:00:00Z",
	};
	assert_int_equal(publish_commit(p, &info, NULL, d), 0);
	fx->m->datastores[0].id = saved;
	f0->message = saved_message;

	char *path = xasprintf("%s/evidence/backups.csv", out);
	size_t len;
	char *csv = read_file(path, &len);
	assert_non_null(csv);
	assert_memory_equal(csv, "\xEF\xBB\xBF" "datastore,service,", 21);
	assert_non_null(strstr(csv, "\r\n\"'=HYPERLINK(\"\"http://x\"\",\"\"a,b\"\")\",payments,critical,"));
	assert_null(strstr(csv, "\r\n=HYPERLINK"));
	free(csv);
	free(path);

	path = xasprintf("%s/evidence/controls.xml", out);
	char *xml = read_file(path, NULL);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<testsuite name=\"findings\""));
	assert_non_null(strstr(xml, "a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; \xEF\xBF\xBD e"));
	assert_null(strstr(xml, "\x01"));
	free(xml);
	free(path);

	render_stats_free(&stats);
	diags_free(d);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_objective),
		cmocka_unit_test(test_format_age),
		cmocka_unit_test(test_format_number),
		cmocka_unit_test_setup_teardown(test_index_view, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_runbook_view, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_plan_and_audit_views, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_render_threads_identical, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_render_formats, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_missing_template, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_evidence_escaping, fixture_setup,
						fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
