/*
 * test_sandbox.c -- the Lua sandbox refuses escapes, with a clear
 * diagnostic and no effect (SPEC 3.7).
 *
 * Each attempt is a rule file in tests/rules/escape/ whose run(arg, ctx)
 * tries one way out; it runs through rules_call_json in the same engine,
 * one after the other, and afterwards the shipped rules must still work on
 * the same engine and model.  Also: errors are positioned in the rule file,
 * results are checked, overrides and require work as documented.
 */
#include "testutil.h"

#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "../rules/fixture.h"

#define PWNED "/tmp/drgen-sandbox-pwned"

struct env {
	struct fx x;
	struct facts *f;
	struct rules *r;
	struct rules_results *res;
	struct diags *d;
};

static struct env E;

static int setup(void **state)
{
	struct objectives obj;
	const char *dirs[2];

	(void)state;
	fx_init(&E.x, 4, 4, 1);
	struct service *a = fx_service(&E.x, "payments", 150000);
	struct service *b = fx_service(&E.x, "ledger", 20000);
	fx_depends(&E.x, a, b);
	fx_store(&E.x, a, "payments-db", CRIT_CRITICAL);
	dirs[0] = fx_rules_dir("escape");
	dirs[1] = fx_lua_dir();
	E.f = analyze_model(E.x.m);
	E.r = rules_new(dirs, 2);
	E.res = rules_results_new(E.x.m);
	E.d = diags_new();
	if (!rules_run_tiers(E.r, E.x.m, E.f, E.res, E.d))
		return -1;
	rules_objectives(E.res, &obj);
	analyze_objectives(E.f, E.x.m, &obj);
	unlink(PWNED);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rules_results_free(E.res);
	rules_free(E.r);
	analyze_free(E.f);
	diags_free(E.d);
	model_free(E.x.m);
	return 0;
}

/* The diagnostic whose message contains needle, or NULL. */
static const struct diag *find_diag(const struct diags *d, const char *needle)
{
	for (size_t i = 0; i < diags_len(d); i++) {
		const struct diag *g = diags_get(d, i);
		if (g->message && strstr(g->message, needle))
			return g;
	}
	return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = s ? strlen(s) : 0, k = strlen(suffix);
	return s && n >= k && strcmp(s + n - k, suffix) == 0;
}

/*
 * Runs escape/NAME.lua's run() and expects it to fail with an error whose
 * message contains `needle`, positioned in that file (at a line, unless
 * line_known is false).
 */
static void expect_refused(const char *name, const char *needle, bool line_known)
{
	struct diags *d = diags_new();
	char file[128];
	cJSON *out = rules_call_json(E.r, E.x.m, E.f, E.res, name, "run", NULL, d);
	char *all = fx_diags(d);
	const struct diag *g = find_diag(d, needle);

	if (out || !g)
		fail_msg("%s: expected an error containing \"%s\", got %s and:\n%s",
			 name, needle, out ? "a result" : "no result", all);
	snprintf(file, sizeof(file), "escape/%s.lua", name);
	if (!ends_with(g->file, file))
		fail_msg("%s: diagnostic names %s, not the rule file\n%s", name,
			 g->file ? g->file : "(none)", all);
	if (line_known && g->line <= 0)
		fail_msg("%s: diagnostic has no line\n%s", name, all);
	assert_int_equal(g->severity, DIAG_ERROR);
	cJSON_Delete(out);
	free(all);
	diags_free(d);
}

static void test_os_execute(void **state)
{
	(void)state;
	expect_refused("os_execute", "attempt to index a nil value (global 'os')", true);
	assert_int_not_equal(access(PWNED, F_OK), 0);
}

static void test_io_open(void **state)
{
	(void)state;
	expect_refused("io_open", "(global 'io')", true);
}

static void test_require_c_module(void **state)
{
	(void)state;
	expect_refused("require_c", "require: rule file os.lua not found", true);
}

static void test_require_path(void **state)
{
	(void)state;
	expect_refused("require_path", "invalid rule name", true);
}

static void test_dofile_loadfile_loadlib(void **state)
{
	(void)state;
	expect_refused("package_loadlib", "attempt to call a nil value", true);
}

