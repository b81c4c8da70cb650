/*
 * rules.c -- the rules stage: which rule functions run, on what, and the
 * checks of what they return.
 *
 * Policy in Lua, mechanism here.  This file knows the names of the rule
 * files and their functions (docs/rules.md is the contract), calls each
 * function once per subject (service, datastore, drill) with a read-only
 * view of the subject and the shared context, and copies the plain table
 * it returns into C structs after checking types and ranges.  It holds no
 * policy number: defaults live in the shipped lua/ files.
 *
 * Every entry point runs inside one protected call into the Lua state (a
 * Lua memory error while C reads results is caught there); each rule
 * function call is protected again by the sandbox, so one failing call
 * becomes one diagnostic.  After a runtime error a function is not called
 * for the remaining subjects (the build fails anyway, and one bug should
 * not print ten thousand lines); after MAX_CHECK_ERRORS bad results it
 * stops too.
 *
 * Results go into the results arena; only the cJSON trees (plan tables and
 * runbooks) are separately owned, and rules_results_free frees them.
 */
#include "rules.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "rules_int.h"
#include "source.h"

#define MAX_CHECK_ERRORS 10

static const char *const severities[] = {"critical", "high", "medium", "low", "info"};

/* ---- lifetime ----------------------------------------------------------- */

struct rules *rules_new(const char *const *dirs, size_t ndirs)
{
	struct rules *r = xcalloc(1, sizeof(*r));

	r->dirs = xcalloc(ndirs ? ndirs : 1, sizeof(*r->dirs));
	r->roots = xcalloc(ndirs ? ndirs : 1, sizeof(*r->roots));
	for (size_t i = 0; i < ndirs; i++) {
		if (dirs[i])
			r->dirs[r->ndirs++] = xstrdup(dirs[i]);
	}
	r->arena = arena_new();
	rules_sandbox_open(r);
	return r;
}

void rules_confine(struct rules *r, size_t i, const char *root)
{
	if (i >= r->ndirs)
		return;
	free(r->roots[i]);
	r->roots[i] = xstrdup(root);
}

void rules_finish(struct rules *r)
{
	if (r)
		rules_sandbox_close(r);
}

void rules_free(struct rules *r)
{
	if (!r)
		return;
	rules_sandbox_close(r);
	for (size_t i = 0; i < r->ndirs; i++) {
		free(r->dirs[i]);
		free(r->roots[i]);
	}
	free(r->dirs);
	free(r->roots);
	free(r->files);
	free(r->chunks);
	arena_free(r->arena);
	free(r);
}

struct rules_results *rules_results_new(const struct model *m)
{
	struct rules_results *res = xcalloc(1, sizeof(*res));

	(void)m;
	res->arena = arena_new();
	res->lag_tolerance_minutes = NAN;
	return res;
}

void rules_results_free(struct rules_results *res)
{
	if (!res)
		return;
	cJSON_Delete(res->levels_json);
	cJSON_Delete(res->cost_prices);
	cJSON_Delete(res->backup_policies);
	cJSON_Delete(res->backup_programme);
	cJSON_Delete(res->test_programme);
	for (size_t i = 0; res->runbooks && i < res->n_runbooks; i++)
		cJSON_Delete(res->runbooks[i]);
	arena_free(res->arena);
	free(res);
}

size_t rules_files(const struct rules *r, const struct rules_file **out)
{
	*out = r->files;
	return r->n_files;
}

size_t rules_memory(const struct rules *r)
{
	return r->mem_used;
}

void rules_objectives(const struct rules_results *res, struct objectives *out)
{
	out->tier = res->tier_of;
	out->rpo_minutes = res->rpo_of;
	out->multi_region = res->multi_region_of;
	out->lag_tolerance_minutes = res->lag_tolerance_minutes;
}

/* ---- one protected stage ------------------------------------------------ */

struct stage {
	struct rules *r;
	lua_State *L;
	const struct model *m;
	const struct facts *f;
	struct rules_results *res;       /* written; NULL for rules_call_json */
	const struct rules_results *view_res;  /* shown to the rules */
	struct diags *d;
	bool ok;
	struct strmap *interned;   /* arena strings of res, by value */
	/* findings collected so far (arena arrays of res, grown by doubling) */
	struct finding *findings;
	size_t n_findings, cap_findings;
	/* rules_call_json */
	const char *name, *fn;
	const cJSON *arg;
	cJSON *out;
};

typedef bool (*stage_body)(struct stage *s);

static int stage_protected(lua_State *L)
{
	struct stage *s = lua_touserdata(L, 1);
	stage_body body = *(stage_body *)lua_touserdata(L, 2);

	s->ok = body(s);
	return 0;
}

static void copy_files(struct stage *s)
{
	struct rules_results *res = s->res;
	struct rules *r = s->r;

	if (!res)
		return;
	res->files = arena_calloc(res->arena, r->n_files ? r->n_files : 1,
				  sizeof(*res->files));
	for (size_t i = 0; i < r->n_files; i++) {
		res->files[i] = r->files[i];
		res->files[i].name = arena_strdup(res->arena, r->files[i].name);
		res->files[i].path = arena_strdup(res->arena, r->files[i].path);
	}
	res->n_files = r->n_files;
}

