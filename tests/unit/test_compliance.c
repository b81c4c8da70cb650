/*
 * test_compliance.c -- the compliance stage: the shape checks of what a
 * framework returns, --fail-on counting, the changes between two
 * results.json documents, and every shared evidence check of
 * lua/compliance/evidence.lua and the checks/ files driven to pass, partial and fail on small
 * models built in C (tests/rules/fixture.h), plus attestations and
 * exceptions through a framework file.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../rules/fixture.h"
#include "changes.h"
#include "compliance.h"
#include "results.h"

/* ---- shape checks ---------------------------------------------------------- */

static cJSON *parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);
	assert_non_null(j);
	return j;
}

/* Adds framework `fw` from JSON text; returns the error text ("" when ok). */
static char *add_fw(struct compliance *c, const char *fw, const char *text)
{
	static char out[512];
	struct buf err = BUF_INIT;
	cJSON *j = parse(text);
	bool ok = compliance_add_framework(c, fw, j, NULL, &err);

	snprintf(out, sizeof(out), "%s", ok ? "" : (err.data ? err.data : "?"));
	buf_free(&err);
	cJSON_Delete(j);
	return out;
}

static void test_shape_ok(void **state)
{
	(void)state;
	struct compliance c;
	compliance_init(&c);
	assert_string_equal(add_fw(&c, "iso27001",
		"{\"framework\":\"iso27001\",\"name\":\"ISO\",\"scope\":\"all\",\"controls\":["
		"{\"control\":\"A.8.13\",\"title\":\"Backup\",\"status\":\"fail\",\"reason\":\"r\","
		" \"evidence\":[\"text\",{\"datastore\":\"db\",\"records\":3}],\"zzz\":1,"
		" \"checks\":[{\"check\":\"x\",\"status\":\"fail\",\"reason\":\"r\"}]},"
		"{\"control\":\"A.8.14\",\"title\":\"Redundancy\",\"status\":\"n/a\",\"reason\":\"\","
		" \"evidence\":[],\"ask\":\"capacity\",\"baselines\":[\"moderate\",\"high\"]}]}"), "");
	assert_int_equal(cJSON_GetArraySize(c.controls), 2);
	/* A control's baselines follow its title. */
	char *second = cJSON_PrintUnformatted(cJSON_GetArrayItem(c.controls, 1));
	assert_non_null(strstr(second, "\"title\":\"Redundancy\",\"baselines\":[\"moderate\",\"high\"],\"status\""));
	free(second);
	cJSON *x = cJSON_GetArrayItem(c.controls, 0);
	/* Fixed key order, unknown keys dropped. */
	char *text = cJSON_PrintUnformatted(x);
	assert_string_equal(text,
		"{\"framework\":\"iso27001\",\"control\":\"A.8.13\",\"title\":\"Backup\","
		"\"status\":\"fail\",\"reason\":\"r\",\"evidence\":[\"text\",{\"datastore\":\"db\","
		"\"records\":3}],\"checks\":[{\"check\":\"x\",\"status\":\"fail\",\"reason\":\"r\"}]}");
	free(text);
	assert_int_equal(c.counts[COMPLIANCE_FAIL], 1);
	assert_int_equal(c.counts[COMPLIANCE_NA], 1);
	cJSON *s = cJSON_GetArrayItem(c.frameworks, 0);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(s, "name")), "ISO");
	assert_int_equal(cJSON_GetObjectItem(s, "total")->valueint, 2);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "counts"), "fail")->valueint, 1);
	compliance_free(&c);
}

