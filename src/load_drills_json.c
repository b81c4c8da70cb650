/*
 * load_drills_json.c -- drills from drgen's JSON format (drills/<name>.json).
 *
 * A file holds one drill object or an array of them (SPEC 2.3,
 * docs/drill-format.md).  jsonpos scans the text first (syntax messages
 * with line and column, a nesting limit), then cJSON builds the tree; the
 * walk below keeps the jsonpos node beside each cJSON item, so every
 * diagnostic names line, column and JSON pointer at O(1) cost.
 *
 * Conventions of the walk: each object is read once into slots by a table
 * of known keys (unknown keys and repeated keys are errors); an
 * optional key whose value is null counts as absent; a wrong value is
 * reported and left absent (NAN, DATE_NONE, NULL), so one run reports every
 * problem.  c->ptr always holds the JSON pointer of the value being read.
 */
#include "load_drills.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "dates.h"
#include "jsonpos.h"

/* Drill files are shallow (array, drill, results, result, value). */
#define DRILL_JSON_MAX_DEPTH 64

struct jctx {
	struct model *m;
	const char *file;
	struct diags *d;
	const struct jsonpos *idx;
	struct buf ptr;          /* JSON pointer of the current value */
	struct load_drills_quotes q;
	bool error;
};

/* A value of the document: the cJSON item and its node in the index. */
struct jv {
	const cJSON *j;          /* NULL: absent */
	jsonpos_node n;
};

static const struct jv JV_NONE = {NULL, JSONPOS_NONE};

/* ---- diagnostics and pointers ---- */

PRINTF_LIKE(5, 6)
static void jdiag(struct jctx *c, enum diag_severity sev, struct jv v,
		  bool at_key, const char *fmt, ...)
{
	int line = 0, col = 0;
	va_list ap;

	if (v.n != JSONPOS_NONE &&
	    !(at_key && jsonpos_key_pos(c->idx, v.n, &line, &col)))
		jsonpos_value_pos(c->idx, v.n, &line, &col);
	if (sev == DIAG_ERROR)
		c->error = true;
	va_start(ap, fmt);
	diag_vadd(c->d, sev, c->file, line, col,
		  c->ptr.len ? c->ptr.data : NULL, fmt, ap);
	va_end(ap);
}

/* Appends "/key" (RFC 6901 escaped); returns the length to pop back to. */
static const char *quote(struct jctx *c, const char *s)
{
	return load_drills_quote(&c->q, s);
}

/* What was found, for "found ...": string "x", number 2.5, an array, ... */
static const char *describe(struct jctx *c, const cJSON *j)
{
	struct load_drills_quotes *q = &c->q;
	char *out;

	if (cJSON_IsString(j)) {
		const char *s = quote(c, j->valuestring);

		out = q->slot[q->next++ % ARRAY_LEN(q->slot)];
		snprintf(out, sizeof(q->slot[0]), "string %s", s);
		return out;
	}
	out = q->slot[q->next++ % ARRAY_LEN(q->slot)];
	if (cJSON_IsNumber(j))
		snprintf(out, sizeof(q->slot[0]), "number %.15g", j->valuedouble);
	else if (cJSON_IsTrue(j))
		snprintf(out, sizeof(q->slot[0]), "true");
	else if (cJSON_IsFalse(j))
		snprintf(out, sizeof(q->slot[0]), "false");
	else if (cJSON_IsNull(j))
		snprintf(out, sizeof(q->slot[0]), "null");
	else if (cJSON_IsArray(j))
		snprintf(out, sizeof(q->slot[0]), "an array");
	else
		snprintf(out, sizeof(q->slot[0]), "an object");
	return out;
}

/* ---- objects and typed values ---- */

/*
 * Reads the members of object obj into slots[0..n) by keys[]; absent keys
 * stay JV_NONE.  Unknown keys are errors (with a "did you mean" when one
 * is close: a drill file is written by people, issue 13 item 9), a key
 * given twice is an error (the first one counts).  what
 * names the object in messages ("drill", "issue").
 */