static bool stage_run(struct stage *s, stage_body body)
{
	struct rules *r = s->r;
	lua_State *L = r->L;
	int top;
	int status;

	if (!L) {
		diag_add(s->d, DIAG_ERROR, NULL, 0, 0, NULL,
			 "rules: called after rules_finish (internal error)");
		return false;
	}
	top = lua_gettop(L);
	s->L = L;
	s->ok = false;
	r->m = s->m;
	r->f = s->f;
	r->res = s->res ? s->res : s->view_res;
	r->d = s->d;
	s->interned = strmap_new(64);
	r->json_arena = s->res ? s->res->arena : NULL;
	r->json_keys = s->interned;
	r->json_share = r->json_arena ? rules_share_new() : NULL;
	lua_pushcfunction(L, stage_protected);
	lua_pushlightuserdata(L, s);
	lua_pushlightuserdata(L, &body);
	status = lua_pcall(L, 2, 0, 0);
	if (status != LUA_OK) {
		diag_add(s->d, DIAG_ERROR, NULL, 0, 0, NULL,
			 "rules: %s", status == LUA_ERRMEM ?
			 "out of memory while reading rule results" :
			 lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) :
			 "internal error");
		cJSON_Delete(r->pending_json);
		r->pending_json = NULL;
		free(r->pending_conv);
		r->pending_conv = NULL;
		s->ok = false;
	}
	lua_settop(L, top);
	r->json_arena = NULL;
	r->json_keys = NULL;
	rules_share_free(r->json_share);
	r->json_share = NULL;
	strmap_free(s->interned);
	copy_files(s);
	r->d = NULL;
	return s->ok;
}

/* ---- checking returned tables ------------------------------------------- */

struct check {
	struct stage *s;
	const char *file;          /* where the rule function is defined */
	int line;
	const char *fn;            /* "classify" */
	const char *what;          /* "service" */
	const char *id;            /* "payments-api" */
	const char *prefix;        /* "levels[2]." for nested values, or "" */
	bool ok;
	unsigned errors;           /* over all subjects */
};