static void test_shape_errors(void **state)
{
	(void)state;
	static const struct {
		const char *json, *want;
	} cases[] = {
		{"[]", "evaluate must return a table"},
		{"{\"framework\":\"soc2\",\"controls\":[]}", "framework: \"soc2\", expected \"iso27001\""},
		{"{\"framework\":\"iso27001\"}", "controls: must be a list"},
		{"{\"framework\":\"iso27001\",\"controls\":[{\"control\":\"A\",\"title\":\"t\","
		 "\"status\":\"passed\",\"reason\":\"r\",\"evidence\":[]}]}",
		 "controls[1].status: \"passed\" is not one of pass, partial, fail, no_data, attest, waived, alternative, "
		 "n/a"},
		{"{\"framework\":\"iso27001\",\"controls\":[{\"control\":\"A\",\"status\":\"pass\","
		 "\"reason\":\"r\",\"evidence\":[]}]}", "controls[1].title: missing (a string is required)"},
		{"{\"framework\":\"iso27001\",\"controls\":[{\"control\":5,\"title\":\"t\","
		 "\"status\":\"pass\",\"reason\":\"r\",\"evidence\":[]}]}", "controls[1].control: must be a string"},
		{"{\"framework\":\"iso27001\",\"controls\":[{\"control\":\"A\",\"title\":\"t\","
		 "\"status\":\"pass\",\"reason\":\"r\",\"evidence\":[{\"a\":[1]}]}]}",
		 "controls[1].evidence[1]: must be a string or an object of strings and numbers, not {\"a\":[1]}"},
		{"{\"framework\":\"iso27001\",\"controls\":[{\"control\":\"A\",\"title\":\"t\","
		 "\"status\":\"pass\",\"reason\":\"r\"}]}", "controls[1].evidence: missing (a list is required)"},
		{"{\"framework\":\"iso27001\",\"controls\":[{\"control\":\"A\",\"title\":\"t\","
		 "\"status\":\"pass\",\"reason\":\"r\",\"evidence\":[]},{\"control\":\"A\",\"title\":\"t\","
		 "\"status\":\"fail\",\"reason\":\"r\",\"evidence\":[]}]}", "controls[2].control: \"A\" appears twice"},
		{"{\"framework\":\"iso27001\",\"controls\":[{\"framework\":\"pci\",\"control\":\"A\","
		 "\"title\":\"t\",\"status\":\"pass\",\"reason\":\"r\",\"evidence\":[]}]}",
		 "controls[1].framework: \"pci\" in the rule file of \"iso27001\""},
		{"{\"framework\":\"iso27001\",\"controls\":[{\"control\":\"A\",\"title\":\"t\","
		 "\"status\":\"pass\",\"reason\":\"r\",\"evidence\":[],\"checks\":[{\"check\":\"c\","
		 "\"status\":\"meh\"}]}]}",
		 "controls[1].checks[1].status: \"meh\" is not one of pass, partial, fail, no_data, attest, waived, "
		 "alternative, n/a"},
		{"{\"framework\":\"iso27001\",\"warnings\":[1],\"controls\":[]}", "warnings: must be a list of strings"},
		{"{\"framework\":\"iso27001\",\"controls\":[{\"control\":\"A\",\"title\":\"t\","
		 "\"baselines\":[\"high\",3],\"status\":\"pass\",\"reason\":\"r\",\"evidence\":[]}]}",
		 "controls[1].baselines: must be a list of strings"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct compliance c;
		compliance_init(&c);
		assert_string_equal(add_fw(&c, "iso27001", cases[i].json), cases[i].want);
		/* Nothing of a bad framework is kept. */
		assert_int_equal(cJSON_GetArraySize(c.controls), 0);
		assert_int_equal(cJSON_GetArraySize(c.frameworks), 0);
		compliance_free(&c);
	}
}

static void test_fail_on(void **state)
{
	(void)state;
	cJSON *controls = parse("[{\"status\":\"pass\"},{\"status\":\"partial\"},{\"status\":\"fail\"},"
				"{\"status\":\"no_data\"},{\"status\":\"attest\"},{\"status\":\"waived\"},"
				"{\"status\":\"n/a\"},{\"status\":\"fail\"},{}]");
	assert_int_equal(compliance_count_at_or_below(controls, COMPLIANCE_LEVEL_FAIL), 3);
	assert_int_equal(compliance_count_at_or_below(controls, COMPLIANCE_LEVEL_PARTIAL), 5);
	assert_int_equal(compliance_count_at_or_below(NULL, COMPLIANCE_LEVEL_PARTIAL), 0);
	cJSON_Delete(controls);
	assert_int_equal(compliance_status_find("n/a"), COMPLIANCE_NA);
	assert_int_equal(compliance_status_find("N/A"), -1);
	assert_false(compliance_status_at_or_below(COMPLIANCE_WAIVED, COMPLIANCE_LEVEL_PARTIAL));
	assert_true(compliance_status_at_or_below(COMPLIANCE_ATTEST, COMPLIANCE_LEVEL_PARTIAL));
	assert_false(compliance_status_at_or_below(COMPLIANCE_ATTEST, COMPLIANCE_LEVEL_FAIL));
}

/* ---- changes ---------------------------------------------------------------- */

static const char *prev_doc =
	"{\"drgen_version\":\"1\",\"as_of\":\"2026-10-01T00:00:00Z\",\"period\":\"2026-09\","
	"\"summary\":{\"currency\":{\"ok\":5,\"late\":0,\"stale\":1,\"never\":0}},"
	"\"services\":[{\"id\":\"a\",\"name\":\"A\",\"tier\":1,\"rpo_minutes\":0,\"rto_minutes\":5},"
	"             {\"id\":\"b\",\"name\":\"B\",\"tier\":2,\"rpo_minutes\":5,\"rto_minutes\":60},"
	"             {\"id\":\"gone\",\"name\":\"Gone\",\"tier\":4}],"
	"\"drills\":[{\"id\":\"d1\",\"date\":\"2026-09-01T00:00:00Z\",\"passed\":true},"
	"           {\"id\":\"d0\",\"date\":\"2024-01-01T00:00:00Z\",\"passed\":true}],"
	"\"findings\":[{\"id\":\"f-old\",\"kind\":\"backup_stale\",\"severity\":\"high\"},"
	"             {\"id\":\"f-kept\",\"kind\":\"single_region\",\"severity\":\"medium\"}],"
	"\"controls\":["
	" {\"framework\":\"x\",\"control\":\"1\",\"title\":\"One\",\"status\":\"pass\"},"
	" {\"framework\":\"x\",\"control\":\"2\",\"title\":\"Two\",\"status\":\"partial\"},"
	" {\"framework\":\"x\",\"control\":\"3\",\"title\":\"Three\",\"status\":\"fail\"},"
	" {\"framework\":\"x\",\"control\":\"4\",\"title\":\"Four\",\"status\":\"pass\"},"
	" {\"framework\":\"x\",\"control\":\"5\",\"title\":\"Five\",\"status\":\"waived\"},"
	" {\"framework\":\"x\",\"control\":\"old\",\"title\":\"Old\",\"status\":\"pass\"}]}";

static const char *cur_doc =
	"{\"drgen_version\":\"1\",\"as_of\":\"2026-11-01T00:00:00Z\",\"period\":\"2026-10\","
	"\"summary\":{\"currency\":{\"ok\":4,\"late\":1,\"stale\":1,\"never\":0}},"
	"\"services\":[{\"id\":\"a\",\"name\":\"A\",\"tier\":1,\"rpo_minutes\":0,\"rto_minutes\":5},"
	"             {\"id\":\"b\",\"name\":\"B\",\"tier\":3,\"rpo_minutes\":60,\"rto_minutes\":240},"
	"             {\"id\":\"new\",\"name\":\"New\",\"tier\":4}],"
	"\"drills\":[{\"id\":\"d1\",\"date\":\"2026-09-01T00:00:00Z\",\"passed\":true},"
	"           {\"id\":\"d2\",\"date\":\"2026-10-15T00:00:00Z\",\"passed\":false}],"
	"\"findings\":[{\"id\":\"f-kept\",\"kind\":\"single_region\",\"severity\":\"medium\"},"
	"             {\"id\":\"f-new\",\"kind\":\"rto_missed\",\"severity\":\"high\",\"subject\":\"a\"}],"
	"\"controls\":["
	" {\"framework\":\"x\",\"control\":\"1\",\"title\":\"One\",\"status\":\"partial\"},"
	" {\"framework\":\"x\",\"control\":\"2\",\"title\":\"Two\",\"status\":\"fail\"},"
	" {\"framework\":\"x\",\"control\":\"3\",\"title\":\"Three\",\"status\":\"pass\"},"
	" {\"framework\":\"x\",\"control\":\"4\",\"title\":\"Four\",\"status\":\"no_data\"},"
	" {\"framework\":\"x\",\"control\":\"5\",\"title\":\"Five\",\"status\":\"pass\"},"
	" {\"framework\":\"x\",\"control\":\"new\",\"title\":\"New\",\"status\":\"attest\"}]}";

static const char *item_str(const cJSON *arr, int i, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, i), key));
}

static void test_changes(void **state)
{
	(void)state;
	cJSON *p = parse(prev_doc), *c = parse(cur_doc);
	cJSON *ch = changes_compute(p, c);
	const cJSON *worse = cJSON_GetObjectItem(ch, "controls_worse");

	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(ch, "has_changes")));
	/* From passing to failing first (1: pass->partial, 4: pass->no_data), then 2. */
	assert_int_equal(cJSON_GetArraySize(worse), 3);
	assert_string_equal(item_str(worse, 0, "control"), "1");
	assert_string_equal(item_str(worse, 1, "control"), "4");
	assert_string_equal(item_str(worse, 2, "control"), "2");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(worse, 0), "regression")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(worse, 2), "regression")));
	assert_string_equal(item_str(worse, 1, "from"), "pass");
	assert_string_equal(item_str(worse, 1, "to"), "no_data");
	const cJSON *better = cJSON_GetObjectItem(ch, "controls_better");
	assert_int_equal(cJSON_GetArraySize(better), 1);
	assert_string_equal(item_str(better, 0, "control"), "3");
	const cJSON *changed = cJSON_GetObjectItem(ch, "controls_changed");
	assert_int_equal(cJSON_GetArraySize(changed), 1);      /* waived -> pass */
	assert_string_equal(item_str(changed, 0, "control"), "5");
	assert_string_equal(item_str(cJSON_GetObjectItem(ch, "controls_added"), 0, "control"), "new");
	assert_string_equal(item_str(cJSON_GetObjectItem(ch, "controls_removed"), 0, "control"), "old");
	assert_string_equal(item_str(cJSON_GetObjectItem(ch, "findings_new"), 0, "id"), "f-new");
	assert_string_equal(item_str(cJSON_GetObjectItem(ch, "findings_resolved"), 0, "id"), "f-old");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(ch, "findings_new")), 1);
	const cJSON *svc = cJSON_GetObjectItem(ch, "services_changed");
	assert_int_equal(cJSON_GetArraySize(svc), 1);
	assert_string_equal(item_str(svc, 0, "id"), "b");
	const cJSON *fields = cJSON_GetObjectItem(cJSON_GetArrayItem(svc, 0), "changes");
	assert_int_equal(cJSON_GetArraySize(fields), 3);
	assert_string_equal(item_str(fields, 0, "field"), "tier");
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(fields, 0), "to")->valueint, 3);
	assert_string_equal(item_str(cJSON_GetObjectItem(ch, "services_added"), 0, "id"), "new");
	assert_string_equal(item_str(cJSON_GetObjectItem(ch, "services_removed"), 0, "id"), "gone");

	const cJSON *r = cJSON_GetObjectItem(ch, "readiness");
	assert_string_equal(item_str(r, 0, "metric"), "datastores_current");
	assert_string_equal(item_str(r, 0, "direction"), "worse");
	/* d0 is older than 12 months; d2 failed. */
	assert_string_equal(item_str(r, 4, "metric"), "drills_passed_12_months");
	assert_string_equal(item_str(r, 4, "direction"), "same");
	assert_string_equal(item_str(r, 5, "direction"), "worse");
	const cJSON *sum = cJSON_GetObjectItem(ch, "summary");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(sum, "readiness")), "worse");
	assert_int_equal(cJSON_GetObjectItem(sum, "regressions")->valueint, 2);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(ch, "previous"), "period")), "2026-09");
	cJSON_Delete(ch);

	/* Against itself: nothing changed. */
	ch = changes_compute(c, c);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(ch, "has_changes")));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(ch, "summary"), "readiness")), "same");
	cJSON_Delete(ch);
	cJSON_Delete(p);
	cJSON_Delete(c);
}