static void test_load_binary_string(void **state)
{
	(void)state;
	expect_refused("load_binary", "rules may load text chunks only", true);
}

static void test_string_dump(void **state)
{
	(void)state;
	expect_refused("string_dump", "(field 'dump')", true);
}

static void test_setmetatable_globals(void **state)
{
	struct diags *d = diags_new();
	cJSON *first, *probe;

	(void)state;
	/* The hijack works inside its own file only ... */
	first = rules_call_json(E.r, E.x.m, E.f, E.res, "setmetatable_g", "run", NULL, d);
	assert_non_null(first);
	assert_string_equal(cJSON_GetObjectItem(first, "global")->valuestring, "hijacked");
	/* ... and the string methods, other files' globals and libraries are intact. */
	assert_string_equal(cJSON_GetObjectItem(first, "upper")->valuestring, "X");
	probe = rules_call_json(E.r, E.x.m, E.f, E.res, "probe", "run", NULL, d);
	assert_non_null(probe);
	assert_string_equal(cJSON_GetObjectItem(probe, "global")->valuestring, "nil");
	assert_string_equal(cJSON_GetObjectItem(probe, "upper")->valuestring, "X");
	assert_string_equal(cJSON_GetObjectItem(probe, "method")->valuestring, "X");
	assert_string_equal(cJSON_GetObjectItem(probe, "concat")->valuestring, "a,b");
	assert_string_equal(cJSON_GetObjectItem(probe, "minutes")->valuestring, "1 hour");
	assert_int_equal(diags_count(d, DIAG_ERROR), 0);
	cJSON_Delete(first);
	cJSON_Delete(probe);
	diags_free(d);
}

static void test_debug_registry(void **state)
{
	(void)state;
	expect_refused("debug_registry", "(global 'debug')", true);
}

static void test_metatables_hidden(void **state)
{
	(void)state;
	/* The assert in the rule passes: every metatable it tries is hidden. */
	expect_refused("metatable_reach", "attempt to index a nil value (field '__index')", true);
}

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_endless_loop(void **state)
{
	double t0 = seconds();

	(void)state;
	expect_refused("endless_loop", "instruction limit exceeded", true);
	assert_true(seconds() - t0 < RULES_CALL_SECONDS);
}

static void test_loop_inside_pcall(void **state)
{
	double t0 = seconds();

	(void)state;
	expect_refused("pcall_loop", "instruction limit exceeded", true);
	assert_true(seconds() - t0 < RULES_CALL_SECONDS);
}

static void test_memory_bomb(void **state)
{
	(void)state;
	expect_refused("memory_bomb", "memory limit exceeded", true);
	/* The heap went back down: the garbage was collectable. */
	assert_true(rules_memory(E.r) < RULES_CALL_MEMORY);
}

static void test_memory_inside_pcall(void **state)
{
	(void)state;
	expect_refused("memory_pcall", "memory limit exceeded", true);
}

static void test_huge_allocation(void **state)
{
	(void)state;
	expect_refused("string_rep", "memory limit exceeded", true);
}

static void test_deep_recursion(void **state)
{
	(void)state;
	expect_refused("deep_recursion", "stack overflow", true);
}

static void test_c_stack_recursion(void **state)
{
	(void)state;
	expect_refused("c_recursion", "stack overflow", true);
}

static void test_write_model_view(void **state)
{
	(void)state;
	expect_refused("write_view", "attempt to write field 'tier' of a read-only service view",
		       true);
	assert_int_equal(E.x.m->services[0].tier, 0);
}

static void test_rawset_view(void **state)
{
	(void)state;
	/* rawset, table.insert, assignment and setmetatable all fail; rawset on
	 * a view is then reported. */
	expect_refused("rawset_view", "bad argument #1 to 'rawset'", true);
	assert_string_equal(E.x.m->dir, "fixture");
}

static void test_gc_finalizer(void **state)
{
	(void)state;
	expect_refused("gc_finalizer", "__gc metamethods are not allowed", true);
}

static void test_load_sees_sandbox_only(void **state)
{
	(void)state;
	expect_refused("load_env", "nothing outside the sandbox is visible to load", true);
}

