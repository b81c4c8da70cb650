/* test_load_drills.c -- the drill loaders: JSON, JUnit XML, and XML safety. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dates.h"
#include "diag.h"
#include "load_drills.h"
#include "model.h"
#include "source.h"

#define FILE_JSON "plan/drills/d.json"
#define FILE_XML "plan/drills/d.xml"

/* A model with three services, as load_plan would leave it. */
static struct model *test_model(void)
{
	static const char *const ids[] = {"payments-api", "ledger-db", "web"};
	struct model *m = model_new();

	m->services = arena_calloc(m->arena, ARRAY_LEN(ids), sizeof(*m->services));
	for (size_t i = 0; i < ARRAY_LEN(ids); i++) {
		m->services[i].id = arena_strdup(m->arena, ids[i]);
		strmap_put(m->service_by_id, m->services[i].id, &m->services[i]);
	}
	m->n_services = ARRAY_LEN(ids);
	return m;
}

struct fixture {
	struct model *m;
	struct diags *d;
	struct load_drills_batch b;
	bool ok;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->m = test_model();
	f->d = diags_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	load_drills_batch_free(&f->b);
	diags_free(f->d);
	model_free(f->m);
	free(f);
	return 0;
}

static void parse_json(struct fixture *f, const char *text)
{
	f->ok = load_drills_json(f->m, "drills/d.json", FILE_JSON, text,
				 strlen(text), &f->b, f->d);
}

static void parse_xml(struct fixture *f, const char *text)
{
	f->ok = load_drills_xml(f->m, "drills/d.xml", FILE_XML, text,
				strlen(text), &f->b, f->d);
}

static void dump_diags(const struct diags *d)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < diags_len(d); i++) {
		const struct diag *g = diags_get(d, i);

		buf_reset(&b);
		diag_format(g, &b);
		print_message("  diag: %s [where %s]\n", b.data,
			      g->where ? g->where : "-");
	}
	buf_free(&b);
}

/* Asserts that d holds a diagnostic with exactly these fields. */
static void expect_diag(const struct diags *d, enum diag_severity sev,
			int line, int col, const char *where, const char *msg)
{
	for (size_t i = 0; i < diags_len(d); i++) {
		const struct diag *g = diags_get(d, i);

		if (g->severity == sev && g->line == line && g->col == col &&
		    strcmp(g->message, msg) == 0 &&
		    ((!where && !g->where) ||
		     (where && g->where && strcmp(where, g->where) == 0)))
			return;
	}
	print_message("missing diagnostic %d:%d %s: %s\n", line, col,
		      where ? where : "-", msg);
	dump_diags(d);
	fail();
}

static void expect_no_diags(const struct diags *d)
{
	if (diags_len(d) == 0)
		return;
	dump_diags(d);
	fail_msg("expected no diagnostics");
}

static int64_t day(const char *s)
{
	int64_t t = 0;

	assert_true(date_parse_any(s, strlen(s), &t));
	return t;
}

/* ---- JSON ---- */

static const char json_full[] =
	"{\n"
	"  \"id\": \"2026-q3-failover\",\n"
	"  \"date\": \"2026-09-14\",\n"
	"  \"type\": \"partial_failover\",\n"
	"  \"scope\": {\"services\": [\"payments-api\", \"ledger-db\"],\n"
	"            \"traffic_percent\": 25},\n"
	"  \"results\": [\n"
	"    {\"service\": \"payments-api\", \"target_rto_minutes\": 60,\n"
	"     \"target_rpo_minutes\": 5, \"recovery_minutes\": 42.5,\n"
	"     \"data_loss_minutes\": 0, \"recovered\": true,\n"
	"     \"data_integrity\": 1},\n"
	"    {\"service\": \"ledger-db\", \"recovered\": false,\n"
	"     \"failure\": \"replica lag\"}\n"
	"  ],\n"
	"  \"availability\": 0.9995,\n"
	"  \"issues\": [{\"id\": \"DR-12\", \"title\": \"DNS TTL too long\",\n"
	"              \"severity\": \"high\", \"owner\": \"alice\",\n"
	"              \"due\": \"2026-10-31\", \"status\": \"open\"},\n"
	"             {\"id\": \"DR-13\", \"title\": \"x\", \"status\": \"closed\",\n"
	"              \"services\": [\"ledger-db\", \"payments-api\"]}],\n"
	"  \"participants\": [\"alice\", \"bob\"],\n"
	"  \"notes\": \"Went *well*.\"\n"
	"}\n";

static void test_json_single(void **state)
{
	struct fixture *f = *state;
	const struct drill *dr;

	parse_json(f, json_full);
	expect_no_diags(f->d);
	assert_true(f->ok);
	assert_int_equal(f->b.n, 1);
	dr = &f->b.drills[0];
	assert_string_equal(dr->id, "2026-q3-failover");
	assert_true(dr->date == day("2026-09-14"));
	assert_int_equal(dr->type, DRILL_PARTIAL_FAILOVER);
	assert_int_equal(dr->n_scope_services, 2);
	assert_string_equal(dr->scope_services[1], "ledger-db");
	assert_true(dr->traffic_percent == 25);
	assert_int_equal(dr->n_results, 2);
	assert_string_equal(dr->results[0].service, "payments-api");
	assert_int_equal(dr->results[0].service_index, 0);
	assert_true(dr->results[0].target_rto_minutes == 60);
	assert_true(dr->results[0].target_rpo_minutes == 5);
	assert_true(dr->results[0].recovery_minutes == 42.5);
	assert_true(dr->results[0].data_loss_minutes == 0);
	assert_true(dr->results[0].recovered);
	assert_true(dr->results[0].data_integrity == 1);
	assert_null(dr->results[0].failure);
	assert_int_equal(dr->results[1].service_index, 1);
	assert_false(dr->results[1].recovered);
	assert_true(isnan(dr->results[1].target_rto_minutes));
	assert_true(isnan(dr->results[1].recovery_minutes));
	assert_true(isnan(dr->results[1].data_integrity));
	assert_string_equal(dr->results[1].failure, "replica lag");
	assert_true(dr->availability == 0.9995);
	assert_int_equal(dr->n_issues, 2);
	assert_string_equal(dr->issues[0].id, "DR-12");
	assert_string_equal(dr->issues[0].title, "DNS TTL too long");
	assert_string_equal(dr->issues[0].severity, "high");
	assert_string_equal(dr->issues[0].owner, "alice");
	assert_true(dr->issues[0].due == day("2026-10-31"));
	assert_true(dr->issues[0].open);
	assert_int_equal(dr->issues[0].n_services, 0);
	assert_false(dr->issues[1].open);
	assert_int_equal(dr->issues[1].n_services, 2);
	assert_string_equal(dr->issues[1].services[0], "ledger-db");
	assert_string_equal(dr->issues[1].services[1], "payments-api");
	assert_true(dr->issues[1].due == DATE_NONE);
	assert_null(dr->issues[1].severity);
	assert_int_equal(dr->n_participants, 2);
	assert_string_equal(dr->participants[1], "bob");
	assert_string_equal(dr->notes, "Went *well*.");
	assert_string_equal(dr->source, "drills/d.json");
	assert_string_equal(dr->pos.file, FILE_JSON);
	assert_int_equal(dr->pos.line, 1);
	assert_string_equal(dr->pos.pointer, "");
}

static void test_json_array(void **state)
{
	struct fixture *f = *state;

	parse_json(f,
		   "[\n"
		   "  {\"id\": \"b\", \"date\": \"2026-03-01T10:00:00+02:00\",\n"
		   "   \"type\": \"chaos\",\n"
		   "   \"results\": [{\"service\": \"web\", \"recovered\": true}]},\n"
		   "  {\"id\": \"a\", \"date\": \"2026-01-01\", \"type\": \"tabletop\",\n"
		   "   \"$schema\": \"../schema/drill.json\", \"drgen\": 1}\n"
		   "]\n");
	expect_no_diags(f->d);
	assert_true(f->ok);
	assert_int_equal(f->b.n, 2);
	assert_string_equal(f->b.drills[0].id, "b");
	assert_true(f->b.drills[0].date == day("2026-03-01T08:00:00Z"));
	assert_int_equal(f->b.drills[0].type, DRILL_CHAOS);
	assert_string_equal(f->b.drills[0].pos.pointer, "/0");
	assert_int_equal(f->b.drills[0].pos.line, 2);
	/* Without a scope, the scope is the services measured. */
	assert_int_equal(f->b.drills[0].n_scope_services, 1);
	assert_string_equal(f->b.drills[0].scope_services[0], "web");
	assert_string_equal(f->b.drills[1].pos.pointer, "/1");
	assert_int_equal(f->b.drills[1].n_results, 0);
	assert_int_equal(f->b.drills[1].n_scope_services, 0);
	assert_true(isnan(f->b.drills[1].availability));
	assert_true(isnan(f->b.drills[1].traffic_percent));
	assert_null(f->b.drills[1].notes);
}