static char *write_tmp(const char *name, const char *text)
{
	char *dir = xstrdup("/tmp/drgen-compliance-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(dir);
	return path;
}

static void test_read_previous(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"{\"a\": }", "malformed previous results"},
		{"[1, 2]", "not a drgen results.json"},
		{"{\"drgen_version\":\"1\",\"as_of\":\"x\",\"controls\":{}}", "controls must be a list"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char *path = write_tmp("results.json", bad[i].text);
		struct diags *d = diags_new();
		assert_null(changes_read_previous(path, NULL, NULL, d));
		char *msg = fx_diags(d);
		assert_non_null(strstr(msg, bad[i].want));
		assert_non_null(strstr(msg, path));       /* names the file */
		free(msg);
		diags_free(d);
		free(path);
	}
	/* A folder means FOLDER/evidence/results.json. */
	char *dir = xstrdup("/tmp/drgen-compliance-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char *ev = xasprintf("%s/evidence", dir);
	assert_int_equal(mkdir(ev, 0700), 0);
	char *file = xasprintf("%s/results.json", ev);
	FILE *f = fopen(file, "w");
	fputs(prev_doc, f);
	fclose(f);
	struct diags *d = diags_new();
	cJSON *doc = changes_read_previous(dir, NULL, NULL, d);
	assert_non_null(doc);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "period")), "2026-09");
	cJSON_Delete(doc);
	/* Missing file: an error naming it. */
	remove(file);
	assert_null(changes_read_previous(dir, NULL, NULL, d));
	char *msg = fx_diags(d);
	assert_non_null(strstr(msg, "evidence/results.json"));
	free(msg);
	diags_free(d);
	free(file);
	free(ev);
	free(dir);
}

/* ---- the shared checks, on fixture models -------------------------------------- */

#define FX_MIN 60

struct run {
	struct fx x;
	struct facts *f;
	struct rules *r;
	struct rules_results *res;
	struct diags *d;
};

static void contact(struct fx *x, const char *id, const char *role, bool phone, int64_t verified)
{
	struct model *m = x->m;
	if (!m->contacts)
		m->contacts = arena_calloc(m->arena, 8, sizeof(*m->contacts));
	struct contact *c = &m->contacts[m->n_contacts++];
	c->id = arena_strdup(m->arena, id);
	c->name = c->id;
	c->role = role;
	c->email = "someone@example.com";
	c->phone = phone ? "+1 555 0100" : NULL;
	c->last_verified = verified;
	strmap_put(m->contact_by_id, c->id, c);
}

static void owner(struct fx *x, struct service *s, size_t contact_index)
{
	s->owner = x->m->contacts[contact_index].id;
	s->owner_index = contact_index;
}

/* The default chain: level i is contact i. */
static void chain(struct fx *x, size_t n)
{
	struct model *m = x->m;
	m->escalation = arena_calloc(m->arena, n, sizeof(*m->escalation));
	for (size_t i = 0; i < n; i++) {
		m->escalation[i].level = (int)i + 1;
		m->escalation[i].contact = m->contacts[i].id;
		m->escalation[i].contact_index = i;
		m->escalation[i].after_minutes = 15.0 * (double)i;
	}
	m->n_escalation = n;
}

/*
 * A healthy plan: tier 1 service "pay" (2 regions) with critical store
 * "pay-db" copied everywhere, encrypted, immutable offsite, restore-tested
 * 10 days ago; two verified contacts on a two-level chain; a reviewed plan;
 * a partial failover 30 days ago that met every target.
 */
static struct service *healthy(struct run *rn)
{
	struct fx *x = &rn->x;
	fx_init(x, 4, 4, 4);
	struct model *m = x->m;
	m->meta.approved_by = "cto";
	contact(x, "alice", "on-call engineer", true, FX_AS_OF - 10 * FX_DAY);
	contact(x, "bob", "head of SRE; crisis management lead", true, FX_AS_OF - 10 * FX_DAY);
	chain(x, 2);
	struct service *s = fx_service(x, "pay", 200000);
	owner(x, s, 0);
	struct datastore *ds = fx_store(x, s, "pay-db", CRIT_CRITICAL);
	fx_backup(ds, LOC_PRIMARY, 30 * FX_MIN, "aes-256-gcm", false, BTYPE_SNAPSHOT, 100);
	fx_backup(ds, LOC_SECONDARY, 60, "aes-256-gcm", false, BTYPE_CONTINUOUS, 100);
	fx_backup(ds, LOC_OFFSITE, FX_DAY, "aes-256-gcm", true, BTYPE_FULL, 100);
	ds->backups.tests[RMETHOD_RESTORE].newest_ok = FX_AS_OF - 10 * FX_DAY;
	snprintf(ds->backups.tests[RMETHOD_RESTORE].newest_ok_id, BACKUP_ID_MAX, "rt-1");
	ds->backups.at[LOC_OFFSITE].newest_verified = FX_AS_OF - FX_DAY;
	ds->backups.at[LOC_OFFSITE].max_retention_days = 90;
	struct drill *d = fx_drill(x, "dr-1", DRILL_PARTIAL_FAILOVER, FX_AS_OF - 30 * FX_DAY, 1);
	fx_result(x, d, 0, "pay", 5, 0, 3, 0, true, 1);
	return s;
}

static void issues(struct fx *x, struct drill *d, size_t n)
{
	d->issues = arena_calloc(x->m->arena, n, sizeof(*d->issues));
	d->n_issues = n;
}

static void run_rules(struct run *rn)
{
	const char *dirs[1] = {fx_lua_dir()};
	rn->d = diags_new();
	if (!fx_run(rn->x.m, dirs, 1, &rn->f, &rn->r, &rn->res, rn->d)) {
		char *msg = fx_diags(rn->d);
		fail_msg("rules failed: %s", msg);
	}
}

static void run_free(struct run *rn)
{
	rules_results_free(rn->res);
	rules_free(rn->r);
	analyze_free(rn->f);
	model_free(rn->x.m);
	diags_free(rn->d);
}