static void read_members(struct jctx *c, struct jv obj, const char *what,
			 const char *const *keys, size_t n, struct jv *slots)
{
	const cJSON *it;
	size_t i = 0;

	for (size_t k = 0; k < n; k++)
		slots[k] = JV_NONE;
	for (it = obj.j->child; it; it = it->next, i++) {
		struct jv v = {it, jsonpos_child(c->idx, obj.n, i)};
		const char *key = it->string ? it->string : "";
		int k = model_enum_find(keys, n, key);
		size_t old = jsonpos_ptr_push_key(&c->ptr, key);

		if (k < 0) {
			const char *hint = util_closest(key, keys, n);

			if (hint)
				jdiag(c, DIAG_ERROR, v, true,
				      "unknown key %s in %s, did you mean \"%s\"",
				      quote(c, key), what, hint);
			else
				jdiag(c, DIAG_ERROR, v, true,
				      "unknown key %s in %s", quote(c, key), what);
		} else if (slots[k].j) {
			jdiag(c, DIAG_ERROR, v, true, "duplicate key %s in %s",
			      quote(c, key), what);
		} else {
			slots[k] = v;
		}
		jsonpos_ptr_pop(&c->ptr, old);
	}
}

/*
 * Whether there is nothing to read at v: the key is missing (an error when
 * required; reported against obj), or optional and null.  A required key
 * that is null is not absent: its type check reports it.
 */
static bool absent(struct jctx *c, struct jv obj, struct jv v,
		   const char *key, const char *what, bool required)
{
	if (!v.j) {
		if (required)
			jdiag(c, DIAG_ERROR, obj, false,
			      "missing required key \"%s\" in %s", key, what);
		return true;
	}
	return !required && cJSON_IsNull(v.j);
}

/* A problem with the member key of the current object, at its value. */
PRINTF_LIKE(4, 5)
static void member_diag(struct jctx *c, struct jv v, const char *key,
			const char *fmt, ...)
{
	size_t old = jsonpos_ptr_push_key(&c->ptr, key);
	int line = 0, col = 0;
	va_list ap;

	if (v.n != JSONPOS_NONE)
		jsonpos_value_pos(c->idx, v.n, &line, &col);
	c->error = true;
	va_start(ap, fmt);
	diag_vadd(c->d, DIAG_ERROR, c->file, line, col, c->ptr.data, fmt, ap);
	va_end(ap);
	jsonpos_ptr_pop(&c->ptr, old);
}

static void wrong_type(struct jctx *c, struct jv v, const char *key,
		       const char *expected)
{
	member_diag(c, v, key, "wrong type for \"%s\": expected %s, found %s",
		    key, expected, describe(c, v.j));
}

/* A string member, copied into the arena; NULL when absent or wrong. */
static const char *get_string(struct jctx *c, struct jv obj, struct jv v,
			      const char *key, const char *what, bool required)
{
	if (absent(c, obj, v, key, what, required))
		return NULL;
	if (!cJSON_IsString(v.j)) {
		wrong_type(c, v, key, "a string");
		return NULL;
	}
	return arena_strdup(c->m->arena, v.j->valuestring);
}

/* A number in [lo, hi] (described by expected); NAN when absent or wrong. */
static double get_number(struct jctx *c, struct jv obj, struct jv v,
			 const char *key, double lo, double hi,
			 const char *expected)
{
	double x;

	if (absent(c, obj, v, key, NULL, false))
		return NAN;
	if (!cJSON_IsNumber(v.j)) {
		wrong_type(c, v, key, "a number");
		return NAN;
	}
	x = v.j->valuedouble;
	if (!isfinite(x))
		member_diag(c, v, key, "invalid value for \"%s\": number too large",
			    key);
	else if (x < lo || x > hi)
		member_diag(c, v, key,
			    "invalid value for \"%s\": expected %s, found %.15g",
			    key, expected, x);
	else
		return x;
	return NAN;
}

#define DATE_FORMS "YYYY-MM-DD or an RFC 3339 time with offset " \
	"(2026-10-01T09:30:00Z)"