static void test_json_data_integrity_forms(void **state)
{
	struct fixture *f = *state;
	const struct drill_result *r;

	parse_json(f,
		   "{\"id\": \"x\", \"date\": \"2026-01-01\", \"type\": \"chaos\",\n"
		   " \"results\": [\n"
		   "  {\"service\": \"web\", \"recovered\": true, \"data_integrity\": true},\n"
		   "  {\"service\": \"ledger-db\", \"recovered\": true, \"data_integrity\": false},\n"
		   "  {\"service\": \"payments-api\", \"recovered\": true, \"data_integrity\": 0.75}\n"
		   "]}");
	expect_no_diags(f->d);
	r = f->b.drills[0].results;
	assert_true(r[0].data_integrity == 1);
	assert_true(r[1].data_integrity == 0);
	assert_true(r[2].data_integrity == 0.75);
}

/* restored_from_backup: a boolean, absent is false; JUnit as a property. */
static void test_restored_from_backup(void **state)
{
	struct fixture *f = *state;
	const struct drill_result *r;

	parse_json(f,
		   "{\"id\": \"x\", \"date\": \"2026-01-01\", \"type\": \"full_simulation\",\n"
		   " \"results\": [\n"
		   "  {\"service\": \"web\", \"recovered\": true, \"restored_from_backup\": true},\n"
		   "  {\"service\": \"ledger-db\", \"recovered\": true, \"restored_from_backup\": false},\n"
		   "  {\"service\": \"payments-api\", \"recovered\": true}\n"
		   "]}");
	expect_no_diags(f->d);
	r = f->b.drills[0].results;
	assert_true(r[0].restored_from_backup);
	assert_false(r[1].restored_from_backup);
	assert_false(r[2].restored_from_backup);
}

static void test_restored_from_backup_errors(void **state)
{
	struct fixture *f = *state;

	parse_json(f,
		   "{\"id\": \"x\", \"date\": \"2026-01-01\", \"type\": \"full_simulation\",\n"
		   " \"results\": [{\"service\": \"web\", \"recovered\": true,\n"
		   "   \"restored_from_backup\": \"yes\"}]}");
	assert_false(f->ok);
	assert_int_equal(diags_len(f->d), 1);
	assert_non_null(strstr(diags_get(f->d, 0)->message, "restored_from_backup"));
	assert_int_equal(diags_get(f->d, 0)->line, 3);
}

static void test_xml_restored_from_backup(void **state)
{
	struct fixture *f = *state;
	const struct drill_result *r;

	parse_xml(f,
		  "<testsuite timestamp=\"2026-05-05\"><properties>\n"
		  "<property name=\"drill.id\" value=\"t\"/>"
		  "<property name=\"drill.type\" value=\"full_simulation\"/></properties>\n"
		  "<testcase classname=\"web\" time=\"60\"><properties>\n"
		  "<property name=\"restored_from_backup\" value=\"true\"/></properties></testcase>\n"
		  "<testcase classname=\"ledger-db\" time=\"60\"/>\n"
		  "<testcase classname=\"payments-api\" time=\"60\"><properties>\n"
		  "<property name=\"restored_from_backup\" value=\"maybe\"/></properties></testcase>\n"
		  "</testsuite>\n");
	assert_false(f->ok);
	assert_int_equal(diags_len(f->d), 1);
	assert_non_null(strstr(diags_get(f->d, 0)->message,
			       "invalid value for property \"restored_from_backup\": expected true "
			       "or false, found \"maybe\""));
	assert_int_equal(diags_get(f->d, 0)->line, 7);
	r = f->b.drills[0].results;
	assert_true(r[0].restored_from_backup);
	assert_false(r[1].restored_from_backup);
}

static void test_json_null_is_absent(void **state)
{
	struct fixture *f = *state;
	const struct drill_result *r;

	parse_json(f,
		   "{\"id\": \"x\", \"date\": \"2026-01-01\", \"type\": \"chaos\",\n"
		   " \"availability\": null, \"notes\": null,\n"
		   " \"results\": [{\"service\": \"web\", \"recovered\": true,\n"
		   "   \"data_integrity\": null, \"recovery_minutes\": null}]}");
	expect_no_diags(f->d);
	r = f->b.drills[0].results;
	assert_true(isnan(r[0].data_integrity));
	assert_true(isnan(r[0].recovery_minutes));
	assert_true(isnan(f->b.drills[0].availability));
}

/* One case of bad JSON: the text and the one diagnostic it must give. */
struct bad_case {
	const char *text;
	enum diag_severity sev;
	int line, col;
	const char *where;
	const char *message;
};

#define HEAD "{\"id\": \"x\", \"date\": \"2026-01-01\", \"type\": \"chaos\",\n"