/* Runs one check of evidence.lua; returns its status (static). */
static const char *check(struct run *rn, const char *name, const char *params)
{
	static char status[32];
	char *arg_text = xasprintf("{\"check\":\"%s\",\"params\":%s}", name, params ? params : "{}");
	cJSON *arg = parse(arg_text);
	cJSON *out;

	run_rules(rn);
	out = rules_call_json(rn->r, rn->x.m, rn->f, rn->res, "compliance/evidence", "run_check",
			      arg, rn->d);
	if (!out) {
		char *msg = fx_diags(rn->d);
		fail_msg("%s failed: %s", name, msg);
	}
	snprintf(status, sizeof(status), "%s", cJSON_GetStringValue(cJSON_GetObjectItem(out, "status")));
	if (getenv("COMPLIANCE_VERBOSE")) {
		fprintf(stderr, "%s: %s: %s\n", name, status,
			cJSON_GetStringValue(cJSON_GetObjectItem(out, "reason")));
	}
	cJSON_Delete(out);
	cJSON_Delete(arg);
	free(arg_text);
	run_free(rn);
	return status;
}

typedef void (*setup_fn)(struct run *rn, struct service *s);

/* Builds the healthy plan, lets `setup` spoil it, runs the check. */
static const char *case_of(const char *name, const char *params, setup_fn setup)
{
	struct run rn = {0};
	struct service *s = healthy(&rn);
	if (setup)
		setup(&rn, s);
	return check(&rn, name, params);
}

static struct datastore *store0(struct run *rn)
{
	return &rn->x.m->datastores[0];
}

/* R1 recovery objectives */
static void r1_partial(struct run *rn, struct service *s)
{
	struct service *fx = fx_service(&rn->x, "fx", 5000);   /* tier 3 */
	owner(&rn->x, fx, 0);
	fx_depends(&rn->x, s, fx);
}
static void r1_fail(struct run *rn, struct service *s)
{
	(void)rn;
	s->owner = NULL;
}

static void test_recovery_objectives(void **state)
{
	(void)state;
	assert_string_equal(case_of("recovery_objectives_defined", NULL, NULL), "pass");
	assert_string_equal(case_of("recovery_objectives_defined", NULL, r1_partial), "partial");
	assert_string_equal(case_of("recovery_objectives_defined", NULL, r1_fail), "fail");
}

/* R2 backup currency: RPO 0 with a 15-minute lag tolerance. */
static void r2_late(struct run *rn, struct service *s)
{
	(void)s;
	struct datastore *ds = store0(rn);
	for (int l = 0; l < LOC_COUNT; l++)
		ds->backups.at[l].newest_success = FX_AS_OF - 20 * FX_MIN;
}
static void r2_stale(struct run *rn, struct service *s)
{
	(void)s;
	struct datastore *ds = store0(rn);
	for (int l = 0; l < LOC_COUNT; l++)
		ds->backups.at[l].newest_success = FX_AS_OF - 2 * FX_DAY;
}

static void test_backup_currency(void **state)
{
	(void)state;
	assert_string_equal(case_of("backup_currency_within_rpo", NULL, NULL), "pass");
	assert_string_equal(case_of("backup_currency_within_rpo", NULL, r2_late), "partial");
	assert_string_equal(case_of("backup_currency_within_rpo", NULL, r2_stale), "fail");
}

/* R3 backup failures */
static void r3_rate(struct run *rn, struct service *s)
{
	(void)s;
	store0(rn)->backups.at[LOC_PRIMARY].records += 2;   /* 3 successes of 5 jobs */
}
static void r3_unremediated(struct run *rn, struct service *s)
{
	r2_stale(rn, s);
	store0(rn)->backups.at[LOC_PRIMARY].records += 3;
	store0(rn)->backups.at[LOC_PRIMARY].failures_in_period = 3;
}
static void r3_never(struct run *rn, struct service *s)
{
	(void)s;
	struct datastore *ds = store0(rn);
	for (int l = 0; l < LOC_COUNT; l++) {
		uint64_t n = ds->backups.at[l].records;
		fx_location_empty(&ds->backups.at[l]);
		ds->backups.at[l].records = n;
		ds->backups.at[l].failures_in_period = n;
	}
}

static void test_backup_failures(void **state)
{
	(void)state;
	assert_string_equal(case_of("backup_failures_remediated", NULL, NULL), "pass");
	assert_string_equal(case_of("backup_failures_remediated", NULL, r3_rate), "partial");
	assert_string_equal(case_of("backup_failures_remediated", NULL, r3_unremediated), "fail");
	assert_string_equal(case_of("backup_failures_remediated", NULL, r3_never), "fail");
}

/* R4 offsite copy */
static void r4_secondary_only(struct run *rn, struct service *s)
{
	(void)s;
	fx_location_empty(&store0(rn)->backups.at[LOC_OFFSITE]);
}
static void r4_primary_only(struct run *rn, struct service *s)
{
	r4_secondary_only(rn, s);
	fx_location_empty(&store0(rn)->backups.at[LOC_SECONDARY]);
}
static void r4_old(struct run *rn, struct service *s)
{
	(void)s;
	store0(rn)->backups.at[LOC_OFFSITE].newest_success = FX_AS_OF - 10 * FX_DAY;
}

static void test_offsite_copy(void **state)
{
	(void)state;
	assert_string_equal(case_of("offsite_copy_exists", NULL, NULL), "pass");
	assert_string_equal(case_of("offsite_copy_exists", NULL, r4_secondary_only), "partial");
	assert_string_equal(case_of("offsite_copy_exists", NULL, r4_old), "partial");
	assert_string_equal(case_of("offsite_copy_exists", NULL, r4_primary_only), "fail");
	/* NIST CP-6(2): the alternate copy within the RPO (secondary counts). */
	assert_string_equal(case_of("offsite_copy_exists",
		"{\"use_rpo\":true,\"locations\":[\"secondary\",\"offsite\"]}", NULL), "pass");
	assert_string_equal(case_of("offsite_copy_exists", "{\"use_rpo\":true}", NULL), "fail");
}

/* R5 encryption */
static void r5_weaker_offsite(struct run *rn, struct service *s)
{
	(void)s;
	snprintf(store0(rn)->backups.at[LOC_OFFSITE].newest_encryption, BACKUP_NAME_MAX, "aes-128-cbc");
}
static void r5_unknown(struct run *rn, struct service *s)
{
	(void)s;
	snprintf(store0(rn)->backups.at[LOC_OFFSITE].newest_encryption, BACKUP_NAME_MAX, "serpent-256");
}
static void r5_plain(struct run *rn, struct service *s)
{
	(void)s;
	store0(rn)->backups.at[LOC_SECONDARY].successes_unencrypted = 1;
}

static void test_encryption(void **state)
{
	(void)state;
	assert_string_equal(case_of("encryption_at_rest_for_backups", NULL, NULL), "pass");
	assert_string_equal(case_of("encryption_at_rest_for_backups", NULL, r5_weaker_offsite), "partial");
	assert_string_equal(case_of("encryption_at_rest_for_backups", NULL, r5_unknown), "partial");
	assert_string_equal(case_of("encryption_at_rest_for_backups", NULL, r5_plain), "fail");
	/* Only the offsite copies (ISO 27001 A.7.10). */
	assert_string_equal(case_of("encryption_at_rest_for_backups",
		"{\"locations\":[\"offsite\"]}", r5_plain), "pass");
}

/* R6 immutable copy */
static void r6_primary_only(struct run *rn, struct service *s)
{
	(void)s;
	store0(rn)->backups.at[LOC_OFFSITE].successes_immutable = 0;
	store0(rn)->backups.at[LOC_PRIMARY].successes_immutable = 1;
}
static void r6_none(struct run *rn, struct service *s)
{
	(void)s;
	store0(rn)->backups.at[LOC_OFFSITE].successes_immutable = 0;
}

static void test_immutable(void **state)
{
	(void)state;
	assert_string_equal(case_of("immutable_copy", NULL, NULL), "pass");
	assert_string_equal(case_of("immutable_copy", NULL, r6_primary_only), "partial");
	assert_string_equal(case_of("immutable_copy", NULL, r6_none), "fail");
}