/* A date ("YYYY-MM-DD" or RFC 3339 with offset); DATE_NONE when absent. */
static int64_t get_date(struct jctx *c, struct jv obj, struct jv v,
			const char *key, const char *what, bool required)
{
	char why[64];
	const char *s;
	int64_t t;

	if (absent(c, obj, v, key, what, required))
		return DATE_NONE;
	if (!cJSON_IsString(v.j)) {
		wrong_type(c, v, key, "a date (" DATE_FORMS ")");
		return DATE_NONE;
	}
	s = v.j->valuestring;
	if (date_parse_any(s, strlen(s), &t))
		return t;
	if (load_drills_date_impossible(s, why, sizeof(why)))
		member_diag(c, v, key, "impossible date %s for \"%s\": %s",
			    quote(c, s), key, why);
	else
		member_diag(c, v, key,
			    "invalid date %s for \"%s\": expected " DATE_FORMS,
			    quote(c, s), key);
	return DATE_NONE;
}

/* Whether v is an array (absent and null are not; wrong types reported). */
static bool get_array(struct jctx *c, struct jv obj, struct jv v,
		      const char *key, const char *expected)
{
	if (absent(c, obj, v, key, NULL, false))
		return false;
	if (!cJSON_IsArray(v.j)) {
		wrong_type(c, v, key, expected);
		return false;
	}
	return true;
}

/* The i-th element of array v. */
static struct jv element(struct jctx *c, struct jv v, const cJSON *it,
			 size_t i)
{
	struct jv e = {it, jsonpos_child(c->idx, v.n, i)};

	return e;
}

/* Reports an element of array key (c->ptr is the element's pointer). */
static void wrong_element(struct jctx *c, struct jv e, const char *key,
			  const char *expected)
{
	jdiag(c, DIAG_ERROR, e, false,
	      "wrong type for an element of \"%s\": expected %s, found %s", key,
	      expected, describe(c, e.j));
}

/* A service id that must name a plan service; NULL after an error. */
static const struct service *find_service(struct jctx *c, struct jv v,
					  const char *id)
{
	const struct service *s = model_service_find(c->m, id);

	if (!s)
		jdiag(c, DIAG_ERROR, v, false, "unknown service %s%s",
		      quote(c, id), load_drills_suggest_service(&c->q, c->m, id));
	return s;
}

/* An array of strings into the arena; *n counts the kept ones. */
static const char **get_strings(struct jctx *c, struct jv obj, struct jv v,
				const char *key, size_t *n)
{
	const char **out = NULL;
	const cJSON *it;
	size_t i = 0, old;

	*n = 0;
	if (!get_array(c, obj, v, key, "an array of strings"))
		return NULL;
	out = arena_calloc(c->m->arena, (size_t)cJSON_GetArraySize(v.j) + 1,
			   sizeof(*out));
	old = jsonpos_ptr_push_key(&c->ptr, key);
	for (it = v.j->child; it; it = it->next, i++) {
		size_t o = jsonpos_ptr_push_index(&c->ptr, i);

		if (cJSON_IsString(it))
			out[(*n)++] = arena_strdup(c->m->arena, it->valuestring);
		else
			wrong_element(c, element(c, v, it, i), key, "a string");
		jsonpos_ptr_pop(&c->ptr, o);
	}
	jsonpos_ptr_pop(&c->ptr, old);
	return out;
}

/* An enumerated string: its index in names[], or -1 after an error. */
static int get_enum(struct jctx *c, struct jv obj, struct jv v,
		    const char *key, const char *what,
		    const char *const *names, size_t n)
{
	const char *s = get_string(c, obj, v, key, what, true);
	struct buf b = BUF_INIT;
	int k;

	if (!s)
		return -1;
	k = model_enum_find(names, n, s);
	if (k >= 0)
		return k;
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_puts(&b, i + 1 == n ? " or " : ", ");
		buf_printf(&b, "\"%s\"", names[i]);
	}
	member_diag(c, v, key, "invalid value for \"%s\": expected %s, found %s",
		    key, b.data, quote(c, s));
	buf_free(&b);
	return -1;
}

/* ---- the drill ---- */

static const char *const drill_keys[] = {
	"id", "date", "type", "scope", "results", "availability", "issues",
	"participants", "notes", "drgen", "$schema",
};
enum { DK_ID, DK_DATE, DK_TYPE, DK_SCOPE, DK_RESULTS, DK_AVAILABILITY,
       DK_ISSUES, DK_PARTICIPANTS, DK_NOTES, DK_DRGEN, DK_SCHEMA, DK_COUNT };