static const struct bad_case bad_json[] = {
	{"[1, {\"id\": \"x\",}]", DIAG_ERROR, 1, 16, NULL,
	 NULL /* syntax: message from jsonpos, only position checked */},
	{"{\"id\": \"x\", \"date\": \"2026-01-01\", \"type\": \"chaos\",\n"
	 " \"notes\": \"ok\\u0000<b>HIDDEN</b>\"}", DIAG_ERROR, 2, 14, NULL,
	 "\\u0000 (NUL) is not allowed in strings"},
	{"\"drill\"", DIAG_ERROR, 1, 1, NULL,
	 "expected a drill object or an array of drills at the top level, found string \"drill\""},
	{"[" HEAD " \"notes\": \"n\"}, 3]", DIAG_ERROR, 2, 17, "/1",
	 "wrong type for an element of the drill array: expected an object, "
	 "found number 3"},
	{"{\"date\": \"2026-01-01\", \"type\": \"chaos\"}", DIAG_ERROR, 1, 1, NULL,
	 "missing required key \"id\" in drill"},
	{"{\"id\": 7, \"date\": \"2026-01-01\", \"type\": \"chaos\"}", DIAG_ERROR,
	 1, 8, "/id", "wrong type for \"id\": expected a string, found number 7"},
	{"{\"id\": \"../x\", \"date\": \"2026-01-01\", \"type\": \"chaos\"}",
	 DIAG_ERROR, 1, 8, "/id",
	 "invalid drill id \"../x\": expected letters, digits, '.', '_' or '-', "
	 "starting with a letter or digit"},
	{"{\"id\": \"x\", \"date\": \"2026-02-30\", \"type\": \"chaos\"}",
	 DIAG_ERROR, 1, 21, "/date",
	 "impossible date \"2026-02-30\" for \"date\": 2026-02 has 28 days"},
	{"{\"id\": \"x\", \"date\": \"2026-01-01\", \"type\": \"drill\"}",
	 DIAG_ERROR, 1, 43, "/type",
	 "invalid value for \"type\": expected \"tabletop\", \"partial_failover\", "
	 "\"full_simulation\" or \"chaos\", found \"drill\""},
	{HEAD " \"note\": \"x\"}", DIAG_ERROR, 2, 2, "/note",
	 "unknown key \"note\" in drill, did you mean \"notes\""},
	{HEAD " \"zzzzzzzz\": 1}", DIAG_ERROR, 2, 2, "/zzzzzzzz",
	 "unknown key \"zzzzzzzz\" in drill"},
	{HEAD " \"notes\": \"a\", \"notes\": \"b\"}", DIAG_ERROR, 2, 16,
	 "/notes", "duplicate key \"notes\" in drill"},
	{HEAD " \"availability\": 1.5}", DIAG_ERROR, 2, 18, "/availability",
	 "invalid value for \"availability\": expected a number from 0 to 1, "
	 "found 1.5"},
	{HEAD " \"availability\": \"99%\"}", DIAG_ERROR, 2, 18, "/availability",
	 "wrong type for \"availability\": expected a number, found string "
	 "\"99%\""},
	{HEAD " \"scope\": {\"services\": [\"web\", \"webb\"]}}", DIAG_ERROR, 2,
	 32, "/scope/services/1",
	 "unknown service \"webb\", did you mean \"web\""},
	{HEAD " \"scope\": {\"services\": [\"web\", \"web\"]}}", DIAG_WARNING, 2,
	 32, "/scope/services/1",
	 "service \"web\" is listed twice in the scope"},
	{HEAD " \"scope\": {\"traffic_percent\": 101}}", DIAG_ERROR, 2, 31,
	 "/scope/traffic_percent",
	 "invalid value for \"traffic_percent\": expected a number from 0 to "
	 "100, found 101"},
	{HEAD " \"scope\": [\"web\"]}", DIAG_ERROR, 2, 11, "/scope",
	 "wrong type for \"scope\": expected an object, found an array"},
	{HEAD " \"results\": {}}", DIAG_ERROR, 2, 13, "/results",
	 "wrong type for \"results\": expected an array of objects, found an "
	 "object"},
	{HEAD " \"results\": [\"web\"]}", DIAG_ERROR, 2, 14, "/results/0",
	 "wrong type for an element of \"results\": expected an object, found "
	 "string \"web\""},
	{HEAD " \"results\": [{\"service\": \"mail\", \"recovered\": true}]}",
	 DIAG_ERROR, 2, 26, "/results/0/service", "unknown service \"mail\""},
	{HEAD " \"results\": [{\"recovered\": true}]}", DIAG_ERROR, 2, 14,
	 "/results/0", "missing required key \"service\" in drill result"},
	{HEAD " \"results\": [{\"service\": \"web\"}]}", DIAG_ERROR, 2, 14,
	 "/results/0", "missing required key \"recovered\" in drill result"},
	{HEAD " \"results\": [{\"service\": \"web\", \"recovered\": \"yes\"}]}",
	 DIAG_ERROR, 2, 46, "/results/0/recovered",
	 "wrong type for \"recovered\": expected a boolean, found string "
	 "\"yes\""},
	{HEAD " \"results\": [{\"service\": \"web\", \"recovered\": true,"
	 " \"recovery_minutes\": -1}]}", DIAG_ERROR, 2, 72,
	 "/results/0/recovery_minutes",
	 "invalid value for \"recovery_minutes\": expected a number of "
	 "minutes, 0 or more, found -1"},
	{HEAD " \"results\": [{\"service\": \"web\", \"recovered\": true,"
	 " \"data_integrity\": 1.2}]}", DIAG_ERROR, 2, 70,
	 "/results/0/data_integrity",
	 "invalid value for \"data_integrity\": expected a number from 0 to 1 "
	 "or a boolean, found 1.2"},
	{HEAD " \"results\": [{\"service\": \"web\", \"recovered\": true,"
	 " \"data_integrity\": \"100%\"}]}", DIAG_ERROR, 2, 70,
	 "/results/0/data_integrity",
	 "wrong type for \"data_integrity\": expected a number from 0 to 1 or "
	 "a boolean, found string \"100%\""},
	{HEAD " \"results\": [{\"service\": \"web\", \"recovered\": true},\n"
	 "  {\"service\": \"web\", \"recovered\": false}]}", DIAG_ERROR, 3, 15,
	 "/results/1/service", "duplicate result for service \"web\""},
	{HEAD " \"scope\": {\"services\": [\"web\"]},\n"
	 " \"results\": [{\"service\": \"ledger-db\", \"recovered\": true}]}",
	 DIAG_WARNING, 3, 14, "/results/0",
	 "result for service \"ledger-db\", which is not in the drill's scope"},
	{HEAD " \"issues\": [{\"id\": \"I1\", \"title\": \"t\", \"status\": \"done\"}]}",
	 DIAG_ERROR, 2, 50, "/issues/0/status",
	 "invalid value for \"status\": expected \"open\" or \"closed\", found "
	 "\"done\""},
	{HEAD " \"issues\": [{\"id\": \"I1\", \"title\": \"t\", \"status\": \"open\","
	 " \"due\": \"soon\"}]}", DIAG_ERROR, 2, 65, "/issues/0/due",
	 "invalid date \"soon\" for \"due\": expected YYYY-MM-DD or an RFC 3339 "
	 "time with offset (2026-10-01T09:30:00Z)"},
	{HEAD " \"issues\": [{\"id\": \"I1\", \"title\": \"t\", \"status\": \"open\"},"
	 " {\"id\": \"I1\", \"title\": \"u\", \"status\": \"open\"}]}", DIAG_ERROR, 2,
	 66, "/issues/1/id", "duplicate issue id \"I1\""},
	{HEAD " \"issues\": [{\"id\": \"I1\", \"title\": \"t\", \"status\": \"open\","
	 " \"services\": [\"webb\"]}]}", DIAG_ERROR, 2, 71, "/issues/0/services/0",
	 "unknown service \"webb\", did you mean \"web\""},
	{HEAD " \"issues\": [{\"id\": \"I1\", \"title\": \"t\", \"status\": \"open\","
	 " \"services\": [\"web\", \"web\"]}]}", DIAG_WARNING, 2, 78,
	 "/issues/0/services/1", "service \"web\" is listed twice in the issue"},
	{HEAD " \"issues\": [{\"id\": \"I1\", \"title\": \"t\", \"status\": \"open\","
	 " \"services\": \"web\"}]}", DIAG_ERROR, 2, 70, "/issues/0/services",
	 "wrong type for \"services\": expected an array of strings, found "
	 "string \"web\""},
	{HEAD " \"issues\": [{\"id\": \"I1\", \"status\": \"open\"}]}", DIAG_ERROR,
	 2, 13, "/issues/0", "missing required key \"title\" in issue"},
	{HEAD " \"participants\": [\"a\", 2]}", DIAG_ERROR, 2, 24,
	 "/participants/1",
	 "wrong type for an element of \"participants\": expected a string, "
	 "found number 2"},
	{HEAD " \"drgen\": 2}", DIAG_ERROR, 2, 11, "/drgen",
	 "unsupported format version 2, this drgen reads version 1"},
	{HEAD " \"id\": null}", DIAG_ERROR, 2, 2, "/id",
	 "duplicate key \"id\" in drill"},
	{"{\"id\": null, \"date\": \"2026-01-01\", \"type\": \"chaos\"}",
	 DIAG_ERROR, 1, 8, "/id",
	 "wrong type for \"id\": expected a string, found null"},
};

static void test_json_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad_json); i++) {
		const struct bad_case *k = &bad_json[i];
		struct fixture *f;
		void *st;

		setup(&st);
		f = st;
		parse_json(f, k->text);
		print_message("case %zu\n", i);
		if (k->message) {
			expect_diag(f->d, k->sev, k->line, k->col, k->where,
				    k->message);
		} else {
			const struct diag *g = diags_get(f->d, 0);

			assert_non_null(g);
			assert_int_equal(g->line, k->line);
			assert_int_equal(g->col, k->col);
		}
		assert_true(f->ok == (k->sev != DIAG_ERROR));
		assert_int_equal(diags_len(f->d), 1);
		teardown(&st);
	}
}

/* A drill with a bad id is left out; one with other faults is kept. */
static void test_json_bad_id_dropped(void **state)
{
	struct fixture *f = *state;

	parse_json(f,
		   "[{\"id\": \"a b\", \"date\": \"2026-01-01\", \"type\": \"chaos\"},\n"
		   " {\"id\": \"ok\", \"date\": \"x\", \"type\": \"chaos\"}]");
	assert_false(f->ok);
	assert_int_equal(f->b.n, 1);
	assert_string_equal(f->b.drills[0].id, "ok");
	assert_true(f->b.drills[0].date == DATE_NONE);
}

/* ---- JUnit XML ---- */