/* R7 restore tests (critical: 90 days). */
static void r7_old(struct run *rn, struct service *s)
{
	(void)s;
	store0(rn)->backups.tests[RMETHOD_RESTORE].newest_ok = FX_AS_OF - 120 * FX_DAY;
	store0(rn)->backups.at[LOC_OFFSITE].newest_verified = FX_AS_OF - 120 * FX_DAY;
	rn->x.m->drills[0].results[0].data_integrity = NAN;   /* no drill evidence either */
}
static void r7_failed(struct run *rn, struct service *s)
{
	(void)s;
	store0(rn)->backups.tests[RMETHOD_RESTORE].newest_failed = FX_AS_OF - 2 * FX_DAY;
	snprintf(store0(rn)->backups.tests[RMETHOD_RESTORE].newest_failed_id, BACKUP_ID_MAX, "rt-2");
}
static void r7_never(struct run *rn, struct service *s)
{
	r7_old(rn, s);
	store0(rn)->backups.tests[RMETHOD_RESTORE].newest_ok = DATE_NONE;
	store0(rn)->backups.at[LOC_OFFSITE].newest_verified = DATE_NONE;
}
static void r7_checksum_only(struct run *rn, struct service *s)
{
	r7_never(rn, s);
	store0(rn)->backups.at[LOC_OFFSITE].newest_verified = FX_AS_OF - FX_DAY;
}

static void r7_drill_only(struct run *rn, struct service *s)
{
	r7_never(rn, s);
	rn->x.m->drills[0].results[0].data_integrity = 1;
	rn->x.m->drills[0].results[0].restored_from_backup = true;
}
/* A failover drill (not restored from backup) does not test the backups. */
static void r7_failover_only(struct run *rn, struct service *s)
{
	r7_never(rn, s);
	rn->x.m->drills[0].results[0].data_integrity = 1;
}
/* Integrity checks pass only where checksum_passes says so. */
static void r7_integrity_only(struct run *rn, struct service *s)
{
	r7_never(rn, s);
	store0(rn)->backups.tests[RMETHOD_INTEGRITY_CHECK].newest_ok = FX_AS_OF - 3 * FX_DAY;
	snprintf(store0(rn)->backups.tests[RMETHOD_INTEGRITY_CHECK].newest_ok_id, BACKUP_ID_MAX,
		 "verify-1");
}

/* The fixture's restore test passed 10 days ago; an integrity check failed 2 days ago. */
static void r7_integrity_failed(struct run *rn, struct service *s)
{
	(void)s;
	store0(rn)->backups.tests[RMETHOD_INTEGRITY_CHECK].newest_failed = FX_AS_OF - 2 * FX_DAY;
	snprintf(store0(rn)->backups.tests[RMETHOD_INTEGRITY_CHECK].newest_failed_id, BACKUP_ID_MAX,
		 "verify-2");
}

static void test_restore_tests(void **state)
{
	(void)state;
	assert_string_equal(case_of("restore_test_within_n_days", NULL, NULL), "pass");
	assert_string_equal(case_of("restore_test_within_n_days", NULL, r7_old), "partial");
	assert_string_equal(case_of("restore_test_within_n_days", NULL, r7_checksum_only), "partial");
	assert_string_equal(case_of("restore_test_within_n_days", "{\"checksum_passes\":true}",
				    r7_checksum_only), "pass");
	assert_string_equal(case_of("restore_test_within_n_days", NULL, r7_failed), "fail");
	assert_string_equal(case_of("restore_test_within_n_days", NULL, r7_never), "fail");
	/* A drill that restored the service with full integrity counts. */
	assert_string_equal(case_of("restore_test_within_n_days", NULL, r7_drill_only), "pass");
	assert_string_equal(case_of("restore_test_within_n_days", NULL, r7_failover_only), "fail");
	assert_string_equal(case_of("restore_test_within_n_days", NULL, r7_integrity_only),
			    "partial");
	assert_string_equal(case_of("restore_test_within_n_days", "{\"checksum_passes\":true}",
				    r7_integrity_only), "pass");
	/* ...and a newer failed integrity check fails it there, not elsewhere. */
	assert_string_equal(case_of("restore_test_within_n_days", "{\"checksum_passes\":true}",
				    r7_integrity_failed), "fail");
	assert_string_equal(case_of("restore_test_within_n_days", NULL, r7_integrity_failed),
			    "pass");
}

/* R8 drill coverage (tier 1: partial failover within 365 days, grace 1.25). */
static void r8_tabletop(struct run *rn, struct service *s)
{
	(void)s;
	rn->x.m->drills[0].type = DRILL_TABLETOP;
}
static void r8_grace(struct run *rn, struct service *s)
{
	(void)s;
	rn->x.m->drills[0].date = FX_AS_OF - 400 * FX_DAY;
}
static void r8_none(struct run *rn, struct service *s)
{
	(void)s;
	rn->x.m->n_drills = 0;
}

static void test_drill_coverage(void **state)
{
	(void)state;
	const char *p = "{\"scope\":\"critical\"}";
	assert_string_equal(case_of("drill_coverage", p, NULL), "pass");
	assert_string_equal(case_of("drill_coverage", p, r8_tabletop), "partial");
	assert_string_equal(case_of("drill_coverage", p, r8_grace), "partial");
	assert_string_equal(case_of("drill_coverage", p, r8_none), "fail");
	assert_string_equal(case_of("drill_coverage", "{\"scope\":\"critical\",\"grace\":1}", r8_grace),
			    "fail");
	assert_string_equal(case_of("drill_coverage",
		"{\"scope\":\"critical\",\"min_type\":\"full_simulation\"}", NULL), "partial");
}

/* R9 RTO in the last drill */
static void r9_tracked(struct run *rn, struct service *s)
{
	(void)s;
	struct drill *d = &rn->x.m->drills[0];
	d->results[0].recovery_minutes = 7;
	issues(&rn->x, d, 1);
	d->issues[0] = (struct drill_issue){"DR-1", "pay failover too slow", "high", "alice",
					    FX_AS_OF + 30 * FX_DAY, true, NULL, 0};
}
/* An issue that names its services tracks them, whatever its title says. */
static const char *r9_pay[] = {"pay"}, *r9_other[] = {"other"};
static void r9_named(struct run *rn, struct service *s)
{
	(void)s;
	struct drill *d = &rn->x.m->drills[0];
	d->results[0].recovery_minutes = 7;
	issues(&rn->x, d, 1);
	d->issues[0] = (struct drill_issue){"DR-1", "failover controller too slow", "high",
					    "alice", FX_AS_OF + 30 * FX_DAY, true, r9_pay, 1};
}
static void r9_named_other(struct run *rn, struct service *s)
{
	(void)s;
	struct drill *d = &rn->x.m->drills[0];
	d->results[0].recovery_minutes = 7;
	issues(&rn->x, d, 1);
	d->issues[0] = (struct drill_issue){"DR-1", "pay failover too slow", "high", "alice",
					    FX_AS_OF + 30 * FX_DAY, true, r9_other, 1};
}
static void r9_untracked(struct run *rn, struct service *s)
{
	(void)s;
	rn->x.m->drills[0].results[0].recovery_minutes = 7;
}
static void r9_not_recovered(struct run *rn, struct service *s)
{
	(void)s;
	rn->x.m->drills[0].results[0].recovered = false;
}