/* ---- limits inside library functions (C code the hook never sees) ------- */

/*
 * A regression here hangs inside C, where no limit of drgen's can stop it:
 * SIGALRM ends the test binary instead (a failure, never a stuck CI job).
 */
static void backstop(void)
{
	alarm(3 * RULES_CALL_SECONDS);
}

static void test_pattern_bomb(void **state)
{
	double t0 = seconds();

	(void)state;
	backstop();
	expect_refused("pattern_bomb", "pattern too costly for a subject of 40 bytes", true);
	assert_true(seconds() - t0 < RULES_CALL_SECONDS);
}

static void test_pattern_method_gsub_gmatch(void **state)
{
	double t0 = seconds();

	(void)state;
	backstop();
	expect_refused("pattern_method", "pattern too costly for a subject of 400 bytes", true);
	assert_true(seconds() - t0 < RULES_CALL_SECONDS);
}

static void test_plain_find_bomb(void **state)
{
	double t0 = seconds();

	(void)state;
	backstop();
	expect_refused("plain_find", "pattern too costly for a subject of 8000000 bytes", true);
	assert_true(seconds() - t0 < RULES_CALL_SECONDS);
}

/* Ordinary patterns still work, as the library defines them. */
static void test_patterns_unchanged(void **state)
{
	struct diags *d = diags_new();
	cJSON *out;
	char *all;

	(void)state;
	backstop();
	out = rules_call_json(E.r, E.x.m, E.f, E.res, "patterns", "run", NULL, d);
	all = fx_diags(d);
	if (!out)
		fail_msg("ordinary patterns failed:\n%s", all);
	assert_string_equal(cJSON_GetObjectItem(out, "trim")->valuestring, "a  b");
	assert_string_equal(cJSON_GetObjectItem(out, "long_trim")->valuestring, "x y");
	assert_int_equal(cJSON_GetObjectItem(out, "find")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItem(out, "plain")->valueint, 2);
	assert_string_equal(cJSON_GetObjectItem(out, "gsub")->valuestring, "A_B_C");
	assert_int_equal(cJSON_GetObjectItem(out, "words")->valueint, 3);
	assert_string_equal(cJSON_GetObjectItem(out, "balanced")->valuestring, "(a(b))");
	assert_string_equal(cJSON_GetObjectItem(out, "frontier")->valuestring, "THE");
	assert_string_equal(cJSON_GetObjectItem(out, "backref")->valuestring, "q");
	assert_int_equal(cJSON_GetObjectItem(out, "nul")->valueint, 2);
	assert_int_equal(diags_count(d, DIAG_ERROR), 0);
	cJSON_Delete(out);
	free(all);
	diags_free(d);
}

static void test_rep_of_empty_string(void **state)
{
	struct diags *d = diags_new();
	double t0 = seconds();
	cJSON *out;

	(void)state;
	backstop();
	out = rules_call_json(E.r, E.x.m, E.f, E.res, "rep_empty", "run", NULL, d);
	assert_true(seconds() - t0 < RULES_CALL_SECONDS);
	assert_non_null(out);
	assert_string_equal(cJSON_GetObjectItem(out, "a")->valuestring, "");
	assert_string_equal(cJSON_GetObjectItem(out, "b")->valuestring, "");
	assert_string_equal(cJSON_GetObjectItem(out, "c")->valuestring, "ab,ab,ab");
	assert_string_equal(cJSON_GetObjectItem(out, "d")->valuestring, "");
	cJSON_Delete(out);
	diags_free(d);
}

static void test_concat_bomb(void **state)
{
	double t0 = seconds();

	(void)state;
	backstop();
	expect_refused("concat_bomb", "memory limit exceeded", true);
	assert_true(seconds() - t0 < RULES_CALL_SECONDS);
}

static void test_sort_bad_comparator(void **state)
{
	double t0 = seconds();

	(void)state;
	backstop();
	expect_refused("sort_bad", "instruction limit exceeded", true);
	assert_true(seconds() - t0 < RULES_CALL_SECONDS);
}

static void test_format_width(void **state)
{
	(void)state;
	backstop();
	expect_refused("format_width", "memory limit exceeded", true);
}