static const char xml_wrapped[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<testsuites name=\"failover\">\n"
	"  <testsuite name=\"Q3 failover\" timestamp=\"2026-09-14T10:00:00\"\n"
	"             tests=\"3\" failures=\"1\">\n"
	"    <properties>\n"
	"      <property name=\"drill.id\" value=\"2026-q3-failover\"/>\n"
	"      <property name=\"drill.type\" value=\"full_simulation\"/>\n"
	"      <property name=\"drill.availability\" value=\"0.999\"/>\n"
	"      <property name=\"java.version\" value=\"21\"/>\n"
	"    </properties>\n"
	"    <testcase classname=\"payments-api\" name=\"failover\" time=\"1530\">\n"
	"      <properties>\n"
	"        <property name=\"data_loss_seconds\" value=\"90\"/>\n"
	"        <property name=\"data_integrity\" value=\"true\"/>\n"
	"        <property name=\"target_rto_minutes\" value=\"60\"/>\n"
	"        <property name=\"target_rpo_minutes\">15</property>\n"
	"      </properties>\n"
	"    </testcase>\n"
	"    <testcase classname=\"ledger-db\" name=\"promote replica\" time=\"600.5\">\n"
	"      <failure message=\"replica did not catch up\" type=\"AssertionError\">"
	"stack</failure>\n"
	"      <system-out>log</system-out>\n"
	"    </testcase>\n"
	"    <testcase classname=\"web\" name=\"x\"><error><![CDATA[ boom\n"
	"  ]]></error></testcase>\n"
	"  </testsuite>\n"
	"  <testsuite name=\"chaos\" timestamp=\"2026-02-01T08:00:00+01:00\">\n"
	"    <properties>\n"
	"      <property name=\"drill.id\" value=\"2026-chaos-1\"/>\n"
	"      <property name=\"drill.type\" value=\"chaos\"/>\n"
	"      <property name=\"drill.traffic_percent\" value=\"10\"/>\n"
	"    </properties>\n"
	"    <testcase classname=\"web\" time=\"0\">\n"
	"      <properties><property name=\"data_integrity\" value=\"0.98\"/>"
	"</properties>\n"
	"    </testcase>\n"
	"    <testcase classname=\"ledger-db\"><skipped/></testcase>\n"
	"    <testcase classname=\"payments-api\">\n"
	"      <properties><property name=\"data_integrity\" value=\"false\"/>"
	"</properties>\n"
	"    </testcase>\n"
	"  </testsuite>\n"
	"</testsuites>\n";

static void test_xml_testsuites(void **state)
{
	struct fixture *f = *state;
	const struct drill *dr;
	const struct drill_result *r;

	parse_xml(f, xml_wrapped);
	expect_diag(f->d, DIAG_WARNING, 35, 0, "/testsuites/testsuite[2]/testcase[2]",
		    "skipped testcase for service \"ledger-db\" is not counted as a result");
	assert_int_equal(diags_len(f->d), 1);
	assert_true(f->ok);
	assert_int_equal(f->b.n, 2);

	dr = &f->b.drills[0];
	assert_string_equal(dr->id, "2026-q3-failover");
	assert_true(dr->date == day("2026-09-14T10:00:00Z"));
	assert_int_equal(dr->type, DRILL_FULL_SIMULATION);
	assert_true(dr->availability == 0.999);
	assert_true(isnan(dr->traffic_percent));
	assert_string_equal(dr->source, "drills/d.xml");
	assert_string_equal(dr->pos.pointer, "/testsuites/testsuite[1]");
	/* libxml2 gives the line where the start tag ends. */
	assert_int_equal(dr->pos.line, 4);
	assert_int_equal(dr->n_results, 3);
	assert_int_equal(dr->n_scope_services, 3);
	assert_string_equal(dr->scope_services[2], "web");
	r = dr->results;
	assert_string_equal(r[0].service, "payments-api");
	assert_true(r[0].recovered);
	assert_true(r[0].recovery_minutes == 25.5);     /* 1530 s */
	assert_true(r[0].data_loss_minutes == 1.5);     /* 90 s */
	assert_true(r[0].data_integrity == 1);
	assert_true(r[0].target_rto_minutes == 60);
	assert_true(r[0].target_rpo_minutes == 15);
	assert_null(r[0].failure);
	assert_int_equal(r[1].service_index, 1);
	assert_false(r[1].recovered);
	assert_true(fabs(r[1].recovery_minutes - 600.5 / 60) < 1e-12);
	assert_string_equal(r[1].failure, "replica did not catch up");
	assert_true(isnan(r[1].data_loss_minutes));
	assert_true(isnan(r[1].target_rto_minutes));
	assert_false(r[2].recovered);
	assert_string_equal(r[2].failure, "boom");    /* text, trimmed */
	assert_true(isnan(r[2].recovery_minutes));

	dr = &f->b.drills[1];
	assert_string_equal(dr->id, "2026-chaos-1");
	assert_true(dr->date == day("2026-02-01T07:00:00Z"));
	assert_int_equal(dr->type, DRILL_CHAOS);
	assert_true(dr->traffic_percent == 10);
	assert_true(isnan(dr->availability));
	assert_int_equal(dr->n_results, 2);      /* the skipped one is left out */
	assert_int_equal(dr->n_scope_services, 2);
	assert_string_equal(dr->scope_services[1], "payments-api");
	assert_true(dr->results[0].recovery_minutes == 0);
	assert_true(dr->results[0].data_integrity == 0.98);
	assert_true(dr->results[1].data_integrity == 0);
	assert_true(isnan(dr->results[1].recovery_minutes));
}

static void test_xml_single_testsuite(void **state)
{
	struct fixture *f = *state;

	parse_xml(f,
		  "<testsuite timestamp=\"2026-05-05\">\n"
		  "  <properties>\n"
		  "    <property name=\"drill.id\" value=\"t1\"/>\n"
		  "    <property name=\"drill.type\" value=\"tabletop\"/>\n"
		  "  </properties>\n"
		  "</testsuite>\n");
	expect_no_diags(f->d);
	assert_int_equal(f->b.n, 1);
	assert_string_equal(f->b.drills[0].pos.pointer, "/testsuite");
	assert_int_equal(f->b.drills[0].type, DRILL_TABLETOP);
	assert_int_equal(f->b.drills[0].n_results, 0);
}

#define SUITE_OPEN "<testsuite timestamp=\"2026-05-05\"><properties>\n" \
	"<property name=\"drill.id\" value=\"t\"/>" \
	"<property name=\"drill.type\" value=\"chaos\"/>\n"
#define SUITE_CLOSE "</testsuite>\n"

static const struct bad_case bad_xml[] = {
	{"<testsuite>\n<testcase></testsuite>", DIAG_ERROR, 2, 23, NULL,
	 "malformed XML: opening and ending tag mismatch: testcase line 2 and "
	 "testsuite"},
	{"<results/>", DIAG_ERROR, 1, 0, NULL,
	 "expected <testsuites> or <testsuite> as the root element, found "
	 "<results>"},
	{"<testsuite timestamp=\"2026-05-05\"><properties>\n"
	 "<property name=\"drill.type\" value=\"chaos\"/></properties>"
	 SUITE_CLOSE, DIAG_ERROR, 1, 0, "/testsuite",
	 "missing property \"drill.id\" in <testsuite> (or \"id\" in the sidecar drills/d.xml.json)"},
	{"<testsuite timestamp=\"2026-05-05\"><properties>\n"
	 "<property name=\"drill.id\" value=\"a/b\"/>"
	 "<property name=\"drill.type\" value=\"chaos\"/></properties>"
	 SUITE_CLOSE, DIAG_ERROR, 2, 0, "/testsuite/properties/property[1]",
	 "invalid drill id \"a/b\": expected letters, digits, '.', '_' or '-', "
	 "starting with a letter or digit"},
	{"<testsuite><properties>\n"
	 "<property name=\"drill.id\" value=\"t\"/>"
	 "<property name=\"drill.type\" value=\"chaos\"/></properties>"
	 SUITE_CLOSE, DIAG_ERROR, 1, 0, "/testsuite",
	 "missing attribute \"timestamp\" on <testsuite> (the drill date): give a property "
	 "\"drill.date\", \"date\" in the sidecar drills/d.xml.json, or a YYYY-MM-DD in the file name"},
	{"<testsuite timestamp=\"yesterday\"><properties>\n"
	 "<property name=\"drill.id\" value=\"t\"/>"
	 "<property name=\"drill.type\" value=\"chaos\"/></properties>"
	 SUITE_CLOSE, DIAG_ERROR, 1, 0, "/testsuite",
	 "invalid date \"yesterday\" for attribute \"timestamp\": expected "
	 "YYYY-MM-DD or an ISO 8601 time (2026-10-01T09:30:00, read as UTC, or "
	 "with an offset)"},
	{"<testsuite timestamp=\"2026-05-05\"><properties>\n"
	 "<property name=\"drill.id\" value=\"t\"/></properties>" SUITE_CLOSE,
	 DIAG_ERROR, 1, 0, "/testsuite",
	 "missing property \"drill.type\" in <testsuite> (or \"type\" in the sidecar drills/d.xml.json)"},
	{"<testsuite timestamp=\"2026-05-05\"><properties>\n"
	 "<property name=\"drill.id\" value=\"t\"/>\n"
	 "<property name=\"drill.type\" value=\"game-day\"/></properties>"
	 SUITE_CLOSE, DIAG_ERROR, 3, 0, "/testsuite/properties/property[2]",
	 "invalid value for property \"drill.type\": expected \"tabletop\", "
	 "\"partial_failover\", \"full_simulation\" or \"chaos\", found "
	 "\"game-day\""},
	{SUITE_OPEN "<property name=\"drill.availability\" value=\"99.9\"/>"
	 "</properties>" SUITE_CLOSE, DIAG_ERROR, 3, 0,
	 "/testsuite/properties/property[3]",
	 "invalid value for property \"drill.availability\": expected a number "
	 "from 0 to 1, found \"99.9\""},
	{SUITE_OPEN "<property name=\"drill.traffic_percent\" value=\"nan\"/>"
	 "</properties>" SUITE_CLOSE, DIAG_ERROR, 3, 0,
	 "/testsuite/properties/property[3]",
	 "invalid value for property \"drill.traffic_percent\": expected a "
	 "number from 0 to 100, found \"nan\""},
	{SUITE_OPEN "<property name=\"drill.owner\" value=\"x\"/>"
	 "</properties>" SUITE_CLOSE, DIAG_WARNING, 3, 0,
	 "/testsuite/properties/property[3]",
	 "unknown property \"drill.owner\""},
	{SUITE_OPEN "<property name=\"drill_id\" value=\"x\"/>"
	 "</properties>" SUITE_CLOSE, DIAG_WARNING, 3, 0,
	 "/testsuite/properties/property[3]",
	 "unknown property \"drill_id\", did you mean \"drill.id\""},
	{SUITE_OPEN "<property name=\"drill.id\" value=\"u\"/>"
	 "</properties>" SUITE_CLOSE, DIAG_ERROR, 3, 0,
	 "/testsuite/properties/property[3]",
	 "duplicate property \"drill.id\" (first on line 2)"},
	{SUITE_OPEN "</properties>\n<testcase name=\"x\"/>" SUITE_CLOSE,
	 DIAG_ERROR, 4, 0, "/testsuite/testcase[1]",
	 "missing attribute \"classname\" on <testcase> (the service id)"},
	{SUITE_OPEN "</properties>\n<testcase classname=\"wev\"/>" SUITE_CLOSE,
	 DIAG_ERROR, 4, 0, "/testsuite/testcase[1]",
	 "unknown service \"wev\", did you mean \"web\""},
	{SUITE_OPEN "</properties>\n<testcase classname=\"web\"/>\n"
	 "<testcase classname=\"web\"/>" SUITE_CLOSE, DIAG_ERROR, 5, 0,
	 "/testsuite/testcase[2]", "duplicate result for service \"web\""},
	{SUITE_OPEN "</properties>\n<testcase classname=\"web\" time=\"1m\"/>"
	 SUITE_CLOSE, DIAG_ERROR, 4, 0, "/testsuite/testcase[1]",
	 "invalid value for attribute \"time\": expected a number of seconds, "
	 "0 or more, found \"1m\""},
	{SUITE_OPEN "</properties>\n<testcase classname=\"web\" time=\"-5\"/>"
	 SUITE_CLOSE, DIAG_ERROR, 4, 0, "/testsuite/testcase[1]",
	 "invalid value for attribute \"time\": expected a number of seconds, "
	 "0 or more, found \"-5\""},
	{SUITE_OPEN "</properties>\n<testcase classname=\"web\"><properties>\n"
	 "<property name=\"data_integrity\" value=\"yes\"/></properties>"
	 "</testcase>" SUITE_CLOSE, DIAG_ERROR, 5, 0,
	 "/testsuite/testcase[1]/properties/property[1]",
	 "invalid value for property \"data_integrity\": expected a number "
	 "from 0 to 1, true or false, found \"yes\""},
	{SUITE_OPEN "</properties>\n<testcase classname=\"web\"><properties>\n"
	 "<property name=\"data_loss_seconds\" value=\"0x10\"/></properties>"
	 "</testcase>" SUITE_CLOSE, DIAG_ERROR, 5, 0,
	 "/testsuite/testcase[1]/properties/property[1]",
	 "invalid value for property \"data_loss_seconds\": expected a number "
	 "of seconds, 0 or more, found \"0x10\""},
	{SUITE_OPEN "</properties>\n<testcase classname=\"web\"><properties>\n"
	 "<property name=\"target_rto_minutes\" value=\"\"/></properties>"
	 "</testcase>" SUITE_CLOSE, DIAG_ERROR, 5, 0,
	 "/testsuite/testcase[1]/properties/property[1]",
	 "invalid value for property \"target_rto_minutes\": expected a "
	 "number of minutes, 0 or more, found \"\""},
	{SUITE_OPEN "</properties>\n<testcase classname=\"web\"><properties>\n"
	 "<property name=\"data_los_seconds\" value=\"1\"/></properties>"
	 "</testcase>" SUITE_CLOSE, DIAG_WARNING, 5, 0,
	 "/testsuite/testcase[1]/properties/property[1]",
	 "unknown property \"data_los_seconds\", did you mean "
	 "\"data_loss_seconds\""},
	{SUITE_OPEN "</properties>\n<testcase classname=\"web\">\n<attachment/>"
	 "</testcase>" SUITE_CLOSE, DIAG_WARNING, 5, 0,
	 "/testsuite/testcase[1]", "unknown element <attachment> in <testcase>"},
	{SUITE_OPEN "</properties>\n<step/>" SUITE_CLOSE, DIAG_WARNING, 4, 0,
	 "/testsuite", "unknown element <step> in <testsuite>"},
	{"<testsuites>\n<suite/></testsuites>", DIAG_WARNING, 2, 0,
	 "/testsuites", "unknown element <suite> in <testsuites>"},
	{"<?xml version=\"1.0\"?>\n<!DOCTYPE testsuite [\n"
	 "<!ENTITY x \"y\">]>\n<testsuite/>", DIAG_ERROR, 2, 0, NULL,
	 "DOCTYPE is not allowed in drill XML"},
	{"<testsuite>&nope;</testsuite>", DIAG_ERROR, 1, 18, NULL,
	 "malformed XML: entity 'nope' not defined"},
};

static void test_xml_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad_xml); i++) {
		const struct bad_case *k = &bad_xml[i];
		struct fixture *f;
		void *st;

		setup(&st);
		f = st;
		print_message("case %zu\n", i);
		parse_xml(f, k->text);
		expect_diag(f->d, k->sev, k->line, k->col, k->where, k->message);
		assert_true(f->ok == (k->sev != DIAG_ERROR));
		if (diags_len(f->d) != 1)
			dump_diags(f->d);
		assert_int_equal(diags_len(f->d), 1);
		teardown(&st);
	}
}