static void test_rto_achieved(void **state)
{
	(void)state;
	const char *p = "{\"scope\":\"critical\"}";
	assert_string_equal(case_of("rto_achieved_in_last_drill", p, NULL), "pass");
	assert_string_equal(case_of("rto_achieved_in_last_drill", p, r9_tracked), "partial");
	assert_string_equal(case_of("rto_achieved_in_last_drill", p, r9_untracked), "fail");
	assert_string_equal(case_of("rto_achieved_in_last_drill", p, r9_named), "partial");
	assert_string_equal(case_of("rto_achieved_in_last_drill", p, r9_named_other), "fail");
	assert_string_equal(case_of("rto_achieved_in_last_drill", p, r9_not_recovered), "fail");
	assert_string_equal(case_of("rto_achieved_in_last_drill", p, r8_none), "no_data");
	assert_string_equal(case_of("rto_achieved_in_last_drill", p, r8_tabletop), "no_data");
}

/* R10 plan review (365 days, grace 1.25) */
static void r10_grace(struct run *rn, struct service *s)
{
	(void)s;
	rn->x.m->meta.last_review = FX_AS_OF - 400 * FX_DAY;
	rn->x.m->meta.next_review = DATE_NONE;
}
static void r10_lessons(struct run *rn, struct service *s)
{
	(void)s;
	rn->x.m->meta.last_review = FX_AS_OF - 200 * FX_DAY;
	struct drill *d = &rn->x.m->drills[0];
	issues(&rn->x, d, 1);
	d->issues[0] = (struct drill_issue){"DR-1", "runbook step missing", "low", "alice",
					    FX_AS_OF + 30 * FX_DAY, false, NULL, 0};
}
static void r10_none(struct run *rn, struct service *s)
{
	(void)s;
	rn->x.m->meta.last_review = DATE_NONE;
}
static void r10_old(struct run *rn, struct service *s)
{
	(void)s;
	rn->x.m->meta.last_review = FX_AS_OF - 500 * FX_DAY;
}

static void test_plan_review(void **state)
{
	(void)state;
	assert_string_equal(case_of("plan_reviewed_within_12_months", NULL, NULL), "pass");
	assert_string_equal(case_of("plan_reviewed_within_12_months", NULL, r10_grace), "partial");
	assert_string_equal(case_of("plan_reviewed_within_12_months", NULL, r10_lessons), "partial");
	assert_string_equal(case_of("plan_reviewed_within_12_months", NULL, r10_none), "fail");
	assert_string_equal(case_of("plan_reviewed_within_12_months", NULL, r10_old), "fail");
	assert_string_equal(case_of("plan_reviewed_within_12_months", "{\"grace\":1}", r10_grace), "fail");
}

/* R11 contacts */
static void r11_stale(struct run *rn, struct service *s)
{
	(void)s;
	rn->x.m->contacts[1].last_verified = FX_AS_OF - 400 * FX_DAY;
}
static void r11_one_channel(struct run *rn, struct service *s)
{
	(void)s;
	rn->x.m->contacts[1].phone = NULL;
}
static void r11_no_path(struct run *rn, struct service *s)
{
	(void)s;
	rn->x.m->n_escalation = 0;
}

static void test_contacts(void **state)
{
	(void)state;
	assert_string_equal(case_of("contacts_complete", NULL, NULL), "pass");
	assert_string_equal(case_of("contacts_complete", NULL, r11_stale), "partial");
	assert_string_equal(case_of("contacts_complete", NULL, r11_one_channel), "partial");
	assert_string_equal(case_of("contacts_complete", NULL, r11_no_path), "fail");
	assert_string_equal(case_of("contacts_complete", NULL, r1_fail), "fail");
	/* DORA 11(7): a crisis-management role on the path; PCI 12.10.3: on-call. */
	assert_string_equal(case_of("contacts_complete", "{\"require_role\":[\"crisis\"]}", NULL), "pass");
	assert_string_equal(case_of("contacts_complete", "{\"require_role\":[\"24x7\"]}", NULL), "partial");
}

/* R12 drill actions */
static void r12_closed(struct run *rn, struct service *s)
{
	(void)s;
	struct drill *d = &rn->x.m->drills[0];
	issues(&rn->x, d, 1);
	d->issues[0] = (struct drill_issue){"DR-1", "x", "low", "alice", FX_AS_OF - 60 * FX_DAY, false, NULL, 0};
}
static void r12_late(struct run *rn, struct service *s)
{
	(void)s;
	struct drill *d = &rn->x.m->drills[0];
	issues(&rn->x, d, 1);
	d->issues[0] = (struct drill_issue){"DR-1", "x", "low", "alice", FX_AS_OF - 10 * FX_DAY, true, NULL, 0};
}
static void r12_very_late(struct run *rn, struct service *s)
{
	r12_late(rn, s);
	rn->x.m->drills[0].issues[0].due = FX_AS_OF - 60 * FX_DAY;
}

static void test_drill_actions(void **state)
{
	(void)state;
	assert_string_equal(case_of("open_drill_findings_overdue", NULL, r12_closed), "pass");
	assert_string_equal(case_of("open_drill_findings_overdue", NULL, r12_late), "partial");
	assert_string_equal(case_of("open_drill_findings_overdue", NULL, r12_very_late), "fail");
	assert_string_equal(case_of("open_drill_findings_overdue", NULL, r8_none), "no_data");
}

/* R13 regions */
static void r13_dependency(struct run *rn, struct service *s)
{
	struct service *fx = fx_service(&rn->x, "fx", 5000);
	owner(&rn->x, fx, 0);
	fx->n_regions = 1;
	fx_depends(&rn->x, s, fx);
}
static void r13_single(struct run *rn, struct service *s)
{
	(void)rn;
	s->n_regions = 1;
}

static void test_regions(void **state)
{
	(void)state;
	assert_string_equal(case_of("redundant_region_for_tier1", NULL, NULL), "pass");
	assert_string_equal(case_of("redundant_region_for_tier1", NULL, r13_dependency), "partial");
	assert_string_equal(case_of("redundant_region_for_tier1", NULL, r13_single), "fail");
}

/* The checks only some frameworks use. */
static void x_no_measure(struct run *rn, struct service *s)
{
	(void)s;
	rn->x.m->drills[0].results[0].recovery_minutes = NAN;
}
static void x_no_records(struct run *rn, struct service *s)
{
	(void)s;
	for (int l = 0; l < LOC_COUNT; l++)
		fx_location_empty(&store0(rn)->backups.at[l]);
	store0(rn)->backups.records = 0;
}
static void x_chaos(struct run *rn, struct service *s)
{
	(void)s;
	rn->x.m->drills[0].type = DRILL_CHAOS;
}
static void x_lagging(struct run *rn, struct service *s)
{
	(void)s;
	store0(rn)->backups.at[LOC_SECONDARY].newest_success = FX_AS_OF - FX_DAY;
	store0(rn)->backups.at[LOC_OFFSITE].newest_success = FX_AS_OF - FX_DAY;
}
static void x_no_replica(struct run *rn, struct service *s)
{
	(void)s;
	store0(rn)->backups.at[LOC_SECONDARY].successes_by_type[BTYPE_CONTINUOUS] = 0;
}

static void test_other_checks(void **state)
{
	(void)state;
	assert_string_equal(case_of("kpis_computable", NULL, NULL), "pass");
	assert_string_equal(case_of("kpis_computable", NULL, x_no_measure), "partial");
	assert_string_equal(case_of("kpis_computable", NULL, x_no_records), "no_data");
	assert_string_equal(case_of("drill_type_recent", NULL, x_chaos), "pass");
	assert_string_equal(case_of("drill_type_recent", NULL, NULL), "partial");
	assert_string_equal(case_of("drill_type_recent", "{\"missing\":\"fail\"}", NULL), "fail");
	assert_string_equal(case_of("continuous_replication", NULL, NULL), "pass");
	assert_string_equal(case_of("continuous_replication", NULL, x_lagging), "partial");
	assert_string_equal(case_of("continuous_replication", NULL, x_no_replica), "fail");
}