static void test_utf8_bounded(void **state)
{
	struct diags *d = diags_new();
	double t0 = seconds();
	cJSON *out;
	char *all;

	(void)state;
	backstop();
	out = rules_call_json(E.r, E.x.m, E.f, E.res, "utf8_bomb", "run", NULL, d);
	all = fx_diags(d);
	if (!out)
		fail_msg("utf8 failed:\n%s", all);
	assert_true(seconds() - t0 < RULES_CALL_SECONDS);
	assert_int_equal(cJSON_GetObjectItem(out, "n")->valueint, 1000);
	assert_int_equal(cJSON_GetObjectItem(out, "len")->valueint, 1 << 22);
	cJSON_Delete(out);
	free(all);
	diags_free(d);
}

/* print is cut per note and per build, never copying its arguments whole. */
static void test_print_flood(void **state)
{
	const char *dirs[2] = {fx_rules_dir("escape"), fx_lua_dir()};
	struct diags *d = diags_new();
	struct rules *r = rules_new(dirs, 2);
	size_t bytes = 0, notes = 0;
	cJSON *out;
	char *all;

	(void)state;
	backstop();
	out = rules_call_json(r, E.x.m, E.f, E.res, "print_flood", "run", NULL, d);
	all = fx_diags(d);
	if (!out)
		fail_msg("print_flood failed:\n%s", all);
	for (size_t i = 0; i < diags_len(d); i++) {
		const struct diag *g = diags_get(d, i);
		bytes += strlen(g->message);
		notes += g->severity == DIAG_NOTE;
	}
	assert_true(bytes < (80u << 10));
	assert_true(notes <= 101);
	assert_non_null(find_diag(d, "print: short\t1\tnil"));
	/* The euro sign (3 bytes at 4095..4097) is not split: 4095 bytes kept. */
	const struct diag *g = find_diag(d, "tail");
	assert_null(g);
	g = find_diag(d, "(7 bytes cut)");
	assert_non_null(g);
	assert_true(ends_with(g->file, "escape/print_flood.lua"));
	assert_int_equal(g->line, 7);
	assert_non_null(find_diag(d, "... (16773121 bytes cut)"));   /* 2 x 8 MiB + tab - 4096 */
	assert_non_null(find_diag(d, "further print output of rules suppressed"));
	cJSON_Delete(out);
	free(all);
	rules_free(r);
	diags_free(d);
}

/* After every attempt above, the same engine still runs the shipped rules. */
static void test_no_effect_afterwards(void **state)
{
	struct diags *d = diags_new();
	char *all;

	alarm(0);
	(void)state;
	bool ok = rules_run_policy(E.r, E.x.m, E.f, E.res, d) &&
		  rules_run_runbooks(E.r, E.x.m, E.f, E.res, d);
	all = fx_diags(d);
	if (!ok)
		fail_msg("shipped rules failed after the escapes:\n%s", all);
	assert_int_equal(E.res->tiers[0].tier, 1);
	assert_int_equal(E.res->tiers[1].tier, 2);
	assert_non_null(E.res->runbooks[0]);
	assert_int_not_equal(access(PWNED, F_OK), 0);
	free(all);
	diags_free(d);
}

/* ---- errors and checks on the shipped entry points ---------------------- */

/* Runs the tier stage with dirs {tests/rules/SUB, lua}; returns diagnostics. */
static struct diags *run_tiers_with(const char *sub, bool *ok,
				    struct rules_results **out)
{
	const char *dirs[2] = {fx_rules_dir(sub), fx_lua_dir()};
	struct diags *d = diags_new();
	struct rules *r = rules_new(dirs, 2);
	struct rules_results *res = rules_results_new(E.x.m);

	*ok = rules_run_tiers(r, E.x.m, E.f, res, d);
	if (out)
		*out = res;
	else
		rules_results_free(res);
	rules_free(r);
	return d;
}