static void test_xml_failure_message_forms(void **state)
{
	struct fixture *f = *state;
	const struct drill_result *r;
	struct buf big = BUF_INIT;

	buf_puts(&big, SUITE_OPEN "</properties>\n"
		 "<testcase classname=\"web\"><failure type=\"Timeout\"/></testcase>\n"
		 "<testcase classname=\"ledger-db\"><error/></testcase>\n"
		 "<testcase classname=\"payments-api\"><failure>");
	for (int i = 0; i < 1000; i++)
		buf_puts(&big, "line of a very long stack trace\n");
	buf_puts(&big, "</failure></testcase>" SUITE_CLOSE);
	parse_xml(f, big.data);
	buf_free(&big);
	expect_no_diags(f->d);
	r = f->b.drills[0].results;
	assert_string_equal(r[0].failure, "Timeout");
	assert_string_equal(r[1].failure, "error");
	assert_false(r[1].recovered);
	assert_true(strlen(r[2].failure) <= 2003);
	assert_true(strlen(r[2].failure) > 1900);
	assert_string_equal(r[2].failure + strlen(r[2].failure) - 3, "...");
}

/* ---- the whole loader, on a plan directory ---- */

static char *tmp_dir(void)
{
	const char *base = getenv("TMPBASE");
	char *dir = xasprintf("%s/drills.XXXXXX", base ? base : "/tmp");

	assert_non_null(mkdtemp(dir));
	return dir;
}

static void write_file(const char *dir, const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", dir, rel);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	free(path);
}