/* ---- attestations and exceptions ---------------------------------------------------- */

static void attestation(struct fx *x, const char *topic, int64_t date, int64_t expires)
{
	struct model *m = x->m;
	if (!m->attestations)
		m->attestations = arena_calloc(m->arena, 4, sizeof(*m->attestations));
	struct attestation *a = &m->attestations[m->n_attestations++];
	a->topic = topic;
	a->statement = "reviewed";
	a->attester = "carol";
	a->attester_name = "Carol";
	a->attester_role = "CISO";
	a->date = date;
	a->expires = expires;
	a->evidence = "https://wiki.example/review";
}

static void exception(struct fx *x, const char *control, const char *service, int64_t expires)
{
	struct model *m = x->m;
	if (!m->exceptions)
		m->exceptions = arena_calloc(m->arena, 4, sizeof(*m->exceptions));
	struct exception *e = &m->exceptions[m->n_exceptions++];
	e->control = control;
	if (service) {
		e->services = arena_calloc(m->arena, 1, sizeof(*e->services));
		e->services[0] = service;
		e->n_services = 1;
	}
	e->id = "EX-1";
	e->justification = "accepted until the migration";
	e->approved_by = "cto";
	e->approved_on = FX_AS_OF - 30 * FX_DAY;
	e->expires = expires;
}

static void set_frameworks(struct fx *x, const char *fw)
{
	struct model *m = x->m;
	m->compliance.frameworks = arena_calloc(m->arena, 1, sizeof(char *));
	m->compliance.frameworks[0] = fw;
	m->compliance.n_frameworks = 1;
}

/* Runs the compliance stage; returns the status of `control` (static). */
static const char *control_status(struct run *rn, const char *control, char *reason, size_t size)
{
	static char status[32];
	struct compliance c;

	run_rules(rn);
	compliance_init(&c);
	if (!compliance_run(rn->r, rn->x.m, rn->f, rn->res, &c, rn->d)) {
		char *msg = fx_diags(rn->d);
		fail_msg("compliance failed: %s", msg);
	}
	status[0] = '\0';
	const cJSON *x;
	cJSON_ArrayForEach(x, c.controls) {
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(x, "control")), control) == 0) {
			snprintf(status, sizeof(status), "%s",
				 cJSON_GetStringValue(cJSON_GetObjectItem(x, "status")));
			if (reason)
				snprintf(reason, size, "%s",
					 cJSON_GetStringValue(cJSON_GetObjectItem(x, "reason")));
		}
	}
	compliance_free(&c);
	run_free(rn);
	return status;
}

static void test_attestations(void **state)
{
	(void)state;
	char reason[1024];
	struct run rn = {0};

	/* A.8.24: encryption passes, key management needs an attestation. */
	healthy(&rn);
	set_frameworks(&rn.x, "iso27001");
	attestation(&rn.x, "key_management", FX_AS_OF - 30 * FX_DAY, FX_AS_OF + 300 * FX_DAY);
	assert_string_equal(control_status(&rn, "A.8.24", reason, sizeof(reason)), "pass");
	assert_non_null(strstr(reason, "key_management attested by Carol"));

	memset(&rn, 0, sizeof(rn));
	healthy(&rn);
	set_frameworks(&rn.x, "iso27001");
	assert_string_equal(control_status(&rn, "A.8.24", reason, sizeof(reason)), "partial");
	assert_non_null(strstr(reason, "attestation outstanding: no attestation of key_management"));

	memset(&rn, 0, sizeof(rn));
	healthy(&rn);
	set_frameworks(&rn.x, "iso27001");
	attestation(&rn.x, "key_management", FX_AS_OF - 400 * FX_DAY, FX_AS_OF - 35 * FX_DAY);
	assert_string_equal(control_status(&rn, "A.8.24", reason, sizeof(reason)), "partial");
	assert_non_null(strstr(reason, "expired on 2026-09-27"));

	/* An attestation-only control: attest until one is current. */
	memset(&rn, 0, sizeof(rn));
	healthy(&rn);
	set_frameworks(&rn.x, "iso22301");
	attestation(&rn.x, "internal_audit", FX_AS_OF - 400 * FX_DAY, FX_AS_OF - 35 * FX_DAY);
	assert_string_equal(control_status(&rn, "9.2", reason, sizeof(reason)), "attest");
	memset(&rn, 0, sizeof(rn));
	healthy(&rn);
	set_frameworks(&rn.x, "iso22301");
	assert_string_equal(control_status(&rn, "9.2", reason, sizeof(reason)), "attest");
	memset(&rn, 0, sizeof(rn));
	healthy(&rn);
	set_frameworks(&rn.x, "iso22301");
	attestation(&rn.x, "internal_audit", FX_AS_OF - 40 * FX_DAY, DATE_NONE);
	assert_string_equal(control_status(&rn, "9.2", reason, sizeof(reason)), "pass");
	/* Without an expiry date it counts for 365 days ... */
	memset(&rn, 0, sizeof(rn));
	healthy(&rn);
	set_frameworks(&rn.x, "iso22301");
	attestation(&rn.x, "internal_audit", FX_AS_OF - 400 * FX_DAY, DATE_NONE);
	assert_string_equal(control_status(&rn, "9.2", reason, sizeof(reason)), "attest");
	/* ... and with one, too (issue 13 item 10) ... */
	memset(&rn, 0, sizeof(rn));
	healthy(&rn);
	set_frameworks(&rn.x, "iso22301");
	attestation(&rn.x, "internal_audit", FX_AS_OF - 400 * FX_DAY, FX_AS_OF + 900 * FX_DAY);
	assert_string_equal(control_status(&rn, "9.2", reason, sizeof(reason)), "attest");
	if (!strstr(reason, "is older than 365 days, the most it may be"))
		fail_msg("reason: %s", reason);
	/* ... and an internal audit by the owner of a service is refused. */
	memset(&rn, 0, sizeof(rn));
	healthy(&rn);
	set_frameworks(&rn.x, "iso22301");
	attestation(&rn.x, "internal_audit", FX_AS_OF - 40 * FX_DAY, DATE_NONE);
	rn.x.m->attestations[0].attester = "alice";
	assert_string_equal(control_status(&rn, "9.2", reason, sizeof(reason)), "attest");
	assert_non_null(strstr(reason, "is refused: it needs independence, and alice owns service pay"));
}