static const char *const scope_keys[] = {"services", "traffic_percent"};
enum { SK_SERVICES, SK_TRAFFIC, SK_COUNT };

static const char *const result_keys[] = {
	"service", "target_rto_minutes", "target_rpo_minutes",
	"recovery_minutes", "data_loss_minutes", "recovered", "data_integrity",
	"failure", "restored_from_backup",
};
enum { RK_SERVICE, RK_RTO, RK_RPO, RK_RECOVERY, RK_LOSS, RK_RECOVERED,
       RK_INTEGRITY, RK_FAILURE, RK_FROM_BACKUP, RK_COUNT };

static const char *const issue_keys[] = {
	"id", "title", "severity", "owner", "due", "status", "services",
};
enum { IK_ID, IK_TITLE, IK_SEVERITY, IK_OWNER, IK_DUE, IK_STATUS, IK_SERVICES,
       IK_COUNT };

static const char *const issue_status_names[] = {"open", "closed"};

#define MINUTES "a number of minutes, 0 or more"
#define FRACTION "a number from 0 to 1"

/*
 * The array of service ids at member "services" of obj, into the arena;
 * *n counts the kept ones.  Each must name a plan service (an unknown one
 * is an error, with a "did you mean"); one listed twice is a warning that
 * says where ("scope", "issue") and is kept once.  Returns NULL when the
 * array is absent, null or of the wrong type (reported).
 */
static const char **get_service_ids(struct jctx *c, struct jv obj, struct jv v,
				    const char *where, size_t *n)
{
	const char **out;
	struct strmap *seen;
	const cJSON *it;
	size_t i = 0, old;

	*n = 0;
	if (!get_array(c, obj, v, "services", "an array of strings"))
		return NULL;
	out = arena_calloc(c->m->arena, (size_t)cJSON_GetArraySize(v.j) + 1,
			   sizeof(*out));
	seen = strmap_new(8);
	old = jsonpos_ptr_push_key(&c->ptr, "services");
	for (it = v.j->child; it; it = it->next, i++) {
		struct jv e = element(c, v, it, i);
		size_t o = jsonpos_ptr_push_index(&c->ptr, i);
		const struct service *svc;

		if (!cJSON_IsString(it)) {
			wrong_element(c, e, "services", "a string");
		} else if ((svc = find_service(c, e, it->valuestring))) {
			if (strmap_get(seen, svc->id))
				jdiag(c, DIAG_WARNING, e, false,
				      "service %s is listed twice in the %s",
				      quote(c, svc->id), where);
			else
				out[(*n)++] = svc->id;
			strmap_put(seen, svc->id, (void *)svc);
		}
		jsonpos_ptr_pop(&c->ptr, o);
	}
	jsonpos_ptr_pop(&c->ptr, old);
	strmap_free(seen);
	return out;
}

static void read_scope(struct jctx *c, struct drill *dr, struct jv v,
		       bool *has_services)
{
	struct jv s[SK_COUNT];
	size_t old;

	old = jsonpos_ptr_push_key(&c->ptr, "scope");
	read_members(c, v, "scope", scope_keys, SK_COUNT, s);
	dr->traffic_percent = get_number(c, v, s[SK_TRAFFIC], "traffic_percent",
					 0, 100, "a number from 0 to 100");
	dr->scope_services = get_service_ids(c, v, s[SK_SERVICES], "scope",
					     &dr->n_scope_services);
	*has_services = dr->scope_services != NULL;
	jsonpos_ptr_pop(&c->ptr, old);
}

static bool read_result(struct jctx *c, struct jv v, struct drill_result *r,
			struct strmap *seen)
{
	struct jv s[RK_COUNT];
	const struct service *svc = NULL;
	const char *id;

	memset(r, 0, sizeof(*r));
	r->target_rto_minutes = r->target_rpo_minutes = NAN;
	r->recovery_minutes = r->data_loss_minutes = r->data_integrity = NAN;
	read_members(c, v, "drill result", result_keys, RK_COUNT, s);

