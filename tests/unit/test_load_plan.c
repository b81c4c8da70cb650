/* test_load_plan.c -- plan.json into the model, and every kind of complaint. */
#include "testutil.h"

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "dates.h"
#include "diag.h"
#include "load_plan.h"
#include "model.h"
#include "source.h"
#include "util.h"

struct fixture {
	char dir[256];
	struct source_set *src;
	struct model *m;
	struct diags *d;
	bool ok;
};

static void write_file(const char *dir, const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", dir, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	char *cmd = xasprintf("mkdir -p '%s'", path);
	assert_int_equal(system(cmd), 0);
	*slash = '/';
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(cmd);
	free(path);
}

static void make_dir(struct fixture *f)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(f->dir, sizeof(f->dir), "%s/test_load_plan.XXXXXX", tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
}

static void run(struct fixture *f)
{
	f->src = source_set_new(f->dir);
	f->m = model_new();
	f->d = diags_new();
	f->ok = load_plan(f->m, f->src, f->d);
}

static void load(struct fixture *f, const char *json)
{
	make_dir(f);
	write_file(f->dir, "plan.json", json);
	run(f);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void done(struct fixture *f)
{
	model_free(f->m);
	diags_free(f->d);
	source_set_free(f->src);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void dump(const struct fixture *f)
{
	for (size_t i = 0; i < diags_len(f->d); i++) {
		struct buf b = BUF_INIT;
		const struct diag *g = diags_get(f->d, i);
		diag_format(g, &b);
		fprintf(stderr, "  [%zu] %s (where %s)\n", i, b.data, g->where ? g->where : "-");
		buf_free(&b);
	}
}

/* The diagnostic i is exactly this. */
static void expect_diag(const struct fixture *f, size_t i, enum diag_severity sev,
			int line, int col, const char *where, const char *message)
{
	if (i >= diags_len(f->d)) {
		dump(f);
		fail_msg("no diagnostic %zu (want \"%s\")", i, message);
	}
	const struct diag *g = diags_get(f->d, i);
	bool same = g->severity == sev && g->line == line && g->col == col &&
		    strcmp(g->message, message) == 0 &&
		    ((!where && !g->where) ||
		     (where && g->where && strcmp(where, g->where) == 0));
	if (!same) {
		dump(f);
		fail_msg("diagnostic %zu:\n got  %d:%d %s [%s]\n want %d:%d %s [%s]", i,
			 g->line, g->col, g->message, g->where ? g->where : "-", line, col,
			 message, where ? where : "-");
	}
	size_t len = strlen(g->file);
	assert_true(len >= 10 && strcmp(g->file + len - 10, "/plan.json") == 0);
}

static void expect_count(const struct fixture *f, size_t n)
{
	if (diags_len(f->d) != n) {
		dump(f);
		fail_msg("%zu diagnostics, want %zu", diags_len(f->d), n);
	}
}

/* ---- a complete plan ---- */

static const char full_plan[] =
	"{\n"
	"  \"$schema\": \"https://example.org/drgen/plan.schema.json\",\n"
	"  \"drgen\": 1,\n"
	"  \"organization\": {\"id\": \"kestrel\", \"name\": \"Kestrel Payments\",\n"
	"                   \"entity_type\": \"payment_institution\"},\n"
	"  \"plan\": {\"version\": 3, \"owner\": \"alice\", \"approved_by\": \"CTO\",\n"
	"           \"approved_on\": \"2026-01-10\", \"last_review\": \"2026-01-10\",\n"
	"           \"next_review\": \"2027-01-10T09:00:00+01:00\"},\n"
	"  \"regions\": [{\"id\": \"eu-west-1\", \"role\": \"primary\"},\n"
	"              {\"id\": \"eu-central-1\", \"role\": \"secondary\"}],\n"
	"  \"contacts\": [\n"
	"    {\"id\": \"alice\", \"name\": \"Alice\", \"role\": \"DR lead\", \"email\": \"a@k.example\",\n"
	"     \"phone\": \"+1 555\", \"team\": \"sre\", \"last_verified\": \"2026-09-01\"},\n"
	"    {\"id\": \"bob\", \"name\": \"Bob\"}\n"
	"  ],\n"
	"  \"escalation\": [{\"level\": 1, \"contact\": \"bob\", \"after_minutes\": 0},\n"
	"                 {\"level\": 2, \"contact\": \"alice\", \"after_minutes\": 15}],\n"
	"  \"services\": [\n"
	"    {\"id\": \"ledger\", \"name\": \"Ledger\", \"description\": \"the books\",\n"
	"     \"owner\": \"alice\", \"team\": \"core\", \"tier\": 1,\n"
	"     \"impact\": {\"revenue_loss_per_hour\": 50000, \"customers_affected\": 120000,\n"
	"                \"regulatory\": true, \"mtpd_hours\": 4, \"notes\": \"settlement\"},\n"
	"     \"data_scope\": [\"pii\", \"cde\"], \"regions\": [\"eu-west-1\", \"eu-central-1\"],\n"
	"     \"datastores\": [{\"id\": \"ledger-pg\", \"engine\": \"postgresql\",\n"
	"                     \"criticality\": \"critical\", \"size_gb\": 800},\n"
	"                    {\"id\": \"ledger-s3\", \"criticality\": \"standard\"}],\n"
	"     \"monthly_cost\": 1200.5,\n"
	"     \"health_checks\": [{\"name\": \"http\", \"endpoint\": \"https://l/h\",\n"
	"                        \"expected_status\": 200}],\n"
	"     \"escalation\": [{\"level\": 1, \"contact\": \"alice\"}]},\n"
	"    {\"id\": \"api\", \"name\": \"API\", \"depends_on\": [\"ledger\"],\n"
	"     \"datastores\": [{\"id\": \"api-redis\", \"criticality\": \"important\"}]}\n"
	"  ],\n"
	"  \"compliance\": {\"frameworks\": [\"iso27001\", \"dora\"],\n"
	"                 \"profile\": {\"review_age_days\": 365, \"x\": [true]}},\n"
	"  \"attestations\": [{\"topic\": \"management_review\", \"statement\": \"done\",\n"
	"                    \"attester\": \"alice\", \"date\": \"2026-06-01\",\n"
	"                    \"expires\": \"2027-06-01\", \"evidence\": \"minutes.pdf\"}],\n"
	"  \"exceptions\": [{\"id\": \"EX-1\", \"control\": \"iso27001:A.8.13\", \"services\": [\"api\"],\n"
	"                  \"datastores\": [\"api-redis\"], \"checks\": [\"immutable_copy\"],\n"
	"                  \"justification\": \"migration\", \"approved_by\": \"bob\",\n"
	"                  \"approved_on\": \"2026-02-01\", \"expires\": \"2026-12-31\"}],\n"
	"  \"maintenance_windows\": [{\"start\": \"2026-10-10T22:00:00Z\",\n"
	"                           \"end\": \"2026-10-11T02:00:00Z\"},\n"
	"                          {\"start\": \"0 2 * * SUN\", \"end\": \"0 4 * * SUN\"}]\n"
	"}\n";

static int64_t day(const char *s)
{
	int64_t t;
	assert_true(date_parse_any(s, strlen(s), &t));
	return t;
}

static void test_full_plan(void **state)
{
	(void)state;
	struct fixture f = {0};
	load(&f, full_plan);
	expect_count(&f, 0);
	assert_true(f.ok);
	const struct model *m = f.m;

	assert_int_equal(m->format_version, 1);
	assert_string_equal(m->org.id, "kestrel");
	assert_string_equal(m->org.entity_type, "payment_institution");
	assert_string_equal(m->meta.version, "3");
	assert_string_equal(m->meta.owner, "alice");
	assert_true(m->meta.approved_on == day("2026-01-10"));
	assert_true(m->meta.next_review == day("2027-01-10T08:00:00Z"));

	assert_int_equal(m->n_regions, 2);
	assert_int_equal(m->regions[1].role, ROLE_SECONDARY);
	assert_int_equal(m->n_contacts, 2);
	assert_string_equal(m->contacts[0].phone, "+1 555");
	assert_true(m->contacts[0].last_verified == day("2026-09-01"));
	assert_true(m->contacts[1].last_verified == DATE_NONE);
	assert_int_equal(m->n_escalation, 2);
	assert_int_equal(m->escalation[0].contact_index, 1);
	assert_true(m->escalation[1].after_minutes == 15);

	assert_int_equal(m->n_services, 2);
	const struct service *l = &m->services[0], *a = &m->services[1];
	assert_string_equal(l->description, "the books");
	assert_int_equal(l->owner_index, 0);
	assert_int_equal(l->tier, 1);
	assert_true(l->impact.revenue_loss_per_hour == 50000);
	assert_true(l->impact.regulatory);
	assert_string_equal(l->impact.notes, "settlement");
	assert_int_equal(l->n_data_scope, 2);
	assert_string_equal(l->data_scope[1], "cde");
	assert_int_equal(l->n_regions, 2);
	assert_int_equal(l->region_index[1], 1);
	assert_int_equal(l->n_datastores, 2);
	assert_true(l->monthly_cost == 1200.5);
	assert_int_equal(l->n_health_checks, 1);
	assert_int_equal(l->health_checks[0].expected_status, 200);
	assert_int_equal(l->n_escalation, 1);
	assert_int_equal(l->escalation[0].contact_index, 0);
	assert_true(isnan(l->escalation[0].after_minutes));
	assert_int_equal(l->pos.line, 19);
	assert_string_equal(l->pos.pointer, "/services/0");

	assert_null(a->owner);
	assert_int_equal(a->tier, 0);
	assert_true(isnan(a->monthly_cost));
	assert_true(isnan(a->impact.mtpd_hours));
	assert_int_equal(a->n_depends_on, 1);
	assert_int_equal(a->depends_on_index[0], 0);
	assert_null(a->escalation);
	size_t n_chain;
	const struct escalation_step *chain = model_service_escalation(m, a, &n_chain);
	assert_int_equal(n_chain, 2);
	assert_ptr_equal(chain, m->escalation);

	assert_int_equal(m->n_datastores, 3);
	assert_string_equal(m->datastores[2].id, "api-redis");
	assert_int_equal(m->datastores[2].service_index, 1);
	assert_int_equal(m->datastores[2].criticality, CRIT_IMPORTANT);
	assert_true(m->datastores[0].size_gb == 800);
	assert_true(isnan(m->datastores[1].size_gb));
	assert_int_equal(l->datastore_index[1], 1);
	assert_string_equal(m->datastores[1].pos.pointer, "/services/0/datastores/1");

	assert_ptr_equal(model_service_find(m, "api"), a);
	assert_ptr_equal(model_datastore_find(m, "ledger-s3"), &m->datastores[1]);
	assert_ptr_equal(model_contact_find(m, "bob"), &m->contacts[1]);
	assert_ptr_equal(model_region_find(m, "eu-west-1"), &m->regions[0]);

	assert_int_equal(m->compliance.n_frameworks, 2);
	assert_string_equal(m->compliance.profile_json,
			    "{\"review_age_days\":365,\"x\":[true]}");
	assert_int_equal(m->n_attestations, 1);
	assert_true(m->attestations[0].expires == day("2027-06-01"));
	/* the attester's name and role come from the contact */
	assert_string_equal(m->attestations[0].attester, "alice");
	assert_string_equal(m->attestations[0].attester_name, "Alice");
	assert_string_equal(m->attestations[0].attester_role, "DR lead");
	assert_int_equal(m->n_exceptions, 1);
	assert_string_equal(m->exceptions[0].id, "EX-1");
	assert_string_equal(m->exceptions[0].services[0], "api");
	assert_string_equal(m->exceptions[0].datastores[0], "api-redis");
	assert_string_equal(m->exceptions[0].checks[0], "immutable_copy");
	assert_string_equal(m->exceptions[0].approved_by_name, "Bob");
	assert_true(m->exceptions[0].approved_on == day("2026-02-01"));
	assert_int_equal(m->n_maintenance_windows, 2);
	assert_string_equal(m->maintenance_windows[1].end, "0 4 * * SUN");
	done(&f);
}

/* ---- one defect each ---- */

#define HEAD "{\"drgen\": 1, \"organization\": {\"id\": \"k\", \"name\": \"K\"}, \"plan\": {},\n"

struct bad_case {
	const char *name;
	const char *json;
	enum diag_severity sev;
	int line, col;
	const char *where;
	const char *message;
};

static const struct bad_case bad_cases[] = {
	{"syntax", HEAD "\"services\": [{\"id\": \"a\" \"name\": \"A\"}]}\n", DIAG_ERROR,
	 2, 25, NULL, "expected ',' or '}' after object member, found string \"name\""},
	{"top level", "[]\n", DIAG_ERROR, 1, 1, NULL,
	 "expected an object at the top level of plan.json, found an array"},
	{"version", "{\"drgen\": 2, \"services\": 3}\n", DIAG_ERROR, 1, 11, "/drgen",
	 "unsupported format version 2, this drgen reads version 1"},
	{"no version", "{\"organization\": {\"id\": \"k\", \"name\": \"K\"}, \"plan\": {},\n"
	 "\"services\": []}\n", DIAG_ERROR, 1, 1, NULL,
	 "missing required key \"drgen\" in plan.json"},
	{"tier", HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\", \"tier\": 9}]}\n",
	 DIAG_ERROR, 2, 47, "/services/0/tier",
	 "invalid value for \"tier\": expected an integer from 1 to 4, found 9"},
	{"tier type", HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\", \"tier\": 1.5}]}\n",
	 DIAG_ERROR, 2, 47, "/services/0/tier",
	 "wrong type for \"tier\": expected an integer, found number 1.5"},
	{"service id", HEAD "\"services\": [{\"id\": \"../x\", \"name\": \"A\"}]}\n",
	 DIAG_ERROR, 2, 21, "/services/0/id",
	 "invalid service id \"../x\": expected lowercase letters, digits and '-', "
	 "starting with a letter or digit"},
	{"missing name", HEAD "\"services\": [{\"id\": \"a\"}]}\n", DIAG_ERROR, 2, 14,
	 "/services/0", "missing required key \"name\" in service"},
	{"unknown owner", HEAD "\"contacts\": [{\"id\": \"alice\", \"name\": \"Alice\"}],\n"
	 "\"services\": [{\"id\": \"a\", \"name\": \"A\", \"owner\": \"alicee\"}]}\n",
	 DIAG_ERROR, 3, 48, "/services/0/owner",
	 "unknown contact \"alicee\", did you mean \"alice\""},
	{"duplicate service", HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\"},\n"
	 "{\"id\": \"a\", \"name\": \"B\"}]}\n", DIAG_ERROR, 3, 8, "/services/1/id",
	 "duplicate service id \"a\" (first defined on line 2)"},
	{"self dependency", HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\", "
	 "\"depends_on\": [\"a\"]}]}\n", DIAG_ERROR, 2, 54, "/services/0/depends_on/0",
	 "service \"a\" depends on itself"},
	{"cycle", HEAD "\"services\": [\n"
	 "{\"id\": \"a\", \"name\": \"A\", \"depends_on\": [\"b\"]},\n"
	 "{\"id\": \"b\", \"name\": \"B\", \"depends_on\": [\"c\"]},\n"
	 "{\"id\": \"c\", \"name\": \"C\", \"depends_on\": [\"a\"]}]}\n",
	 DIAG_ERROR, 3, 41, "/services/0/depends_on/0",
	 "dependency cycle: a -> b -> c -> a"},
	{"negative", HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\", "
	 "\"impact\": {\"revenue_loss_per_hour\": -1}}]}\n", DIAG_ERROR, 2, 75,
	 "/services/0/impact/revenue_loss_per_hour",
	 "invalid value for \"revenue_loss_per_hour\": expected a number of 0 or more, found -1"},
	{"depends_on type", HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\", "
	 "\"depends_on\": \"b\"}]}\n", DIAG_ERROR, 2, 53, "/services/0/depends_on",
	 "wrong type for \"depends_on\": expected an array of strings, found string \"b\""},
	{"criticality", HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\", "
	 "\"datastores\": [{\"id\": \"d\", \"criticality\": \"high\"}]}]}\n", DIAG_ERROR,
	 2, 81, "/services/0/datastores/0/criticality",
	 "invalid value for \"criticality\": expected \"critical\", \"important\" or "
	 "\"standard\", found \"high\""},
	{"duplicate datastore", HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\", "
	 "\"datastores\": [{\"id\": \"d\", \"criticality\": \"standard\"}]},\n"
	 "{\"id\": \"b\", \"name\": \"B\", \"datastores\": [{\"id\": \"d\", "
	 "\"criticality\": \"standard\"}]}]}\n", DIAG_ERROR, 3, 48,
	 "/services/1/datastores/0/id",
	 "duplicate datastore id \"d\" (first defined on line 2, in service \"a\")"},
	{"unknown region", HEAD "\"regions\": [{\"id\": \"eu\", \"role\": \"primary\"}],\n"
	 "\"services\": [{\"id\": \"a\", \"name\": \"A\", \"regions\": [\"us\"]}]}\n",
	 DIAG_ERROR, 3, 51, "/services/0/regions/0", "unknown region \"us\""},
	{"duplicate key", HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\", "
	 "\"name\": \"B\"}]}\n", DIAG_ERROR, 2, 39, "/services/0/name",
	 "duplicate key \"name\" in service"},
};

/* Every case is checked and every mismatch shown before failing. */
static void test_bad_cases(void **state)
{
	(void)state;
	size_t failures = 0;
	for (size_t i = 0; i < ARRAY_LEN(bad_cases); i++) {
		const struct bad_case *b = &bad_cases[i];
		struct fixture f = {0};
		load(&f, b->json);
		const struct diag *g = diags_len(f.d) ? diags_get(f.d, 0) : NULL;
		bool same = diags_len(f.d) == 1 && g->severity == b->sev &&
			    g->line == b->line && g->col == b->col &&
			    strcmp(g->message, b->message) == 0 &&
			    ((!b->where && !g->where) ||
			     (b->where && g->where && strcmp(b->where, g->where) == 0)) &&
			    !f.ok;
		if (!same) {
			fprintf(stderr, "case \"%s\": want %d:%d %s [%s], got:\n", b->name,
				b->line, b->col, b->message, b->where ? b->where : "-");
			dump(&f);
			failures++;
		}
		done(&f);
	}
	if (failures)
		fail_msg("%zu of %zu cases differ", failures, ARRAY_LEN(bad_cases));
}

static void test_dates(void **state)
{
	(void)state;
	struct fixture f = {0};
	load(&f, "{\"drgen\": 1, \"organization\": {\"id\": \"k\", \"name\": \"K\"},\n"
		 "\"plan\": {\"approved_on\": \"2026-02-30\", \"last_review\": \"2026-13-01\",\n"
		 "\"next_review\": \"next year\"}, \"services\": [],\n"
		 "\"contacts\": [{\"id\": \"c\", \"name\": \"C\", \"last_verified\": 20260101}]}\n");
	expect_count(&f, 4);
	expect_diag(&f, 0, DIAG_ERROR, 2, 25, "/plan/approved_on",
		    "impossible date \"2026-02-30\" for \"approved_on\": 2026-02 has 28 days");
	expect_diag(&f, 1, DIAG_ERROR, 2, 54, "/plan/last_review",
		    "impossible date \"2026-13-01\" for \"last_review\": there is no month 13");
	expect_diag(&f, 2, DIAG_ERROR, 3, 16, "/plan/next_review",
		    "invalid date \"next year\" for \"next_review\": expected YYYY-MM-DD or "
		    "an RFC 3339 time with offset (2026-10-01T09:30:00Z)");
	expect_diag(&f, 3, DIAG_ERROR, 4, 56, "/contacts/0/last_verified",
		    "wrong type for \"last_verified\": expected a date (YYYY-MM-DD or an "
		    "RFC 3339 time with offset), found number 20260101");
	done(&f);
	/* 2028 is a leap year */
	load(&f, HEAD "\"services\": [], \"contacts\": [{\"id\": \"a\", \"name\": \"A\"}], "
		 "\"attestations\": [{\"topic\": \"t\", \"statement\": \"s\", "
		 "\"attester\": \"a\", \"date\": \"2028-02-29\"}]}\n");
	expect_count(&f, 0);
	done(&f);
}

/* Unknown keys are errors (issue 13 item 9): "depend_on" must not load. */
static void test_unknown_key_is_error(void **state)
{
	(void)state;
	struct fixture f = {0};
	load(&f, HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\", "
		 "\"descripton\": \"x\", \"colour\": 1, \"monthly_costs\": 3}]}\n");
	expect_count(&f, 3);
	expect_diag(&f, 0, DIAG_ERROR, 2, 39, "/services/0/descripton",
		    "unknown key \"descripton\" in service, did you mean \"description\"");
	expect_diag(&f, 1, DIAG_ERROR, 2, 58, "/services/0/colour",
		    "unknown key \"colour\" in service");
	expect_diag(&f, 2, DIAG_ERROR, 2, 71, "/services/0/monthly_costs",
		    "unknown key \"monthly_costs\" in service, did you mean \"monthly_cost\"");
	assert_false(f.ok);
	done(&f);
	load(&f, HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\", \"depend_on\": []}]}\n");
	expect_count(&f, 1);
	expect_diag(&f, 0, DIAG_ERROR, 2, 39, "/services/0/depend_on",
		    "unknown key \"depend_on\" in service, did you mean \"depends_on\"");
	done(&f);
}

/* Attesters and approvers are contacts; exception ids are unique (item 10, 11). */
static void test_accountability(void **state)
{
	(void)state;
	struct fixture f = {0};
	load(&f, HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\", "
		 "\"datastores\": [{\"id\": \"a-db\", \"criticality\": \"critical\"}]}],\n"
		 "\"contacts\": [{\"id\": \"eve-ng\", \"name\": \"Eve Ng\"}],\n"
		 "\"attestations\": [{\"topic\": \"t\", \"statement\": \"s\", \"attester\": \"Eve Ng\", "
		 "\"date\": \"2026-01-01\"}],\n"
		 "\"exceptions\": [{\"id\": \"X\", \"control\": \"f:c\", \"justification\": \"j\", "
		 "\"approved_by\": \"eve-nq\", \"approved_on\": \"2026-02-01\", \"expires\": \"2026-01-01\", "
		 "\"datastores\": [\"a-bd\"]},\n"
		 "{\"id\": \"X\", \"control\": \"f:c\", \"justification\": \"j\", "
		 "\"approved_by\": \"eve-ng\", \"approved_on\": \"2026-02-01\", \"expires\": \"2026-03-01\"}]}\n");
	expect_count(&f, 5);
	expect_diag(&f, 0, DIAG_ERROR, 4, 63, "/attestations/0/attester",
		    "unknown contact \"Eve Ng\", did you mean \"eve-ng\" (the contact named \"Eve Ng\")");
	expect_diag(&f, 1, DIAG_ERROR, 5, 83, "/exceptions/0/approved_by",
		    "unknown contact \"eve-nq\", did you mean \"eve-ng\"");
	expect_diag(&f, 2, DIAG_ERROR, 5, 133, "/exceptions/0/expires",
		    "exception \"X\" expires before it was approved");
	expect_diag(&f, 3, DIAG_ERROR, 5, 162, "/exceptions/0/datastores/0",
		    "unknown datastore \"a-bd\", did you mean \"a-db\"");
	expect_diag(&f, 4, DIAG_ERROR, 6, 8, "/exceptions/1/id",
		    "duplicate exception id \"X\" (first defined on line 5)");
	done(&f);
}

/* One run reports every problem, in document order, then references. */
static void test_many_problems(void **state)
{
	(void)state;
	struct fixture f = {0};
	load(&f, "{\"drgen\": 1, \"organization\": {\"id\": \"k\"}, \"plan\": {\"owner\": \"x\"},\n"
		 "\"services\": [{\"id\": \"A\", \"name\": 5, \"tier\": 0, \"monthly_cost\": -2,\n"
		 "\"depends_on\": [\"nope\", 7]}, \"svc\"],\n"
		 "\"exceptions\": [{\"control\": \"c\", \"justification\": \"j\"}]}\n");
	expect_count(&f, 13);
	expect_diag(&f, 0, DIAG_ERROR, 1, 30, "/organization",
		    "missing required key \"name\" in organization");
	expect_diag(&f, 1, DIAG_ERROR, 2, 21, "/services/0/id",
		    "invalid service id \"A\": expected lowercase letters, digits and '-', "
		    "starting with a letter or digit");
	expect_diag(&f, 2, DIAG_ERROR, 2, 34, "/services/0/name",
		    "wrong type for \"name\": expected a string, found number 5");
	expect_diag(&f, 3, DIAG_ERROR, 2, 45, "/services/0/tier",
		    "invalid value for \"tier\": expected an integer from 1 to 4, found 0");
	expect_diag(&f, 4, DIAG_ERROR, 2, 64, "/services/0/monthly_cost",
		    "invalid value for \"monthly_cost\": expected a number of 0 or more, "
		    "found -2");
	expect_diag(&f, 5, DIAG_ERROR, 3, 24, "/services/0/depends_on/1",
		    "wrong type for an element of \"depends_on\": expected a string, "
		    "found number 7");
	expect_diag(&f, 6, DIAG_ERROR, 3, 29, "/services/1",
		    "wrong type for service: expected an object, found string \"svc\"");
	expect_diag(&f, 7, DIAG_ERROR, 4, 16, "/exceptions/0",
		    "missing required key \"id\" in exception");
	expect_diag(&f, 8, DIAG_ERROR, 4, 16, "/exceptions/0",
		    "missing required key \"approved_by\" in exception");
	expect_diag(&f, 9, DIAG_ERROR, 4, 16, "/exceptions/0",
		    "missing required key \"approved_on\" in exception");
	expect_diag(&f, 10, DIAG_ERROR, 4, 16, "/exceptions/0",
		    "missing required key \"expires\" in exception");
	expect_diag(&f, 11, DIAG_ERROR, 1, 61, "/plan/owner", "unknown contact \"x\"");
	expect_diag(&f, 12, DIAG_ERROR, 3, 16, "/services/0/depends_on/0",
		    "unknown service \"nope\"");
	done(&f);
}

static void test_cycles(void **state)
{
	(void)state;
	struct fixture f = {0};
	/* Two separate cycles, a service outside both, and a longer detour. */
	load(&f, HEAD "\"services\": [\n"
		 "{\"id\": \"web\", \"name\": \"W\", \"depends_on\": [\"api\"]},\n"
		 "{\"id\": \"api\", \"name\": \"A\", \"depends_on\": [\"db\", \"cache\"]},\n"
		 "{\"id\": \"cache\", \"name\": \"C\", \"depends_on\": [\"api\"]},\n"
		 "{\"id\": \"db\", \"name\": \"D\", \"depends_on\": [\"disk\"]},\n"
		 "{\"id\": \"disk\", \"name\": \"K\", \"depends_on\": [\"api\"]},\n"
		 "{\"id\": \"x\", \"name\": \"X\", \"depends_on\": [\"y\"]},\n"
		 "{\"id\": \"y\", \"name\": \"Y\", \"depends_on\": [\"x\"]}]}\n");
	expect_count(&f, 2);
	expect_diag(&f, 0, DIAG_ERROR, 4, 49, "/services/1/depends_on/1",
		    "dependency cycle: api -> cache -> api");
	expect_diag(&f, 1, DIAG_ERROR, 8, 41, "/services/5/depends_on/0",
		    "dependency cycle: x -> y -> x");
	done(&f);
}

/* A chain of 20,000 services closing on itself: no recursion, quick. */
static void test_long_cycle(void **state)
{
	(void)state;
	size_t n = 20000;
	struct buf b = BUF_INIT;
	buf_puts(&b, HEAD "\"services\": [\n");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s{\"id\": \"s%zu\", \"name\": \"S\", \"depends_on\": [\"s%zu\"]}\n",
			   i ? "," : "", i, (i + 1) % n);
	buf_puts(&b, "]}\n");
	clock_t start = clock();
	struct fixture f = {0};
	load(&f, b.data);
	expect_count(&f, 1);
	const struct diag *g = diags_get(f.d, 0);
	assert_true(strncmp(g->message, "dependency cycle: s0 -> s1 -> s2 -> ", 36) == 0);
	size_t len = strlen(g->message);
	assert_string_equal(g->message + len - 20, "s19998 -> s19999 -> s0" + 2);
	done(&f);
	buf_free(&b);
	double secs = (double)(clock() - start) / CLOCKS_PER_SEC;
	if (secs > 10.0)
		fail_msg("20,000-service cycle took %.1f s", secs);
}

static void test_runbooks(void **state)
{
	(void)state;
	struct fixture f = {0};
	make_dir(&f);
	write_file(f.dir, "plan.json",
		   HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\"},\n"
		   "{\"id\": \"b\", \"name\": \"B\", \"runbook\": \"docs/b.md\"},\n"
		   "{\"id\": \"c\", \"name\": \"C\", \"runbook\": \"../../etc/passwd\"},\n"
		   "{\"id\": \"d\", \"name\": \"D\", \"runbook\": \"runbooks/shared.md\"},\n"
		   "{\"id\": \"e\", \"name\": \"E\", \"runbook\": \"missing.md\"}]}\n");
	write_file(f.dir, "runbooks/a.md", "# A\n\nRestart it.\n");
	write_file(f.dir, "runbooks/shared.md", "# Shared\n");
	write_file(f.dir, "runbooks/aa.md", "# nobody's\n");
	write_file(f.dir, "docs/b.md", "# B\n");
	run(&f);
	const struct model *m = f.m;
	assert_string_equal(m->services[0].runbook_path, "runbooks/a.md");
	assert_string_equal(m->services[0].runbook_text, "# A\n\nRestart it.\n");
	assert_int_equal(m->services[0].runbook_len, 17);
	assert_string_equal(m->services[1].runbook_path, "docs/b.md");
	assert_string_equal(m->services[1].runbook_text, "# B\n");
	assert_null(m->services[2].runbook_text);
	assert_string_equal(m->services[3].runbook_text, "# Shared\n");
	assert_null(m->services[4].runbook_text);
	expect_count(&f, 3);
	const struct diag *g = diags_get(f.d, 0);
	assert_int_equal(g->severity, DIAG_ERROR);
	assert_int_equal(g->line, 4);
	assert_string_equal(g->where, "/services/2/runbook");
	assert_string_equal(g->message, "path \"../../etc/passwd\" leaves the plan directory");
	g = diags_get(f.d, 1);
	assert_int_equal(g->severity, DIAG_ERROR);
	assert_true(strstr(g->file, "missing.md") != NULL);
	g = diags_get(f.d, 2);
	assert_int_equal(g->severity, DIAG_WARNING);
	assert_true(strstr(g->file, "runbooks/aa.md") != NULL);
	assert_string_equal(g->message,
			    "runbook matches no service: no service has id \"aa\", "
			    "did you mean \"a\"");
	done(&f);
}

/* runbooks/<id>.md beside an explicit runbook path is left unused. */
static void test_runbook_unused(void **state)
{
	(void)state;
	struct fixture f = {0};
	make_dir(&f);
	write_file(f.dir, "plan.json",
		   HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\", "
		   "\"runbook\": \"docs/a.md\"}]}\n");
	write_file(f.dir, "runbooks/a.md", "# old\n");
	write_file(f.dir, "docs/a.md", "# new\n");
	run(&f);
	assert_string_equal(f.m->services[0].runbook_text, "# new\n");
	assert_int_equal(diags_len(f.d), 1);
	assert_string_equal(diags_get(f.d, 0)->message,
			    "runbook not used: service \"a\" takes its prose from \"docs/a.md\"");
	assert_true(f.ok);
	done(&f);
}

/* A runbook above SOURCE_MAX_MD is refused (and plan.json's limit is the source's). */
static void test_runbook_limit(void **state)
{
	(void)state;
	struct fixture f = {0};
	make_dir(&f);
	write_file(f.dir, "plan.json", HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\"}]}\n");
	char *big = xmalloc(SOURCE_MAX_MD + 2);
	memset(big, 'x', SOURCE_MAX_MD + 1);
	big[SOURCE_MAX_MD + 1] = '\0';
	write_file(f.dir, "runbooks/a.md", big);
	free(big);
	run(&f);
	assert_null(f.m->services[0].runbook_text);
	assert_int_equal(diags_len(f.d), 1);
	assert_non_null(strstr(diags_get(f.d, 0)->message, "too large"));
	assert_false(f.ok);
	done(&f);
}

/* Reading problems come from the source module, positioned where it can. */
static void test_unreadable(void **state)
{
	(void)state;
	struct fixture f = {0};
	make_dir(&f);
	run(&f);
	expect_count(&f, 1);
	assert_false(f.ok);
	done(&f);

	load(&f, "  \n");
	expect_count(&f, 1);
	assert_string_equal(diags_get(f.d, 0)->message, "file is empty");
	done(&f);

	load(&f, "{\"drgen\": 1, \"organization\": {\"id\": \"k\", \"name\": \"\xff\"}}");
	expect_count(&f, 1);
	assert_int_equal(diags_get(f.d, 0)->line, 1);
	assert_int_equal(diags_get(f.d, 0)->col, 51);
	done(&f);

	/* A byte order mark is fine. */
	load(&f, "\xEF\xBB\xBF" HEAD "\"services\": []}\n");
	expect_count(&f, 0);
	done(&f);
}

/* The printer shows the user's line and a caret under the value. */
static void test_printed(void **state)
{
	(void)state;
	struct fixture f = {0};
	load(&f, HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\",\n"
		 "    \"tier\": 9}]}\n");
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	diags_print(f.d, out, false, false);
	fclose(out);
	char *want = xasprintf(
		"%s/plan.json:3:13: error: invalid value for \"tier\": expected an integer "
		"from 1 to 4, found 9\n"
		"     3 |     \"tier\": 9}]}\n"
		"       |             ^\n"
		"       = at /services/0/tier\n", f.dir);
	assert_string_equal(text, want);
	free(want);
	free(text);
	done(&f);
}

static void test_service_id_syntax(void **state)
{
	(void)state;
	assert_true(load_plan_service_id_valid("a"));
	assert_true(load_plan_service_id_valid("0-payments-api-2"));
	assert_false(load_plan_service_id_valid(""));
	assert_false(load_plan_service_id_valid("-a"));
	assert_false(load_plan_service_id_valid("A"));
	assert_false(load_plan_service_id_valid("a_b"));
	assert_false(load_plan_service_id_valid("a/b"));
	assert_false(load_plan_service_id_valid(".."));
	char id[PLAN_SERVICE_ID_MAX + 2];
	memset(id, 'a', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	assert_false(load_plan_service_id_valid(id));
	id[PLAN_SERVICE_ID_MAX] = '\0';
	assert_true(load_plan_service_id_valid(id));
}

/* ---- procedure (the team's commands and minutes) ---- */

/* Some diagnostic (any severity: unknown keys may become errors) says this. */
static void expect_message(const struct fixture *f, const char *where, const char *message)
{
	for (size_t i = 0; i < diags_len(f->d); i++) {
		const struct diag *g = diags_get(f->d, i);
		if (strcmp(g->message, message) == 0 && g->where && strcmp(g->where, where) == 0)
			return;
	}
	dump(f);
	fail_msg("no diagnostic \"%s\" at %s", message, where);
}

static void test_procedure(void **state)
{
	(void)state;
	struct fixture f = {0};
	load(&f, HEAD "\"regions\": [{\"id\": \"r1\", \"role\": \"primary\"}, {\"id\": \"r2\", \"role\": \"secondary\"}],\n"
		 "\"services\": [{\"id\": \"a\", \"name\": \"A\", \"regions\": [\"r1\"],\n"
		 " \"datastores\": [{\"id\": \"a-db\", \"criticality\": \"critical\", \"procedure\": {\n"
		 "   \"replica_regions\": [\"r2\"], \"promotion_fences\": true,\n"
		 "   \"promote\": {\"commands\": [\"ctl promote a-db\"], \"minutes\": 2.5}}}],\n"
		 " \"procedure\": {\"target_region\": \"r2\", \"redirect\": {\"commands\": [\"dns set a r2\", \"dns check a\"]},\n"
		 "   \"verify\": {\"minutes\": 0}}}]}\n");
	expect_count(&f, 0);
	assert_true(f.ok);
	const struct service *s = &f.m->services[0];
	const struct datastore *ds = &f.m->datastores[0];
	assert_non_null(s->procedure.json);
	assert_string_equal(s->procedure.target_region, "r2");
	assert_int_equal(s->procedure.steps[PROC_REDIRECT].n_commands, 2);
	assert_string_equal(s->procedure.steps[PROC_REDIRECT].commands[1], "dns check a");
	assert_true(isnan(s->procedure.steps[PROC_REDIRECT].minutes));
	assert_true(s->procedure.steps[PROC_VERIFY].minutes == 0);
	assert_true(isnan(s->procedure.steps[PROC_DETECT].minutes));
	assert_true(ds->procedure.promotion_fences);
	assert_int_equal(ds->procedure.n_replica_regions, 1);
	assert_true(ds->procedure.steps[PROC_PROMOTE].minutes == 2.5);
	assert_string_equal(model_procedure_step_names[PROC_PROMOTE], "promote");
	done(&f);

	/* without a procedure: nothing, and no minutes */
	load(&f, HEAD "\"services\": [{\"id\": \"a\", \"name\": \"A\", \"datastores\": [{\"id\": \"d\", \"criticality\": \"standard\"}]}]}\n");
	expect_count(&f, 0);
	assert_null(f.m->services[0].procedure.json);
	assert_null(f.m->datastores[0].procedure.json);
	assert_true(isnan(f.m->services[0].procedure.steps[PROC_RESTORE].minutes));
	done(&f);

	/* every problem at its place */
	load(&f, HEAD "\"regions\": [{\"id\": \"r1\", \"role\": \"primary\"}],\n"
		 "\"services\": [{\"id\": \"a\", \"name\": \"A\",\n"
		 " \"datastores\": [{\"id\": \"d\", \"criticality\": \"standard\", \"procedure\": {\"replica_regions\": [\"r9\"],\n"
		 "   \"target_region\": \"r1\", \"promotion_fences\": 1}}],\n"
		 " \"procedure\": {\"target_region\": \"rx\", \"restore\": {\"minute\": 5, \"commands\": \"x\"},\n"
		 "   \"fence\": {\"minutes\": -1}, \"failover\": {}}}]}\n");
	assert_false(f.ok);
	expect_message(&f, "/services/0/procedure/restore/minute",
		       "unknown key \"minute\" in procedure step, did you mean \"minutes\"");
	expect_message(&f, "/services/0/procedure/restore/commands",
		       "wrong type for \"commands\": expected an array of strings, found string \"x\"");
	expect_message(&f, "/services/0/procedure/fence/minutes", "invalid value for \"minutes\": expected a number of 0 or more, found -1");
	expect_message(&f, "/services/0/procedure/failover", "unknown key \"failover\" in service procedure");
	expect_message(&f, "/services/0/datastores/0/procedure/target_region",
		       "unknown key \"target_region\" in datastore procedure");
	expect_message(&f, "/services/0/datastores/0/procedure/promotion_fences",
		       "wrong type for \"promotion_fences\": expected true or false, found number 1");
	expect_message(&f, "/services/0/procedure/target_region", "unknown region \"rx\", did you mean \"r1\"");
	expect_message(&f, "/services/0/datastores/0/procedure/replica_regions/0", "unknown region \"r9\", did you mean \"r1\"");
	done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_plan),
		cmocka_unit_test(test_bad_cases),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_unknown_key_is_error),
		cmocka_unit_test(test_accountability),
		cmocka_unit_test(test_many_problems),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_long_cycle),
		cmocka_unit_test(test_runbooks),
		cmocka_unit_test(test_runbook_unused),
		cmocka_unit_test(test_runbook_limit),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_printed),
		cmocka_unit_test(test_service_id_syntax),
		cmocka_unit_test(test_procedure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