static void test_exceptions(void **state)
{
	(void)state;
	char reason[1024];
	struct run rn = {0};

	/* A single-region tier 1 service fails A.8.14 ... */
	struct service *s = healthy(&rn);
	s->n_regions = 1;
	set_frameworks(&rn.x, "iso27001");
	assert_string_equal(control_status(&rn, "A.8.14", reason, sizeof(reason)), "fail");

	/* ... an active exception for it waives the control ... */
	memset(&rn, 0, sizeof(rn));
	s = healthy(&rn);
	s->n_regions = 1;
	set_frameworks(&rn.x, "iso27001");
	exception(&rn.x, "iso27001:A.8.14", "pay", FX_AS_OF + 30 * FX_DAY);
	assert_string_equal(control_status(&rn, "A.8.14", reason, sizeof(reason)), "waived");
	assert_non_null(strstr(reason, "by exception EX-1, approved by cto on 2026-10-02 until 2026-12-01: "
				   "accepted until the migration"));

	/* ... also when written without the "A." ... */
	memset(&rn, 0, sizeof(rn));
	s = healthy(&rn);
	s->n_regions = 1;
	set_frameworks(&rn.x, "iso27001");
	exception(&rn.x, "iso27001:8.14", NULL, FX_AS_OF + 30 * FX_DAY);
	assert_string_equal(control_status(&rn, "A.8.14", reason, sizeof(reason)), "waived");

	/* ... but an id without its framework is an error (issue 13 item 11) ... */
	memset(&rn, 0, sizeof(rn));
	s = healthy(&rn);
	s->n_regions = 1;
	set_frameworks(&rn.x, "iso27001");
	exception(&rn.x, "8.14", NULL, FX_AS_OF + 30 * FX_DAY);
	run_rules(&rn);
	struct compliance cc;
	compliance_init(&cc);
	assert_false(compliance_run(rn.r, rn.x.m, rn.f, rn.res, &cc, rn.d));
	char *msg = fx_diags(rn.d);
	assert_non_null(strstr(msg, "exception \"EX-1\": control \"8.14\" does not name its framework; "
				"write framework:id (iso27001:A.8.14)"));
	free(msg);
	compliance_free(&cc);
	run_free(&rn);

	/* ... but not for another service ... */
	memset(&rn, 0, sizeof(rn));
	s = healthy(&rn);
	s->n_regions = 1;
	set_frameworks(&rn.x, "iso27001");
	exception(&rn.x, "iso27001:A.8.14", "other", FX_AS_OF + 30 * FX_DAY);
	assert_string_equal(control_status(&rn, "A.8.14", reason, sizeof(reason)), "fail");

	/* ... nor another framework's control ... */
	memset(&rn, 0, sizeof(rn));
	s = healthy(&rn);
	s->n_regions = 1;
	set_frameworks(&rn.x, "iso27001");
	exception(&rn.x, "soc2:A1.2", "pay", FX_AS_OF + 30 * FX_DAY);
	assert_string_equal(control_status(&rn, "A.8.14", reason, sizeof(reason)), "fail");

	/* ... and an expired one is ignored and named. */
	memset(&rn, 0, sizeof(rn));
	s = healthy(&rn);
	s->n_regions = 1;
	set_frameworks(&rn.x, "iso27001");
	exception(&rn.x, "iso27001:A.8.14", "pay", FX_AS_OF - FX_DAY);
	assert_string_equal(control_status(&rn, "A.8.14", reason, sizeof(reason)), "fail");
	assert_non_null(strstr(reason, "the exception EX-1 for pay expired on 2026-10-31 and is not applied"));
}

static void test_scope(void **state)
{
	(void)state;
	char reason[1024];
	struct run rn = {0};

	/* No service tagged ephi: every HIPAA control is n/a. */
	healthy(&rn);
	set_frameworks(&rn.x, "hipaa");
	assert_string_equal(control_status(&rn, "164.308(a)(7)(ii)(A)", reason, sizeof(reason)), "n/a");
	assert_non_null(strstr(reason, "no service carries the data_scope tag \"ephi\""));
	memset(&rn, 0, sizeof(rn));
	healthy(&rn);
	set_frameworks(&rn.x, "hipaa");
	assert_string_equal(control_status(&rn, "164.308(a)(7)(i)", reason, sizeof(reason)), "n/a");

	/* Tagged: evaluated. */
	memset(&rn, 0, sizeof(rn));
	struct service *s = healthy(&rn);
	s->data_scope = arena_calloc(rn.x.m->arena, 1, sizeof(char *));
	s->data_scope[0] = "ephi";
	s->n_data_scope = 1;
	set_frameworks(&rn.x, "hipaa");
	assert_string_equal(control_status(&rn, "164.308(a)(7)(ii)(A)", reason, sizeof(reason)), "pass");

	/* DORA: a microenterprise keeps Art. 12 with its carve-outs (12(4) an
	 * assessment attestation) and is outside RTS Title III; an Art. 16(1)
	 * entity (a small IORP) is outside Arts 5-15 and follows RTS Art. 40. */
	memset(&rn, 0, sizeof(rn));
	healthy(&rn);
	rn.x.m->org.entity_type = "microenterprise";
	set_frameworks(&rn.x, "dora");
	assert_string_equal(control_status(&rn, "Art. 12(4)", reason, sizeof(reason)), "attest");
	assert_non_null(strstr(reason, "redundancy_need_assessed"));
	memset(&rn, 0, sizeof(rn));
	healthy(&rn);
	rn.x.m->org.entity_type = "microenterprise";
	set_frameworks(&rn.x, "dora");
	assert_string_equal(control_status(&rn, "RTS Art. 40", reason, sizeof(reason)), "n/a");
	memset(&rn, 0, sizeof(rn));
	healthy(&rn);
	rn.x.m->org.entity_type = "small_iorp";
	set_frameworks(&rn.x, "dora");
	assert_string_equal(control_status(&rn, "Art. 12(4)", reason, sizeof(reason)), "n/a");
	assert_non_null(strstr(reason, "Articles 5 to 15 of this Regulation shall not apply"));
	memset(&rn, 0, sizeof(rn));
	healthy(&rn);
	rn.x.m->org.entity_type = "small_iorp";
	set_frameworks(&rn.x, "dora");
	assert_string_equal(control_status(&rn, "RTS Art. 40", reason, sizeof(reason)), "pass");
	memset(&rn, 0, sizeof(rn));
	healthy(&rn);
	rn.x.m->org.entity_type = "credit_institution";
	set_frameworks(&rn.x, "dora");
	assert_string_equal(control_status(&rn, "RTS Art. 40", reason, sizeof(reason)), "n/a");
}

static void test_unknown_framework(void **state)
{
	(void)state;
	struct run rn = {0};
	struct compliance c;

	healthy(&rn);
	set_frameworks(&rn.x, "Bad Name");
	run_rules(&rn);
	compliance_init(&c);
	assert_false(compliance_run(rn.r, rn.x.m, rn.f, rn.res, &c, rn.d));
	char *msg = fx_diags(rn.d);
	assert_non_null(strstr(msg, "compliance.frameworks: \"Bad Name\" is not a framework name"));
	free(msg);
	compliance_free(&c);
	run_free(&rn);

	memset(&rn, 0, sizeof(rn));
	healthy(&rn);
	set_frameworks(&rn.x, "sox");
	run_rules(&rn);
	compliance_init(&c);
	assert_false(compliance_run(rn.r, rn.x.m, rn.f, rn.res, &c, rn.d));
	msg = fx_diags(rn.d);
	assert_non_null(strstr(msg, "compliance/sox"));
	free(msg);
	compliance_free(&c);
	run_free(&rn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape_ok),
		cmocka_unit_test(test_shape_errors),
		cmocka_unit_test(test_fail_on),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_read_previous),
		cmocka_unit_test(test_recovery_objectives),
		cmocka_unit_test(test_backup_currency),
		cmocka_unit_test(test_backup_failures),
		cmocka_unit_test(test_offsite_copy),
		cmocka_unit_test(test_encryption),
		cmocka_unit_test(test_immutable),
		cmocka_unit_test(test_restore_tests),
		cmocka_unit_test(test_drill_coverage),
		cmocka_unit_test(test_rto_achieved),
		cmocka_unit_test(test_plan_review),
		cmocka_unit_test(test_contacts),
		cmocka_unit_test(test_drill_actions),
		cmocka_unit_test(test_regions),
		cmocka_unit_test(test_other_checks),
		cmocka_unit_test(test_attestations),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_unknown_framework),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