	id = get_string(c, v, s[RK_SERVICE], "service", "drill result", true);
	if (id) {
		size_t old = jsonpos_ptr_push_key(&c->ptr, "service");

		svc = find_service(c, s[RK_SERVICE], id);
		if (svc && strmap_get(seen, svc->id)) {
			jdiag(c, DIAG_ERROR, s[RK_SERVICE], false,
			      "duplicate result for service %s",
			      quote(c, svc->id));
			svc = NULL;
		}
		jsonpos_ptr_pop(&c->ptr, old);
	}
	r->target_rto_minutes = get_number(c, v, s[RK_RTO], "target_rto_minutes",
					   0, HUGE_VAL, MINUTES);
	r->target_rpo_minutes = get_number(c, v, s[RK_RPO], "target_rpo_minutes",
					   0, HUGE_VAL, MINUTES);
	r->recovery_minutes = get_number(c, v, s[RK_RECOVERY], "recovery_minutes",
					 0, HUGE_VAL, MINUTES);
	r->data_loss_minutes = get_number(c, v, s[RK_LOSS], "data_loss_minutes",
					  0, HUGE_VAL, MINUTES);
	if (!absent(c, v, s[RK_RECOVERED], "recovered", "drill result", true)) {
		if (cJSON_IsBool(s[RK_RECOVERED].j))
			r->recovered = cJSON_IsTrue(s[RK_RECOVERED].j);
		else
			wrong_type(c, s[RK_RECOVERED], "recovered", "a boolean");
	}
	/* data_integrity: a fraction, or a boolean (true is 1). */
	if (cJSON_IsBool(s[RK_INTEGRITY].j))
		r->data_integrity = cJSON_IsTrue(s[RK_INTEGRITY].j) ? 1 : 0;
	else if (s[RK_INTEGRITY].j && !cJSON_IsNumber(s[RK_INTEGRITY].j) &&
		 !cJSON_IsNull(s[RK_INTEGRITY].j))
		wrong_type(c, s[RK_INTEGRITY], "data_integrity",
			   FRACTION " or a boolean");
	else
		r->data_integrity = get_number(c, v, s[RK_INTEGRITY],
					       "data_integrity", 0, 1,
					       FRACTION " or a boolean");
	r->failure = get_string(c, v, s[RK_FAILURE], "failure", NULL, false);
	if (cJSON_IsBool(s[RK_FROM_BACKUP].j))
		r->restored_from_backup = cJSON_IsTrue(s[RK_FROM_BACKUP].j);
	else if (s[RK_FROM_BACKUP].j && !cJSON_IsNull(s[RK_FROM_BACKUP].j))
		wrong_type(c, s[RK_FROM_BACKUP], "restored_from_backup", "a boolean");
	if (!svc)
		return false;
	strmap_put(seen, svc->id, (void *)svc);
	r->service = svc->id;
	r->service_index = (size_t)(svc - c->m->services);
	return true;
}

static void read_results(struct jctx *c, struct drill *dr, struct jv obj,
			 struct jv v)
{
	struct strmap *seen;
	const cJSON *it;
	size_t i = 0, old;

	if (!get_array(c, obj, v, "results", "an array of objects"))
		return;
	dr->results = arena_calloc(c->m->arena,
				   (size_t)cJSON_GetArraySize(v.j) + 1,
				   sizeof(*dr->results));
	seen = strmap_new(8);
	old = jsonpos_ptr_push_key(&c->ptr, "results");
	for (it = v.j->child; it; it = it->next, i++) {
		struct jv e = element(c, v, it, i);
		size_t o = jsonpos_ptr_push_index(&c->ptr, i);

		if (!cJSON_IsObject(it))
			wrong_element(c, e, "results", "an object");
		else if (read_result(c, e, &dr->results[dr->n_results], seen))
			dr->n_results++;
		jsonpos_ptr_pop(&c->ptr, o);
	}
	jsonpos_ptr_pop(&c->ptr, old);
	strmap_free(seen);
}

static void read_issue(struct jctx *c, struct drill *dr, struct jv e,
		       struct strmap *seen)
{
	struct drill_issue *is = &dr->issues[dr->n_issues];
	struct jv s[IK_COUNT];
	int status;

