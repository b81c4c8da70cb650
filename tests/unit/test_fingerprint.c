/* test_fingerprint.c -- the report fingerprint: its text, order, excludes,
 * and its round trip through the manifest (`drgen verify` recomputes it). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "evidence.h"
#include "fingerprint.h"
#include "source.h"
#include "util.h"

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"
#define H3 "3333333333333333333333333333333333333333333333333333333333333333"
#define H4 "4444444444444444444444444444444444444444444444444444444444444444"

static struct source_input in(const char *path, const char *kind, const char *hex)
{
	struct source_input s = {(char *)path, (char *)kind, "", 10};
	memcpy(s.sha256, hex, 65);
	return s;
}

/* The documented text, hashed here independently of the list code. */
static void test_text(void **state)
{
	(void)state;
	struct source_input inputs[] = {in("plan.json", "plan", H1),
					in("backups/a.ndjson", "backups", H2)};
	struct source_input rules[] = {in("drgen:lua/tiers.lua", "rule", H3)};
	struct source_input tmpl[] = {in("drgen:templates/audit.html.mustache", "template", H4)};
	char got[65], want[65];
	fingerprint_of_inputs(inputs, 2, rules, 1, tmpl, 1, NULL, 0, got);
	const char *text = "drgen report fingerprint 1\n"
			   "input " H2 " backups/a.ndjson\n"
			   "input " H1 " plan.json\n"
			   "rule " H3 " drgen:lua/tiers.lua\n"
			   "template " H4 " drgen:templates/audit.html.mustache\n";
	source_sha256_hex(text, strlen(text), want);
	assert_string_equal(got, want);
}

static void test_order_and_excludes(void **state)
{
	(void)state;
	struct source_input a[] = {in("plan.json", "plan", H1), in("drills/x.json", "drills", H2)};
	struct source_input b[] = {in("drills/x.json", "drills", H2), in("plan.json", "plan", H1)};
	struct source_input rules[] = {in("drgen:lua/tiers.lua", "rule", H3),
				       in("drgen:lua/runbook.lua", "rule", H4)};
	char x[65], y[65], z[65], w[65];
	fingerprint_of_inputs(a, 2, rules, 1, NULL, 0, NULL, 0, x);
	fingerprint_of_inputs(b, 2, rules, 1, NULL, 0, NULL, 0, y);
	assert_string_equal(x, y);  /* input order does not matter */
	const char *ex[] = {"drgen:lua/runbook.lua"};
	fingerprint_of_inputs(a, 2, rules, 2, NULL, 0, ex, 1, z);
	assert_string_equal(x, z);  /* an excluded rule counts for nothing */
	fingerprint_of_inputs(a, 2, rules, 2, NULL, 0, NULL, 0, w);
	assert_string_not_equal(x, w);
	rules[0].sha256[0] = 'a';   /* one rule changed: another fingerprint */
	fingerprint_of_inputs(a, 2, rules, 1, NULL, 0, NULL, 0, w);
	assert_string_not_equal(x, w);
}

/* Written into a manifest, parsed back: verify's check matches, and a
 * manifest whose lists were edited no longer does. */
static void test_manifest_round_trip(void **state)
{
	(void)state;
	struct source_input inputs[] = {in("plan.json", "plan", H1)};
	struct source_input rules[] = {in("drgen:lua/tiers.lua", "rule", H3),
				       in("drgen:lua/runbook.lua", "rule", H2)};
	struct source_input tmpl[] = {in("drgen:templates/audit.html.mustache", "template", H4)};
	const char *ex[] = {"drgen:lua/runbook.lua"};
	char fp[65];
	fingerprint_of_inputs(inputs, 1, rules, 2, tmpl, 1, ex, 1, fp);
	struct evidence_manifest_info info = {
		.drgen_version = "0.1.0", .as_of = "2026-11-01T00:00:00Z", .period = "2026-10",
		.generated_at = "2026-11-01T00:00:00Z", .inputs = inputs, .n_inputs = 1,
		.rules = rules, .n_rules = 2, .templates = tmpl, .n_templates = 1,
		.fingerprint = fp, .fingerprint_excludes = ex, .n_fingerprint_excludes = 1,
	};
	struct evidence_file out = {(char *)"index.html", H1, 3};
	struct buf b = BUF_INIT;
	evidence_manifest_write(&b, &info, &out, 1);
	struct diags *d = diags_new();
	struct evidence_manifest m;
	assert_true(evidence_manifest_parse(b.data, b.len, "manifest.json", &m, d));
	assert_non_null(m.fingerprint);
	assert_string_equal(m.fingerprint, fp);
	assert_true(m.fingerprint_matches);
	evidence_manifest_free(&m);

	/* the template's hash edited in the manifest */
	char *t = strstr(b.data, "\"templates\"");
	assert_non_null(t);
	t = strstr(t, H4);
	assert_non_null(t);
	t[0] = '5';
	assert_true(evidence_manifest_parse(b.data, b.len, "manifest.json", &m, d));
	assert_false(m.fingerprint_matches);
	evidence_manifest_free(&m);
	buf_free(&b);
	diags_free(d);
}

static void test_label_path(void **state)
{
	(void)state;
	char *s = fingerprint_label_path("/usr/share/drgen", "plans/k", "/usr/share/drgen/lua/tiers.lua");
	assert_string_equal(s, "drgen:lua/tiers.lua");
	free(s);
	s = fingerprint_label_path("/usr/share/drgen", "plans/k", "plans/k/templates/x.mustache");
	assert_string_equal(s, "plan:templates/x.mustache");
	free(s);
	s = fingerprint_label_path("/usr/share/drgen", "plans/k", "/usr/share/drgenx/a.lua");
	assert_string_equal(s, "/usr/share/drgenx/a.lua");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_order_and_excludes),
		cmocka_unit_test(test_manifest_round_trip),
		cmocka_unit_test(test_label_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