static void check_fail(struct check *c, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void check_fail(struct check *c, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (c->what && c->id)
		buf_printf(&b, " (in %s for %s \"%s\")", c->fn, c->what, c->id);
	else
		buf_printf(&b, " (in %s)", c->fn);
	diag_add(c->s->d, DIAG_ERROR, c->file, c->line, 0, NULL, "%s", b.data);
	buf_free(&b);
	c->ok = false;
	c->errors++;
}

/* A short description of the value at idx for "got ..." messages. */
static const char *describe(lua_State *L, int idx, char *buf, size_t size)
{
	if (lua_type(L, idx) == LUA_TNUMBER) {
		snprintf(buf, size, "%.10g", lua_tonumber(L, idx));
		return buf;
	}
	if (lua_type(L, idx) == LUA_TSTRING) {
		snprintf(buf, size, "\"%.40s\"", lua_tostring(L, idx));
		return buf;
	}
	return luaL_typename(L, idx);
}

/* Pushes t[key] (raw) and returns its type; t is an absolute index. */
static int field(lua_State *L, int t, const char *key)
{
	lua_pushstring(L, key);
	return lua_rawget(L, t);
}

static double get_num(struct check *c, int t, const char *key, bool required,
		      double lo, double hi, double dflt)
{
	lua_State *L = c->s->L;
	char tmp[64];
	double v = dflt;
	int type = field(L, t, key);

	if (type == LUA_TNIL) {
		if (required)
			check_fail(c, "missing number %s%s", c->prefix, key);
	} else if (type != LUA_TNUMBER) {
		check_fail(c, "%s%s must be a number, got %s", c->prefix, key,
			   describe(L, -1, tmp, sizeof(tmp)));
	} else {
		v = lua_tonumber(L, -1);
		if (isnan(v) || v < lo || v > hi) {
			check_fail(c, "%s%s must be from %g to %g, got %s", c->prefix,
				   key, lo, hi, describe(L, -1, tmp, sizeof(tmp)));
			v = dflt;
		}
	}
	lua_pop(L, 1);
	return v;
}

static int get_int(struct check *c, int t, const char *key, bool required,
		   int lo, int hi, int dflt)
{
	lua_State *L = c->s->L;
	char tmp[64];
	int v = dflt, type = field(L, t, key);
	lua_Integer k;
	int isint;

	if (type == LUA_TNIL) {
		if (required)
			check_fail(c, "missing integer %s%s", c->prefix, key);
		lua_pop(L, 1);
		return v;
	}
	k = lua_tointegerx(L, -1, &isint);
	if (type != LUA_TNUMBER || !isint || k < lo || k > hi)
		check_fail(c, "%s%s must be an integer from %d to %d, got %s",
			   c->prefix, key, lo, hi, describe(L, -1, tmp, sizeof(tmp)));
	else
		v = (int)k;
	lua_pop(L, 1);
	return v;
}

static bool get_bool(struct check *c, int t, const char *key, bool required,
		     bool dflt)
{
	lua_State *L = c->s->L;
	char tmp[64];
	bool v = dflt;
	int type = field(L, t, key);

	if (type == LUA_TNIL) {
		if (required)
			check_fail(c, "missing boolean %s%s", c->prefix, key);
	} else if (type != LUA_TBOOLEAN) {
		check_fail(c, "%s%s must be true or false, got %s", c->prefix, key,
			   describe(L, -1, tmp, sizeof(tmp)));
	} else {
		v = lua_toboolean(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

/* A copy in the results arena, the same pointer for equal strings. */
static const char *intern(struct stage *s, const char *str, size_t len)
{
	const char *p;

	if (!s->res)      /* rules_call_json checks nothing it must keep */
		return "";
	p = strmap_getn(s->interned, str, len);

	if (!p) {
		char *copy = arena_strndup(s->res->arena, str, len);
		strmap_put(s->interned, copy, copy);
		p = copy;
	}
	return p;
}

/*
 * A string field.  Short repeated values (kinds, names) are interned; free
 * text is copied as it is (interning every message cost more than it saved).
 */
static const char *get_string(struct check *c, int t, const char *key,
			      bool required, const char *dflt, bool share)
{
	lua_State *L = c->s->L;
	char tmp[64];
	const char *v = dflt;
	int type = field(L, t, key);

	if (type == LUA_TNIL) {
		if (required)
			check_fail(c, "missing string %s%s", c->prefix, key);
	} else if (type != LUA_TSTRING) {
		check_fail(c, "%s%s must be a string, got %s", c->prefix, key,
			   describe(L, -1, tmp, sizeof(tmp)));
	} else {
		size_t len, bad;
		const char *s = lua_tolstring(L, -1, &len);
		c->s->r->results_bytes += len + 1;
		if (strlen(s) != len || !source_utf8_valid(s, len, &bad))
			check_fail(c, "%s%s must be UTF-8 text without NUL bytes",
				   c->prefix, key);
		else if (c->s->r->results_bytes > RULES_RESULTS_MAX)
			check_fail(c, "rule results exceed %u MiB in total (a rule returns too much)",
				   RULES_RESULTS_MAX >> 20);
		else if (required && len == 0)
			check_fail(c, "%s%s must not be empty", c->prefix, key);
		else if (share)
			v = intern(c->s, s, len);
		else
			v = c->s->res ? arena_strndup(c->s->res->arena, s, len) : "";
	}
	lua_pop(L, 1);
	return v;
}

static const char *get_str(struct check *c, int t, const char *key,
			   bool required, const char *dflt)
{
	return get_string(c, t, key, required, dflt, true);
}

static const char *get_text(struct check *c, int t, const char *key,
			    bool required, const char *dflt)
{
	return get_string(c, t, key, required, dflt, false);
}

/* Starts checking the value on top of the stack, which must be a table. */
static bool check_table(struct check *c, const char *what_table)
{
	lua_State *L = c->s->L;
	char tmp[64];

	c->ok = true;
	c->prefix = "";
	if (lua_type(L, -1) == LUA_TTABLE && !rules_view_is_readonly(L, -1))
		return true;
	check_fail(c, "expected %s, got %s", what_table,
		   describe(L, -1, tmp, sizeof(tmp)));
	return false;
}

/* Pushes the function `fn` of the module at mod (or returns false). */
static bool get_function(struct stage *s, int mod, const char *name,
			 const char *fn, bool required, struct check *c)
{
	lua_State *L = s->L;

	memset(c, 0, sizeof(*c));
	c->s = s;
	c->fn = fn;
	c->prefix = "";
	c->ok = true;
	if (field(L, mod, fn) == LUA_TFUNCTION) {
		rules_sandbox_funcpos(s->r, -1, &c->file, &c->line);
		if (!c->file)
			c->file = rules_sandbox_path(s->r, name);
		return true;
	}
	if (required || !lua_isnil(L, -1))
		diag_add(s->d, DIAG_ERROR, rules_sandbox_path(s->r, name), 0, 0, NULL,
			 "rule file must define function %s, got %s", fn,
			 luaL_typename(L, -1));
	lua_pop(L, 1);
	return false;
}

/* A module field converted to JSON (optional unless required). */
static cJSON *get_json(struct stage *s, int mod, const char *name,
		       const char *key, bool required)
{
	lua_State *L = s->L;
	struct buf err = BUF_INIT;
	cJSON *j = NULL;

	if (field(L, mod, key) == LUA_TNIL) {
		if (required)
			diag_add(s->d, DIAG_ERROR, rules_sandbox_path(s->r, name), 0, 0,
				 NULL, "rule file must define table %s", key);
	} else if (lua_type(L, -1) != LUA_TTABLE) {
		diag_add(s->d, DIAG_ERROR, rules_sandbox_path(s->r, name), 0, 0, NULL,
			 "%s must be a table, got %s", key, luaL_typename(L, -1));
	} else if (!(j = rules_view_to_json(s->r, -1, &err))) {
		diag_add(s->d, DIAG_ERROR, rules_sandbox_path(s->r, name), 0, 0, NULL,
			 "%s: %s", key, err.data);
	}
	lua_pop(L, 1);
	buf_free(&err);
	return j;
}

/* ---- findings ----------------------------------------------------------- */

static bool kind_valid(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++) {
		if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_'))
			return false;
	}
	return true;
}

static int severity_rank(const char *sev)
{
	for (size_t i = 0; i < ARRAY_LEN(severities); i++) {
		if (strcmp(sev, severities[i]) == 0)
			return (int)i;
	}
	return -1;
}

/*
 * Reads the list of findings on top of the stack (nil is an empty list)
 * raised by rule file `rule`; returns how many were added.
 */
static size_t read_findings(struct check *c, const char *rule)
{
	struct stage *s = c->s;
	lua_State *L = s->L;
	int list = lua_gettop(L);
	size_t n, added = 0;
	char tmp[64];

	if (lua_isnil(L, list))
		return 0;
	if (lua_type(L, list) != LUA_TTABLE) {
		check_fail(c, "findings must be a list, got %s",
			   describe(L, list, tmp, sizeof(tmp)));
		return 0;
	}
	n = lua_rawlen(L, list);
	for (size_t i = 1; i <= n && c->errors < MAX_CHECK_ERRORS; i++) {
		char prefix[48];
		struct finding f = {0};
		bool ok_before = c->ok;

		snprintf(prefix, sizeof(prefix), "findings[%zu].", i);
		if (lua_rawgeti(L, list, (lua_Integer)i) != LUA_TTABLE) {
			check_fail(c, "findings[%zu] must be a table, got %s", i,
				   describe(L, -1, tmp, sizeof(tmp)));
			lua_pop(L, 1);
			continue;
		}
		int t = lua_gettop(L);
		c->ok = true;
		c->prefix = prefix;
		f.kind = get_str(c, t, "kind", true, NULL);
		f.severity = get_str(c, t, "severity", true, NULL);
		f.subject = get_text(c, t, "subject", true, NULL);
		f.message = get_text(c, t, "message", true, NULL);
		f.recommendation = get_text(c, t, "recommendation", true, NULL);
		f.ref = get_text(c, t, "ref", false, NULL);
		if (f.kind && !kind_valid(f.kind))
			check_fail(c, "%skind must be lowercase letters, digits and _, got \"%s\"",
				   prefix, f.kind);
		if (f.severity && severity_rank(f.severity) < 0)
			check_fail(c, "%sseverity must be critical, high, medium, low or info, got \"%s\"",
				   prefix, f.severity);
		lua_pop(L, 1);
		c->prefix = "";
		if (!c->ok)
			continue;
		c->ok = ok_before;
		f.rule = intern(s, rule, strlen(rule));
		s->r->results_bytes += sizeof(f);
		if (s->n_findings == s->cap_findings) {
			size_t cap = s->cap_findings ? s->cap_findings * 2 : 64;
			struct finding *nf = arena_alloc(s->res->arena, cap * sizeof(*nf));
			if (s->n_findings)
				memcpy(nf, s->findings, s->n_findings * sizeof(*nf));
			s->findings = nf;
			s->cap_findings = cap;
		}
		s->findings[s->n_findings++] = f;
		added++;
	}
	return added;
}

static int cmp_opt(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int finding_cmp(const void *pa, const void *pb)
{
	const struct finding *a = pa, *b = pb;
	int c = severity_rank(a->severity) - severity_rank(b->severity);

	if (!c)
		c = strcmp(a->kind, b->kind);
	if (!c)
		c = strcmp(a->subject, b->subject);
	if (!c)
		c = cmp_opt(a->ref, b->ref);
	if (!c)
		c = strcmp(a->message, b->message);
	if (!c)
		c = strcmp(a->rule, b->rule);
	return c;
}

/* Sorts the findings and gives each a stable id: kind/subject[/ref][#n]. */
static void finish_findings(struct stage *s)
{
	struct rules_results *res = s->res;
	struct strmap *seen = strmap_new(s->n_findings + 1);

	if (s->n_findings > 0)  /* findings is NULL when no rule found anything */
		qsort(s->findings, s->n_findings, sizeof(*s->findings), finding_cmp);
	for (size_t i = 0; i < s->n_findings; i++) {
		struct finding *f = &s->findings[i];
		char *id = f->ref ?
			arena_printf(res->arena, "%s/%s/%s", f->kind, f->subject, f->ref) :
			arena_printf(res->arena, "%s/%s", f->kind, f->subject);
		char *base = id;
		for (unsigned k = 2; strmap_get(seen, id); k++)
			id = arena_printf(res->arena, "%s#%u", base, k);
		strmap_put(seen, id, id);
		f->id = id;
	}
	strmap_free(seen);
	res->findings = s->findings;
	res->n_findings = s->n_findings;
}

/* ---- tiers.lua ---------------------------------------------------------- */

static bool read_levels(struct stage *s, int mod)
{
	lua_State *L = s->L;
	struct rules_results *res = s->res;
	const char *path = rules_sandbox_path(s->r, "tiers");
	struct check c = {0};
	char prefix[32];
	int t;

	c.s = s;
	c.file = path;
	c.fn = "levels";
	c.ok = true;
	if (field(L, mod, "levels") != LUA_TTABLE || lua_rawlen(L, -1) != RULES_TIERS) {
		diag_add(s->d, DIAG_ERROR, path, 0, 0, NULL,
			 "rule file must define levels, a list of %d tables (tiers 1 to %d)",
			 RULES_TIERS, RULES_TIERS);
		lua_pop(L, 1);
		return false;
	}
	t = lua_gettop(L);
	for (int i = 1; i <= RULES_TIERS; i++) {
		struct tier_level *lv = &res->levels[i - 1];
		char tmp[64];

		if (lua_rawgeti(L, t, i) != LUA_TTABLE) {
			check_fail(&c, "levels[%d] must be a table, got %s", i,
				   describe(L, -1, tmp, sizeof(tmp)));
			lua_pop(L, 1);
			continue;
		}
		int e = lua_gettop(L);
		snprintf(prefix, sizeof(prefix), "levels[%d].", i);
		c.prefix = prefix;
		lv->tier = get_int(&c, e, "tier", true, i, i, i);
		lv->name = get_str(&c, e, "name", true, "");
		lv->criterion = get_text(&c, e, "criterion", false, NULL);
		lv->rpo_minutes = get_num(&c, e, "rpo_minutes", true, 0, 1e9, NAN);
		lv->rto_minutes = get_num(&c, e, "rto_minutes", true, 0, 1e9, NAN);
		lv->strategy = get_str(&c, e, "strategy", true, "");
		lv->dr_multiplier = get_num(&c, e, "dr_multiplier", true, 1, 1000, NAN);
		lv->multi_region = get_bool(&c, e, "multi_region", false, false);
		lua_pop(L, 1);
	}
	c.prefix = "";
	if (c.ok) {
		struct buf err = BUF_INIT;
		res->levels_json = rules_view_to_json(s->r, t, &err);
		if (!res->levels_json)
			check_fail(&c, "levels: %s", err.data);
		buf_free(&err);
	}
	lua_pop(L, 1);
	if (!c.ok)
		memset(res->levels, 0, sizeof(res->levels));
	return c.ok;
}

static bool tiers_body(struct stage *s)
{
	lua_State *L = s->L;
	struct rules_results *res = s->res;
	const struct model *m = s->m;
	struct check c;
	int mod, fn, ctx;
	bool ok = true;

	if (!rules_sandbox_module(s->r, "tiers", s->d))
		return false;
	mod = lua_gettop(L);
	if (!read_levels(s, mod))
		ok = false;
	if (field(L, mod, "currency_grace_minutes") == LUA_TNUMBER &&
	    lua_tonumber(L, -1) >= 0) {
		res->lag_tolerance_minutes = lua_tonumber(L, -1);
	} else {
		diag_add(s->d, DIAG_ERROR, rules_sandbox_path(s->r, "tiers"), 0, 0,
			 NULL, "rule file must define currency_grace_minutes, a number >= 0");
		ok = false;
	}
	lua_pop(L, 1);
	if (!get_function(s, mod, "tiers", "classify", true, &c) || !ok)
		return false;
	fn = lua_gettop(L);
	rules_view_push_ctx(s->r);      /* before res->tiers exists: no ctx.tiers */
	ctx = lua_gettop(L);

	size_t n = m->n_services;
	struct service_tier *tiers = arena_calloc(res->arena, n ? n : 1, sizeof(*tiers));
	res->tier_of = arena_calloc(res->arena, n ? n : 1, sizeof(*res->tier_of));
	res->rpo_of = arena_calloc(res->arena, n ? n : 1, sizeof(*res->rpo_of));
	res->multi_region_of = arena_calloc(res->arena, n ? n : 1,
					    sizeof(*res->multi_region_of));
	c.what = "service";
	for (size_t i = 0; i < n && c.errors < MAX_CHECK_ERRORS; i++) {
		struct service_tier *st = &tiers[i];
		const struct tier_level *lv;
		int t;

		c.id = m->services[i].id;
		lua_pushvalue(L, fn);
		rules_view_push_service(s->r, i);
		lua_pushvalue(L, ctx);
		if (!rules_sandbox_call(s->r, 2, "tiers", "classify", "service",
					c.id, s->d)) {
			ok = false;
			break;
		}
		t = lua_gettop(L);
		if (!check_table(&c, "a table {tier = 1..4, ...}")) {
			ok = false;
			lua_pop(L, 1);
			continue;
		}
		st->tier = get_int(&c, t, "tier", true, 1, RULES_TIERS, 0);
		if (st->tier < 1) {
			ok = false;
			lua_pop(L, 1);
			continue;
		}
		lv = &res->levels[st->tier - 1];
		st->tier_name = get_str(&c, t, "tier_name", false, lv->name);
		st->overridden = get_bool(&c, t, "overridden", false, false);
		st->unclassified = get_bool(&c, t, "unclassified", false, false);
		st->reason = get_text(&c, t, "reason", false, NULL);
		st->rpo_minutes = get_num(&c, t, "rpo_minutes", false, 0, 1e9,
					  lv->rpo_minutes);
		st->rto_minutes = get_num(&c, t, "rto_minutes", false, 0, 1e9,
					  lv->rto_minutes);
		st->strategy = get_str(&c, t, "strategy", false, lv->strategy);
		st->dr_multiplier = get_num(&c, t, "dr_multiplier", false, 1, 1000,
					    lv->dr_multiplier);
		st->multi_region = get_bool(&c, t, "multi_region", false,
					    lv->multi_region);
		if (!c.ok)
			ok = false;
		res->tier_of[i] = st->tier;
		res->rpo_of[i] = st->rpo_minutes;
		res->multi_region_of[i] = st->multi_region;
		lua_pop(L, 1);
	}
	if (ok) {
		res->tiers = tiers;
		res->n_tiers = n;
	} else {
		res->tier_of = NULL;
		res->rpo_of = NULL;
		res->multi_region_of = NULL;
	}
	return ok;
}

bool rules_run_tiers(struct rules *r, const struct model *m,
		     const struct facts *f, struct rules_results *res,
		     struct diags *d)
{
	struct stage s = {.r = r, .m = m, .f = f, .res = res, .d = d};

	return stage_run(&s, tiers_body);
}

/* ---- cost.lua ----------------------------------------------------------- */

static bool cost_body(struct stage *s)
{
	lua_State *L = s->L;
	struct rules_results *res = s->res;
	const struct model *m = s->m;
	struct check c;
	int mod, fn, ctx;
	bool ok = true;

	if (!rules_sandbox_module(s->r, "cost", s->d))
		return false;
	mod = lua_gettop(L);
	res->cost_prices = get_json(s, mod, "cost", "prices", false);
	if (!get_function(s, mod, "cost", "estimate", true, &c))
		return false;
	fn = lua_gettop(L);
	rules_view_push_ctx(s->r);
	ctx = lua_gettop(L);

	size_t n = m->n_services;
	struct service_cost *costs = arena_calloc(res->arena, n ? n : 1, sizeof(*costs));
	double total = 0, by_tier[RULES_TIERS] = {0};
	c.what = "service";
	for (size_t i = 0; i < n && c.errors < MAX_CHECK_ERRORS; i++) {
		struct service_cost *sc = &costs[i];
		int t;

		c.id = m->services[i].id;
		lua_pushvalue(L, fn);
		rules_view_push_service(s->r, i);
		lua_pushvalue(L, ctx);
		if (!rules_sandbox_call(s->r, 2, "cost", "estimate", "service",
					c.id, s->d)) {
			ok = false;
			break;
		}
		t = lua_gettop(L);
		if (!check_table(&c, "a table {dr_monthly_cost = n, ...}")) {
			ok = false;
			lua_pop(L, 1);
			continue;
		}
		sc->dr_monthly_cost = get_num(&c, t, "dr_monthly_cost", true, 0, 1e15, 0);
		sc->infrastructure = get_num(&c, t, "infrastructure", false, 0, 1e15, NAN);
		sc->storage = get_num(&c, t, "storage", false, 0, 1e15, NAN);
		if (!c.ok)
			ok = false;
		total += sc->dr_monthly_cost;
		by_tier[res->tiers[i].tier - 1] += sc->dr_monthly_cost;
		lua_pop(L, 1);
	}
	if (ok) {
		res->costs = costs;
		res->cost_total = round(total * 100) / 100;
		for (int k = 0; k < RULES_TIERS; k++)
			res->cost_by_tier[k] = round(by_tier[k] * 100) / 100;
	}
	return ok;
}

/* ---- backup_policy.lua -------------------------------------------------- */

static bool backup_body(struct stage *s)
{
	lua_State *L = s->L;
	struct rules_results *res = s->res;
	const struct model *m = s->m;
	const char *path;
	struct check c;
	int mod, fn, ctx, pol;
	bool ok = true;

	if (!rules_sandbox_module(s->r, "backup_policy", s->d))
		return false;
	mod = lua_gettop(L);
	path = rules_sandbox_path(s->r, "backup_policy");
	if (field(L, mod, "policies") != LUA_TTABLE) {
		diag_add(s->d, DIAG_ERROR, path, 0, 0, NULL,
			 "rule file must define policies, a table by criticality");
		return false;
	}
	pol = lua_gettop(L);
	for (int k = 0; k < CRIT_COUNT; k++) {
		if (field(L, pol, model_criticality_names[k]) != LUA_TTABLE) {
			diag_add(s->d, DIAG_ERROR, path, 0, 0, NULL,
				 "policies.%s must be a table", model_criticality_names[k]);
			ok = false;
		}
		lua_pop(L, 1);
	}
	res->backup_policies = get_json(s, mod, "backup_policy", "policies", true);
	res->backup_programme = get_json(s, mod, "backup_policy", "programme", false);
	if (!res->backup_policies)
		ok = false;
	if (!get_function(s, mod, "backup_policy", "check", true, &c) || !ok)
		return false;
	fn = lua_gettop(L);
	rules_view_push_ctx(s->r);
	ctx = lua_gettop(L);

	size_t n = m->n_datastores;
	struct datastore_policy *dp = arena_calloc(res->arena, n ? n : 1, sizeof(*dp));
	c.what = "datastore";
	for (size_t i = 0; i < n && c.errors < MAX_CHECK_ERRORS; i++) {
		int t;

		c.id = m->datastores[i].id;
		lua_pushvalue(L, fn);
		rules_view_push_datastore(s->r, i);
		lua_pushvalue(L, ctx);
		if (!rules_sandbox_call(s->r, 2, "backup_policy", "check", "datastore",
					c.id, s->d)) {
			ok = false;
			break;
		}
		t = lua_gettop(L);
		if (!check_table(&c, "a table {policy = name, findings = {...}}")) {
			ok = false;
			lua_pop(L, 1);
			continue;
		}
		dp[i].policy = get_str(&c, t, "policy", true, NULL);
		if (dp[i].policy) {
			lua_pushstring(L, dp[i].policy);
			if (lua_rawget(L, pol) == LUA_TNIL)
				check_fail(&c, "policy \"%s\" is not a key of policies",
					   dp[i].policy);
			lua_pop(L, 1);
		}
		field(L, t, "findings");
		dp[i].n_gaps = read_findings(&c, "backup_policy");
		lua_pop(L, 1);
		if (!c.ok)
			ok = false;
		lua_pop(L, 1);
	}
	if (ok)
		res->policies = dp;
	return ok;
}

/* ---- drills.lua --------------------------------------------------------- */

static double round4(double x)
{
	if (isnan(x))
		return x;
	return round(x * 10000.0) / 10000.0;
}

/*
 * A score's status: "pass", "fail" or "no_data"; absent, it follows passed.
 * passed must agree with it (only "pass" passes).
 */
static const char *get_score_status(struct check *c, int t, bool passed)
{
	const char *st = get_str(c, t, "status", false, NULL);

	if (!st)
		return passed ? "pass" : "fail";
	if (strcmp(st, "pass") && strcmp(st, "fail") && strcmp(st, "no_data")) {
		check_fail(c, "%sstatus must be \"pass\", \"fail\" or \"no_data\", got \"%s\"",
			   c->prefix, st);
		return passed ? "pass" : "fail";
	}
	if (passed != (strcmp(st, "pass") == 0))
		check_fail(c, "%spassed must be true exactly when status is \"pass\"", c->prefix);
	return st;
}

static void read_scores(struct check *c, int t, const struct drill *dr,
			struct drill_score *ds)
{
	struct stage *s = c->s;
	lua_State *L = s->L;
	char prefix[48], tmp[64];
	int list;

	ds->passed = get_bool(c, t, "passed", true, false);
	ds->status = get_score_status(c, t, ds->passed);
	ds->n_results = dr->n_results;
	ds->results = arena_calloc(s->res->arena, dr->n_results ? dr->n_results : 1,
				   sizeof(*ds->results));
	if (field(L, t, "results") != LUA_TTABLE) {
		if (!lua_isnil(L, -1) || dr->n_results)
			check_fail(c, "results must be a list of %zu tables, got %s",
				   dr->n_results, describe(L, -1, tmp, sizeof(tmp)));
		lua_pop(L, 1);
		return;
	}
	list = lua_gettop(L);
	if (lua_rawlen(L, list) != dr->n_results) {
		check_fail(c, "results must have one entry per drill result (%zu), got %zu",
			   dr->n_results, (size_t)lua_rawlen(L, list));
		lua_pop(L, 1);
		return;
	}
	for (size_t k = 0; k < dr->n_results; k++) {
		struct drill_result_score *rs = &ds->results[k];
		int e;

		if (lua_rawgeti(L, list, (lua_Integer)k + 1) != LUA_TTABLE) {
			check_fail(c, "results[%zu] must be a table, got %s", k + 1,
				   describe(L, -1, tmp, sizeof(tmp)));
			lua_pop(L, 1);
			continue;
		}
		e = lua_gettop(L);
		snprintf(prefix, sizeof(prefix), "results[%zu].", k + 1);
		c->prefix = prefix;
		rs->target_rto_minutes = get_num(c, e, "target_rto_minutes", false, 0, 1e9, NAN);
		rs->target_rpo_minutes = get_num(c, e, "target_rpo_minutes", false, 0, 1e9, NAN);
		rs->rto_achievement = round4(get_num(c, e, "rto_achievement", false, 0, 1, NAN));
		rs->rpo_achievement = round4(get_num(c, e, "rpo_achievement", false, 0, 1, NAN));
		rs->passed = get_bool(c, e, "passed", true, false);
		rs->status = get_score_status(c, e, rs->passed);
		rs->reason = get_text(c, e, "reason", false, NULL);
		c->prefix = "";
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

static bool drills_body(struct stage *s)
{
	lua_State *L = s->L;
	struct rules_results *res = s->res;
	const struct model *m = s->m;
	struct check c, cs;
	int mod, fn, ctx, fn_check = 0;
	bool ok = true;

	if (!rules_sandbox_module(s->r, "drills", s->d))
		return false;
	mod = lua_gettop(L);
	res->test_programme = get_json(s, mod, "drills", "programme", false);
	if (!get_function(s, mod, "drills", "score", true, &c))
		return false;
	fn = lua_gettop(L);
	if (get_function(s, mod, "drills", "check", false, &cs))
		fn_check = lua_gettop(L);
	rules_view_push_ctx(s->r);
	ctx = lua_gettop(L);

	size_t n = m->n_drills;
	struct drill_score *ds = arena_calloc(res->arena, n ? n : 1, sizeof(*ds));
	c.what = "drill";
	for (size_t i = 0; i < n && c.errors < MAX_CHECK_ERRORS; i++) {
		int t;

		c.id = m->drills[i].id;
		lua_pushvalue(L, fn);
		rules_view_push_drill(s->r, i);
		lua_pushvalue(L, ctx);
		if (!rules_sandbox_call(s->r, 2, "drills", "score", "drill", c.id, s->d)) {
			ok = false;
			break;
		}
		t = lua_gettop(L);
		if (!check_table(&c, "a table {passed = bool, results = {...}}")) {
			ok = false;
			lua_pop(L, 1);
			continue;
		}
		read_scores(&c, t, &m->drills[i], &ds[i]);
		field(L, t, "findings");
		read_findings(&c, "drills");
		lua_pop(L, 1);
		if (!c.ok)
			ok = false;
		lua_pop(L, 1);
	}
	if (ok)
		res->drills = ds;

	cs.what = "service";
	for (size_t i = 0; fn_check && i < m->n_services &&
	     cs.errors < MAX_CHECK_ERRORS; i++) {
		cs.id = m->services[i].id;
		lua_pushvalue(L, fn_check);
		rules_view_push_service(s->r, i);
		lua_pushvalue(L, ctx);
		if (!rules_sandbox_call(s->r, 2, "drills", "check", "service",
					cs.id, s->d)) {
			ok = false;
			break;
		}
		cs.ok = true;
		read_findings(&cs, "drills");
		if (!cs.ok)
			ok = false;
		lua_pop(L, 1);
	}
	return ok;
}

/* ---- runbook.lua -------------------------------------------------------- */

static bool runbook_body(struct stage *s)
{
	lua_State *L = s->L;
	struct rules_results *res = s->res;
	const struct model *m = s->m;
	struct check c;
	struct buf err = BUF_INIT;
	int mod, fn, ctx;
	bool ok = true;

	if (!rules_sandbox_module(s->r, "runbook", s->d))
		return false;
	mod = lua_gettop(L);
	if (!get_function(s, mod, "runbook", "build", true, &c))
		return false;
	fn = lua_gettop(L);
	rules_view_push_ctx(s->r);
	ctx = lua_gettop(L);

	size_t n = m->n_services;
	res->runbooks = arena_calloc(res->arena, n ? n : 1, sizeof(*res->runbooks));
	res->n_runbooks = n;
	c.what = "service";
	for (size_t i = 0; i < n && c.errors < MAX_CHECK_ERRORS; i++) {
		c.id = m->services[i].id;
		lua_pushvalue(L, fn);
		rules_view_push_service(s->r, i);
		lua_pushvalue(L, ctx);
		if (!rules_sandbox_call(s->r, 2, "runbook", "build", "service", c.id, s->d)) {
			ok = false;
			break;
		}
		if (!check_table(&c, "a table of runbook sections")) {
			ok = false;
			lua_pop(L, 1);
			continue;
		}
		buf_reset(&err);
		res->runbooks[i] = rules_view_to_json(s->r, -1, &err);
		if (!res->runbooks[i]) {
			check_fail(&c, "%s", err.data);
			ok = false;
		} else if (!cJSON_IsObject(res->runbooks[i])) {
			check_fail(&c, "%s", "expected a table with named fields (an object)");
			ok = false;
		}
		lua_pop(L, 1);
	}
	buf_free(&err);
	return ok;
}

/* ---- findings(ctx) of every rule file ----------------------------------- */

static bool findings_body(struct stage *s)
{
	static const char *const names[] = {"tiers", "cost", "backup_policy",
					    "drills", "runbook"};
	lua_State *L = s->L;
	bool ok = true;
	int ctx;

	rules_view_push_ctx(s->r);
	ctx = lua_gettop(L);
	for (size_t k = 0; k < ARRAY_LEN(names); k++) {
		struct check c;
		int mod;

		if (!rules_sandbox_module(s->r, names[k], s->d))
			continue;   /* reported by its own stage */
		mod = lua_gettop(L);
		if (!get_function(s, mod, names[k], "findings", false, &c)) {
			lua_settop(L, ctx);
			continue;
		}
		lua_pushvalue(L, ctx);
		if (!rules_sandbox_call(s->r, 1, names[k], "findings", NULL, NULL, s->d)) {
			ok = false;
			lua_settop(L, ctx);
			continue;
		}
		read_findings(&c, names[k]);
		if (!c.ok)
			ok = false;
		lua_settop(L, ctx);
	}
	return ok;
}

static bool policy_body(struct stage *s)
{
	lua_State *L = s->L;
	int top = lua_gettop(L);
	bool ok = true;

	if (!s->res->tiers) {
		diag_add(s->d, DIAG_ERROR, NULL, 0, 0, NULL,
			 "rules: the tier rule has not run (internal error)");
		return false;
	}
	ok &= cost_body(s);
	lua_settop(L, top);
	ok &= backup_body(s);
	lua_settop(L, top);
	ok &= drills_body(s);
	lua_settop(L, top);
	ok &= findings_body(s);
	lua_settop(L, top);
	finish_findings(s);
	return ok;
}

bool rules_run_policy(struct rules *r, const struct model *m,
		      const struct facts *f, struct rules_results *res,
		      struct diags *d)
{
	struct stage s = {.r = r, .m = m, .f = f, .res = res, .d = d};

	return stage_run(&s, policy_body);
}

bool rules_run_runbooks(struct rules *r, const struct model *m,
			const struct facts *f, struct rules_results *res,
			struct diags *d)
{
	struct stage s = {.r = r, .m = m, .f = f, .res = res, .d = d};

	rules_sandbox_close(r);   /* if rules_finish has not already */
	rules_sandbox_open(r);
	return stage_run(&s, runbook_body);
}

/* ---- generic calls ------------------------------------------------------ */

static bool call_body(struct stage *s)
{
	lua_State *L = s->L;
	struct buf err = BUF_INIT;
	struct check c;
	int mod;

	if (!rules_sandbox_module(s->r, s->name, s->d))
		return false;
	mod = lua_gettop(L);
	if (!get_function(s, mod, s->name, s->fn, true, &c))
		return false;
	rules_view_push_json(L, s->arg);
	rules_view_push_ctx(s->r);
	if (!rules_sandbox_call(s->r, 2, s->name, s->fn, NULL, NULL, s->d))
		return false;
	s->out = rules_view_to_json(s->r, -1, &err);
	if (!s->out)
		check_fail(&c, "%s", err.data);
	buf_free(&err);
	return s->out != NULL;
}

cJSON *rules_call_json(struct rules *r, const struct model *m,
		       const struct facts *f, const struct rules_results *res,
		       const char *name, const char *fn, const cJSON *arg,
		       struct diags *d)
{
	struct stage s = {.r = r, .m = m, .f = f, .view_res = res, .d = d,
			  .name = name, .fn = fn, .arg = arg};

	if (!stage_run(&s, call_body)) {
		cJSON_Delete(s.out);
		return NULL;
	}
	return s.out;
}