	read_members(c, e, "issue", issue_keys, IK_COUNT, s);
	is->id = get_string(c, e, s[IK_ID], "id", "issue", true);
	is->title = get_string(c, e, s[IK_TITLE], "title", "issue", true);
	is->severity = get_string(c, e, s[IK_SEVERITY], "severity", NULL, false);
	is->owner = get_string(c, e, s[IK_OWNER], "owner", NULL, false);
	is->due = get_date(c, e, s[IK_DUE], "due", NULL, false);
	status = get_enum(c, e, s[IK_STATUS], "status", "issue",
			  issue_status_names, ARRAY_LEN(issue_status_names));
	is->open = status == 0;
	is->services = get_service_ids(c, e, s[IK_SERVICES], "issue",
				       &is->n_services);
	if (!is->id)
		return;
	if (strmap_get(seen, is->id)) {
		member_diag(c, s[IK_ID], "id", "duplicate issue id %s",
			    quote(c, is->id));
		return;
	}
	strmap_put(seen, is->id, is);
	dr->n_issues++;
}

static void read_issues(struct jctx *c, struct drill *dr, struct jv obj,
			struct jv v)
{
	struct strmap *seen;
	const cJSON *it;
	size_t i = 0, old;

	if (!get_array(c, obj, v, "issues", "an array of objects"))
		return;
	dr->issues = arena_calloc(c->m->arena,
				  (size_t)cJSON_GetArraySize(v.j) + 1,
				  sizeof(*dr->issues));
	seen = strmap_new(8);
	old = jsonpos_ptr_push_key(&c->ptr, "issues");
	for (it = v.j->child; it; it = it->next, i++) {
		struct jv e = element(c, v, it, i);
		size_t o = jsonpos_ptr_push_index(&c->ptr, i);

		if (cJSON_IsObject(it))
			read_issue(c, dr, e, seen);
		else
			wrong_element(c, e, "issues", "an object");
		jsonpos_ptr_pop(&c->ptr, o);
	}
	jsonpos_ptr_pop(&c->ptr, old);
	strmap_free(seen);
}

/* Results for services outside an explicit scope are worth a warning. */
static void check_scope(struct jctx *c, struct drill *dr, struct jv results)
{
	struct strmap *scope = strmap_new(dr->n_scope_services);
	size_t old = jsonpos_ptr_push_key(&c->ptr, "results");

	for (size_t i = 0; i < dr->n_scope_services; i++)
		strmap_put(scope, dr->scope_services[i], dr);
	for (size_t i = 0; i < dr->n_results; i++) {
		const char *id = dr->results[i].service;
		const cJSON *it;
		size_t k = 0, o;

		if (strmap_get(scope, id))
			continue;
		/* Find the element again, for its position (rare). */
		for (it = results.j->child; it; it = it->next, k++) {
			const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "service");

			if (cJSON_IsString(s) && strcmp(s->valuestring, id) == 0)
				break;
		}
		o = jsonpos_ptr_push_index(&c->ptr, k);
		jdiag(c, DIAG_WARNING, element(c, results, it, k), false,
		      "result for service %s, which is not in the drill's scope",
		      quote(c, id));
		jsonpos_ptr_pop(&c->ptr, o);
	}
	jsonpos_ptr_pop(&c->ptr, old);
	strmap_free(scope);
}

static void read_drill(struct jctx *c, const char *rel, struct jv v,
		       struct load_drills_batch *out)
{
	struct jv s[DK_COUNT];
	struct drill *dr;
	const char *id;
	bool has_scope_services = false, bad_id = true;
	int line, col, type;

	dr = load_drills_batch_add(out, c->m, rel, c->file);
	jsonpos_value_pos(c->idx, v.n, &line, &col);
	dr->pos.line = line;
	dr->pos.pointer = arena_strdup(c->m->arena, c->ptr.len ? c->ptr.data : "");
	read_members(c, v, "drill", drill_keys, DK_COUNT, s);

	if (!absent(c, v, s[DK_DRGEN], "drgen", NULL, false)) {
		if (!cJSON_IsNumber(s[DK_DRGEN].j))
			wrong_type(c, s[DK_DRGEN], "drgen", "an integer");
		else if (s[DK_DRGEN].j->valuedouble != MODEL_FORMAT_VERSION)
			member_diag(c, s[DK_DRGEN], "drgen",
				    "unsupported format version %.15g, this drgen reads version %d",
				    s[DK_DRGEN].j->valuedouble,
				    MODEL_FORMAT_VERSION);
	}
	if (!absent(c, v, s[DK_SCHEMA], "$schema", NULL, false) &&
	    !cJSON_IsString(s[DK_SCHEMA].j))
		wrong_type(c, s[DK_SCHEMA], "$schema", "a string");