static void test_bad_tier_names_rule(void **state)
{
	bool ok;
	struct diags *d = run_tiers_with("bad_tier", &ok, NULL);
	const struct diag *g = find_diag(d, "tier must be an integer from 1 to 4, got 7");

	(void)state;
	assert_false(ok);
	assert_non_null(g);
	assert_true(ends_with(g->file, "tests/rules/bad_tier/tiers.lua"));
	assert_int_equal(g->line, 6);   /* where classify is defined */
	assert_non_null(strstr(g->message, "(in classify for service \"payments\")"));
	diags_free(d);
}

static void test_runtime_error_position(void **state)
{
	bool ok;
	struct diags *d = run_tiers_with("runtime_error", &ok, NULL);
	const struct diag *g = find_diag(d, "attempt to index a nil value (local 'missing')");

	(void)state;
	assert_false(ok);
	assert_non_null(g);
	assert_true(ends_with(g->file, "tests/rules/runtime_error/tiers.lua"));
	assert_int_equal(g->line, 8);
	diags_free(d);
}

static void test_syntax_error_position(void **state)
{
	bool ok;
	struct diags *d = run_tiers_with("syntax_error", &ok, NULL);
	const struct diag *g = find_diag(d, "unexpected symbol");

	(void)state;
	assert_false(ok);
	assert_non_null(g);
	assert_true(ends_with(g->file, "tests/rules/syntax_error/tiers.lua"));
	assert_int_equal(g->line, 4);
	diags_free(d);
}

static void test_rule_must_return_table(void **state)
{
	bool ok;
	struct diags *d = run_tiers_with("not_table", &ok, NULL);

	(void)state;
	assert_false(ok);
	assert_non_null(find_diag(d, "rule file must return a table of functions, not number"));
	diags_free(d);
}

static int dump_writer(lua_State *L, const void *p, size_t sz, void *ud)
{
	(void)L;
	buf_append(ud, p, sz);
	return 0;
}

/* Real bytecode as a rule file, and an ASCII-only file that starts like one. */
static void test_binary_rule_file_refused(void **state)
{
	char dir[] = "/tmp/drgen-rules-XXXXXX";
	char path[256];
	struct buf b = BUF_INIT;

	(void)state;
	assert_non_null(mkdtemp(dir));
	lua_State *L = luaL_newstate();
	assert_int_equal(luaL_loadstring(L, "return { classify = function() return { tier = 1 } end }"),
			 LUA_OK);
	lua_dump(L, dump_writer, &b, 0);
	lua_close(L);
	snprintf(path, sizeof(path), "%s/tiers.lua", dir);

	for (int round = 0; round < 2; round++) {
		FILE *fp = fopen(path, "wb");
		assert_non_null(fp);
		if (round == 0)
			fwrite(b.data, 1, b.len, fp);
		else
			fputs("\033Lua fake header, but valid UTF-8 text\n", fp);
		fclose(fp);

		const char *dirs[1] = {dir};
		struct diags *d = diags_new();
		struct rules *r = rules_new(dirs, 1);
		struct rules_results *res = rules_results_new(E.x.m);
		bool ok = rules_run_tiers(r, E.x.m, E.f, res, d);
		char *all = fx_diags(d);
		assert_false(ok);
		if (!find_diag(d, "binary chunk") &&
		    (round == 1 || (!find_diag(d, "NUL byte") && !find_diag(d, "UTF-8"))))
			fail_msg("bytecode not refused clearly:\n%s", all);
		free(all);
		rules_results_free(res);
		rules_free(r);
		diags_free(d);
	}
	buf_free(&b);
	unlink(path);
	rmdir(dir);
}

/*
 * The runbook stage reads its rule files again in a fresh interpreter: a
 * file edited since the first read (whose hash the manifest lists) is an
 * error, never silently a different rule.
 */