static void remove_tree(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void test_load_dir_sorted_and_duplicates(void **state)
{
	struct fixture *f = *state;
	char *dir = tmp_dir(), *sub = xasprintf("%s/drills", dir);
	struct source_set *src = source_set_new(dir);
	char *first;

	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(dir, "drills/a.json",
		   "[{\"id\": \"z\", \"date\": \"2026-01-02\", \"type\": \"chaos\"},\n"
		   " {\"id\": \"dup\", \"date\": \"2026-01-01\", \"type\": \"chaos\"}]\n");
	write_file(dir, "drills/b.xml",
		   "<testsuite timestamp=\"2026-01-01T00:00:00Z\">\n"
		   "<properties><property name=\"drill.id\" value=\"dup\"/>\n"
		   "<property name=\"drill.type\" value=\"chaos\"/></properties>\n"
		   "</testsuite>\n");
	write_file(dir, "drills/c.json",
		   "{\"id\": \"m\", \"date\": \"2026-01-01\", \"type\": \"chaos\"}\n");
	write_file(dir, "drills/d.json",
		   "\n{\"id\": \"z\", \"date\": \"2026-01-03\", \"type\": \"chaos\"}\n");
	write_file(dir, "drills/readme.txt", "not a drill");

	f->ok = load_drills(f->m, src, f->d);
	assert_false(f->ok);
	first = xasprintf("%s/drills/a.json:2", dir);
	{
		char *file = xasprintf("%s/drills/b.xml", dir);
		char *msg = xasprintf("duplicate drill id \"dup\" (first defined in %s)",
				      first);

		expect_diag(f->d, DIAG_ERROR, 1, 0, "/testsuite", msg);
		free(msg);
		/* A file of one drill has no pointer to show. */
		msg = xasprintf("duplicate drill id \"z\" (first defined in "
				"%s/drills/a.json:1)", dir);
		expect_diag(f->d, DIAG_ERROR, 2, 0, NULL, msg);
		free(file);
		free(msg);
	}
	assert_int_equal(diags_len(f->d), 2);
	assert_int_equal(f->m->n_drills, 3);
	assert_string_equal(f->m->drills[0].id, "dup");
	assert_string_equal(f->m->drills[0].source, "drills/a.json");
	assert_string_equal(f->m->drills[1].id, "m");
	assert_string_equal(f->m->drills[2].id, "z");
	{
		const struct source_input *in;
		size_t n = source_inputs(src, &in);

		assert_int_equal(n, 4);
		assert_string_equal(in[1].path, "drills/b.xml");
		assert_string_equal(in[1].kind, "drills");
	}
	free(first);
	source_set_free(src);
	remove_tree(dir);
	free(dir);
	free(sub);
}

static void test_load_dir_without_drills(void **state)
{
	struct fixture *f = *state;
	char *dir = tmp_dir();
	struct source_set *src = source_set_new(dir);

	assert_true(load_drills(f->m, src, f->d));
	assert_int_equal(f->m->n_drills, 0);
	expect_no_diags(f->d);
	source_set_free(src);
	remove_tree(dir);
	free(dir);
}

/*
 * Drills after as_of are checked, then left out and counted; one at exactly
 * as_of stays.  Without an as_of (DATE_NONE) nothing is left out.
 */
static void test_load_dir_after_as_of(void **state)
{
	struct fixture *f = *state;
	char *dir = tmp_dir(), *sub = xasprintf("%s/drills", dir);
	struct source_set *src = source_set_new(dir);

	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(dir, "drills/a.json",
		   "[{\"id\": \"early\", \"date\": \"2026-10-01\", \"type\": \"chaos\"},\n"
		   " {\"id\": \"edge\", \"date\": \"2026-11-01T00:00:00Z\", \"type\": \"chaos\"},\n"
		   " {\"id\": \"late\", \"date\": \"2026-11-01T00:00:01Z\", \"type\": \"chaos\"},\n"
		   " {\"id\": \"later\", \"date\": \"2026-12-01\", \"type\": \"tabletop\"}]\n");
	f->m->as_of = date_days_from_civil(2026, 11, 1) * 86400;
	assert_true(load_drills(f->m, src, f->d));
	expect_no_diags(f->d);
	assert_int_equal(f->m->n_drills, 2);
	assert_int_equal(f->m->n_drills_after_as_of, 2);
	assert_string_equal(f->m->drills[0].id, "early");
	assert_string_equal(f->m->drills[1].id, "edge");
	source_set_free(src);
	remove_tree(dir);
	free(dir);
	free(sub);
}

/* ---- XML safety: entity bombs, external entities, external DTDs ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char bomb[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE testsuite [\n"
	" <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
	" <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
	" <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
	" <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
	" <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
	" <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
	" <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
	" <!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n"
	"]>\n"
	"<testsuite timestamp=\"2026-01-01\" name=\"&h;\">\n"
	" <properties><property name=\"drill.id\" value=\"&h;\"/>\n"
	" <property name=\"drill.type\" value=\"chaos\"/></properties>\n"
	" <testcase classname=\"web\"><failure message=\"&h;\">&h;</failure></testcase>\n"
	"</testsuite>\n";

static void test_xml_entity_bomb(void **state)
{
	struct fixture *f = *state;
	double t0 = now();

	parse_xml(f, bomb);
	assert_true(now() - t0 < 1.0);
	assert_false(f->ok);
	assert_int_equal(f->b.n, 0);
	expect_diag(f->d, DIAG_ERROR, 2, 0, NULL,
		    "DOCTYPE is not allowed in drill XML");
	assert_int_equal(diags_len(f->d), 1);
}

/* Entity references without a DOCTYPE are refused, not looked up. */
static void test_xml_undeclared_entity(void **state)
{
	struct fixture *f = *state;

	parse_xml(f, "<testsuite name=\"&h;\"/>");
	assert_false(f->ok);
	assert_int_equal(f->b.n, 0);
}

static void assert_no_marker(const struct diags *d, const struct model *m,
			     const struct load_drills_batch *b,
			     const char *marker)
{
	for (size_t i = 0; i < diags_len(d); i++) {
		const struct diag *g = diags_get(d, i);

		assert_null(strstr(g->message, marker));
		if (g->where)
			assert_null(strstr(g->where, marker));
	}
	for (size_t i = 0; b && i < b->n; i++) {
		for (size_t k = 0; k < b->drills[i].n_results; k++) {
			const char *s = b->drills[i].results[k].failure;

			assert_true(!s || !strstr(s, marker));
		}
	}
	for (size_t i = 0; i < m->n_drills; i++) {
		assert_null(strstr(m->drills[i].id, marker));
		for (size_t k = 0; k < m->drills[i].n_results; k++) {
			const char *s = m->drills[i].results[k].failure;

			assert_true(!s || !strstr(s, marker));
		}
	}
}

static void test_xml_external_entity(void **state)
{
	struct fixture *f = *state;
	char *dir = tmp_dir(), *secret = xasprintf("%s/secret.txt", dir);
	const char *marker = "XXE-MARKER-7f3a9c2e";
	char *doc;
	struct buf b = BUF_INIT;

	write_file(dir, "secret.txt", marker);
	doc = xasprintf("<?xml version=\"1.0\"?>\n"
			"<!DOCTYPE testsuite [<!ENTITY xxe SYSTEM \"file://%s\">]>\n"
			"<testsuite timestamp=\"2026-01-01\">\n"
			" <properties><property name=\"drill.id\" value=\"x\"/>\n"
			" <property name=\"drill.type\" value=\"chaos\"/></properties>\n"
			" <testcase classname=\"web\"><failure message=\"&xxe;\">&xxe;"
			"</failure></testcase>\n"
			"</testsuite>\n", secret);
	parse_xml(f, doc);
	assert_false(f->ok);
	assert_int_equal(f->b.n, 0);
	expect_diag(f->d, DIAG_ERROR, 2, 0, NULL,
		    "DOCTYPE is not allowed in drill XML");
	assert_no_marker(f->d, f->m, &f->b, marker);
	for (size_t i = 0; i < diags_len(f->d); i++) {
		buf_reset(&b);
		diag_format(diags_get(f->d, i), &b);
		assert_null(strstr(b.data, marker));
	}
	buf_free(&b);
	free(doc);
	free(secret);
	remove_tree(dir);
	free(dir);
}

/* The same fixtures through load_drills, as `drgen check` reads them. */
static void test_load_dir_hostile_xml(void **state)
{
	struct fixture *f = *state;
	char *dir = tmp_dir(), *sub = xasprintf("%s/drills", dir);
	const char *marker = "XXE-MARKER-0b51d4e8";
	struct source_set *src = source_set_new(dir);
	char *secret = xasprintf("%s/secret.txt", dir), *xxe;
	double t0;

	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(dir, "secret.txt", marker);
	write_file(dir, "drills/bomb.xml", bomb);
	xxe = xasprintf("<!DOCTYPE testsuite [<!ENTITY xxe SYSTEM \"%s\">]>\n"
			"<testsuite timestamp=\"2026-01-01\" name=\"&xxe;\"/>\n",
			secret);
	write_file(dir, "drills/xxe.xml", xxe);
	write_file(dir, "drills/dtd.xml",
		   "<?xml version=\"1.0\"?>\n"
		   "<!DOCTYPE testsuite SYSTEM \"http://127.0.0.1:9/junit.dtd\">\n"
		   "<testsuite timestamp=\"2026-01-01\"/>\n");
	t0 = now();
	f->ok = load_drills(f->m, src, f->d);
	assert_true(now() - t0 < 2.0);
	assert_false(f->ok);
	assert_int_equal(f->m->n_drills, 0);
	assert_int_equal(diags_count(f->d, DIAG_ERROR), 3);
	for (size_t i = 0; i < diags_len(f->d); i++)
		assert_string_equal(diags_get(f->d, i)->message,
				    "DOCTYPE is not allowed in drill XML");
	assert_no_marker(f->d, f->m, NULL, marker);
	free(xxe);
	free(secret);
	source_set_free(src);
	remove_tree(dir);
	free(dir);
	free(sub);
}

/* ---- JUnit from real runners (fixtures in tests/formats/junit/) ---- */

/* A fixture file's text (run from the project root, as run-tests.sh does). */
static char *read_fixture(const char *name, size_t *len)
{
	char *path = xasprintf("tests/formats/junit/%s", name);
	FILE *fp = fopen(path, "rb");
	char *text;
	long n;

	if (!fp) {
		print_message("cannot open %s (run from the project root)\n", path);
		fail();
	}
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	text = malloc((size_t)n + 1);
	assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
	text[n] = '\0';
	fclose(fp);
	free(path);
	*len = (size_t)n;
	return text;
}

static void parse_with_sidecar(struct fixture *f, const char *rel,
			       const char *xml, size_t len, const char *side)
{
	struct load_drills_sidecar sc;

	assert_true(load_drills_sidecar_parse(f->m, "plan/drills/d.xml.json",
					      side, strlen(side), &sc, f->d));
	f->ok = load_drills_xml_sidecar(f->m, rel, FILE_XML, xml, len, &sc,
					&f->b, f->d);
}

static int64_t utc(const char *s)
{
	int64_t t;

	assert_true(date_parse_rfc3339(s, strlen(s), &t));
	return t;
}

static void test_junit_pytest(void **state)
{
	struct fixture *f = *state;
	size_t len;
	char *xml = read_fixture("junit-pytest-7.2.1.xml", &len);
	const struct drill *dr;

	/* Without a mapping: the classname is a module path, a located error. */
	f->ok = load_drills_xml(f->m, "drills/d.xml", FILE_XML, xml, len, &f->b, f->d);
	assert_false(f->ok);
	expect_diag(f->d, DIAG_ERROR, 1, 0, "/testsuites/testsuite[1]/testcase[1]",
		    "no service for testcase \"tests.test_failover.test_card_authorization_failover\": "
		    "classname \"tests.test_failover\" is not a service id; add a property "
		    "\"drill.service\" to the testcase or map it in \"services\" of drills/d.xml.json");
	load_drills_batch_free(&f->b);
	diags_free(f->d);
	f->d = diags_new();

	parse_with_sidecar(f, "drills/d.xml", xml, len,
			   "{\"tz\": \"+01:00\", \"services\": {\n"
			   " \"test_card_authorization_failover\": \"web\",\n"
			   " \"tests.test_failover.test_ledger_failover\": \"ledger-db\",\n"
			   " \"test_internal_wiki_failover\": \"payments-api\"}}");
	assert_true(f->ok);
	assert_int_equal(f->b.n, 1);
	dr = &f->b.drills[0];
	/* drill.id and drill.type come from the suite's properties. */
	assert_string_equal(dr->id, "2026-10-ci-failover");
	assert_int_equal(dr->type, DRILL_PARTIAL_FAILOVER);
	/* 19:39:30.734113 in Berlin (+01:00 in December) is 18:39:30 UTC. */
	assert_true(dr->date == utc("2026-12-03T18:39:30Z"));
	assert_int_equal(dr->n_results, 2);
	assert_string_equal(dr->results[0].service, "web");
	assert_true(dr->results[0].recovered);
	assert_true(fabs(dr->results[0].data_loss_minutes) < 1e-9);
	assert_string_equal(dr->results[1].service, "ledger-db");
	assert_false(dr->results[1].recovered);
	assert_non_null(strstr(dr->results[1].failure, "replica lag above 15 min"));
	expect_diag(f->d, DIAG_WARNING, 6, 0, "/testsuites/testsuite[1]/testcase[3]",
		    "skipped testcase for service \"payments-api\" is not counted as a result");
	free(xml);
}

static void test_junit_gotestsum(void **state)
{
	struct fixture *f = *state;
	size_t len;
	char *xml = read_fixture("junit-gotestsum-1.8.2.xml", &len);
	const struct drill *dr;

	/* The timestamp has an offset: "tz" does not apply to it. */
	parse_with_sidecar(f, "drills/d.xml", xml, len,
			   "{\"id\": \"2026-12-go\", \"type\": \"chaos\", \"tz\": \"-05:00\",\n"
			   " \"services\": {\"TestLedgerFailover\": \"ledger-db\",\n"
			   "  \"example.com/dr/failover.TestCardAuthorizationFailover\": \"web\"}}");
	assert_true(f->ok);
	dr = &f->b.drills[0];
	assert_string_equal(dr->id, "2026-12-go");
	assert_int_equal(dr->type, DRILL_CHAOS);
	assert_true(dr->date == utc("2026-12-03T18:39:43Z"));
	assert_int_equal(dr->n_results, 2);
	assert_string_equal(dr->results[0].service, "ledger-db");
	assert_false(dr->results[0].recovered);
	assert_string_equal(dr->results[0].failure, "Failed");
	assert_string_equal(dr->results[1].service, "web");
	assert_true(fabs(dr->results[1].recovery_minutes) < 1e-9);
	/* The skipped test has no mapping: a warning, not an error. */
	expect_diag(f->d, DIAG_WARNING, 11, 0, "/testsuites/testsuite[1]/testcase[2]",
		    "skipped testcase \"example.com/dr/failover.TestInternalWikiFailover\" "
		    "is not counted as a result");
	free(xml);
}

static void test_junit_surefire(void **state)
{
	struct fixture *f = *state;
	size_t len;
	char *xml = read_fixture("surefire-dhis2.TEST.xml", &len);

	/* No timestamp, no date anywhere: a located error naming the ways. */
	parse_with_sidecar(f, "drills/d.xml", xml, len,
			   "{\"id\": \"sf\", \"type\": \"tabletop\"}");
	assert_false(f->ok);
	expect_diag(f->d, DIAG_ERROR, 2, 0, "/testsuite",
		    "missing attribute \"timestamp\" on <testsuite> (the drill date): give a "
		    "property \"drill.date\", \"date\" in the sidecar drills/d.xml.json, or a "
		    "YYYY-MM-DD in the file name");
	load_drills_batch_free(&f->b);
	diags_free(f->d);
	f->d = diags_new();

	/* The date from the file name. */
	parse_with_sidecar(f, "drills/2026-11-05-surefire.xml", xml, len,
			   "{\"id\": \"sf\", \"type\": \"tabletop\"}");
	assert_true(f->ok);
	assert_true(f->b.drills[0].date == utc("2026-11-05T00:00:00Z"));
	assert_int_equal(f->b.drills[0].n_results, 0);
	expect_diag(f->d, DIAG_WARNING, 2, 0, "/testsuite",
		    "no testcase of this drill counts as a result (all skipped or unusable): "
		    "it records that the drill ran, not what recovered");
	load_drills_batch_free(&f->b);

	/* The sidecar's date wins over the name's, read in its "tz". */
	parse_with_sidecar(f, "drills/2026-11-05-surefire.xml", xml, len,
			   "{\"id\": \"sf\", \"type\": \"tabletop\", \"tz\": \"+02:00\",\n"
			   " \"date\": \"2026-11-06T10:00:00\"}");
	assert_true(f->ok);
	assert_true(f->b.drills[0].date == utc("2026-11-06T08:00:00Z"));
	free(xml);
}

static void test_junit_thousands_and_properties(void **state)
{
	struct fixture *f = *state;
	const struct drill_result *r;

	parse_xml(f,
		  "<testsuite>\n"
		  "<properties><property name=\"drill.id\" value=\"t\"/>\n"
		  "<property name=\"drill.type\" value=\"chaos\"/>\n"
		  "<property name=\"drill.date\" value=\"2026-10-01T23:30:00\"/>\n"
		  "<property name=\"drill.tz\" value=\"-0100\"/></properties>\n"
		  "<testcase classname=\"org.example.FailoverIT\" name=\"a\" time=\"1,024.612\">\n"
		  "<properties><property name=\"drill.service\" value=\"web\"/></properties></testcase>\n"
		  "<testcase classname=\"ledger-db\" time=\"12,345,678\"/>\n"
		  "<testcase classname=\"payments-api\" time=\"1,02.5\"/>\n"
		  "</testsuite>\n");
	assert_false(f->ok);
	assert_true(f->b.drills[0].date == utc("2026-10-02T00:30:00Z"));
	r = f->b.drills[0].results;
	assert_string_equal(r[0].service, "web");
	assert_true(fabs(r[0].recovery_minutes - 1024.612 / 60.0) < 1e-9);
	assert_true(fabs(r[1].recovery_minutes - 12345678 / 60.0) < 1e-6);
	expect_diag(f->d, DIAG_ERROR, 9, 0, "/testsuite/testcase[3]",
		    "invalid value for attribute \"time\": expected a number of seconds, "
		    "0 or more, found \"1,02.5\"");
	assert_int_equal(diags_len(f->d), 1);
	load_drills_batch_free(&f->b);
	diags_free(f->d);
	f->d = diags_new();

	/* Wrong values: a bad zone, a property naming no service. */
	parse_xml(f,
		  "<testsuite timestamp=\"2026-10-01T10:00:00\">\n"
		  "<properties><property name=\"drill.id\" value=\"t\"/>\n"
		  "<property name=\"drill.type\" value=\"chaos\"/>\n"
		  "<property name=\"drill.tz\" value=\"Europe/Berlin\"/></properties>\n"
		  "<testcase classname=\"x.y\" time=\"1\">\n"
		  "<properties><property name=\"drill.service\" value=\"webb\"/></properties></testcase>\n"
		  "</testsuite>\n");
	assert_false(f->ok);
	expect_diag(f->d, DIAG_ERROR, 4, 0, "/testsuite/properties/property[3]",
		    "invalid value for property \"drill.tz\": expected a UTC offset "
		    "(\"+01:00\", \"-05:00\", \"Z\"), found \"Europe/Berlin\"");
	expect_diag(f->d, DIAG_ERROR, 6, 0, "/testsuite/testcase[1]/properties/property[1]",
		    "unknown service \"webb\", did you mean \"web\"");
}

static void test_junit_sidecar_errors(void **state)
{
	struct fixture *f = *state;
	struct load_drills_sidecar sc;
	int off;

	{
		const char *t = "{\"id\": \"x\",\n  \"tz\" 1}";

		assert_false(load_drills_sidecar_parse(f->m, "s.json", t, strlen(t), &sc, f->d));
	}
	assert_int_equal(diags_get(f->d, 0)->line, 2);
	assert_int_equal(diags_get(f->d, 0)->col, 8);
	diags_free(f->d);
	f->d = diags_new();

	{
		const char *t = "{\"id\": 5, \"tz\": \"+25:00\", \"colour\": 1,\n \"services\": []}";

		assert_false(load_drills_sidecar_parse(f->m, "s.json", t, strlen(t), &sc, f->d));
	}
	expect_diag(f->d, DIAG_ERROR, 1, 8, "/id", "invalid value for \"id\": expected a string");
	expect_diag(f->d, DIAG_ERROR, 1, 17, "/tz",
		    "invalid value for \"tz\": expected a UTC offset (\"+01:00\", \"-05:00\", \"Z\")");
	expect_diag(f->d, DIAG_WARNING, 1, 27, "/colour",
		    "unknown key \"colour\" in drill sidecar (expected id, type, date, tz, "
		    "availability, traffic_percent or services)");
	expect_diag(f->d, DIAG_ERROR, 2, 14, "/services",
		    "invalid value for \"services\": expected an object mapping testcase "
		    "names to service ids");
	diags_free(f->d);
	f->d = diags_new();

	/* A mapped service that does not exist: located in the sidecar. */
	parse_with_sidecar(f, "drills/d.xml",
			   "<testsuite timestamp=\"2026-10-01\"><testcase classname=\"m.n\" name=\"t\"/></testsuite>",
			   strlen("<testsuite timestamp=\"2026-10-01\"><testcase classname=\"m.n\" name=\"t\"/></testsuite>"), "{\"id\": \"a\", \"type\": \"chaos\",\n \"services\": {\"t\": \"wbe\"}}");
	assert_false(f->ok);
	expect_diag(f->d, DIAG_ERROR, 2, 20, "/services/t",
		    "unknown service \"wbe\", did you mean \"web\"");
	assert_string_equal(diags_get(f->d, 0)->file, "plan/drills/d.xml.json");

	assert_true(date_parse_offset("Z", &off) && off == 0);
	assert_true(date_parse_offset("+05:30", &off) && off == 19800);
	assert_true(date_parse_offset("-08", &off) && off == -28800);
	assert_false(date_parse_offset("+1", &off));
	assert_false(date_parse_offset("+01:60", &off));
	assert_false(date_parse_offset("CET", &off));
}

static void test_load_dir_sidecar(void **state)
{
	struct fixture *f = *state;
	char *dir = tmp_dir(), *sub = xasprintf("%s/drills", dir);
	struct source_set *src = source_set_new(dir);
	char *orphan;

	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(dir, "drills/2026-03-04-it.xml",
		   "<testsuite><testcase classname=\"org.x.WebIT\" name=\"failover\" time=\"1,200\"/></testsuite>\n");
	write_file(dir, "drills/2026-03-04-it.xml.json",
		   "{\"id\": \"it\", \"type\": \"chaos\", \"services\": {\"org.x.WebIT\": \"web\",\n"
		   "  \"org.x.WbeIT\": \"web\"}}\n");
	write_file(dir, "drills/gone.xml.json", "{\"id\": \"gone\"}\n");
	f->ok = load_drills(f->m, src, f->d);
	assert_true(f->ok);
	assert_int_equal(f->m->n_drills, 1);
	assert_string_equal(f->m->drills[0].id, "it");
	assert_true(f->m->drills[0].date == utc("2026-03-04T00:00:00Z"));
	assert_true(fabs(f->m->drills[0].results[0].recovery_minutes - 20) < 1e-9);
	orphan = xasprintf("drill sidecar without its JUnit file (drills/gone.xml): ignored");
	expect_diag(f->d, DIAG_WARNING, 0, 0, NULL, orphan);
	/* A mapping no testcase uses: a typo, most likely. */
	expect_diag(f->d, DIAG_WARNING, 2, 18, "/services/org.x.WbeIT",
		    "no testcase of drills/2026-03-04-it.xml is named \"org.x.WbeIT\" "
		    "(classname.name, name or classname)");
	assert_int_equal(diags_len(f->d), 2);
	free(orphan);
	source_set_free(src);
	remove_tree(dir);
	free(dir);
	free(sub);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_json_single),
		T(test_json_array),
		T(test_json_data_integrity_forms),
		T(test_restored_from_backup),
		T(test_restored_from_backup_errors),
		T(test_xml_restored_from_backup),
		T(test_json_null_is_absent),
		cmocka_unit_test(test_json_errors),
		T(test_json_bad_id_dropped),
		T(test_xml_testsuites),
		T(test_xml_single_testsuite),
		cmocka_unit_test(test_xml_errors),
		T(test_xml_failure_message_forms),
		T(test_load_dir_sorted_and_duplicates),
		T(test_load_dir_without_drills),
		T(test_load_dir_after_as_of),
		T(test_xml_entity_bomb),
		T(test_xml_undeclared_entity),
		T(test_xml_external_entity),
		T(test_load_dir_hostile_xml),
		T(test_junit_pytest),
		T(test_junit_gotestsum),
		T(test_junit_surefire),
		T(test_junit_thousands_and_properties),
		T(test_junit_sidecar_errors),
		T(test_load_dir_sidecar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