	id = get_string(c, v, s[DK_ID], "id", "drill", true);
	if (id && !load_drills_id_valid(id)) {
		size_t old = jsonpos_ptr_push_key(&c->ptr, "id");

		jsonpos_value_pos(c->idx, s[DK_ID].n, &line, &col);
		load_drills_report_id(c->d, c->file, line, col, c->ptr.data, id);
		c->error = true;
		jsonpos_ptr_pop(&c->ptr, old);
	} else if (id) {
		dr->id = id;
		bad_id = false;
	}
	dr->date = get_date(c, v, s[DK_DATE], "date", "drill", true);
	type = get_enum(c, v, s[DK_TYPE], "type", "drill",
			model_drill_type_names, DRILL_TYPE_COUNT);
	if (type >= 0)
		dr->type = (enum drill_type)type;
	if (!absent(c, v, s[DK_SCOPE], "scope", NULL, false)) {
		if (cJSON_IsObject(s[DK_SCOPE].j))
			read_scope(c, dr, s[DK_SCOPE], &has_scope_services);
		else
			wrong_type(c, s[DK_SCOPE], "scope", "an object");
	}
	read_results(c, dr, v, s[DK_RESULTS]);
	if (has_scope_services) {
		check_scope(c, dr, s[DK_RESULTS]);
	} else if (dr->n_results) {
		/* Without an explicit scope, the drill covered what it measured. */
		dr->scope_services = arena_calloc(c->m->arena, dr->n_results,
						  sizeof(*dr->scope_services));
		for (size_t i = 0; i < dr->n_results; i++)
			dr->scope_services[i] = dr->results[i].service;
		dr->n_scope_services = dr->n_results;
	}
	dr->availability = get_number(c, v, s[DK_AVAILABILITY], "availability",
				      0, 1, FRACTION);
	read_issues(c, dr, v, s[DK_ISSUES]);
	dr->participants = get_strings(c, v, s[DK_PARTICIPANTS], "participants",
				       &dr->n_participants);
	dr->notes = get_string(c, v, s[DK_NOTES], "notes", NULL, false);

	/* Without a usable id the drill cannot be referred to: drop it. */
	if (bad_id)
		out->n--;
}

bool load_drills_json(struct model *m, const char *rel, const char *file,
		      const char *data, size_t len,
		      struct load_drills_batch *out, struct diags *d)
{
	struct jctx c;
	struct jsonpos_error err;
	struct jsonpos *idx = NULL;
	cJSON *root = NULL;
	struct jv top;

	if (!jsonpos_parse(data, len, DRILL_JSON_MAX_DEPTH, &root, &idx, &err)) {
		diag_add(d, DIAG_ERROR, file, err.line, err.col, NULL, "%s",
			 err.message);
		return false;
	}
	memset(&c, 0, sizeof(c));
	c.m = m;
	c.file = file;
	c.d = d;
	c.idx = idx;
	top.j = root;
	top.n = jsonpos_root(idx);
	if (cJSON_IsObject(root)) {
		read_drill(&c, rel, top, out);
	} else if (cJSON_IsArray(root)) {
		const cJSON *it;
		size_t i = 0;

		for (it = root->child; it; it = it->next, i++) {
			struct jv e = element(&c, top, it, i);
			size_t o = jsonpos_ptr_push_index(&c.ptr, i);

			if (cJSON_IsObject(it))
				read_drill(&c, rel, e, out);
			else
				jdiag(&c, DIAG_ERROR, e, false,
				      "wrong type for an element of the drill array: expected an object, found %s",
				      describe(&c, it));
			jsonpos_ptr_pop(&c.ptr, o);
		}
	} else {
		jdiag(&c, DIAG_ERROR, top, false,
		      "expected a drill object or an array of drills at the top level, found %s",
		      describe(&c, root));
	}
	buf_free(&c.ptr);
	jsonpos_free(idx);
	cJSON_Delete(root);
	return !c.error;
}