static void test_rule_changed_between_stages(void **state)
{
	char dir[] = "/tmp/drgen-rules-XXXXXX";
	char path[256];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/runbook.lua", dir);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs("return { build = function() return { sections = {} } end }\n", fp);
	fclose(fp);

	const char *dirs[2] = {dir, fx_lua_dir()};
	struct diags *d = diags_new();
	struct rules *r = rules_new(dirs, 2);
	struct rules_results *res = rules_results_new(E.x.m);
	struct objectives obj;
	assert_true(rules_run_tiers(r, E.x.m, E.f, res, d));
	rules_objectives(res, &obj);
	analyze_objectives(E.f, E.x.m, &obj);
	assert_true(rules_run_policy(r, E.x.m, E.f, res, d));
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs("return { build = function() return { sections = { 1 } } end }\n", fp);
	fclose(fp);
	assert_false(rules_run_runbooks(r, E.x.m, E.f, res, d));
	if (!find_diag(d, "changed while drgen was running")) {
		char *all = fx_diags(d);
		fail_msg("an edited rule file was not refused:\n%s", all);
	}
	rules_results_free(res);
	rules_free(r);
	diags_free(d);
	unlink(path);
	rmdir(dir);
}

static void test_override_and_files_recorded(void **state)
{
	bool ok;
	struct rules_results *res;
	struct diags *d = run_tiers_with("override", &ok, &res);
	char *all = fx_diags(d);

	(void)state;
	if (!ok)
		fail_msg("override failed:\n%s", all);
	/* Tier 1 above 250,000 and tier 2 above 25,000: 150,000 is tier 2,
	 * 20,000 tier 3. */
	assert_int_equal(res->tiers[0].tier, 2);
	assert_int_equal(res->tiers[1].tier, 3);
	assert_string_equal(res->tiers[0].strategy, "active-passive multi-region");
	assert_string_equal(res->tiers[0].reason,
			    "revenue loss of 150,000 per hour is above 25,000");
	assert_string_equal(res->levels[0].criterion, "revenue loss above 250,000 per hour");
	assert_string_equal(res->levels[2].criterion, "revenue loss above 1,000 per hour");
	/* Both files are recorded: the override and the shipped rule it extends. */
	assert_int_equal(res->n_files, 2);
	assert_true(ends_with(res->files[0].path, "tests/rules/override/tiers.lua"));
	assert_true(ends_with(res->files[1].path, "lua/tiers.lua"));
	assert_string_equal(res->files[0].name, "tiers");
	assert_int_equal(strlen(res->files[0].sha256), 64);
	assert_string_not_equal(res->files[0].sha256, res->files[1].sha256);
	free(all);
	rules_results_free(res);
	diags_free(d);
}

static void test_override_classify(void **state)
{
	bool ok;
	struct rules_results *res;
	struct diags *d;

	(void)state;
	E.x.m->services[1].impact.regulatory = true;
	d = run_tiers_with("override_classify", &ok, &res);
	E.x.m->services[1].impact.regulatory = false;
	assert_true(ok);
	assert_int_equal(res->tiers[0].tier, 1);
	assert_int_equal(res->tiers[1].tier, 2);   /* 20,000 is tier 2 anyway */
	rules_results_free(res);
	diags_free(d);

	E.x.m->services[1].impact.revenue_loss_per_hour = 50;
	E.x.m->services[1].impact.regulatory = true;
	d = run_tiers_with("override_classify", &ok, &res);
	E.x.m->services[1].impact.revenue_loss_per_hour = 20000;
	E.x.m->services[1].impact.regulatory = false;
	assert_true(ok);
	assert_int_equal(res->tiers[1].tier, 2);
	assert_non_null(strstr(res->tiers[1].reason, "regulated, so at least tier 2"));
	rules_results_free(res);
	diags_free(d);
}

static void test_require(void **state)
{
	const char *dirs[2] = {fx_rules_dir("req"), fx_rules_dir("cycle")};
	struct diags *d = diags_new();
	struct rules *r = rules_new(dirs, 2);
	cJSON *out, *arg;

	(void)state;
	out = rules_call_json(r, E.x.m, E.f, E.res, "main", "run", NULL, d);
	if (!out) {
		char *all = fx_diags(d);
		fail_msg("require failed:\n%s", all);
	}
	assert_int_equal(cJSON_GetObjectItem(out, "twice")->valueint, 42);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(out, "same")));
	assert_int_equal(cJSON_GetObjectItem(out, "calls")->valueint, 1);
	cJSON_Delete(out);

	out = rules_call_json(r, E.x.m, E.f, E.res, "missing", "run", NULL, d);
	assert_null(out);
	assert_non_null(find_diag(d, "require: rule file no_such_rule.lua not found"));

	out = rules_call_json(r, E.x.m, E.f, E.res, "a", "run", NULL, d);
	assert_null(out);
	assert_non_null(find_diag(d, "requires itself (a cycle)"));

	/* Arguments arrive read-only; results come back as JSON. */
	arg = cJSON_Parse("{\"list\": [1, 2, 3], \"name\": \"x\"}");
	out = rules_call_json(r, E.x.m, E.f, E.res, "echo", "run", arg, d);
	assert_non_null(out);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(out, "writable")));
	assert_int_equal(cJSON_GetObjectItem(out, "n")->valueint, 3);
	assert_string_equal(cJSON_GetObjectItem(out, "period")->valuestring, "2026-10");
	assert_int_equal(cJSON_GetObjectItem(out, "services")->valueint, 2);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "arg"), "name")->valuestring,
			    "x");
	cJSON_Delete(arg);
	cJSON_Delete(out);

	/* Every field of every view, and views converted whole. */
	out = rules_call_json(r, E.x.m, E.f, E.res, "walk", "run", NULL, d);
	if (!out) {
		char *all = fx_diags(d);
		fail_msg("walk failed:\n%s", all);
	}
	assert_true(cJSON_GetObjectItem(out, "n")->valueint > 100);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "organization"),
			    "name")->valuestring, "Acme");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "store"),
			    "currency")->valuestring, "never");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "service"),
			    "id")->valuestring, "payments");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(out, "same")));
	assert_int_equal(cJSON_GetObjectItem(out, "len")->valueint, 2);
	assert_string_equal(cJSON_GetObjectItem(out, "regions")->valuestring, "primary");
	cJSON_Delete(out);

	size_t n;
	const struct rules_file *files;
	n = rules_files(r, &files);
	assert_true(n >= 5);   /* main, lib/util, missing, a, b, echo */
	rules_free(r);
	diags_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_os_execute),
		cmocka_unit_test(test_io_open),
		cmocka_unit_test(test_require_c_module),
		cmocka_unit_test(test_require_path),
		cmocka_unit_test(test_dofile_loadfile_loadlib),
		cmocka_unit_test(test_load_binary_string),
		cmocka_unit_test(test_string_dump),
		cmocka_unit_test(test_setmetatable_globals),
		cmocka_unit_test(test_debug_registry),
		cmocka_unit_test(test_metatables_hidden),
		cmocka_unit_test(test_endless_loop),
		cmocka_unit_test(test_loop_inside_pcall),
		cmocka_unit_test(test_memory_bomb),
		cmocka_unit_test(test_memory_inside_pcall),
		cmocka_unit_test(test_huge_allocation),
		cmocka_unit_test(test_deep_recursion),
		cmocka_unit_test(test_c_stack_recursion),
		cmocka_unit_test(test_write_model_view),
		cmocka_unit_test(test_rawset_view),
		cmocka_unit_test(test_gc_finalizer),
		cmocka_unit_test(test_load_sees_sandbox_only),
		cmocka_unit_test(test_pattern_bomb),
		cmocka_unit_test(test_pattern_method_gsub_gmatch),
		cmocka_unit_test(test_plain_find_bomb),
		cmocka_unit_test(test_patterns_unchanged),
		cmocka_unit_test(test_rep_of_empty_string),
		cmocka_unit_test(test_concat_bomb),
		cmocka_unit_test(test_sort_bad_comparator),
		cmocka_unit_test(test_format_width),
		cmocka_unit_test(test_utf8_bounded),
		cmocka_unit_test(test_print_flood),
		cmocka_unit_test(test_no_effect_afterwards),
		cmocka_unit_test(test_bad_tier_names_rule),
		cmocka_unit_test(test_runtime_error_position),
		cmocka_unit_test(test_syntax_error_position),
		cmocka_unit_test(test_rule_must_return_table),
		cmocka_unit_test(test_binary_rule_file_refused),
		cmocka_unit_test(test_rule_changed_between_stages),
		cmocka_unit_test(test_override_and_files_recorded),
		cmocka_unit_test(test_override_classify),
		cmocka_unit_test(test_require),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
